"""Scellé notification service: e-mails, end-of-day digests, preferences."""
