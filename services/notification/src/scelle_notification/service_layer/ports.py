"""What the delivery use case needs from an SMTP adapter."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol


class DeliveryError(Exception):
    """The server refused or could not be reached; ``smtp_code`` is ``None`` when it never answered.

    ``about_us`` marks a refusal of the sender or the session (STARTTLS required, authentication,
    MAIL FROM): a configuration to fix, never a reason to give up a recipient's mail, so it always
    waits like a temporary failure whatever its code.
    """

    def __init__(self, smtp_code: int | None, detail: str, *, about_us: bool = False) -> None:
        super().__init__(detail)
        self.smtp_code = smtp_code
        self.detail = detail
        self.about_us = about_us


@dataclass(frozen=True)
class OutgoingMail:
    email_id: str
    to: str
    subject: str
    text: str
    html: str


class MailSession(Protocol):
    def send(self, mail: OutgoingMail) -> str:
        """Hand ``mail`` to the server; its Message-ID. Raises :class:`DeliveryError`."""


class Mailer(Protocol):
    def connect(self) -> AbstractContextManager[MailSession]:
        """An open session; raises :class:`DeliveryError` when the server cannot be reached."""
