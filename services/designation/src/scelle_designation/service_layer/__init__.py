"""Use cases of the designation service."""
