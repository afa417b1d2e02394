"""Use cases of the expertise service."""
