"""Scellé expertise service: cases, participants, parties, lifecycle, search, statistics."""
