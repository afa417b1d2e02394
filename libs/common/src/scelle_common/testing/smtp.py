"""A real SMTP server in the test process (aiosmtpd), whose received mail tests can read."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from scelle_common.testing.servers import free_port


@dataclass
class ReceivedMail:
    """One message as the server received it."""

    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class SmtpCapture:
    """An SMTP server on 127.0.0.1 recording what it receives.

    It may be stopped and started again: it comes back on the same port, with what it had received,
    so a fault drill can take the mail server away from a sender and give it back.
    """

    host: str = "127.0.0.1"
    port: int = 0
    received: list[ReceivedMail] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def start(self) -> SmtpCapture:
        # aiosmtpd cannot bind port 0, so a free port is chosen first (once: a restart keeps it).
        if not self.port:
            self.port = free_port()
        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self.received)
