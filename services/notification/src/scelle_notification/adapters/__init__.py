"""Adapters of the notification service: database, bus, outside systems."""
