"""Entrypoints of the billing service: HTTP API, consumer, relay, CLI."""
