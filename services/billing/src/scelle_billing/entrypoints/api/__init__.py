"""The billing HTTP API, one blueprint per resource."""
