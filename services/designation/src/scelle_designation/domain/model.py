"""The designation aggregate and its rules (DESIGN §6.7, REFERENCE §4).

``brouillon`` (the designator chooses the expert and deposits files) → *envoyer* → ``en_attente``
→ the expert *accepte* (``acceptee``) or *refuse* (``refusee``, shown as *Rejetée*), or the
designator *retire* (``retiree``). Reminders: allowed when never reminded or ≥ 24 h after the last
one; withdrawal: only after ≥ 1 reminder and ≥ 24 h after the last one. Every accepted change
bumps the version and is recorded in ``changes`` for the service layer to publish.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from scelle_designation.domain.errors import Conflict, Forbidden, InvalidRequest, MissingForSending, NotFound, TooEarly
from scelle_designation.domain.naming import MISSION_MAX, PORTALIS_MAX, Naming

BROUILLON, EN_ATTENTE, ACCEPTEE, REFUSEE, RETIREE = "brouillon", "en_attente", "acceptee", "refusee", "retiree"
STATUSES = (BROUILLON, EN_ATTENTE, ACCEPTEE, REFUSEE, RETIREE)
ANSWERED = (ACCEPTEE, REFUSEE)
# What lists show; a refused designation reads *Rejetée* like the expertise lists (DESIGN §6.3).
LABELS = {BROUILLON: "Brouillon", EN_ATTENTE: "En attente", ACCEPTEE: "Acceptée", REFUSEE: "Rejetée",
          RETIREE: "Retirée"}

JUSTICE_PROFILES = ("magistrat", "greffier")
EXPERT_PROFILE = "expert"
REMINDER_INTERVAL = timedelta(hours=24)
JUSTIFICATION_MAX = 10_000

# The two parts of a designation dossier in the vault: designation/<id>/demande and /reponse.
REQUEST, RESPONSE = "demande", "reponse"

# Kinds of recorded change (each becomes one public event, see service_layer/integration_events).
DRAFTED, SENT, REMINDED, WITHDRAWN, ACCEPTED, REFUSED = "drafted", "sent", "reminded", "withdrawn", "accepted", "refused"


def dossier_folder(designation_id: str, part: str) -> str:
    """The vault path of one part of the dossier: ``designation/<id>/demande`` or ``/reponse``."""
    return f"designation/{designation_id}/{part}"


@dataclass(frozen=True)
class Designator:
    """The magistrat or greffier who designates (names as their client gave them)."""

    account_id: str
    profile: str
    given_name: str | None = None
    surname: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class ExpertChoice:
    """The expert picked in identity's directory: account id plus a snapshot of what was shown."""

    account_id: str
    given_name: str | None = None
    surname: str | None = None
    email: str | None = None
    court_code: str | None = None
    national_list: bool | None = None
    specialities: tuple[str, ...] = ()


@dataclass
class DossierFile:
    """A file of the dossier as the vault announced it (bytes stay in the vault)."""

    document_id: str
    part: str
    file_name: str
    size: int
    sha256: str
    media_type: str | None
    deposited_at: datetime
    depositor_account_id: str | None = None
    removed_at: datetime | None = None

    @property
    def present(self) -> bool:
        return self.removed_at is None


@dataclass(frozen=True)
class Change:
    kind: str
    version: int
    at: datetime
    by: str
    details: dict[str, Any] = field(default_factory=dict)


def reminder_possible_at(last_reminded_at: datetime | None) -> datetime | None:
    """When the next reminder is allowed (``None``: now, the expert was never reminded)."""
    return last_reminded_at + REMINDER_INTERVAL if last_reminded_at else None


@dataclass
class Designation:
    """One designation of one expert by one magistrat or greffier."""

    id: str
    designator: Designator
    created_at: datetime
    status: str = BROUILLON
    version: int = 1
    expert: ExpertChoice | None = None
    sent_at: datetime | None = None
    reminders: list[datetime] = field(default_factory=list)
    withdrawn_at: datetime | None = None
    answered_at: datetime | None = None
    naming: Naming | None = None
    portalis_number: str | None = None
    mission: str | None = None
    justification: str | None = None
    files: list[DossierFile] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    # -- creation ------------------------------------------------------------------------------
    @classmethod
    def create(cls, designation_id: str, designator: Designator, at: datetime,
               expert: ExpertChoice | None = None) -> Designation:
        """A draft opened by a magistrat or greffier; the expert may be chosen now or later."""
        if designator.profile not in JUSTICE_PROFILES:
            raise Forbidden("Seuls un magistrat ou un greffier désignent un expert.")
        designation = cls(id=designation_id, designator=designator, created_at=at, expert=expert)
        designation.changes.append(Change(DRAFTED, designation.version, at, designator.account_id))
        return designation

    # -- reading -------------------------------------------------------------------------------
    @property
    def reminder_count(self) -> int:
        return len(self.reminders)

    @property
    def last_reminded_at(self) -> datetime | None:
        return self.reminders[-1] if self.reminders else None

    def present_files(self, part: str) -> list[DossierFile]:
        return [f for f in self.files if f.part == part and f.present]

    def is_designator(self, account_id: str) -> bool:
        return self.designator.account_id == account_id

    def is_designated_expert(self, account_id: str) -> bool:
        return self.expert is not None and self.expert.account_id == account_id

    def visible_to(self, account_id: str) -> bool:
        """The designator always; the expert once it was sent to them (a draft is nobody else's)."""
        return self.is_designator(account_id) or (self.status != BROUILLON and self.is_designated_expert(account_id))

    def hours_to_answer(self) -> float | None:
        if self.sent_at is None or self.answered_at is None:
            return None
        return (self.answered_at - self.sent_at).total_seconds() / 3600

    def reminder_possible_at(self) -> datetime | None:
        return reminder_possible_at(self.last_reminded_at)

    def can_remind(self, now: datetime) -> bool:
        possible = self.reminder_possible_at()
        return self.status == EN_ATTENTE and (possible is None or now >= possible)

    def can_withdraw(self, now: datetime) -> bool:
        possible = self.reminder_possible_at()
        return self.status == EN_ATTENTE and possible is not None and now >= possible

    # -- the designator ------------------------------------------------------------------------
    def _by_designator(self, account_id: str) -> None:
        if not self.is_designator(account_id):
            raise NotFound("Désignation introuvable.")

    def _draft_only(self, what: str) -> None:
        if self.status != BROUILLON:
            raise Conflict(f"{what} n'est possible qu'avant l'envoi.", "designation-already-sent", self.status)

    def choose_expert(self, expert: ExpertChoice, at: datetime, by: str) -> None:
        """Choose (or change) the one expert of a draft."""
        self._by_designator(by)
        self._draft_only("Le choix de l'expert")
        self.expert = expert
        self.version += 1

    def send(self, at: datetime, by: str) -> None:
        """*Envoyer*: an expert and at least one file of ``designation/<id>/demande`` are required."""
        self._by_designator(by)
        self._draft_only("L'envoi")
        missing = [name for name, ok in (("expert", self.expert is not None),
                                         ("documents", bool(self.present_files(REQUEST)))) if not ok]
        if missing:
            raise MissingForSending(missing)
        self.status, self.sent_at = EN_ATTENTE, at
        self._record(SENT, at, by)

    def _require_pending(self, action: str) -> None:
        if self.status == BROUILLON:
            raise Conflict(f"{action} : la désignation n'est pas encore envoyée.", "designation-not-sent", self.status)
        if self.status == RETIREE:
            raise Conflict(f"{action} : la désignation a été retirée.", "designation-withdrawn", self.status)
        if self.status in ANSWERED:
            raise Conflict(f"{action} : l'expert a déjà répondu ({LABELS[self.status]}).",
                           "designation-already-answered", self.status)

    def remind(self, at: datetime, by: str) -> None:
        """*Relancer l'expert*: never reminded, or ≥ 24 h since the last reminder."""
        self._by_designator(by)
        self._require_pending("Relance impossible")
        possible = self.reminder_possible_at()
        if possible is not None and at < possible:
            raise TooEarly("L'expert a été relancé il y a moins de 24 heures.", "reminder-too-early", possible)
        self.reminders.append(at)
        self._record(REMINDED, at, by)

    def withdraw(self, at: datetime, by: str) -> None:
        """*Retirer*: only after ≥ 1 reminder and ≥ 24 h since the last one; the expert can no longer answer."""
        self._by_designator(by)
        self._require_pending("Retrait impossible")
        if not self.reminders:
            raise Conflict("Avant de pouvoir retirer la désignation vous devez relancer l'expert au moins une fois.",
                           "withdrawal-without-reminder", self.status)
        possible = self.reminder_possible_at()
        assert possible is not None
        if at < possible:
            raise TooEarly("La dernière relance date de moins de 24 heures.", "withdrawal-too-early", possible)
        self.status, self.withdrawn_at = RETIREE, at
        self._record(WITHDRAWN, at, by)

    # -- the expert ----------------------------------------------------------------------------
    def _answerable_by(self, account_id: str) -> None:
        # Another expert (or anyone) learns nothing about the designation: 404, as for an unknown id.
        if not self.is_designated_expert(account_id) or self.status == BROUILLON:
            raise NotFound("Désignation introuvable.")
        self._require_pending("Réponse impossible")

    def accept(self, naming: Naming | Mapping[str, Any], at: datetime, by: str, portalis_number: str | None = None,
               mission: str | None = None) -> None:
        """*Accepter* with the eight naming fields (files optional): the expertise is created from the event.

        Who may answer and whether it is still possible are checked before the fields, so another
        expert learns nothing (404) and a late answer is a 409 whatever it contains.
        """
        self._answerable_by(by)
        if not isinstance(naming, Naming):
            naming = Naming.from_fields(dict(naming))
        if portalis_number and len(portalis_number) > PORTALIS_MAX:
            raise InvalidRequest("N° Portalis trop long.", {"/portalis_number": f"{PORTALIS_MAX} caractères au plus"})
        if mission and len(mission) > MISSION_MAX:
            raise InvalidRequest("Mission trop longue.", {"/mission": f"{MISSION_MAX} caractères au plus"})
        self.status, self.answered_at, self.naming = ACCEPTEE, at, naming
        self.portalis_number, self.mission = portalis_number or None, mission or None
        self._record(ACCEPTED, at, by)

    def refuse(self, justification: str, at: datetime, by: str) -> None:
        """*Refuser* with a justification text and ≥ 1 file in ``designation/<id>/reponse``."""
        self._answerable_by(by)
        text = (justification or "").strip()
        problems: dict[str, str] = {}
        if not text:
            problems["/justification"] = "obligatoire"
        elif len(text) > JUSTIFICATION_MAX:
            problems["/justification"] = f"{JUSTIFICATION_MAX} caractères au plus"
        if not self.present_files(RESPONSE):
            problems["/documents"] = f"au moins un fichier dans {dossier_folder(self.id, RESPONSE)}"
        if problems:
            raise InvalidRequest("Un refus demande une justification et au moins un fichier.", problems)
        self.status, self.answered_at, self.justification = REFUSEE, at, text
        self._record(REFUSED, at, by)

    # -- what the vault tells us ---------------------------------------------------------------
    def file_deposited(self, file: DossierFile) -> bool:
        """A file of the dossier is durably in the vault (the same announcement twice changes nothing)."""
        if any(known.document_id == file.document_id for known in self.files):
            return False
        self.files.append(file)
        return True

    def file_removed(self, document_id: str, at: datetime) -> bool:
        """The vault locked a dossier file (a wrong deposit): it no longer counts."""
        for known in self.files:
            if known.document_id == document_id and known.removed_at is None:
                known.removed_at = at
                return True
        return False

    def _record(self, kind: str, at: datetime, by: str, **details: Any) -> None:
        self.version += 1
        self.changes.append(Change(kind, self.version, at, by, details))
