"""Repositories of the notification database (SQLAlchemy Core, set-based where volumes are large)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from scelle_notification.adapters.orm import (
    activities,
    contacts,
    digest_items,
    digest_state,
    emails,
    expertises,
    memberships,
    preferences,
)
from scelle_notification.domain.model import Contact, display_name


def _contact(row: Any) -> Contact:
    return Contact(row.account_id, row.profile, row.given_name, row.surname, row.email, row.status)


class Contacts:
    """People as identity describes them, and their preferences."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def contact(self, account_id: str) -> Contact | None:
        row = self._session.execute(select(contacts).where(contacts.c.account_id == account_id)).first()
        if row is None:
            return None
        if row.merged_into:  # mail for a merged account goes to the account it was merged into
            merged = self.contact(row.merged_into)
            return merged or _contact(row)
        return _contact(row)

    def active_experts(self) -> list[Contact]:
        rows = self._session.execute(select(contacts).where(
            contacts.c.profile == "expert", contacts.c.status == "active", contacts.c.merged_into.is_(None),
            contacts.c.email.is_not(None)).order_by(contacts.c.account_id)).all()
        return [_contact(row) for row in rows]

    def save_account(self, data: Mapping[str, Any], at: datetime) -> bool:
        """Insert or update from an ``identity.account_*`` event; older versions are dropped."""
        values = {"account_id": data["account_id"], "account_version": int(data.get("account_version") or 0),
                  "profile": data.get("profile"), "status": data.get("status"), "given_name": data.get("given_name"),
                  "surname": data.get("surname"), "email": data.get("email"), "updated_at": at}
        statement = insert(contacts).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[contacts.c.account_id],
            set_={key: statement.excluded[key] for key in values if key != "account_id"},
            where=contacts.c.account_version < statement.excluded.account_version)
        return bool(self._session.execute(statement).rowcount)

    def merge(self, merged_account_id: str, into: str, version: int, at: datetime) -> None:
        statement = insert(contacts).values(account_id=merged_account_id, account_version=version, status="merged",
                                            merged_into=into, updated_at=at)
        self._session.execute(statement.on_conflict_do_update(
            index_elements=[contacts.c.account_id],
            set_={"status": "merged", "merged_into": into, "account_version": version, "updated_at": at},
            where=contacts.c.account_version < version))
        self._session.execute(update(memberships).where(memberships.c.account_id == merged_account_id)
                              .values(account_id=into, updated_at=at))

    def party_activity(self, account_id: str) -> bool:
        value = self._session.execute(select(preferences.c.party_activity)
                                      .where(preferences.c.account_id == account_id)).scalar()
        return True if value is None else bool(value)

    def preferences_of(self, account_ids: Sequence[str]) -> dict[str, bool]:
        rows = self._session.execute(select(preferences.c.account_id, preferences.c.party_activity)
                                     .where(preferences.c.account_id.in_(account_ids))).all()
        return {row.account_id: row.party_activity for row in rows}

    def contacts_of(self, account_ids: Sequence[str]) -> dict[str, Contact]:
        rows = self._session.execute(select(contacts).where(contacts.c.account_id.in_(account_ids))).all()
        return {row.account_id: _contact(row) for row in rows}

    def set_party_activity(self, account_id: str, party_activity: bool, at: datetime) -> None:
        statement = insert(preferences).values(account_id=account_id, party_activity=party_activity, updated_at=at)
        self._session.execute(statement.on_conflict_do_update(
            index_elements=[preferences.c.account_id],
            set_={"party_activity": party_activity, "updated_at": at}))


class Expertises:
    """Expertises and their participants, as the expertise service announces them."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def save(self, data: Mapping[str, Any], at: datetime, owner: str | None = None,
             designated_by: str | None = None) -> None:
        values = {"expertise_id": data["expertise_id"], "expertise_version": int(data.get("expertise_version") or 0),
                  "display_name": data.get("display_name"), "status": data.get("status"), "updated_at": at}
        known = {key: value for key, value in (("owner_account_id", owner), ("designated_by_account_id", designated_by))
                 if value}
        statement = insert(expertises).values(values | known)
        changes = {key: statement.excluded[key] for key in (*values, *known) if key != "expertise_id"}
        self._session.execute(statement.on_conflict_do_update(
            index_elements=[expertises.c.expertise_id], set_=changes,
            where=expertises.c.expertise_version < statement.excluded.expertise_version))

    def member_name(self, expertise_id: str, account_id: str) -> str | None:
        """The name the expertise knows a participant by (when identity has not told us yet)."""
        row = self._session.execute(select(memberships.c.given_name, memberships.c.surname).where(
            memberships.c.expertise_id == expertise_id, memberships.c.account_id == account_id).limit(1)).first()
        return display_name(row.given_name, row.surname) if row else None

    def designator_of(self, expertise_id: str) -> str | None:
        return self._session.execute(select(expertises.c.designated_by_account_id)  # type: ignore[no-any-return]
                                     .where(expertises.c.expertise_id == expertise_id)).scalar()

    def name(self, expertise_id: str) -> str | None:
        return self._session.execute(select(expertises.c.display_name)  # type: ignore[no-any-return]
                                     .where(expertises.c.expertise_id == expertise_id)).scalar()

    def save_participant(self, data: Mapping[str, Any], at: datetime, active: bool | None = None) -> None:
        values = {"participant_id": data["participant_id"], "expertise_id": data["expertise_id"],
                  "expertise_version": int(data.get("expertise_version") or 0), "account_id": data.get("account_id"),
                  "email": data.get("email"), "given_name": data.get("given_name"), "surname": data.get("surname"),
                  "role": data.get("role"), "party_ids": list(data.get("party_ids") or []),
                  "active": bool(data.get("active", True)) if active is None else active,
                  "en_charge": bool(data.get("en_charge", False)),
                  "invitation_pending": bool(data.get("invitation_pending", False)), "updated_at": at}
        statement = insert(memberships).values(values)
        self._session.execute(statement.on_conflict_do_update(
            index_elements=[memberships.c.participant_id],
            set_={key: statement.excluded[key] for key in values if key != "participant_id"},
            where=memberships.c.expertise_version < statement.excluded.expertise_version))

    def members_to_tell(self, expertise_id: str) -> list[str]:
        """Accounts of the active participants, and the owner expert."""
        members = self._session.execute(select(memberships.c.account_id).where(
            memberships.c.expertise_id == expertise_id, memberships.c.active.is_(True),
            memberships.c.account_id.is_not(None))).scalars().all()
        owner = self._session.execute(select(expertises.c.owner_account_id)
                                      .where(expertises.c.expertise_id == expertise_id)).scalar()
        return list(dict.fromkeys([*([owner] if owner else []), *members]))

    def memberships_of(self, account_id: str) -> list[dict[str, Any]]:
        rows = self._session.execute(
            select(memberships, expertises.c.display_name, expertises.c.status)
            .join(expertises, expertises.c.expertise_id == memberships.c.expertise_id, isouter=True)
            .where(memberships.c.account_id == account_id).order_by(memberships.c.expertise_id)).mappings().all()
        return [dict(row) for row in rows]


# The fields of ``activities.details`` a digest shows, read as text columns (no JSON decoding).
DETAIL_FIELDS = ("from_status", "to_status", "reason", "folder_path", "folder_label", "file_name", "document_id",
                 "depositor_account_id", "depositor_name", "depositor_role")


class Activities:
    """What happened in expertises, and who may be told about it in their digest."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, *, event_id: str, kind: str, expertise_id: str, expertise_name: str | None,
               occurred_at: datetime, recorded_at: datetime, details: Mapping[str, Any],
               audience: Iterable[str]) -> bool:
        activity_id = self._session.execute(insert(activities).values(
            event_id=event_id, kind=kind, expertise_id=expertise_id, expertise_name=expertise_name,
            occurred_at=occurred_at, recorded_at=recorded_at, details=dict(details),
        ).on_conflict_do_nothing(index_elements=[activities.c.event_id]).returning(activities.c.id)).scalar()
        if activity_id is None:
            return False
        accounts = list(dict.fromkeys(a for a in audience if a))
        if accounts:
            self._session.execute(insert(digest_items).on_conflict_do_nothing(), [
                {"account_id": account, "activity_id": activity_id, "recorded_at": recorded_at}
                for account in accounts])
        return True

    def readers_with_news(self, until: datetime) -> list[str]:
        """Accounts with at least one item recorded after their last digest and up to ``until``, in
        account order (one scan; the run then takes them in chunks)."""
        last = digest_state.c.last_until
        statement = (
            select(digest_items.c.account_id).distinct()
            .select_from(digest_items.outerjoin(digest_state, digest_state.c.account_id == digest_items.c.account_id))
            .where(digest_items.c.recorded_at <= until, or_(last.is_(None), digest_items.c.recorded_at > last))
            .order_by(digest_items.c.account_id))
        return list(self._session.execute(statement).scalars().all())

    def items_for(self, account_ids: Sequence[str], until: datetime) -> list[Any]:
        """Every item of these accounts since their last digest, up to ``until``, with its activity."""
        last = digest_state.c.last_until
        return list(self._session.execute(
            select(digest_items.c.account_id, digest_items.c.recorded_at, activities.c.kind, activities.c.expertise_id,
                   activities.c.expertise_name, activities.c.occurred_at,
                   *(activities.c.details[field].astext.label(field) for field in DETAIL_FIELDS))
            .select_from(digest_items.join(activities, activities.c.id == digest_items.c.activity_id)
                         .outerjoin(digest_state, digest_state.c.account_id == digest_items.c.account_id))
            .where(digest_items.c.account_id.in_(account_ids), digest_items.c.recorded_at <= until,
                   or_(last.is_(None), digest_items.c.recorded_at > last))).all())

    def first_item_at(self, account_ids: Sequence[str]) -> dict[str, datetime]:
        rows = self._session.execute(select(digest_items.c.account_id, func.min(digest_items.c.recorded_at))
                                     .where(digest_items.c.account_id.in_(account_ids))
                                     .group_by(digest_items.c.account_id)).all()
        return {row[0]: row[1] for row in rows}


class DigestStates:
    def __init__(self, session: Session) -> None:
        self._session = session

    def lock_run(self) -> None:
        """Serialise digest chunks across concurrent runs (released at commit or rollback)."""
        self._session.execute(text("SELECT pg_advisory_xact_lock(7301107)"))

    def last_until(self, account_ids: Sequence[str]) -> dict[str, datetime]:
        rows = self._session.execute(select(digest_state.c.account_id, digest_state.c.last_until)
                                     .where(digest_state.c.account_id.in_(account_ids))
                                     .with_for_update()).all()
        return {row.account_id: row.last_until for row in rows}

    def advance(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Move each person's period end forward (never back)."""
        if not rows:
            return
        statement = insert(digest_state)
        self._session.execute(statement.on_conflict_do_update(
            index_elements=[digest_state.c.account_id],
            set_={"last_until": statement.excluded.last_until, "last_email_id": statement.excluded.last_email_id,
                  "updated_at": statement.excluded.updated_at},
            where=digest_state.c.last_until < statement.excluded.last_until), list(rows))


class Emails:
    """The queue and delivery log: one row per (cause, recipient), enforced by a unique key."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def enqueue(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert the rows not already queued for the same cause and recipient; the count inserted."""
        if not rows:
            return 0
        result = self._session.execute(insert(emails).on_conflict_do_nothing(
            index_elements=[emails.c.dedup_key, emails.c.recipient_key]).returning(emails.c.id), list(rows))
        return len(result.all())

    def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> list[Any]:
        """Lease up to ``limit`` pending mails due now, skipping rows another sender holds."""
        due = (select(emails.c.id).where(emails.c.status == "pending", emails.c.next_attempt_at <= now,
                                         or_(emails.c.lease_until.is_(None), emails.c.lease_until < now))
               .order_by(emails.c.next_attempt_at).limit(limit).with_for_update(skip_locked=True))
        return list(self._session.execute(
            update(emails).where(emails.c.id.in_(due.scalar_subquery())).values(lease_until=lease_until)
            .returning(*emails.c)).all())

    def save_rendering(self, email_id: str, subject: str, text: str, html: str) -> None:
        self._session.execute(update(emails).where(emails.c.id == email_id)
                              .values(subject=subject, text_body=text, html_body=html))

    def mark_sent(self, email_id: str, address: str, message_id: str, at: datetime) -> None:
        self._session.execute(update(emails).where(emails.c.id == email_id).values(
            status="sent", recipient_email=address, message_id=message_id, sent_at=at, lease_until=None,
            attempts=emails.c.attempts + 1, last_error=None, smtp_code=None))

    def mark_retry(self, email_id: str, attempts: int, next_attempt_at: datetime, error: str,
                   smtp_code: int | None) -> None:
        self._session.execute(update(emails).where(emails.c.id == email_id).values(
            attempts=attempts, next_attempt_at=next_attempt_at, lease_until=None, last_error=error[:1000],
            smtp_code=smtp_code))

    def mark_failed(self, email_id: str, attempts: int, error: str, smtp_code: int | None, at: datetime) -> None:
        self._session.execute(update(emails).where(emails.c.id == email_id).values(
            status="failed", attempts=attempts, failed_at=at, lease_until=None, last_error=error[:1000],
            smtp_code=smtp_code))

    def get(self, email_id: str) -> dict[str, Any] | None:
        row = self._session.execute(select(emails).where(emails.c.id == email_id)).mappings().first()
        return dict(row) if row else None

    def page(self, *, recipient_account_id: str | None, status: str | None, kind: str | None,
             cause_event_id: str | None, before: tuple[datetime, str] | None, limit: int) -> list[dict[str, Any]]:
        """Newest first; ``before`` = (created_at, id) of the last row of the previous page."""
        columns = [c for c in emails.c if c.name not in ("text_body", "html_body", "context")]
        statement = select(*columns).order_by(emails.c.created_at.desc(), emails.c.id.desc()).limit(limit)
        if recipient_account_id:
            statement = statement.where(emails.c.recipient_account_id == recipient_account_id)
        if status:
            statement = statement.where(emails.c.status == status)
        if kind:
            statement = statement.where(emails.c.kind == kind)
        if cause_event_id:
            statement = statement.where(emails.c.cause_event_id == cause_event_id)
        if before is not None:
            statement = statement.where(or_(emails.c.created_at < before[0],
                                            and_(emails.c.created_at == before[0], emails.c.id < before[1])))
        return [dict(row) for row in self._session.execute(statement).mappings().all()]
