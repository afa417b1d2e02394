"""Accruals from the events billing consumes (DESIGN §2): the billing file of each expertise.

* ``expertise.created.v1`` — the owner expert billed.
* ``expertise.status_changed.v1`` — the first entry into ``en_cours`` starts the clock (t₀), freezes
  the tariff in force that day and accrues the capacity reservation and the opening fee. Status
  events not above the last status version applied are stale and dropped.
* ``expertise.party_added.v1`` — one line per party.
* ``identity.software_certificate_issued.v1`` — one line per certificate issued for an expertise.
* ``documents.document_deposited.v1`` — the first document in ``greffe/rapport-definitif`` dates
  the final report.
* ``identity.accounts_merged.v1`` — the merged account's expertises, invoices and dunning state
  move to the surviving account (DESIGN §6.8: invoices move with a merge).

Each line remembers when it accrued and is unique per (expertise, tariff line, source), so a
redelivered event that slipped past the inbox still accrues nothing twice. Every effect is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scelle_common.events import Event
from scelle_common.messaging import PermanentError
from scelle_billing.domain import tariffs
from scelle_billing.domain.calendar import civil_date
from scelle_billing.service_layer.context import Services, audit_entry, system_actor
from scelle_billing.service_layer.unit_of_work import BillingUnitOfWork

EN_COURS = "en_cours"
FINAL_REPORT_FOLDER = "greffe/rapport-definitif"


def _text(data: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = data.get(key)
    if isinstance(value, str) and value:
        return value
    if required:
        raise PermanentError(f"event data without {key}")
    return None


def _instant(data: dict[str, Any], key: str, fallback: datetime) -> datetime:
    value = data.get(key)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise PermanentError(f"event data {key} is not a date-time") from None
    return fallback


def _version(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise PermanentError(f"event data without integer {key}")
    return value


def _audit(uow: BillingUnitOfWork, services: Services, event: Event, action: str, target: str, outcome: str,
           **details: Any) -> None:
    source = event.source.rsplit("/", 1)[-1]
    uow.record(audit_entry(system_actor(source), action, target, outcome, services.clock(),
                           event_id=event.id, **details))


def expertise_created(uow: BillingUnitOfWork, services: Services, event: Event) -> None:
    data = event.data
    expertise_id = _text(data, "expertise_id")
    assert expertise_id is not None
    now = services.clock()
    file = uow.files.ensure(expertise_id, now)
    uow.files.update(expertise_id, now, owner_account_id=_text(data, "owner_account_id") or file["owner_account_id"],
                     display_name=data.get("display_name") or file["display_name"])
    _audit(uow, services, event, "billing_file.open", f"expertise:{expertise_id}", "applied")


def status_changed(uow: BillingUnitOfWork, services: Services, event: Event) -> None:
    data = event.data
    expertise_id = _text(data, "expertise_id")
    assert expertise_id is not None
    version = _version(data, "expertise_version")
    to_status = _text(data, "to_status", required=False) or _text(data, "status")
    now = services.clock()
    file = uow.files.ensure(expertise_id, now)
    if version <= file["status_version"]:
        _audit(uow, services, event, "billing_file.status", f"expertise:{expertise_id}", "stale", version=version)
        return
    changes: dict[str, Any] = {"status": to_status, "status_version": version}
    if data.get("display_name"):
        changes["display_name"] = data["display_name"]
    outcome = "applied"
    if to_status == EN_COURS and file["en_cours_on"] is None:
        started_at = _instant(data, "changed_at", event.time)
        started_on = civil_date(started_at)
        tariff = services.tariffs.in_force(started_on)
        changes |= {"en_cours_at": started_at, "en_cours_on": started_on, "tariff_version": tariff.version}
        for code in (tariffs.RESERVATION, tariffs.OPENING):
            uow.lines.accrue(id=services.new_id(), expertise_id=expertise_id, code=code, source_ref=expertise_id,
                             accrued_at=started_at, accrued_on=started_on, event_id=event.id)
        uow.lines.price_unpriced(expertise_id, {code: (line.label, line.unit_price_cents)
                                                for code, line in tariff.lines.items()})
        outcome = "billing_started"
    uow.files.update(expertise_id, now, **changes)
    _audit(uow, services, event, "billing_file.status", f"expertise:{expertise_id}", outcome, status=to_status,
           version=version)


def _accrue(uow: BillingUnitOfWork, services: Services, event: Event, expertise_id: str, code: str,
            source_ref: str, accrued_at: datetime) -> None:
    now = services.clock()
    file = uow.files.ensure(expertise_id, now)
    price: dict[str, Any] = {}
    if file["tariff_version"]:
        line = services.tariffs.get(file["tariff_version"]).price(code)
        price = {"label": line.label, "unit_price_cents": line.unit_price_cents}
    added = uow.lines.accrue(id=services.new_id(), expertise_id=expertise_id, code=code, source_ref=source_ref,
                             accrued_at=accrued_at, accrued_on=civil_date(accrued_at), event_id=event.id, **price)
    _audit(uow, services, event, f"billing_line.{code}", f"expertise:{expertise_id}",
           "accrued" if added else "duplicate", source_ref=source_ref)


def party_added(uow: BillingUnitOfWork, services: Services, event: Event) -> None:
    data = event.data
    expertise_id, party_id = _text(data, "expertise_id"), _text(data, "party_id")
    assert expertise_id is not None and party_id is not None
    _accrue(uow, services, event, expertise_id, tariffs.PARTY, party_id, _instant(data, "added_at", event.time))


def software_certificate_issued(uow: BillingUnitOfWork, services: Services, event: Event) -> None:
    data = event.data
    expertise_id = _text(data, "expertise_id", required=False)
    if expertise_id is None:
        return  # a certificate not issued for an expertise is not billed per expertise
    serial = _text(data, "certificate_serial", required=False) or _text(data, "certificate_fingerprint")
    assert serial is not None
    _accrue(uow, services, event, expertise_id, tariffs.CERTIFICATE, serial,
            _instant(data, "issued_at", event.time))


def _folder_path(folder: Any) -> str | None:
    """Tolerant reader: ``folder`` is an object (``path``/``kind``) in v1, a plain id string would do too."""
    if isinstance(folder, str):
        return folder
    if isinstance(folder, dict):
        for key in ("path", "kind", "id"):
            if folder.get(key) == FINAL_REPORT_FOLDER:
                return FINAL_REPORT_FOLDER
        path = folder.get("path")
        return path if isinstance(path, str) else None
    return None


def document_deposited(uow: BillingUnitOfWork, services: Services, event: Event) -> None:
    data = event.data
    expertise_id = _text(data, "expertise_id", required=False)
    if expertise_id is None or _folder_path(data.get("folder")) != FINAL_REPORT_FOLDER:
        return  # only the final report matters to billing
    deposited_on = civil_date(_instant(data, "deposited_at", event.time))
    now = services.clock()
    file = uow.files.ensure(expertise_id, now)
    if file["final_report_on"] is not None and file["final_report_on"] <= deposited_on:
        _audit(uow, services, event, "billing_file.final_report", f"expertise:{expertise_id}", "unchanged")
        return
    uow.files.update(expertise_id, now, final_report_on=deposited_on,
                     final_report_document_id=_text(data, "document_id", required=False))
    _audit(uow, services, event, "billing_file.final_report", f"expertise:{expertise_id}", "applied",
           final_report_on=deposited_on.isoformat())


def _earliest(*days: Any) -> Any:
    known = [day for day in days if day is not None]
    return min(known) if known else None


def accounts_merged(uow: BillingUnitOfWork, services: Services, event: Event) -> None:
    data = event.data
    surviving, merged = _text(data, "account_id"), _text(data, "merged_account_id")
    assert surviving is not None and merged is not None
    if surviving == merged:
        raise PermanentError("an account merged into itself")
    now = services.clock()
    files = uow.files.reassign_owner(merged, surviving, now)
    moved = uow.invoices.reassign_account(merged, surviving)
    old = uow.accounts.get(merged)
    if old is not None:
        # Lock in a fixed order (by id) so two merges touching the same accounts cannot deadlock.
        first, second = sorted((surviving, merged))
        rows = {first: uow.accounts.lock(first, now), second: uow.accounts.lock(second, now)}
        keep, gone = rows[surviving], rows[merged]
        uow.accounts.update(surviving, now, **{
            name: _earliest(keep[name], gone[name])
            for name in ("incident_on", "notice_sent_on", "suspended_on", "termination_received_on",
                         "termination_effective_on")})
        uow.accounts.delete(merged)
    _audit(uow, services, event, "billing_account.merge", f"account:{surviving}", "applied",
           merged_account_id=merged, files=files, invoices=moved)
