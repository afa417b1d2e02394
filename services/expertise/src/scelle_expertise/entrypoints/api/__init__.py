"""The expertise HTTP API, one blueprint per resource."""
