"""The vault's entities as the use cases see them (plain data; rules live beside them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scelle_documents.domain.designations import Designation
from scelle_documents.domain.rights import FolderRef, Membership


@dataclass(frozen=True)
class Expertise:
    id: str
    status: str
    display_name: str
    owner_account_id: str | None


@dataclass(frozen=True)
class Participant:
    id: str
    expertise_id: str
    account_id: str | None
    role: str
    active: bool
    party_ids: frozenset[str]
    display_name: str

    def membership(self) -> Membership:
        return Membership(self.id, self.role, self.active, self.party_ids)


@dataclass(frozen=True)
class Folder:
    id: str
    expertise_id: str | None
    path: str
    kind: str
    owner_ref: str | None
    label: str
    parent_id: str | None
    designation_id: str | None = None

    @property
    def ref(self) -> FolderRef:
        return FolderRef(self.kind, self.owner_ref)


@dataclass
class Document:
    id: str
    expertise_id: str | None
    folder_id: str
    version: int
    file_name: str
    original_name: str
    size: int
    sha256: str
    media_type: str
    declared_media_type: str | None
    object_key: str
    depositor_account_id: str
    depositor_role: str | None
    cert_fingerprint: str | None
    deposited_at: datetime
    receipt: dict[str, Any]
    locked_at: datetime | None = None
    locked_by: str | None = None
    lock_reason: str | None = None
    shared_with: frozenset[str] = field(default_factory=frozenset)
    designation_id: str | None = None
    source_document_id: str | None = None

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


@dataclass(frozen=True)
class Caller:
    """The caller inside one expertise (its participations) or one designation dossier.

    For a dossier, ``expertise`` stands for the designation (its id and status) and
    ``participants`` is empty: the dossier's own rules decide (``domain/designations.py``).
    """

    account_id: str
    expertise: Expertise
    participants: tuple[Participant, ...]
    designation: Designation | None = None

    @property
    def memberships(self) -> list[Membership]:
        return [participant.membership() for participant in self.participants]

    @property
    def is_owner_expert(self) -> bool:
        return any(p.role == "expert" and p.active for p in self.participants) or (
            self.expertise.owner_account_id == self.account_id
            and any(p.active for p in self.participants))
