"""The vault's local copy of expertises, parties and participants, kept from ``expertise.*`` events.

Every event carries ``expertise_version``; case-level fields (status, display name) and each
party or participant only move forward: an event not newer than what a row holds changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from scelle_documents.adapters.orm import (
    document_reads,
    documents,
    vault_designations,
    vault_expertises,
    vault_participants,
    vault_parties,
)


class ReadModel:
    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert_expertise(self, expertise_id: str, *, version: int, status: str, display_name: str, at: datetime,
                         owner_account_id: str | None = None, designation_id: str | None = None) -> bool:
        """Create or move the case forward; True when the case was unknown before."""
        known = self.session.execute(select(vault_expertises.c.id).where(vault_expertises.c.id == expertise_id)
                                     ).scalar_one_or_none() is not None
        statement = pg_insert(vault_expertises).values(
            id=expertise_id, version=version, status=status, display_name=display_name,
            owner_account_id=owner_account_id, designation_id=designation_id, updated_at=at)
        excluded = statement.excluded
        self.session.execute(statement.on_conflict_do_update(
            index_elements=[vault_expertises.c.id],
            set_={"version": excluded.version, "status": excluded.status, "display_name": excluded.display_name,
                  "updated_at": excluded.updated_at},
            where=vault_expertises.c.version < excluded.version))
        if owner_account_id or designation_id:
            values = {key: value for key, value in (("owner_account_id", owner_account_id),
                                                     ("designation_id", designation_id)) if value}
            self.session.execute(update(vault_expertises).where(vault_expertises.c.id == expertise_id).values(**values))
        return not known

    def upsert_designation(self, designation_id: str, *, version: int, status: str, designator_account_id: str,
                           expert_account_id: str, at: datetime) -> bool:
        """Create or move the designation forward; True when it was unknown before."""
        known = self.session.execute(select(vault_designations.c.id).where(vault_designations.c.id == designation_id)
                                     ).scalar_one_or_none() is not None
        statement = pg_insert(vault_designations).values(
            id=designation_id, version=version, status=status, designator_account_id=designator_account_id,
            expert_account_id=expert_account_id, updated_at=at)
        excluded = statement.excluded
        self.session.execute(statement.on_conflict_do_update(
            index_elements=[vault_designations.c.id],
            set_={"version": excluded.version, "status": excluded.status, "updated_at": excluded.updated_at,
                  "designator_account_id": excluded.designator_account_id,
                  "expert_account_id": excluded.expert_account_id},
            where=vault_designations.c.version < excluded.version))
        return not known

    def upsert_party(self, party_id: str, expertise_id: str, name: str, version: int) -> bool:
        """True when the party is new."""
        known = self.session.execute(select(vault_parties.c.id).where(vault_parties.c.id == party_id)
                                     ).scalar_one_or_none() is not None
        statement = pg_insert(vault_parties).values(id=party_id, expertise_id=expertise_id, name=name, version=version)
        self.session.execute(statement.on_conflict_do_update(
            index_elements=[vault_parties.c.id], set_={"name": statement.excluded.name,
                                                       "version": statement.excluded.version},
            where=vault_parties.c.version < statement.excluded.version))
        return not known

    def upsert_participant(self, participant_id: str, expertise_id: str, *, account_id: str | None, role: str,
                           active: bool, party_ids: list[str], display_name: str, version: int,
                           removed: bool = False) -> bool:
        """True when the participant is new."""
        known = self.session.execute(select(vault_participants.c.id).where(vault_participants.c.id == participant_id)
                                     ).scalar_one_or_none() is not None
        statement = pg_insert(vault_participants).values(
            id=participant_id, expertise_id=expertise_id, account_id=account_id, role=role, active=active,
            removed=removed, party_ids=party_ids, display_name=display_name[:260], version=version)
        excluded = statement.excluded
        self.session.execute(statement.on_conflict_do_update(
            index_elements=[vault_participants.c.id],
            set_={name: getattr(excluded, name) for name in ("account_id", "role", "active", "removed", "party_ids",
                                                             "display_name", "version")},
            where=vault_participants.c.version < excluded.version))
        return not known

    def merge_accounts(self, surviving: str, merged: str) -> None:
        """Everything of ``merged`` now belongs to ``surviving`` (memberships, deposits, reads)."""
        self.session.execute(update(vault_participants).where(vault_participants.c.account_id == merged)
                             .values(account_id=surviving))
        self.session.execute(update(vault_expertises).where(vault_expertises.c.owner_account_id == merged)
                             .values(owner_account_id=surviving))
        for column in (vault_designations.c.designator_account_id, vault_designations.c.expert_account_id):
            self.session.execute(update(vault_designations).where(column == merged).values({column.name: surviving}))
        self.session.execute(update(documents).where(documents.c.depositor_account_id == merged)
                             .values(depositor_account_id=surviving))
        # Reads: keep the earliest first read of the two accounts.
        moved = self.session.execute(select(document_reads.c.document_id, document_reads.c.first_read_at)
                                     .where(document_reads.c.account_id == merged)).all()
        for row in moved:
            statement = pg_insert(document_reads).values(document_id=row.document_id, account_id=surviving,
                                                         first_read_at=row.first_read_at)
            self.session.execute(statement.on_conflict_do_update(
                index_elements=[document_reads.c.document_id, document_reads.c.account_id],
                set_={"first_read_at": statement.excluded.first_read_at},
                where=document_reads.c.first_read_at > statement.excluded.first_read_at))
        self.session.execute(document_reads.delete().where(document_reads.c.account_id == merged))
