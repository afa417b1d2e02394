"""The eight naming fields an expert gives when accepting (DESIGN §6.3, REFERENCE §4.3).

The designation service checks them as the expertise service will (required fields, lengths, a
real calendar date) so an acceptance never turns into a dead letter on the other side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from scelle_designation.domain.errors import InvalidRequest

FIELD_MAX = 128
MI_MAX = 12
PORTALIS_MAX = 32
MISSION_MAX = 20_000
REQUIRED = ("first_applicant", "first_defender", "jurisdiction", "rg_number", "expert_name")
OPTIONAL = ("record_number", "mi_number")
FIELDS = (*REQUIRED, *OPTIONAL, "designation_date")

_DAY_FIRST = re.compile(r"^(\d{2})-(\d{2})-(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SEPARATORS = re.compile(r"[./ ]")


def parse_designation_date(text: str) -> date:
    """``dd-mm-yyyy`` (``.``, ``/`` and spaces count as ``-``) or ISO ``yyyy-mm-dd``; a real date."""
    cleaned = _SEPARATORS.sub("-", text.strip())
    day_first, iso = _DAY_FIRST.match(cleaned), _ISO.match(cleaned)
    try:
        if day_first:
            return date(int(day_first.group(3)), int(day_first.group(2)), int(day_first.group(1)))
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    except ValueError:
        raise InvalidRequest("Date de désignation impossible.",
                             {"/naming/designation_date": "cette date n'existe pas au calendrier"}) from None
    raise InvalidRequest("Date de désignation illisible.",
                         {"/naming/designation_date": "format attendu jj-mm-aaaa"})


@dataclass(frozen=True)
class Naming:
    """Validated naming fields; ``designation_date`` is a calendar date."""

    first_applicant: str
    first_defender: str
    jurisdiction: str
    rg_number: str
    expert_name: str
    designation_date: date
    record_number: str | None = None
    mi_number: str | None = None

    @classmethod
    def from_fields(cls, values: dict[str, Any]) -> Naming:
        """Check every field at once: all problems are reported together."""
        problems: dict[str, str] = {}
        clean: dict[str, Any] = {}
        for name in (*REQUIRED, *OPTIONAL):
            raw = values.get(name)
            text = str(raw).strip() if raw is not None else ""
            limit = MI_MAX if name == "mi_number" else FIELD_MAX
            if not text:
                if name in REQUIRED:
                    problems[f"/naming/{name}"] = "obligatoire"
                clean[name] = None
            elif len(text) > limit:
                problems[f"/naming/{name}"] = f"{limit} caractères au plus"
            else:
                clean[name] = text
        raw_date = values.get("designation_date")
        if isinstance(raw_date, date):
            clean["designation_date"] = raw_date
        elif not raw_date:
            problems["/naming/designation_date"] = "obligatoire"
        else:
            try:
                clean["designation_date"] = parse_designation_date(str(raw_date))
            except InvalidRequest as exc:
                problems.update(exc.fields)
        if problems:
            raise InvalidRequest("Champs de nommage de l'expertise invalides.", problems)
        return cls(**clean)

    def as_data(self) -> dict[str, Any]:
        """The fields as published (date ``dd-mm-yyyy``, as the expertise service reads it)."""
        return {"first_applicant": self.first_applicant, "first_defender": self.first_defender,
                "jurisdiction": self.jurisdiction, "rg_number": self.rg_number,
                "record_number": self.record_number, "expert_name": self.expert_name,
                "mi_number": self.mi_number, "designation_date": self.designation_date.strftime("%d-%m-%Y")}
