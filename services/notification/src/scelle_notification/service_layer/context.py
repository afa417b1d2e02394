"""What the use cases need, injected by ``bootstrap``: units of work, clock, ids, renderer, policy."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from scelle_notification.domain.retry import RetryPolicy
from scelle_notification.service_layer.unit_of_work import NotificationUnitOfWork

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Rendered(Protocol):
    subject: str
    text: str
    html: str


class Renderer(Protocol):
    def render(self, kind: str, name: str, context: Mapping[str, Any]) -> Rendered: ...


@dataclass(frozen=True)
class Actor:
    """The caller of an API use case."""

    account_id: str
    profile: str
    cert_fingerprint: str | None = None
    cert_serial: str | None = None
    client_ip: str | None = None


@dataclass
class Services:
    unit_of_work: Callable[[], NotificationUnitOfWork]
    renderer: Renderer
    clock: Clock = utc_now
    new_id: Callable[[], str] = new_id
    retry: RetryPolicy = RetryPolicy()
    send_batch_size: int = 50
    send_lease_seconds: int = 300
    digest_chunk_size: int = 500
