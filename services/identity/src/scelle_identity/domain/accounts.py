"""Accounts: one person, one profile, many certificates (DESIGN §6.8).

Field limits come from the reference client's sign-up form (REFERENCE §1.4). The merge rules
say what case C (an operator merging a duplicate account into the primary one) may do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from scelle_identity.domain.errors import Conflict, InvalidRequest

ACTIVE = "active"
SUSPENDED = "suspended"
MERGED = "merged"

NAME_MAX = 128
EMAIL_MAX = 92
PHONE_MAX = 32
STREET_MAX = 192
POSTAL_CODE_MAX = 8
CITY_MAX = 32
COUNTRY_MAX = 64
JUSTICE_ADDRESS_MAX = 300
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 .()/-]{5,30}$")


@dataclass(frozen=True)
class Address:
    """A postal address; experts must give street, postal code and city."""

    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None

    @property
    def complete(self) -> bool:
        return bool(self.street and self.postal_code and self.city)


@dataclass(frozen=True)
class Account:
    """The state of one account, as stored and as published in events."""

    id: str
    profile: str
    status: str
    given_name: str
    surname: str
    email: str
    version: int
    created_at: datetime
    phone_fixed: str | None = None
    phone_mobile: str | None = None
    address: Address = field(default_factory=Address)
    address_text: str | None = None
    court_code: str | None = None
    national_list: bool = False
    specialities: tuple[str, ...] = ()
    nomenclature: str | None = None
    cgu_version: str | None = None
    merged_into: str | None = None
    status_changed_at: datetime | None = None

    @property
    def suspended(self) -> bool:
        return self.status == SUSPENDED

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.surname}"


CONTACT_FIELDS = ("email", "phone_fixed", "phone_mobile", "address", "address_text")


def update_contact(account: Account, changes: dict[str, object]) -> tuple[Account, list[str]]:
    """Apply the holder's own changes (contact details only) and name what changed.

    Returns the account unchanged (same version) when nothing differs.
    """
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise InvalidRequest("Seules les coordonnées peuvent être modifiées.",
                             {f"/{name}": "non modifiable" for name in sorted(unknown)})
    changed = [name for name in CONTACT_FIELDS if name in changes and changes[name] != getattr(account, name)]
    if not changed:
        return account, []
    updated = replace(account, **{name: changes[name] for name in changed}, version=account.version + 1)
    if updated.profile == "expert" and not updated.address.complete:
        raise InvalidRequest("Un expert doit garder une adresse complète.",
                             {"/address": "rue, code postal et ville sont obligatoires"})
    return updated, changed


def check_merge(primary: Account, duplicate: Account) -> None:
    """Case C: the duplicate account must be another live account of the same person's profile."""
    if primary.id == duplicate.id:
        raise InvalidRequest("Un compte ne peut pas être fusionné avec lui-même.",
                             {"/duplicate_account_id": "identique au compte principal"})
    for account in (primary, duplicate):
        if account.status == MERGED:
            raise Conflict(f"Le compte {account.id} a déjà été fusionné dans {account.merged_into}.")
    if primary.profile != duplicate.profile:
        raise Conflict(
            f"Les deux comptes n'ont pas le même profil ({primary.profile} / {duplicate.profile}) : "
            "une fusion réunit les comptes d'une même personne dans un même rôle."
        )


def merged_status(primary: Account, duplicate: Account) -> str:
    """The primary's status after a merge: a debt of the duplicate follows the person."""
    return SUSPENDED if SUSPENDED in (primary.status, duplicate.status) else ACTIVE


def apply_suspension(account: Account, suspended: bool, at: datetime) -> Account | None:
    """The account after billing (un)suspends it at ``at``, or ``None`` when nothing changes.

    An event older than the last status change is stale (events may arrive out of order).
    """
    if account.status == MERGED:
        raise Conflict("a merged account has no status of its own")
    if account.status_changed_at is not None and at <= account.status_changed_at:
        return None
    wanted = SUSPENDED if suspended else ACTIVE
    if wanted == account.status:
        return replace(account, status_changed_at=at)
    return replace(account, status=wanted, status_changed_at=at, version=account.version + 1)

