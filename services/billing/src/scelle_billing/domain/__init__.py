"""Pure rules of the billing service (no I/O)."""
