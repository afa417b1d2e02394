"""Domain errors. Only the HTTP entrypoint maps them to problem types (one table, entrypoints/api/common.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ExpertiseError(Exception):
    """Base of every rule the expertise domain refuses."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidRequest(ExpertiseError):
    """The data breaks a rule (field pointer → message in ``fields``)."""

    def __init__(self, detail: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.fields = dict(fields or {})


class NotFound(ExpertiseError):
    """No such thing — or the caller may not know it exists (no existence leak)."""


class Forbidden(ExpertiseError):
    """The caller sees the expertise but may not do this (only the owner expert administers)."""


class Conflict(ExpertiseError):
    """The expertise's current state forbids the change; ``slug`` names the rule."""

    def __init__(self, detail: str, slug: str = "conflict") -> None:
        super().__init__(detail)
        self.slug = slug


class IllegalTransition(Conflict):
    """A status change the machine does not allow; ``allowed`` lists the legal targets."""

    def __init__(self, current: str, target: str, allowed: Sequence[str]) -> None:
        targets = ", ".join(allowed) or "aucun"
        super().__init__(
            f"Passage de « {current} » à « {target} » impossible ; statuts possibles : {targets}.",
            slug="illegal-status-transition",
        )
        self.current = current
        self.target = target
        self.allowed = list(allowed)


class ConfirmationRequired(ExpertiseError):
    """A status change must be confirmed explicitly (``confirmed: true``)."""
