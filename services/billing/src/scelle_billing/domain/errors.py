"""Errors of the billing domain; only the HTTP entrypoint maps them to problem types."""

from __future__ import annotations


class BillingError(Exception):
    """Base of every billing rule refusal."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidReferenceData(BillingError):
    """A tariff or legal-rate file breaks a rule (checked when a process starts)."""


class NoticeTooShort(InvalidReferenceData):
    """A tariff version announced less than four months before it takes effect (terms art. 9)."""


class NotFound(BillingError):
    """No such resource, or none the caller may see (both answer 404)."""


class Forbidden(BillingError):
    """The caller's profile may not do this."""


class InvalidRequest(BillingError):
    """The request is well formed but breaks a billing rule."""
