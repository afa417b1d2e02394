"""Use cases of the billing service."""
