"""The daily expiry care: ``identity.certificate_expiring`` at 60, 30 and 7 days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from scelle_identity.domain.expiry import THRESHOLDS_DAYS, days_left, due_threshold
from scelle_identity.service_layer import integration_events as events
from scelle_identity.service_layer.context import SYSTEM, Services, audit_entry


@dataclass(frozen=True)
class Notice:
    fingerprint: str
    account_id: str
    threshold_days: int
    days_left: int


def publish_expiry_notices(services: Services, now: datetime | None = None) -> list[Notice]:
    """Announce each bound, live certificate that entered a threshold, once per threshold.

    Safe to run several times a day or from two places at once: a notice is claimed in the
    database (primary key) in the transaction that publishes it.
    """
    now = now or services.clock()
    today = now.date()
    with services.unit_of_work() as uow:
        candidates = uow.certificates.expiring(now, now + timedelta(days=max(THRESHOLDS_DAYS) + 1))
    sent: list[Notice] = []
    for candidate in candidates:
        assert candidate.account_id is not None
        remaining = days_left(candidate.not_after.date(), today)
        with services.unit_of_work() as uow:
            threshold = due_threshold(remaining, uow.certificates.notices_sent(candidate.fingerprint))
            account = uow.accounts.get(candidate.account_id)
            if threshold is None or account is None or account.status == "merged":
                continue
            if not uow.certificates.record_notice(candidate.fingerprint, threshold, now):
                continue
            uow.publish(events.certificate_expiring(account, candidate, remaining, threshold, now))
            uow.record(audit_entry(SYSTEM, "certificate.expiry_notice", f"certificate:{candidate.fingerprint}",
                                   "published", now, threshold_days=threshold, days_left=remaining,
                                   account=account.id))
            uow.commit()
        sent.append(Notice(candidate.fingerprint, account.id, threshold, remaining))
    return sent
