"""Pure rules of the designation service (no I/O)."""
