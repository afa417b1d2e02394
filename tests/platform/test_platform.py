"""The private platform starts what ./scelle up starts, answers, and survives a killed process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from scelle_common.testing.servers import S3Endpoint
from scelle_common.testing.smtp import SmtpCapture
from tests.e2e.harness import Pki, dev_pki
from tests.platform.harness import Platform, running_platform

@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return dev_pki(tmp_path_factory.mktemp("platform-pki") / "pki")


@pytest.fixture(scope="module")
def platform(tmp_path_factory, pki, database_factory, rabbitmq_url, s3_endpoint) -> Iterator[Platform]:  # noqa: ANN001
    smtp = SmtpCapture().start()
    try:
        with running_platform(tmp_path_factory.mktemp("platform"), pki=pki, database_factory=database_factory,
                              broker_url=rabbitmq_url, s3=s3_endpoint, smtp_host=smtp.host,
                              smtp_port=smtp.port) as running:
            yield running
    finally:
        smtp.stop()


def test_the_processes_are_those_of_the_services_table(tmp_path: Path, pki: Pki) -> None:
    table = tmp_path / "services.txt"
    table.write_text("# name port uses\nidentity 1 migrate api relay consumer smtp signing-key pki seed\n"
                     "notification 2 migrate api relay consumer smtp sender\nportal 3 api backends\n"
                     "not-a-service 4 migrate api\n")
    platform = Platform(tmp_path / "platform", pki=pki, services_file=table, broker_url="amqp://broker",
                        events_exchange="x.events", queue_prefix="x.",
                        database_urls={"identity": "postgresql://identity", "notification": "postgresql://notif"},
                        s3=S3Endpoint("http://127.0.0.1:9", "key", "secret"), smtp_host="127.0.0.1", smtp_port=2525)
    try:
        commands = {name: command for line in platform.services for name, command in platform.commands(line).items()}
        assert sorted(commands) == ["identity-api", "identity-consumer", "identity-relay", "notification-api",
                                    "notification-consumer", "notification-relay", "notification-sender",
                                    "portal-api"]
        assert commands["notification-sender"][1:] == ["send-mail"]
        identity = platform.env("identity")
        assert identity["IDENTITY_EVENTS_EXCHANGE"] == "x.events" and identity["IDENTITY_QUEUE_PREFIX"] == "x."
        assert identity["IDENTITY_SMTP_PORT"] == "2525"
        assert identity["IDENTITY_PUBLIC_URL"] == f"https://localhost:{platform.gateway.port}"
        portal = platform.env("portal")
        assert portal["PORTAL_NOTIFICATION_URL"] == f"http://127.0.0.1:{platform.ports['notification']}"
        assert platform.gateway.config.object_store == "127.0.0.1:9"
        assert "PORTAL_DATABASE_URL" not in portal and "PORTAL_SMTP_HOST" not in portal
    finally:
        platform.gateway.stop()


def test_every_api_is_ready_and_the_gateway_admits_a_demo_certificate(platform: Platform) -> None:
    for name in platform.ports:
        assert requests.get(platform.api_url(name, "/readyz"), timeout=5).status_code == 200, name
    me = requests.get(platform.url("/api/identity/v1/accounts/me"), cert=platform.pki.cert("expert"),
                      verify=platform.pki.server_ca, timeout=10)
    assert me.status_code == 200, me.text
    assert me.json()["email"] == platform.pki.identity("expert")["email"]
    platform.check_alive()


def test_a_killed_process_starts_again(platform: Platform) -> None:
    api = platform.process("expertise-api")
    first = api.pid
    api.kill()
    assert not api.running
    with pytest.raises(requests.ConnectionError):
        requests.get(platform.api_url("expertise", "/readyz"), timeout=5)
    api.start()
    platform.wait_ready(timeout=60)
    assert api.pid != first
    assert requests.get(platform.api_url("expertise", "/readyz"), timeout=5).status_code == 200
