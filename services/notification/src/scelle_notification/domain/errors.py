"""Errors the use cases raise; only the HTTP entrypoint maps them to problem types."""

from __future__ import annotations


class NotificationError(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(NotificationError):
    pass


class Forbidden(NotificationError):
    pass


class InvalidRequest(NotificationError):
    pass
