"""Entrypoints of the identity service: HTTP API, consumer, relay, CLI."""
