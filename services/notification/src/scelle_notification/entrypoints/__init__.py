"""Entrypoints of the notification service: HTTP API, consumer, relay, CLI."""
