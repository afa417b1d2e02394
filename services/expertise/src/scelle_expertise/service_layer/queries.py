"""Read use cases: the workspace, search and statistics of the caller (always scoped to them)."""

from __future__ import annotations

import csv
import io
import statistics as stats
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from scelle_expertise.adapters.read_models import ParticipantHit, SearchHit, StatisticsRow, WorkspaceRow
from scelle_expertise.domain import status as statuses
from scelle_expertise.domain.errors import InvalidRequest
from scelle_expertise.domain.naming import fold
from scelle_expertise.domain.paging import decode_cursor, encode_cursor
from scelle_expertise.service_layer.context import Actor, audit_entry
from scelle_expertise.service_layer.unit_of_work import ExpertiseUnitOfWork

SEARCH_MIN = 2


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


def workspace(uow: ExpertiseUnitOfWork, actor: Actor, now: datetime, *, statuses_wanted: Sequence[str],
              roles: Sequence[str], sort: str, descending: bool, cursor: str | None, limit: int) -> Page:
    """The cases the caller takes part in: unread first (alphabetical), then by ``sort``."""
    after = decode_cursor(cursor, 3) if cursor else None
    rows = uow.read_models.workspace(actor.id, statuses=list(statuses_wanted or statuses.DEFAULT_LISTED),
                                     roles=list(roles), sort=sort, descending=descending, after=after,
                                     limit=limit + 1)
    page, more = rows[:limit], len(rows) > limit
    uow.record(audit_entry(actor, "workspace.list", f"account:{actor.id}", "ok", now, count=len(page)))
    last: WorkspaceRow | None = page[-1] if page else None
    return Page(page, encode_cursor(last.group, last.sort_key, last.id) if more and last else None)


def _query(text: str) -> tuple[str, str]:
    cleaned = " ".join(text.split())
    folded = fold(cleaned)
    if len(folded) < SEARCH_MIN:
        raise InvalidRequest("Recherche trop courte.", {"/q": f"au moins {SEARCH_MIN} caractères"})
    return cleaned, folded


def search_expertises(uow: ExpertiseUnitOfWork, actor: Actor, now: datetime, *, query: str, cursor: str | None,
                      limit: int) -> Page:
    """Cases the caller sees, by name, RG, Mi, Portalis, party names, jurisdiction."""
    cleaned, folded = _query(query)
    after = decode_cursor(cursor, 2) if cursor else None
    rows: list[SearchHit] = uow.read_models.search_expertises(actor.id, cleaned, folded, after=after,
                                                              limit=limit + 1)
    page, more = rows[:limit], len(rows) > limit
    uow.record(audit_entry(actor, "search.expertises", f"account:{actor.id}", "ok", now, count=len(page)))
    return Page(page, encode_cursor(page[-1].display_name, page[-1].id) if more else None)


def search_participants(uow: ExpertiseUnitOfWork, actor: Actor, now: datetime, *, query: str,
                        cursor: str | None, limit: int) -> Page:
    """Participants (name or e-mail) of the cases the caller sees."""
    _cleaned, folded = _query(query)
    after = decode_cursor(cursor, 2) if cursor else None
    rows: list[ParticipantHit] = uow.read_models.search_participants(actor.id, folded, after=after,
                                                                     limit=limit + 1)
    page, more = rows[:limit], len(rows) > limit
    uow.record(audit_entry(actor, "search.participants", f"account:{actor.id}", "ok", now, count=len(page)))
    return Page(page, encode_cursor(page[-1].sort_key, page[-1].participant_id) if more else None)


# -- statistics

CSV_COLUMNS = ("Nom", "N° RG", "N° Mi", "Juridiction", "Magistrat en charge", "Expert", "Statut",
               "Date de désignation", "Date de consignation", "Date de passage en cours", "Date de fin",
               "Jours désignation → en cours", "Jours en cours → terminée", "Parties", "Documents")


def _days(start: object, end: object) -> int | None:
    if start is None or end is None:
        return None
    start_day = start.date() if isinstance(start, datetime) else start
    end_day = end.date() if isinstance(end, datetime) else end
    return (end_day - start_day).days  # type: ignore[operator]


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = value.date().isoformat() if isinstance(value, datetime) else str(value)
    # A spreadsheet would run a cell starting like a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def statistics_rows(uow: ExpertiseUnitOfWork, actor: Actor, now: datetime) -> list[StatisticsRow]:
    rows = uow.read_models.statistics(actor.id)
    uow.record(audit_entry(actor, "statistics.read", f"account:{actor.id}", "ok", now, count=len(rows)))
    return rows


def statistics_csv(rows: Sequence[StatisticsRow]) -> str:
    """One line per visible case (RFC 4180, comma-separated, UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(value) for value in (
            row.display_name, row.rg_number, row.mi_number, row.jurisdiction, row.magistrat_en_charge,
            row.expert, statuses.LABELS.get(row.status, row.status), row.designation_date, row.consignation_date,
            row.en_cours_at, row.terminee_at, _days(row.designation_date, row.en_cours_at),
            _days(row.en_cours_at, row.terminee_at), row.parties, row.documents)])
    return out.getvalue()


def statistics_summary(rows: Sequence[StatisticsRow]) -> dict[str, object]:
    """Counts per status and median durations in days."""
    to_en_cours = [d for d in (_days(r.designation_date, r.en_cours_at) for r in rows) if d is not None]
    to_terminee = [d for d in (_days(r.en_cours_at, r.terminee_at) for r in rows) if d is not None]
    return {
        "total": len(rows),
        "by_status": {status: sum(1 for r in rows if r.status == status) for status in statuses.STATUSES},
        "awaiting_consignation": sum(1 for r in rows if r.consignation_date is None),
        "median_days_designation_to_en_cours": stats.median(to_en_cours) if to_en_cours else None,
        "median_days_en_cours_to_terminee": stats.median(to_terminee) if to_terminee else None,
    }
