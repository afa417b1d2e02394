"""Entrypoints of the designation service: HTTP API, consumer, relay, CLI."""
