"""Sending identity's own mails (association and certificate-retrieval links) over SMTP."""

from __future__ import annotations

import html
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from scelle_identity.domain.errors import MailUnavailable
from scelle_identity.service_layer.ports import Mail


class SmtpMailer:
    """Sends through ``host:port`` (no authentication: the local relay or a cluster MTA)."""

    def __init__(self, host: str, port: int, sender: str, timeout: float = 10.0) -> None:
        self._host, self._port, self._sender, self._timeout = host, port, sender, timeout

    def send(self, mail: Mail) -> str:
        """Send ``mail``; returns its Message-ID. :class:`MailUnavailable` when SMTP fails."""
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Message-ID"] = make_msgid(domain="scelle.localhost")
        text = "\n\n".join([*mail.paragraphs, f"{mail.link_label} : {mail.link}"])
        message.set_content(text + "\n")
        body = "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in mail.paragraphs)
        link = f'<p><a href="{html.escape(mail.link, quote=True)}">{html.escape(mail.link_label)}</a></p>'
        message.add_alternative(f"<!doctype html><html lang=\"fr\"><body>{body}{link}</body></html>", subtype="html")
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailUnavailable(f"le serveur de courriel ne répond pas ({type(exc).__name__})") from None
        return str(message["Message-ID"])
