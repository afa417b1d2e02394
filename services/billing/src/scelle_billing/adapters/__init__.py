"""Adapters of the billing service: database, bus, outside systems."""
