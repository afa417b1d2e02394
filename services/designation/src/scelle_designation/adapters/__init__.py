"""Adapters of the designation service: database, bus, outside systems."""
