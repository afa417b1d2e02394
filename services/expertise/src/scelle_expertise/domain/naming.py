"""The naming rule of an expertise (DESIGN §6.3, REFERENCE §4.3).

Eight fields — premier demandeur*, premier défendeur*, juridiction*, n° RG*, n° de dossier,
expert*, n° Mi (≤ 12), date de désignation* — and a display name that joins the non-empty
values with ``_`` in the order applicant, defender, jurisdiction, RG, expert, Mi, dossier, date
(``dd-mm-yyyy``), upper-cased and without diacritics.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import date

from scelle_expertise.domain.errors import InvalidRequest

FIELD_MAX = 128
MI_MAX = 12
PORTALIS_MAX = 32
MISSION_MAX = 20_000

_DATE = re.compile(r"^(\d{2})-(\d{2})-(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SEPARATORS = re.compile(r"[./ ]")
_SPACES = re.compile(r"\s+")
# Letters NFKD does not decompose into a base letter and a combining mark.
_LIGATURES = str.maketrans({"Œ": "OE", "œ": "OE", "Æ": "AE", "æ": "AE", "ß": "SS", "Ø": "O", "ø": "O",
                            "Ł": "L", "ł": "L", "Đ": "D", "đ": "D"})


def parse_designation_date(text: str) -> date:
    """A real calendar date from ``dd-mm-yyyy`` (``.``, ``/`` and spaces count as ``-``) or ISO ``yyyy-mm-dd``."""
    cleaned = _SEPARATORS.sub("-", text.strip())
    day_first = _DATE.match(cleaned)
    iso = _ISO_DATE.match(cleaned)
    try:
        if day_first:
            return date(int(day_first.group(3)), int(day_first.group(2)), int(day_first.group(1)))
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    except ValueError:
        raise InvalidRequest("Date de désignation impossible.",
                             {"/designation_date": "cette date n'existe pas au calendrier"}) from None
    raise InvalidRequest("Date de désignation illisible.", {"/designation_date": "format attendu jj-mm-aaaa"})


def fold(text: str) -> str:
    """Upper case without diacritics, inner whitespace collapsed: ``Évry–Cœur`` → ``EVRY–COEUR``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", stripped.translate(_LIGATURES)).strip().upper()


@dataclass(frozen=True)
class Naming:
    """The eight naming fields; construction validates them (required, lengths)."""

    first_applicant: str
    first_defender: str
    jurisdiction: str
    rg_number: str
    expert_name: str
    designation_date: date
    record_number: str | None = None
    mi_number: str | None = None

    def __post_init__(self) -> None:
        problems: dict[str, str] = {}
        for name in ("first_applicant", "first_defender", "jurisdiction", "rg_number", "expert_name",
                     "record_number", "mi_number"):
            value = getattr(self, name)
            required = name not in ("record_number", "mi_number")
            if value is None or not str(value).strip():
                if required:
                    problems[f"/{name}"] = "obligatoire"
                else:
                    object.__setattr__(self, name, None)
                continue
            value = str(value).strip()
            object.__setattr__(self, name, value)
            limit = MI_MAX if name == "mi_number" else FIELD_MAX
            if len(value) > limit:
                problems[f"/{name}"] = f"{limit} caractères au plus"
        if not isinstance(self.designation_date, date):
            problems["/designation_date"] = "obligatoire"
        if problems:
            raise InvalidRequest("Champs de nommage invalides.", problems)

    @property
    def display_name(self) -> str:
        """The case's name: non-empty values, in the rule's order, folded and joined by ``_``."""
        values = [self.first_applicant, self.first_defender, self.jurisdiction, self.rg_number, self.expert_name,
                  self.mi_number, self.record_number, self.designation_date.strftime("%d-%m-%Y")]
        return "_".join(folded for folded in (fold(value) for value in values if value) if folded)

    def as_dict(self) -> dict[str, object]:
        return {field.name: getattr(self, field.name) for field in fields(self)}
