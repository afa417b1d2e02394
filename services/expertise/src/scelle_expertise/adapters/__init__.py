"""Adapters of the expertise service: database, bus, outside systems."""
