"""The expert directory: who can be designated, found by name, court and speciality."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scelle_identity.domain.accounts import Account
from scelle_identity.domain.directory import Cursor, page_size
from scelle_identity.domain.errors import InvalidRequest, NotConfigured
from scelle_identity.domain.profiles import DIRECTORY_READERS
from scelle_identity.domain.reference import Court, Nomenclature
from scelle_identity.service_layer.context import Actor, Services, audit_entry


@dataclass(frozen=True)
class DirectoryQuery:
    surname: str | None = None
    given_name: str | None = None
    courts: Sequence[str] = ()
    specialities: Sequence[str] = ()
    limit: int | None = None
    cursor: str | None = None


@dataclass(frozen=True)
class DirectoryPage:
    experts: list[Account]
    next_cursor: str | None


def search_experts(services: Services, actor: Actor, query: DirectoryQuery) -> DirectoryPage:
    """Active experts whose names start with the given prefixes, in any of the courts, holding any
    of the specialities (a rubrique or branche stands for everything under it)."""
    actor.require_profile(*sorted(DIRECTORY_READERS))
    try:
        limit = page_size(query.limit)
        after = Cursor.decode(query.cursor) if query.cursor else None
    except ValueError as exc:
        raise InvalidRequest("Paramètres de pagination invalides.", {"/cursor": str(exc)}) from None
    now = services.clock()
    with services.unit_of_work() as uow:
        nomenclature = uow.reference.current_nomenclature()
        if nomenclature is None:
            raise NotConfigured("La nomenclature des spécialités n'est pas chargée.")
        codes = _covered(nomenclature, query.specialities)
        unknown_courts = sorted(set(query.courts) - uow.reference.court_codes(query.courts))
        if unknown_courts:
            raise InvalidRequest("Cour d'appel inconnue.", {"/court": ", ".join(unknown_courts)})
        rows = uow.accounts.search_experts(
            surname=query.surname, given_name=query.given_name, courts=list(query.courts),
            speciality_codes=[(nomenclature.version, code) for code in codes], after=after, limit=limit + 1,
        )
        uow.record(audit_entry(actor, "directory.search", "directory:experts", "ok", now,
                               surname=query.surname, given_name=query.given_name, courts=list(query.courts),
                               specialities=list(query.specialities), results=min(len(rows), limit)))
        uow.commit()
    page = rows[:limit]
    next_cursor = page[-1][1].encode() if len(rows) > limit else None
    return DirectoryPage([account for account, _ in page], next_cursor)


def _covered(nomenclature: Nomenclature, codes: Sequence[str]) -> list[str]:
    covered: set[str] = set()
    unknown = []
    for code in codes:
        try:
            covered.update(nomenclature.covered_by(code))
        except KeyError:
            unknown.append(code)
    if unknown:
        raise InvalidRequest("Spécialité inconnue.", {"/speciality": ", ".join(unknown)})
    return sorted(covered)


@dataclass(frozen=True)
class ReferenceView:
    courts: list[Court]
    nomenclature: Nomenclature


def reference_data(services: Services) -> ReferenceView:
    """Courts and the current nomenclature, for forms (public reference data, not audited)."""
    with services.unit_of_work() as uow:
        nomenclature = uow.reference.current_nomenclature()
        if nomenclature is None:
            raise NotConfigured("La nomenclature des spécialités n'est pas chargée.")
        return ReferenceView(uow.reference.courts(), nomenclature)
