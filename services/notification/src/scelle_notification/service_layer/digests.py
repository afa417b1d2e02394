"""The end-of-day digest run: one *Compte rendu d'activité* per person with news since their last one.

The readers with news are listed once, then taken in account order, ``digest_chunk_size`` at a time; each chunk is one transaction
that queues the rendered digests and moves each reader's period end to ``until``. A crashed run
leaves the committed chunks done and the rest untouched, so running it again finishes the work;
running it again for the same ``until`` finds nothing new (each reader's period already ends
there) and the queue's unique (``digest:<until>``, reader) key is a second guard. Chunks take a
transaction-scoped advisory lock, so two runs started together never compose the same chunk.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scelle_notification.domain.digest import Deposit, Item, Reader, StatusChange, compose
from scelle_notification.service_layer.context import Services


@dataclass
class DigestReport:
    until: datetime
    readers: int = 0
    queued: int = 0
    nothing_to_tell: int = 0
    no_address: int = 0
    chunks: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"until": self.until.isoformat(), "readers": self.readers, "queued": self.queued,
                "nothing_to_tell": self.nothing_to_tell, "no_address": self.no_address, "chunks": self.chunks}


def digest_key(until: datetime) -> str:
    return "digest:" + until.isoformat()


def _item(row: Any) -> Item:
    if row.kind == "status":
        return StatusChange(row.expertise_id, row.expertise_name or "", row.occurred_at, row.from_status,
                            row.to_status or "", row.reason)
    return Deposit(row.expertise_id, row.expertise_name or "", row.occurred_at, row.folder_path or "",
                   row.folder_label or "", row.file_name or "", row.document_id or "", row.depositor_account_id,
                   row.depositor_name or "", row.depositor_role)


def run_digest(services: Services, until: datetime, *, max_chunks: int | None = None) -> DigestReport:
    """Queue the digests of every reader with news up to ``until`` (``max_chunks`` stops early: tests
    use it to simulate a crash)."""
    report = DigestReport(until)
    with services.unit_of_work() as uow:
        candidates = uow.activities.readers_with_news(until)
    size = services.digest_chunk_size
    for start in range(0, len(candidates), size):
        if max_chunks is not None and report.chunks >= max_chunks:
            break
        readers = candidates[start:start + size]
        with services.unit_of_work() as uow:
            # Under the run lock, each reader's period is read again: a reader a concurrent run
            # has just served has nothing left up to ``until``, so gets nothing twice.
            uow.digests.lock_run()
            last = uow.digests.last_until(readers)
            rows = uow.activities.items_for(readers, until)
            contacts = uow.contacts.contacts_of(readers)
            prefs = uow.contacts.preferences_of(readers)
            items: dict[str, list[Item]] = defaultdict(list)
            first_seen: dict[str, datetime] = {}
            for row in rows:
                items[row.account_id].append(_item(row))
                if row.account_id not in first_seen or row.recorded_at < first_seen[row.account_id]:
                    first_seen[row.account_id] = row.recorded_at
            now = services.clock()
            mails: list[dict[str, Any]] = []
            states: list[dict[str, Any]] = []
            for account_id in readers:
                contact = contacts.get(account_id)
                if contact is None or not contact.email or contact.status == "merged":
                    report.no_address += 1  # kept for the next run: identity may not have told us yet
                    continue
                reader = Reader(account_id, contact.display_name, contact.profile, prefs.get(account_id, True))
                start = last.get(account_id) or first_seen.get(account_id) or until
                digest = compose(reader, items.get(account_id, []), start, until)
                email_id = None
                if digest is None:
                    report.nothing_to_tell += 1
                else:
                    rendered = services.renderer.render("digest", reader.name, {"digest": digest})
                    email_id = services.new_id()
                    mails.append({
                        "id": email_id, "dedup_key": digest_key(until), "recipient_key": account_id,
                        "recipient_account_id": account_id, "recipient_email": contact.email,
                        "recipient_name": reader.name, "kind": "digest",
                        "context": {"period_start": start.isoformat(), "period_end": until.isoformat(),
                                    "lines": digest.line_count},
                        "subject": rendered.subject, "text_body": rendered.text, "html_body": rendered.html,
                        "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now})
                states.append({"account_id": account_id, "last_until": until, "last_email_id": email_id,
                               "updated_at": now})
            report.queued += uow.emails.enqueue(mails)
            uow.digests.advance(states)
            uow.commit()
        report.readers += len(readers)
        report.chunks += 1
    return report
