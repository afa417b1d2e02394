"""Adapters of the documents service: database, bus, outside systems."""
