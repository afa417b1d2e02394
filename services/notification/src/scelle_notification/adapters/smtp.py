"""SMTP delivery with smtplib: one connection per batch, STARTTLS and login when configured."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr

from scelle_notification.service_layer.ports import DeliveryError, OutgoingMail


def _error(exc: BaseException, *, session: bool = False) -> DeliveryError:
    """``session``: raised while opening the session (EHLO, STARTTLS, AUTH), never about a recipient."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        code = codes[0] if codes else None
        return DeliveryError(code, f"destinataire refusé ({code})")
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        about_us = session or isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError)
        return DeliveryError(exc.smtp_code, f"{exc.smtp_code} {message}"[:300], about_us=about_us)
    return DeliveryError(None, f"serveur injoignable ({type(exc).__name__})", about_us=True)


class SmtpSession:
    def __init__(self, smtp: smtplib.SMTP, sender: str, domain: str) -> None:
        self._smtp, self._sender, self._domain = smtp, sender, domain

    def send(self, mail: OutgoingMail) -> str:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Message-ID"] = make_msgid(idstring=mail.email_id.replace("-", ""), domain=self._domain)
        message["Auto-Submitted"] = "auto-generated"
        message["X-Scelle-Email-Id"] = mail.email_id
        message.set_content(mail.text)
        message.add_alternative(mail.html, subtype="html")
        try:
            self._smtp.send_message(message, to_addrs=[mail.to])
        except (OSError, smtplib.SMTPException) as exc:
            raise _error(exc) from None
        return str(message["Message-ID"])


class SmtpMailer:
    """Connects to ``host:port``; ``starttls`` upgrades the connection (certificate verified)."""

    def __init__(self, host: str, port: int, sender: str, *, starttls: bool = False, username: str = "",
                 password: str = "", timeout: float = 10.0, tls_context: ssl.SSLContext | None = None) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._starttls, self._username, self._password, self._timeout = starttls, username, password, timeout
        self._tls_context = tls_context
        address = parseaddr(sender)[1]
        self._domain = address.rpartition("@")[2] or "scelle.localhost"

    @contextmanager
    def connect(self) -> Iterator[SmtpSession]:
        try:
            smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise _error(exc) from None
        try:
            try:
                smtp.ehlo()
                if self._starttls:
                    smtp.starttls(context=self._tls_context or ssl.create_default_context())
                    smtp.ehlo()
                if self._username:
                    smtp.login(self._username, self._password)
            except (OSError, smtplib.SMTPException) as exc:
                raise _error(exc, session=True) from None
            yield SmtpSession(smtp, self._sender, self._domain)
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


__all__ = ["SmtpMailer", "SmtpSession", "formataddr"]
