"""Use cases of the notification service."""
