"""Reference data of the directory: the cours d'appel and the versioned specialities nomenclature.

The nomenclature is a tree (DESIGN §6.8, REFERENCE §8.3): *branche* ``A`` → *rubrique* ``A.1`` →
*spécialité* ``A.1.1``. An expert declares rubriques or spécialités; a search for a code matches
that code and everything under it, so searching a rubrique finds the experts of its spécialités.
The rows come from data files (see ``scelle_identity/data``); this module validates them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scelle_identity.domain.directory import search_key

LEVELS = ("branche", "rubrique", "specialite")
_CODE = {
    "branche": re.compile(r"^[A-Z]$"),
    "rubrique": re.compile(r"^[A-Z]\.[1-9][0-9]*$"),
    "specialite": re.compile(r"^[A-Z]\.[1-9][0-9]*\.[1-9][0-9]*$"),
}
_COURT = re.compile(r"^[a-z][a-z-]*$")
DECLARABLE_LEVELS = frozenset({"rubrique", "specialite"})


class ReferenceDataError(ValueError):
    """A data file breaks the shape of its table."""


@dataclass(frozen=True)
class Court:
    code: str
    name: str


@dataclass(frozen=True)
class Speciality:
    code: str
    label: str
    level: str

    @property
    def parent_code(self) -> str | None:
        return self.code.rsplit(".", 1)[0] if "." in self.code else None


@dataclass(frozen=True)
class Nomenclature:
    """One version of the specialities nomenclature."""

    version: str
    label: str
    items: Mapping[str, Speciality]

    def declarable(self, code: str) -> bool:
        """Whether an expert may declare ``code`` (a rubrique or a spécialité of this version)."""
        item = self.items.get(code)
        return item is not None and item.level in DECLARABLE_LEVELS

    def covered_by(self, code: str) -> list[str]:
        """``code`` and every code under it, sorted; ``KeyError`` for an unknown code."""
        if code not in self.items:
            raise KeyError(code)
        return sorted(c for c in self.items if c == code or c.startswith(code + "."))


def courts_from_rows(rows: Iterable[Mapping[str, str]]) -> list[Court]:
    """Validate the rows of ``cours-appel.csv`` (``code``, ``name``)."""
    courts: dict[str, Court] = {}
    for number, row in enumerate(rows, start=2):
        code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
        if not _COURT.match(code) or not name:
            raise ReferenceDataError(f"line {number}: a court needs a lowercase code and a name")
        if code in courts:
            raise ReferenceDataError(f"line {number}: court {code} appears twice")
        courts[code] = Court(code, name)
    if not courts:
        raise ReferenceDataError("no court")
    return list(courts.values())


def nomenclature_from_rows(version: str, label: str, rows: Iterable[Mapping[str, str]]) -> Nomenclature:
    """Validate the rows of a specialities file (``code``, ``label``, ``level``).

    Each code has the shape of its level and its parent (when present in the file) sits one level
    up. An extract may omit a parent rubrique, never contradict it.
    """
    items: dict[str, Speciality] = {}
    for number, row in enumerate(rows, start=2):
        code, text, level = ((row.get(key) or "").strip() for key in ("code", "label", "level"))
        if level not in LEVELS:
            raise ReferenceDataError(f"line {number}: level {level!r} is not one of {', '.join(LEVELS)}")
        if not _CODE[level].match(code) or not text:
            raise ReferenceDataError(f"line {number}: code {code!r} does not look like a {level}")
        if code in items:
            raise ReferenceDataError(f"line {number}: code {code} appears twice")
        items[code] = Speciality(code, text, level)
    for item in items.values():
        parent = items.get(item.parent_code or "")
        if parent is not None and LEVELS.index(parent.level) != LEVELS.index(item.level) - 1:
            raise ReferenceDataError(f"{item.code}: its parent {parent.code} is not one level up")
        if item.level != "branche" and item.code[0] not in items:
            raise ReferenceDataError(f"{item.code}: its branche {item.code[0]} is missing")
    if not items:
        raise ReferenceDataError("no speciality")
    return Nomenclature(version, label, items)


def court_code_for_unit(courts: Iterable[Court], org_unit: str | None) -> str | None:
    """The court named in a certificate's unit (``Cour d'appel de Paris`` → ``paris``), if any."""
    if not org_unit:
        return None
    unit = search_key(org_unit)
    for court in sorted(courts, key=lambda c: -len(c.name)):
        name = search_key(court.name)
        if unit == name or unit.endswith(" " + name):
            return court.code
    return None
