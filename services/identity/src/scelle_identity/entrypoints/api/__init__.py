"""The identity HTTP API, one blueprint per resource."""
