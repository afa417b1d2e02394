"""The only place where identity's state becomes public events (schemas in contracts/events/).

Every event's subject is the account id; ``data`` carries it, the account's version after the
change (consumers drop older versions) and the state after the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from scelle_common.events import Event, new_event
from scelle_identity.domain.accounts import Account
from scelle_identity.domain.certificates import CertificateRecord

SERVICE = "identity"

ACCOUNT_REGISTERED = "identity.account_registered.v1"
ACCOUNT_UPDATED = "identity.account_updated.v1"
CERTIFICATE_BOUND = "identity.certificate_bound.v1"
CERTIFICATE_REVOKED = "identity.certificate_revoked.v1"
SOFTWARE_CERTIFICATE_ISSUED = "identity.software_certificate_issued.v1"
CERTIFICATE_EXPIRING = "identity.certificate_expiring.v1"
ACCOUNTS_MERGED = "identity.accounts_merged.v1"


def _time(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def account_state(account: Account) -> dict[str, Any]:
    """The public state of an account (contact details included: notification mails people)."""
    return {
        "account_id": account.id,
        "account_version": account.version,
        "profile": account.profile,
        "status": account.status,
        "given_name": account.given_name,
        "surname": account.surname,
        "email": account.email,
        "phone_fixed": account.phone_fixed,
        "phone_mobile": account.phone_mobile,
        "address": {
            "street": account.address.street,
            "postal_code": account.address.postal_code,
            "city": account.address.city,
            "country": account.address.country,
        },
        "address_text": account.address_text,
        "court_code": account.court_code,
        "national_list": account.national_list,
        "nomenclature": account.nomenclature,
        "specialities": list(account.specialities),
        "cgu_version": account.cgu_version,
    }


def _event(name: str, account_id: str, data: dict[str, Any], at: datetime, causation: Event | None) -> Event:
    return new_event(service=SERVICE, name=name, subject=account_id, data=data, time=at, causation=causation)


def account_registered(account: Account, via: str, at: datetime) -> Event:
    data = account_state(account) | {"registered_via": via, "registered_at": _time(at)}
    return _event(ACCOUNT_REGISTERED, account.id, data, at, None)


def account_updated(account: Account, changed: Sequence[str], at: datetime, causation: Event | None = None) -> Event:
    data = account_state(account) | {"changed": list(changed), "updated_at": _time(at)}
    return _event(ACCOUNT_UPDATED, account.id, data, at, causation)


def _certificate(record: CertificateRecord) -> dict[str, Any]:
    return {
        "certificate_fingerprint": record.fingerprint,
        "certificate_serial": record.serial_hex,
        "family": record.family,
        "software": record.software,
        "not_before": _time(record.not_before),
        "not_after": _time(record.not_after),
    }


def certificate_bound(account: Account, record: CertificateRecord, via: str, at: datetime) -> Event:
    data = {"account_id": account.id, "account_version": account.version, **_certificate(record),
            "bound_via": via, "bound_at": _time(at)}
    return _event(CERTIFICATE_BOUND, account.id, data, at, None)


def certificate_revoked(account: Account, record: CertificateRecord, reason: str, revoked_by: str | None,
                        at: datetime) -> Event:
    data = {"account_id": account.id, "account_version": account.version, **_certificate(record),
            "reason": reason, "revoked_by": revoked_by, "revoked_at": _time(at)}
    return _event(CERTIFICATE_REVOKED, account.id, data, at, None)


def software_certificate_issued(account: Account, record: CertificateRecord, at: datetime, *,
                                participant_id: str | None = None, causation: Event | None = None) -> Event:
    data = {"account_id": account.id, "account_version": account.version, "profile": account.profile,
            **_certificate(record), "expertise_id": record.expertise_id, "issued_by": record.issued_by,
            "renewal_of": record.renewal_of, "issued_at": _time(at)}
    if participant_id is not None:
        data["participant_id"] = participant_id
    return _event(SOFTWARE_CERTIFICATE_ISSUED, account.id, data, at, causation)


def certificate_expiring(account: Account, record: CertificateRecord, days_left: int, threshold: int,
                         at: datetime) -> Event:
    data = {"account_id": account.id, "account_version": account.version, "profile": account.profile,
            **_certificate(record), "days_left": days_left, "threshold_days": threshold}
    return _event(CERTIFICATE_EXPIRING, account.id, data, at, None)


def accounts_merged(primary: Account, merged: Account, moved: Sequence[str], merged_by: str | None,
                    at: datetime) -> Event:
    data = {"account_id": primary.id, "account_version": primary.version, "status": primary.status,
            "merged_account_id": merged.id, "merged_account_version": merged.version,
            "moved_certificates": list(moved), "merged_by": merged_by, "merged_at": _time(at)}
    return _event(ACCOUNTS_MERGED, primary.id, data, at, None)
