"""The expertise aggregate: the case, its parties, its participants and its status history.

Every change goes through a method of :class:`Expertise`, which checks the rules, bumps the
aggregate version once per recorded change and appends a :class:`Change` (a domain event with a
snapshot of the state after it). The service layer turns changes into public events
(``service_layer/integration_events.py``); consumers order them by version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from scelle_expertise.domain import roles, status
from scelle_expertise.domain.errors import Conflict, InvalidRequest, NotFound
from scelle_expertise.domain.naming import MISSION_MAX, PORTALIS_MAX, Naming, fold

# -- changes (domain events)

CREATED = "created"
RENAMED = "renamed"
DETAILS_UPDATED = "details_updated"
STATUS_CHANGED = "status_changed"
CONSIGNATION_RECORDED = "consignation_recorded"
DEADLINE_CHANGED = "deadline_changed"
PARTY_ADDED = "party_added"
PARTY_UPDATED = "party_updated"
PARTICIPANT_ADDED = "participant_added"
PARTICIPANT_INVITED = "participant_invited"
PARTICIPANT_UPDATED = "participant_updated"
PARTICIPANT_REMOVED = "participant_removed"


@dataclass(frozen=True)
class Change:
    """Something that happened to the aggregate, with the state right after it."""

    kind: str
    version: int
    at: datetime
    by: str | None
    header: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)


# -- entities


@dataclass(eq=False)
class Party:
    id: str
    expertise_id: str
    name: str
    kind: str
    representation: str
    added_at: datetime
    added_by: str | None = None

    def snapshot(self) -> dict[str, Any]:
        return {"party_id": self.id, "name": self.name, "kind": self.kind, "representation": self.representation}


@dataclass(eq=False)
class Participant:
    id: str
    expertise_id: str
    role: str
    account_id: str | None
    email: str | None
    given_name: str | None
    surname: str | None
    party_ids: list[str]
    added_at: datetime
    added_by: str | None = None
    active: bool = True
    en_charge: bool = False
    invitation_pending: bool = False
    phone_fixed: str | None = None
    phone_mobile: str | None = None
    removed_at: datetime | None = None
    removed_by: str | None = None
    removal_reason: str | None = None
    invitation_event_id: str | None = None
    search_text: str = ""

    def __post_init__(self) -> None:
        self.refresh_search_text()

    def refresh_search_text(self) -> None:
        """Folded name and e-mail, for the participant search."""
        self.search_text = fold(" ".join(v for v in (self.given_name, self.surname, self.email) if v))

    @property
    def live(self) -> bool:
        return self.removed_at is None

    @property
    def has_access(self) -> bool:
        """Inactive or removed participants see nothing."""
        return self.live and self.active

    @property
    def display_name(self) -> str:
        surname = (self.surname or "").strip().upper()
        name = " ".join(part for part in ((self.given_name or "").strip(), surname) if part)
        return name or (self.email or "")

    def snapshot(self) -> dict[str, Any]:
        return {
            "participant_id": self.id, "account_id": self.account_id, "email": self.email,
            "given_name": self.given_name, "surname": self.surname,
            "participant_display_name": self.display_name, "role": self.role,
            "party_ids": list(self.party_ids), "active": self.has_access, "en_charge": self.en_charge,
            "invitation_pending": self.invitation_pending,
        }


@dataclass(eq=False)
class StatusChange:
    id: str
    expertise_id: str
    from_status: str | None
    to_status: str
    reason: str | None
    changed_by: str | None
    changed_at: datetime
    expertise_version: int
    reopened: bool = False


@dataclass(frozen=True)
class PersonDetails:
    """Who a participant is, as the owner expert typed it or the directory gave it."""

    email: str | None = None
    given_name: str | None = None
    surname: str | None = None
    phone_fixed: str | None = None
    phone_mobile: str | None = None


def _checked_text(value: str | None, limit: int, pointer: str) -> str | None:
    cleaned = (value or "").strip() or None
    if cleaned is not None and len(cleaned) > limit:
        raise InvalidRequest("Texte trop long.", {pointer: f"{limit} caractères au plus"})
    return cleaned


# -- the aggregate


@dataclass(eq=False)
class Expertise:
    id: str
    owner_account_id: str
    first_applicant: str
    first_defender: str
    jurisdiction: str
    rg_number: str
    expert_name: str
    designation_date: date
    display_name: str
    created_at: datetime
    updated_at: datetime
    version: int = 0
    status: str = status.EN_CREATION
    record_number: str | None = None
    mi_number: str | None = None
    portalis_number: str | None = None
    mission: str | None = None
    consignation_date: date | None = None
    deadline: date | None = None
    designation_id: str | None = None
    designated_by_account_id: str | None = None
    created_by: str | None = None
    en_cours_at: datetime | None = None
    terminee_at: datetime | None = None
    search_text: str = ""
    parties: list[Party] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    history: list[StatusChange] = field(default_factory=list)

    # ---- creation

    @classmethod
    def create(cls, *, expertise_id: str, naming: Naming, owner_account_id: str, owner: PersonDetails,
               owner_participant_id: str, at: datetime, by: str | None, designation_id: str | None = None,
               designated_by_account_id: str | None = None, portalis_number: str | None = None,
               mission: str | None = None) -> Expertise:
        """A case in ``en_creation`` whose owner expert is its first participant."""
        expertise = cls(
            id=expertise_id, owner_account_id=owner_account_id, created_at=at, updated_at=at, created_by=by,
            designation_id=designation_id, designated_by_account_id=designated_by_account_id,
            portalis_number=_checked_text(portalis_number, PORTALIS_MAX, "/portalis_number"),
            mission=_checked_text(mission, MISSION_MAX, "/mission"),
            **_naming_columns(naming),
        )
        expertise._refresh_search_text()
        expertise._record(CREATED, at, by)
        expertise.history.append(StatusChange(
            id=f"{expertise_id}:1", expertise_id=expertise_id, from_status=None, to_status=status.EN_CREATION,
            reason=None, changed_by=by, changed_at=at, expertise_version=expertise.version))
        owner_participant = Participant(
            id=owner_participant_id, expertise_id=expertise_id, role=roles.EXPERT, account_id=owner_account_id,
            email=owner.email, given_name=owner.given_name, surname=owner.surname or naming.expert_name,
            party_ids=[], added_at=at, added_by=by, phone_fixed=owner.phone_fixed, phone_mobile=owner.phone_mobile)
        expertise.participants.append(owner_participant)
        expertise._record(PARTICIPANT_ADDED, at, by, participant=owner_participant.snapshot())
        return expertise

    # ---- reading

    @property
    def naming(self) -> Naming:
        return Naming(first_applicant=self.first_applicant, first_defender=self.first_defender,
                      jurisdiction=self.jurisdiction, rg_number=self.rg_number, expert_name=self.expert_name,
                      designation_date=self.designation_date, record_number=self.record_number,
                      mi_number=self.mi_number)

    @property
    def changes(self) -> list[Change]:
        """Changes recorded since the aggregate was loaded (not persisted)."""
        return self.__dict__.setdefault("_changes", [])

    def live_participants(self) -> list[Participant]:
        return [participant for participant in self.participants if participant.live]

    def participation_of(self, account_id: str) -> Participant | None:
        """The caller's live participation (active or not), if any."""
        for participant in self.participants:
            if participant.live and participant.account_id == account_id:
                return participant
        return None

    def participant(self, participant_id: str) -> Participant:
        for participant in self.participants:
            if participant.id == participant_id and participant.live:
                return participant
        raise NotFound("Participant introuvable dans cette expertise.")

    def party(self, party_id: str) -> Party:
        for party in self.parties:
            if party.id == party_id:
                return party
        raise NotFound("Partie introuvable dans cette expertise.")

    def magistrat_en_charge(self) -> Participant | None:
        for participant in self.participants:
            if participant.role == roles.MAGISTRAT and participant.en_charge and participant.has_access:
                return participant
        return None

    def members_of(self, party_id: str) -> list[Participant]:
        return [p for p in self.live_participants() if p.role in roles.PARTY_MEMBER_ROLES and party_id in p.party_ids]

    # ---- changes of the case

    def rename(self, naming: Naming, at: datetime, by: str | None) -> bool:
        self._require_open()
        if naming == self.naming:
            return False
        previous = self.display_name
        for name, value in _naming_columns(naming).items():
            setattr(self, name, value)
        self._refresh_search_text()
        self._record(RENAMED, at, by, previous_display_name=previous)
        return True

    def update_details(self, at: datetime, by: str | None, *, portalis_number: Any = ...,
                       mission: Any = ...) -> bool:
        """Change the n° Portalis and/or the mission; ``...`` leaves a field as it is."""
        self._require_open()
        changed = []
        if portalis_number is not ...:
            value = _checked_text(portalis_number, PORTALIS_MAX, "/portalis_number")
            if value != self.portalis_number:
                self.portalis_number = value
                changed.append("portalis_number")
        if mission is not ...:
            value = _checked_text(mission, MISSION_MAX, "/mission")
            if value != self.mission:
                self.mission = value
                changed.append("mission")
        if not changed:
            return False
        self._refresh_search_text()
        self._record(DETAILS_UPDATED, at, by, changed=changed)
        return True

    def record_consignation(self, consignation_date: date | None, at: datetime, by: str | None) -> bool:
        self._require_open()
        if consignation_date == self.consignation_date:
            return False
        previous, self.consignation_date = self.consignation_date, consignation_date
        self._record(CONSIGNATION_RECORDED, at, by, previous_consignation_date=previous)
        return True

    def change_deadline(self, deadline: date | None, at: datetime, by: str | None) -> bool:
        self._require_open()
        if deadline == self.deadline:
            return False
        previous, self.deadline = self.deadline, deadline
        self._record(DEADLINE_CHANGED, at, by, previous_deadline=previous)
        return True

    def change_status(self, target: str, *, confirmed: bool, reason: str | None, at: datetime, by: str | None,
                      history_id: str) -> StatusChange:
        """Move along the status machine (owner expert, confirmed); illegal moves raise IllegalTransition."""
        cleaned = status.check_transition(self.status, target, confirmed=confirmed, reason=reason)
        current = self.status
        reopened = status.is_reopening(current, target)
        self.status = target
        if target == status.EN_COURS and self.en_cours_at is None:
            self.en_cours_at = at
        if target == status.TERMINEE:
            self.terminee_at = at
        elif reopened:
            self.terminee_at = None
        self._record(STATUS_CHANGED, at, by, from_status=current, to_status=target, reason=cleaned,
                     reopened=reopened)
        entry = StatusChange(id=history_id, expertise_id=self.id, from_status=current, to_status=target,
                             reason=cleaned, changed_by=by, changed_at=at, expertise_version=self.version,
                             reopened=reopened)
        self.history.append(entry)
        return entry

    # ---- parties

    def add_party(self, *, party_id: str, name: str, kind: str, representation: str, at: datetime,
                  by: str | None) -> Party:
        self._require_open()
        cleaned = _party_name(name)
        _check_choice(kind, roles.PARTY_KINDS, "/kind")
        _check_choice(representation, roles.REPRESENTATIONS, "/representation")
        if any(fold(party.name) == fold(cleaned) for party in self.parties):
            raise Conflict(f"Une partie « {cleaned} » existe déjà dans cette expertise.", slug="party-exists")
        party = Party(id=party_id, expertise_id=self.id, name=cleaned, kind=kind, representation=representation,
                      added_at=at, added_by=by)
        self.parties.append(party)
        self._refresh_search_text()
        self._record(PARTY_ADDED, at, by, party=party.snapshot())
        return party

    def update_party(self, party_id: str, at: datetime, by: str | None, *, name: str | None = None,
                     kind: str | None = None, representation: str | None = None) -> bool:
        self._require_open()
        party = self.party(party_id)
        changed = []
        if name is not None and _party_name(name) != party.name:
            cleaned = _party_name(name)
            if any(other is not party and fold(other.name) == fold(cleaned) for other in self.parties):
                raise Conflict(f"Une partie « {cleaned} » existe déjà dans cette expertise.", slug="party-exists")
            party.name = cleaned
            changed.append("name")
        if kind is not None and kind != party.kind:
            _check_choice(kind, roles.PARTY_KINDS, "/kind")
            party.kind = kind
            changed.append("kind")
        members_to_update: list[Participant] = []
        if representation is not None and representation != party.representation:
            _check_choice(representation, roles.REPRESENTATIONS, "/representation")
            representatives = [p for p in self.live_participants()
                               if p.role in roles.REPRESENTATIVE_ROLES and party.id in p.party_ids]
            if representatives:
                raise Conflict("Cette partie est représentée par un participant : retirez-le de la partie "
                               "avant de changer sa représentation.", slug="party-represented")
            members = self.members_of(party.id)
            new_role = roles.member_role(representation)
            if members and new_role is None:
                raise Conflict("Une partie non dématérialisée ne peut pas avoir de membres : retirez-les d'abord.",
                               slug="party-has-members")
            party.representation = representation
            changed.append("representation")
            for member in members:
                if member.role != new_role:
                    member.role = new_role  # type: ignore[assignment]
                    members_to_update.append(member)
        if not changed:
            return False
        self._refresh_search_text()
        self._record(PARTY_UPDATED, at, by, party=party.snapshot(), changed=changed)
        for member in members_to_update:
            self._record(PARTICIPANT_UPDATED, at, by, participant=member.snapshot(), changed=["role"])
        return True

    # ---- participants

    def add_participant(self, *, participant_id: str, role: str, account_id: str, person: PersonDetails,
                        party_ids: Iterable[str], en_charge: bool, at: datetime, by: str | None) -> Participant:
        """Add someone who has an account (from a directory): co-expert, sapiteur, magistrat, greffier,
        avocat, expert de partie — or a party member who already has an account."""
        self._require_open()
        if role == roles.EXPERT:
            raise Conflict("Une expertise n'a qu'un expert propriétaire.", slug="owner-exists")
        _check_choice(role, roles.ROLES, "/role")
        self._check_account_free(account_id)
        parties = self._check_parties(role, list(dict.fromkeys(party_ids)))
        if role in roles.PARTY_MEMBER_ROLES:
            role = self._member_role(parties)
        participant = self._new_participant(participant_id, role, account_id, person, parties, at, by)
        current = self.magistrat_en_charge()
        if role == roles.MAGISTRAT:
            # The first active magistrat is en charge; a later one only when asked.
            participant.en_charge = en_charge or current is None
        elif en_charge:
            raise InvalidRequest("Seul un magistrat peut être en charge.", {"/en_charge": "magistrats seulement"})
        self.participants.append(participant)
        self._record(PARTICIPANT_ADDED, at, by, participant=participant.snapshot())
        if participant.en_charge and current is not None:
            current.en_charge = False
            self._record(PARTICIPANT_UPDATED, at, by, participant=current.snapshot(), changed=["en_charge"])
        return participant

    def invite_participant(self, *, participant_id: str, role: str, person: PersonDetails,
                           party_ids: Iterable[str], at: datetime, by: str | None) -> Participant:
        """Invite by e-mail a party member or a non-expert sapiteur who has no account yet."""
        self._require_open()
        if role not in (*roles.PARTY_MEMBER_ROLES, roles.SAPITEUR):
            raise InvalidRequest("Seuls les membres d'une partie et les sapiteurs non experts sont invités "
                                 "par courriel.", {"/role": "partie_publiante, partie_lectrice ou sapiteur"})
        missing = {f"/{name}": "obligatoire" for name in ("email", "given_name", "surname")
                   if not (getattr(person, name) or "").strip()}
        if missing:
            # Identity opens the invited holder's account with these (software certificate).
            raise InvalidRequest("L'invitation demande le prénom, le nom et l'adresse électronique.", missing)
        email = person.email.strip().lower()
        for other in self.live_participants():
            if other.email and other.email.lower() == email and other.account_id is None:
                raise Conflict(f"{email} est déjà invité dans cette expertise.", slug="participant-exists")
        parties = self._check_parties(role, list(dict.fromkeys(party_ids)))
        if role in roles.PARTY_MEMBER_ROLES:
            role = self._member_role(parties)
        participant = self._new_participant(participant_id, role, None, person, parties, at, by)
        participant.email = email
        participant.invitation_pending = True
        participant.refresh_search_text()
        self.participants.append(participant)
        self._record(PARTICIPANT_ADDED, at, by, participant=participant.snapshot())
        self._record(PARTICIPANT_INVITED, at, by, participant=participant.snapshot(),
                     profile=roles.invitation_profile(role), phone_fixed=participant.phone_fixed,
                     phone_mobile=participant.phone_mobile)
        return participant

    def update_participant(self, participant_id: str, at: datetime, by: str | None, *,
                           active: bool | None = None, en_charge: bool | None = None,
                           party_ids: Iterable[str] | None = None) -> bool:
        self._require_open()
        participant = self.participant(participant_id)
        if participant.role == roles.EXPERT:
            raise Conflict("L'expert propriétaire reste actif et ne se modifie pas ici.", slug="owner-immutable")
        changed: list[str] = []
        if party_ids is not None:
            parties = self._check_parties(participant.role, list(dict.fromkeys(party_ids)))
            if participant.role in roles.PARTY_MEMBER_ROLES:
                role = self._member_role(parties)
                if role != participant.role:
                    participant.role = role
                    changed.append("role")
            if parties != participant.party_ids:
                participant.party_ids = parties
                changed.append("party_ids")
        if active is not None and active != participant.active:
            participant.active = active
            changed.append("active")
        if en_charge and participant.role != roles.MAGISTRAT:
            raise InvalidRequest("Seul un magistrat peut être en charge.", {"/en_charge": "magistrats seulement"})
        if en_charge and not participant.has_access:
            raise Conflict("Un magistrat inactif ne peut pas être en charge.", slug="inactive-en-charge")
        if en_charge is False and participant.en_charge and participant.has_access:
            raise Conflict("Il faut un magistrat en charge : désignez-en un autre, la charge lui passe.",
                           slug="en-charge-required")
        if changed:
            self._record(PARTICIPANT_UPDATED, at, by, participant=participant.snapshot(), changed=changed)
        if participant.role == roles.MAGISTRAT:
            if en_charge and not participant.en_charge:
                self._settle_en_charge(participant, at, by)
                return True
            if "active" in changed:
                self._settle_en_charge(None, at, by)
        return bool(changed)

    def remove_participant(self, participant_id: str, reason: str | None, at: datetime, by: str | None) -> None:
        self._require_open()
        participant = self.participant(participant_id)
        if participant.role == roles.EXPERT:
            raise Conflict("L'expert propriétaire ne peut pas être retiré.", slug="owner-immutable")
        self._remove(participant, _checked_text(reason, status.REASON_MAX, "/reason"), at, by)

    def bind_account(self, participant_id: str, account_id: str, at: datetime, by: str | None) -> bool:
        """An invited member now has an account (identity issued the certificate)."""
        participant = self.participant(participant_id)
        if participant.account_id == account_id:
            return False
        if participant.account_id is not None:
            raise Conflict("Ce participant a déjà un compte.", slug="participant-has-account")
        holder = self.participation_of(account_id)
        if holder is not None:
            raise Conflict("Ce compte participe déjà à l'expertise.", slug="participant-exists")
        participant.account_id = account_id
        participant.invitation_pending = False
        self._record(PARTICIPANT_UPDATED, at, by, participant=participant.snapshot(),
                     changed=["account_id", "invitation_pending"])
        return True

    def replace_account(self, source: str, target: str, at: datetime, by: str | None) -> bool:
        """A duplicate account was merged into ``target``: memberships move to it."""
        changed = False
        if self.owner_account_id == source:
            self.owner_account_id = target
            changed = True
        moving = self.participation_of(source)
        if moving is None:
            return changed
        staying = self.participation_of(target)
        if staying is not None:
            # Both accounts took part: one participation stays (the owner's, else the target's).
            if moving.role != roles.EXPERT:
                self._remove(moving, "fusion de comptes", at, by)
                return True
            self._remove(staying, "fusion de comptes", at, by)
        moving.account_id = target
        self._record(PARTICIPANT_UPDATED, at, by, participant=moving.snapshot(), changed=["account_id"])
        return True

    # ---- internals

    def _remove(self, participant: Participant, reason: str | None, at: datetime, by: str | None) -> None:
        was_en_charge = participant.en_charge
        participant.removed_at = at
        participant.removed_by = by
        participant.removal_reason = reason
        participant.en_charge = False
        self._record(PARTICIPANT_REMOVED, at, by, participant=participant.snapshot(), reason=reason)
        if was_en_charge:
            self._settle_en_charge(None, at, by)

    def _new_participant(self, participant_id: str, role: str, account_id: str | None, person: PersonDetails,
                         party_ids: list[str], at: datetime, by: str | None) -> Participant:
        return Participant(
            id=participant_id, expertise_id=self.id, role=role, account_id=account_id,
            email=_checked_text(person.email, roles.EMAIL_MAX, "/email"),
            given_name=_checked_text(person.given_name, roles.PERSON_NAME_MAX, "/given_name"),
            surname=_checked_text(person.surname, roles.PERSON_NAME_MAX, "/surname"),
            phone_fixed=_checked_text(person.phone_fixed, roles.PHONE_MAX, "/phone_fixed"),
            phone_mobile=_checked_text(person.phone_mobile, roles.PHONE_MAX, "/phone_mobile"),
            party_ids=party_ids, added_at=at, added_by=by)

    def _check_account_free(self, account_id: str) -> None:
        if self.participation_of(account_id) is not None:
            raise Conflict("Ce compte participe déjà à l'expertise.", slug="participant-exists")

    def _check_parties(self, role: str, party_ids: list[str]) -> list[str]:
        parties = [self.party(party_id) for party_id in party_ids]
        if role in roles.PARTY_MEMBER_ROLES:
            if len(parties) != 1:
                raise InvalidRequest("Un membre de partie appartient à une seule partie.",
                                     {"/party_ids": "exactement une partie"})
            if roles.member_role(parties[0].representation) is None:
                raise Conflict("Une partie non dématérialisée n'a pas de membres sur la plateforme.",
                               slug="party-not-dematerialised")
        elif role in roles.REPRESENTATIVE_ROLES:
            if not parties:
                raise InvalidRequest("Indiquez les parties représentées.", {"/party_ids": "au moins une partie"})
            expected = roles.REPRESENTATIVE_ROLES[role]
            wrong = [party.name for party in parties if party.representation != expected]
            if wrong:
                raise Conflict(f"Parties non représentées ainsi (représentation ≠ {expected}) : {', '.join(wrong)}.",
                               slug="representation-mismatch")
        elif parties:
            raise InvalidRequest("Ce rôle ne représente aucune partie.", {"/party_ids": "doit être vide"})
        return [party.id for party in parties]

    def _member_role(self, party_ids: list[str]) -> str:
        role = roles.member_role(self.party(party_ids[0]).representation)
        assert role is not None  # checked by _check_parties
        return role

    def _settle_en_charge(self, chosen: Participant | None, at: datetime, by: str | None) -> None:
        """Exactly one active magistrat is en charge whenever one is active (``chosen``, else the
        current one, else the earliest added)."""
        magistrats = [p for p in self.participants if p.role == roles.MAGISTRAT and p.has_access]
        if chosen is None:
            current = [p for p in magistrats if p.en_charge]
            chosen = current[0] if current else (min(magistrats, key=lambda p: p.added_at) if magistrats else None)
        # Announce the one who loses the charge first, then the one who takes it.
        ordered = sorted((p for p in self.participants if p.role == roles.MAGISTRAT), key=lambda p: p is chosen)
        for magistrat in ordered:
            wanted = magistrat is chosen
            if magistrat.en_charge != wanted:
                magistrat.en_charge = wanted
                self._record(PARTICIPANT_UPDATED, at, by, participant=magistrat.snapshot(), changed=["en_charge"])

    def _require_open(self) -> None:
        if self.status == status.TERMINEE:
            raise Conflict("L'expertise est terminée : rouvrez-la pour la modifier.", slug="expertise-terminee")

    def _refresh_search_text(self) -> None:
        values = [self.display_name, self.first_applicant, self.first_defender, self.jurisdiction, self.rg_number,
                  self.mi_number, self.record_number, self.portalis_number, self.expert_name,
                  *(party.name for party in self.parties)]
        self.search_text = fold(" ".join(value for value in values if value))

    def _record(self, kind: str, at: datetime, by: str | None, **details: Any) -> None:
        self.version += 1
        self.updated_at = at
        header = {"display_name": self.display_name, "status": self.status}
        self.changes.append(Change(kind=kind, version=self.version, at=at, by=by, header=header, details=details))


def _naming_columns(naming: Naming) -> dict[str, Any]:
    return {
        "first_applicant": naming.first_applicant, "first_defender": naming.first_defender,
        "jurisdiction": naming.jurisdiction, "rg_number": naming.rg_number, "expert_name": naming.expert_name,
        "designation_date": naming.designation_date, "record_number": naming.record_number,
        "mi_number": naming.mi_number, "display_name": naming.display_name,
    }


def _party_name(name: str) -> str:
    cleaned = (name or "").strip()
    if not cleaned:
        raise InvalidRequest("Nom de partie obligatoire.", {"/name": "obligatoire"})
    if len(cleaned) > roles.PARTY_NAME_MAX:
        raise InvalidRequest("Nom de partie trop long.", {"/name": f"{roles.PARTY_NAME_MAX} caractères au plus"})
    return cleaned


def _check_choice(value: str, choices: tuple[str, ...], pointer: str) -> None:
    if value not in choices:
        raise InvalidRequest("Valeur inconnue.", {pointer: f"parmi : {', '.join(choices)}"})


