"""Pure rules of the expertise service (no I/O)."""
