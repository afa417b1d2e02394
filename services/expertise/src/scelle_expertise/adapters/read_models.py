"""Read models: the workspace listing, search and statistics, always scoped to what the caller sees.

Every query starts from the caller's own live, active participations (a partial index on
``participants(account_id, expertise_id)``), materialised first: a caller sees at most a few
hundred or thousand cases, so everything after that works on a small set whatever the size of
the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

_MINE = """
    mine AS MATERIALIZED (
        SELECT p.expertise_id, p.role FROM participants p
        WHERE p.account_id = :account_id AND p.removed_at IS NULL AND p.active {role_filter}
    )"""

_SORT_KEYS = {
    "name": "e.display_name",
    # Cases still waiting for consignation sort after every date.
    "consignation_date": "coalesce(to_char(e.consignation_date, 'YYYY-MM-DD'), '9999-99-99') || e.display_name",
    "status": "(CASE e.status WHEN 'en_creation' THEN '1' WHEN 'en_cours' THEN '2' WHEN 'en_pause' THEN '3' "
              "ELSE '4' END) || e.display_name",
}
SORTS = tuple(_SORT_KEYS)


@dataclass(frozen=True)
class WorkspaceRow:
    id: str
    display_name: str
    status: str
    consignation_date: date | None
    deadline: date | None
    role: str
    unread_count: int
    magistrat_en_charge: str | None
    version: int
    group: int
    sort_key: str


@dataclass(frozen=True)
class SearchHit:
    id: str
    display_name: str
    status: str
    consignation_date: date | None
    rg_number: str
    mi_number: str | None
    portalis_number: str | None
    jurisdiction: str
    magistrat_en_charge: str | None


@dataclass(frozen=True)
class ParticipantHit:
    participant_id: str
    expertise_id: str
    expertise_name: str
    display_name: str
    role: str
    email: str | None
    account_id: str | None
    sort_key: str


@dataclass(frozen=True)
class StatisticsRow:
    id: str
    display_name: str
    rg_number: str
    mi_number: str | None
    jurisdiction: str
    magistrat_en_charge: str | None
    expert: str
    status: str
    designation_date: date
    consignation_date: date | None
    en_cours_at: datetime | None
    terminee_at: datetime | None
    parties: int
    documents: int


_MAGISTRAT = """(
    SELECT trim(coalesce(m.given_name, '') || ' ' || upper(coalesce(m.surname, ''))) FROM participants m
    WHERE m.expertise_id = e.id AND m.role = 'magistrat' AND m.en_charge AND m.active AND m.removed_at IS NULL
    LIMIT 1)"""


def like_pattern(folded: str) -> str:
    """A LIKE pattern matching ``folded`` anywhere (its wildcards escaped)."""
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class ReadModels:
    def __init__(self, session: Session) -> None:
        self._session = session

    def workspace(self, account_id: str, *, statuses: Sequence[str], roles: Sequence[str], sort: str,
                  descending: bool, after: Sequence[Any] | None, limit: int) -> list[WorkspaceRow]:
        """The caller's cases: those with unread documents first (alphabetical), then by ``sort``."""
        role_filter = "AND p.role = ANY(:roles)" if roles else ""
        direction = "DESC" if descending else "ASC"
        cursor = ""
        if after is not None:
            group = int(after[0])
            if group == 0:
                cursor = "AND (grp = 1 OR (grp = 0 AND (sort_key, id) > (:k, :i)))"
            elif descending:
                cursor = "AND grp = 1 AND (sort_key < :k OR (sort_key = :k AND id > :i))"
            else:
                cursor = "AND grp = 1 AND (sort_key, id) > (:k, :i)"
        sql = f"""
        WITH {_MINE.format(role_filter=role_filter)},
        unread AS (
            SELECT d.expertise_id, count(*) AS n FROM document_reads d
            WHERE d.account_id = :account_id AND d.read_at IS NULL GROUP BY d.expertise_id
        ),
        listed AS (
            SELECT e.id, e.display_name, e.status, e.consignation_date, e.deadline, e.version, mine.role,
                   coalesce(unread.n, 0) AS unread_count,
                   CASE WHEN unread.n > 0 THEN 0 ELSE 1 END AS grp,
                   CASE WHEN unread.n > 0 THEN e.display_name ELSE {_SORT_KEYS[sort]} END AS sort_key
            FROM mine JOIN expertises e ON e.id = mine.expertise_id
            LEFT JOIN unread ON unread.expertise_id = e.id
            WHERE e.status = ANY(:statuses)
        )
        SELECT listed.*, {_MAGISTRAT.replace('e.id', 'listed.id')} AS magistrat_en_charge
        FROM listed WHERE true {cursor}
        ORDER BY grp, CASE WHEN grp = 0 THEN sort_key END ASC, CASE WHEN grp = 1 THEN sort_key END {direction}, id
        LIMIT :limit
        """
        params: dict[str, Any] = {"account_id": account_id, "statuses": list(statuses), "roles": list(roles),
                                  "limit": limit}
        if after is not None:
            params |= {"k": after[1], "i": after[2]}
        rows = self._session.execute(text(sql), params).mappings().all()
        return [WorkspaceRow(id=r["id"], display_name=r["display_name"], status=r["status"],
                             consignation_date=r["consignation_date"], deadline=r["deadline"], role=r["role"],
                             unread_count=r["unread_count"], magistrat_en_charge=r["magistrat_en_charge"] or None,
                             version=r["version"], group=r["grp"], sort_key=r["sort_key"]) for r in rows]

    def search_expertises(self, account_id: str, query: str, folded: str, *, after: Sequence[Any] | None,
                          limit: int) -> list[SearchHit]:
        """Cases the caller sees whose words (french stemming, no accents) or text (numbers, prefixes) match."""
        cursor = "AND (e.display_name, e.id) > (:k, :i)" if after is not None else ""
        sql = f"""
        WITH {_MINE.format(role_filter="")}
        SELECT e.id, e.display_name, e.status, e.consignation_date, e.rg_number, e.mi_number, e.portalis_number,
               e.jurisdiction, {_MAGISTRAT} AS magistrat_en_charge
        FROM mine JOIN expertises e ON e.id = mine.expertise_id
        WHERE (e.search_vector @@ websearch_to_tsquery('fr_unaccent', :query) OR e.search_text LIKE :pattern)
        {cursor}
        ORDER BY e.display_name, e.id
        LIMIT :limit
        """
        params: dict[str, Any] = {"account_id": account_id, "query": query, "pattern": like_pattern(folded),
                                  "limit": limit}
        if after is not None:
            params |= {"k": after[0], "i": after[1]}
        return [SearchHit(**row) for row in self._session.execute(text(sql), params).mappings()]

    def search_participants(self, account_id: str, folded: str, *, after: Sequence[Any] | None,
                            limit: int) -> list[ParticipantHit]:
        """Active participants, by name or e-mail, of the cases the caller sees."""
        cursor = "AND (x.search_text, x.id) > (:k, :i)" if after is not None else ""
        sql = f"""
        WITH {_MINE.format(role_filter="")}
        SELECT x.id AS participant_id, x.expertise_id, e.display_name AS expertise_name,
               trim(coalesce(x.given_name, '') || ' ' || upper(coalesce(x.surname, ''))) AS display_name,
               x.role, x.email, x.account_id, x.search_text
        FROM mine JOIN participants x ON x.expertise_id = mine.expertise_id
        JOIN expertises e ON e.id = x.expertise_id
        WHERE x.removed_at IS NULL AND x.active AND x.search_text LIKE :pattern {cursor}
        ORDER BY x.search_text, x.id
        LIMIT :limit
        """
        params: dict[str, Any] = {"account_id": account_id, "pattern": like_pattern(folded), "limit": limit}
        if after is not None:
            params |= {"k": after[0], "i": after[1]}
        rows = self._session.execute(text(sql), params).mappings().all()
        return [ParticipantHit(participant_id=r["participant_id"], expertise_id=r["expertise_id"],
                               expertise_name=r["expertise_name"], display_name=r["display_name"] or (r["email"] or ""),
                               role=r["role"], email=r["email"], account_id=r["account_id"],
                               sort_key=r["search_text"]) for r in rows]

    def statistics(self, account_id: str) -> list[StatisticsRow]:
        """One row per case the caller sees, every status included."""
        sql = f"""
        WITH {_MINE.format(role_filter="")}
        SELECT e.id, e.display_name, e.rg_number, e.mi_number, e.jurisdiction,
               {_MAGISTRAT} AS magistrat_en_charge,
               coalesce((SELECT trim(coalesce(o.given_name, '') || ' ' || upper(coalesce(o.surname, '')))
                         FROM participants o WHERE o.expertise_id = e.id AND o.role = 'expert'
                         AND o.removed_at IS NULL LIMIT 1), e.expert_name) AS expert,
               e.status, e.designation_date, e.consignation_date, e.en_cours_at, e.terminee_at,
               (SELECT count(*) FROM parties pa WHERE pa.expertise_id = e.id) AS parties,
               (SELECT count(*) FROM expertise_documents d WHERE d.expertise_id = e.id) AS documents
        FROM mine JOIN expertises e ON e.id = mine.expertise_id
        ORDER BY e.display_name, e.id
        """
        return [StatisticsRow(**row) for row in self._session.execute(text(sql), {"account_id": account_id}).mappings()]



