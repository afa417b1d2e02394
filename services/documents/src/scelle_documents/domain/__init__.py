"""Pure rules of the documents service (no I/O)."""
