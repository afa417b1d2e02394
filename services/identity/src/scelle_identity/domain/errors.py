"""Errors the identity rules raise. Only the HTTP entrypoint maps them to problem types (one table).

Each error carries a French ``detail`` meant for the person who made the request, and for
validation errors the fields at fault.
"""

from __future__ import annotations

from collections.abc import Mapping


class IdentityError(Exception):
    """Base of every rule the identity service refuses to break."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidRequest(IdentityError):
    """The request is well formed but breaks a rule; ``fields`` maps a field pointer to a message."""

    def __init__(self, detail: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.fields = dict(fields or {})


class NotFound(IdentityError):
    """The thing asked for does not exist, or is not the caller's to see."""


class NotAllowed(IdentityError):
    """The caller's profile or relation to the resource does not allow the action."""


class Conflict(IdentityError):
    """The action contradicts the current state (already registered, already bound...)."""


class LinkUnusable(IdentityError):
    """A one-time link (association, certificate retrieval) is expired, used or withdrawn."""

    def __init__(self, detail: str, state: str) -> None:
        super().__init__(detail)
        self.state = state


class NotConfigured(IdentityError):
    """The service lacks the key material or reference data this action needs."""


class MailUnavailable(IdentityError):
    """The mail server refused or could not be reached; nothing was promised to the user."""
