"""Entrypoints of the expertise service: HTTP API, consumer, relay, CLI."""
