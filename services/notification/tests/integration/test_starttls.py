"""With ``NOTIFICATION_SMTP_STARTTLS`` the connection is upgraded, the server's certificate verified,
and a server that insists on TLS gets the mail."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from scelle_common.testing.servers import free_port
from scelle_notification.adapters.smtp import SmtpMailer

from .conftest import billing_event, person


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
                   .not_valid_after(now + dt.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                               x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "smtp.pem", directory / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Recorder:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], bool]] = []

    async def handle_DATA(self, _server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append((list(envelope.rcpt_tos), session.ssl is not None))
        return "250 OK"


@pytest.fixture
def tls_server(tmp_path) -> Iterator[tuple[Recorder, int, Path]]:  # noqa: ANN001
    cert, key = self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    recorder, port = Recorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, tls_context=server_context,
                            require_starttls=True)
    controller.start()
    yield recorder, port, cert
    controller.stop()


def test_mail_goes_through_starttls_to_a_server_that_requires_it(notification, tls_server):
    recorder, port, cert = tls_server
    who = person("expert", "Chiffré")
    notification.feed(who.registered())
    notification.feed(billing_event("billing.account_reinstated.v1", who, reinstated_on="2026-08-25",
                                    suspended_on="2026-08-18"))
    plain = SmtpMailer("127.0.0.1", port, "Scellé <ne-pas-repondre@scelle.test>", timeout=5)
    assert notification.deliver(plain).retried == 1  # refused in clear: 530, the mail waits
    notification.clock.advance(seconds=31)
    trusting = ssl.create_default_context(cafile=str(cert))
    secure = SmtpMailer("127.0.0.1", port, "Scellé <ne-pas-repondre@scelle.test>", starttls=True,
                        tls_context=trusting, timeout=5)
    assert notification.deliver(secure).sent == 1
    assert recorder.received == [([who.email], True)]


def test_an_unverifiable_server_certificate_gets_no_mail(notification, tls_server):
    recorder, port, _cert = tls_server
    who = person("expert", "Prudent")
    notification.feed(who.registered())
    notification.feed(billing_event("billing.account_reinstated.v1", who, reinstated_on="2026-08-25",
                                    suspended_on="2026-08-18"))
    secure = SmtpMailer("127.0.0.1", port, "Scellé <ne-pas-repondre@scelle.test>", starttls=True, timeout=5)
    assert notification.deliver(secure).retried == 1
    assert recorder.received == []
