"""The end-of-day digest *[Scellé] Compte rendu d'activité*: what one person is told (REFERENCE §5.5).

Per expertise (by name): its status changes, then per folder the documents deposited that this
person may read, each with depositor, date and hour. Parties' deposits are left out for people who
opted out of party activity (only their profiles may). Nothing to tell → no digest at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from scelle_notification.domain.model import PARTY_ROLES, hears_party_activity


@dataclass(frozen=True)
class StatusChange:
    expertise_id: str
    expertise_name: str
    at: datetime
    from_status: str | None
    to_status: str
    reason: str | None = None


@dataclass(frozen=True)
class Deposit:
    expertise_id: str
    expertise_name: str
    at: datetime
    folder_path: str
    folder_label: str
    file_name: str
    document_id: str
    depositor_account_id: str | None
    depositor_name: str
    depositor_role: str | None


Item = StatusChange | Deposit


@dataclass(frozen=True)
class Reader:
    """The person a digest is for."""

    account_id: str
    name: str
    profile: str | None
    party_activity: bool = True


@dataclass
class FolderSection:
    path: str
    label: str
    deposits: list[Deposit] = field(default_factory=list)


@dataclass
class ExpertiseSection:
    expertise_id: str
    name: str
    status_changes: list[StatusChange] = field(default_factory=list)
    folders: list[FolderSection] = field(default_factory=list)


@dataclass
class Digest:
    reader: Reader
    period_start: datetime
    period_end: datetime
    expertises: list[ExpertiseSection]

    @property
    def line_count(self) -> int:
        return sum(len(e.status_changes) + sum(len(f.deposits) for f in e.folders) for e in self.expertises)


def is_party_activity(item: Item, reader: Reader) -> bool:
    return (isinstance(item, Deposit) and item.depositor_role in PARTY_ROLES
            and item.depositor_account_id != reader.account_id)


def compose(reader: Reader, items: Iterable[Item], period_start: datetime, period_end: datetime) -> Digest | None:
    """The digest of ``items`` for ``reader``, or ``None`` when there is nothing to tell.

    ``items`` are already restricted to what the reader may see (their audience or membership).
    """
    party = hears_party_activity(reader.profile, reader.party_activity)
    sections: dict[str, ExpertiseSection] = {}
    folders: dict[tuple[str, str], FolderSection] = {}
    for item in sorted(items, key=lambda i: (i.at, getattr(i, "file_name", ""))):
        if not party and is_party_activity(item, reader):
            continue
        section = sections.get(item.expertise_id)
        if section is None:
            section = sections[item.expertise_id] = ExpertiseSection(item.expertise_id, item.expertise_name)
        section.name = item.expertise_name or section.name  # the latest name known wins
        if isinstance(item, StatusChange):
            section.status_changes.append(item)
            continue
        folder = folders.get((item.expertise_id, item.folder_path))
        if folder is None:
            folder = folders[(item.expertise_id, item.folder_path)] = FolderSection(item.folder_path, item.folder_label)
            section.folders.append(folder)
        folder.deposits.append(item)
    if not sections:
        return None
    for section in sections.values():
        section.folders.sort(key=lambda f: f.label or f.path)
    ordered = sorted(sections.values(), key=lambda s: (s.name or "", s.expertise_id))
    return Digest(reader, period_start, period_end, ordered)
