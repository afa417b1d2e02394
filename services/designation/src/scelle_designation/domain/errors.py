"""What the designation rules refuse; only the entrypoints turn these into problem+json."""

from __future__ import annotations

from datetime import datetime


class DesignationError(Exception):
    """Base of every refusal of the designation rules."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidRequest(DesignationError):
    """Input that breaks a rule (422); ``fields`` maps JSON pointers to messages."""

    def __init__(self, detail: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.fields = fields or {}


class MissingForSending(InvalidRequest):
    """*Envoyer* without an expert or without a file (422 naming what is missing)."""

    def __init__(self, missing: list[str]) -> None:
        labels = {"expert": "aucun expert choisi", "documents": "aucun fichier dans le dossier de désignation"}
        super().__init__("Impossible d'envoyer la désignation : " + ", ".join(labels[m] for m in missing) + ".",
                         {f"/{m}": labels[m] for m in missing})
        self.missing = missing


class NotFound(DesignationError):
    """No such designation for this caller (404: others' designations are not revealed)."""


class Forbidden(DesignationError):
    """The caller's profile may not do this at all (403)."""


class Conflict(DesignationError):
    """The designation's state forbids the action now (409); ``slug`` names the problem type."""

    def __init__(self, detail: str, slug: str, status: str | None = None) -> None:
        super().__init__(detail)
        self.slug = slug
        self.status = status


class TooEarly(Conflict):
    """A 24 h window is not over yet (409 with the moment the action becomes possible)."""

    def __init__(self, detail: str, slug: str, possible_at: datetime) -> None:
        super().__init__(detail, slug)
        self.possible_at = possible_at
