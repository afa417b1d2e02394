"""Adapters of the identity service: database, bus, outside systems."""
