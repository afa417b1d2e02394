"""Pure rules of the notification service (no I/O)."""
