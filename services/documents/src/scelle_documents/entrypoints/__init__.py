"""Entrypoints of the documents service: HTTP API, consumer, relay, CLI."""
