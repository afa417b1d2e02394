"""The expert directory as identity announces it, and what it says about a designation's people.

The client sends the chosen expert's account id with what the directory card showed. When the
designation service has heard of that account from identity (``identity.account_*`` events), the
directory wins: the account must be an active expert, and its names, court and specialities are
taken from it. An account not heard of yet (identity's event may trail the directory by a moment)
keeps the client's snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

from scelle_designation.domain.errors import InvalidRequest
from scelle_designation.domain.model import EXPERT_PROFILE, ExpertChoice

ACTIVE = "active"


@dataclass(frozen=True)
class DirectoryEntry:
    """One account of identity's directory, as last announced."""

    account_id: str
    profile: str
    status: str
    given_name: str | None = None
    surname: str | None = None
    email: str | None = None
    court_code: str | None = None
    national_list: bool | None = None
    specialities: tuple[str, ...] = ()


def expert_from_directory(choice: ExpertChoice, entry: DirectoryEntry | None) -> ExpertChoice:
    """The expert to store: the directory's facts over the client's snapshot; refuse a non-expert
    or an account that is suspended or merged into another."""
    if entry is None:
        return choice
    if entry.profile != EXPERT_PROFILE:
        raise InvalidRequest("Ce compte n'est pas celui d'un expert de l'annuaire.",
                             {"/expert/account_id": "pas un expert"})
    if entry.status != ACTIVE:
        raise InvalidRequest("Ce compte d'expert n'est pas actif (suspendu ou fusionné).",
                             {"/expert/account_id": f"compte {entry.status}"})
    return ExpertChoice(
        account_id=entry.account_id, given_name=entry.given_name or choice.given_name,
        surname=entry.surname or choice.surname, email=entry.email or choice.email,
        court_code=entry.court_code or choice.court_code,
        national_list=entry.national_list if entry.national_list is not None else choice.national_list,
        specialities=entry.specialities or choice.specialities)
