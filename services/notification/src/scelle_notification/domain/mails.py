"""Who gets which immediate e-mail for an event (DESIGN §6.10): pure decisions, no I/O.

Each function reads an event's ``data`` tolerantly (unknown fields ignored, optional fields may be
missing) and answers the mails to queue: one :class:`MailRequest` per recipient, with the template
kind and the facts the template shows. What identity mails itself (association links, software
certificate retrieval links) is *not* planned here, so nobody receives those twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from scelle_notification.domain.model import Contact, display_name


@dataclass(frozen=True)
class MailRequest:
    """One mail to queue: for an account (its e-mail from the read model) or a bare address."""

    kind: str
    account_id: str | None
    email: str | None
    name: str
    context: Mapping[str, Any] = field(default_factory=dict)
    expertise_id: str | None = None

    @property
    def recipient_key(self) -> str:
        """What makes a recipient unique for one event: the account, else the address."""
        return self.account_id or f"email:{(self.email or '').strip().lower()}"


class Directory(Protocol):
    """What the planner may ask the contact read model."""

    def contact(self, account_id: str) -> Contact | None: ...

    def active_experts(self) -> Iterable[Contact]: ...

    def designator_of(self, expertise_id: str) -> str | None:
        """Who designated the expert of this expertise (from ``expertise.created``), if anyone."""


Planner = Callable[[Mapping[str, Any], Directory], list[MailRequest]]
PLANNERS: dict[str, Planner] = {}


def plans(*names: str) -> Callable[[Planner], Planner]:
    def register(planner: Planner) -> Planner:
        for name in names:
            PLANNERS[name] = planner
        return planner

    return register


def plan(event_name: str, data: Mapping[str, Any], directory: Directory) -> list[MailRequest]:
    """The mails an event asks for (none for an event that tells nobody anything)."""
    planner = PLANNERS.get(event_name)
    return planner(data, directory) if planner else []


def _to_account(kind: str, account_id: str | None, directory: Directory, context: Mapping[str, Any],
                expertise_id: str | None = None, fallback_email: str | None = None,
                fallback_name: str = "") -> list[MailRequest]:
    if not account_id and not fallback_email:
        return []
    contact = directory.contact(account_id) if account_id else None
    name = contact.display_name if contact else fallback_name
    email = (contact.email if contact else None) or fallback_email
    return [MailRequest(kind, account_id, email, name, context, expertise_id)]


def _first(data: Mapping[str, Any], *paths: str) -> Any:
    """The first present value among dotted ``paths`` (tolerant reader of evolving contracts)."""
    for path in paths:
        node: Any = data
        for part in path.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        if node not in (None, ""):
            return node
    return None


def _person(data: Mapping[str, Any], prefix: str, directory: Directory) -> str:
    account_id = _first(data, f"{prefix}_account_id", f"{prefix}.account_id", f"{prefix}_id")
    contact = directory.contact(account_id) if account_id else None
    if contact and contact.display_name:
        return contact.display_name
    return display_name(_first(data, f"{prefix}.given_name", f"{prefix}_given_name"),
                        _first(data, f"{prefix}.surname", f"{prefix}_surname")) or ""


# -- designations (DESIGN §6.7) -------------------------------------------------------------------

def _designation_context(data: Mapping[str, Any], directory: Directory) -> dict[str, Any]:
    return {
        "designation_id": _first(data, "designation_id"),
        "designator_name": _person(data, "designator", directory) or _person(data, "designated_by", directory),
        "designator_profile": _first(data, "designator.profile", "designator_profile"),
        "expert_name": _person(data, "expert", directory),
        "court": _first(data, "court_name", "jurisdiction", "naming.jurisdiction"),
        "rg_number": _first(data, "naming.rg_number", "rg_number"),
        "parties": " / ".join(p for p in (_first(data, "naming.first_applicant"), _first(data, "naming.first_defender"))
                              if p) or None,
        "document_count": _first(data, "document_count", "item_count", "file_count"),
        "reminder_count": _first(data, "reminder_count", "reminders"),
        "reason": _first(data, "justification", "reason", "refusal_reason"),
        "response_document_count": len(data.get("response_documents") or []) or None,
        "display_name": _first(data, "display_name", "expertise_display_name"),
        "expertise_id": _first(data, "expertise_id"),
        "at": _first(data, "sent_at", "reminded_at", "withdrawn_at", "accepted_at", "refused_at", "created_at"),
    }


def _to_party(kind: str, data: Mapping[str, Any], who: str, directory: Directory) -> list[MailRequest]:
    """To the designation's expert or designator: their account, else the address the event carries."""
    account_id = _first(data, f"{who}_account_id", f"{who}.account_id")
    context = _designation_context(data, directory)
    return _to_account(kind, account_id, directory, context, context["expertise_id"],
                       _first(data, f"{who}.email"),
                       display_name(_first(data, f"{who}.given_name"), _first(data, f"{who}.surname")))


@plans("designation.created.v1")
def designation_sent(data: Mapping[str, Any], directory: Directory) -> list[MailRequest]:
    return _to_party("designation_sent", data, "expert", directory)


@plans("designation.reminded.v1")
def designation_reminded(data: Mapping[str, Any], directory: Directory) -> list[MailRequest]:
    return _to_party("designation_reminded", data, "expert", directory)


@plans("designation.withdrawn.v1")
def designation_withdrawn(data: Mapping[str, Any], directory: Directory) -> list[MailRequest]:
    return _to_party("designation_withdrawn", data, "expert", directory)


@plans("designation.accepted.v1")
def designation_accepted(data: Mapping[str, Any], directory: Directory) -> list[MailRequest]:
    return _to_party("designation_accepted", data, "designator", directory)


@plans("designation.refused.v1")
def designation_refused(data: Mapping[str, Any], directory: Directory) -> list[MailRequest]:
    return _to_party("designation_refused", data, "designator", directory)


# -- expertises -----------------------------------------------------------------------------------

def _participant_context(data: Mapping[str, Any], directory: Directory, by: str) -> dict[str, Any]:
    return {
        "expertise_id": data.get("expertise_id"),
        "display_name": data.get("display_name"),
        "role": data.get("role"),
        "invited_by_name": _person({"x_account_id": data.get(by)}, "x", directory),
        "account_id": data.get("account_id"),
    }


@plans("expertise.participant_added.v1")
def participant_added(data: Mapping[str, Any], directory: Directory) -> list[MailRequest]:
    """An existing account joins an expertise: it is told where and as what — not the person who
    added themself, nor an inactive participant, nor the designator attached when the expert
    accepted (``designation_accepted`` told them already)."""
    account_id = data.get("account_id")
    if not account_id or data.get("active") is False or account_id == data.get("added_by"):
        return []
    if data.get("expertise_id") and directory.designator_of(data["expertise_id"]) == account_id:
        return []
    name = display_name(data.get("given_name"), data.get("surname"))
    return _to_account("participant_added", account_id, directory, _participant_context(data, directory, "added_by"),
                       data.get("expertise_id"), data.get("email"), name)


@plans("expertise.participant_invited.v1")
def participant_invited(data: Mapping[str, Any], directory: Directory) -> list[MailRequest]:
    """A person without a usable certificate is invited; identity mails the certificate's retrieval
    link separately, this mail says which expertise and who invited them."""
    name = display_name(data.get("given_name"), data.get("surname"))
    context = _participant_context(data, directory, "invited_by")
    return _to_account("participant_invited", data.get("account_id"), directory, context,
                       data.get("expertise_id"), data.get("email"), name)


# -- certificates ---------------------------------------------------------------------------------

@plans("identity.certificate_expiring.v1")
def certificate_expiring(data: Mapping[str, Any], directory: Directory) -> list[MailRequest]:
    context = {"days_left": data.get("days_left"), "threshold_days": data.get("threshold_days"),
               "not_after": data.get("not_after"), "serial": data.get("certificate_serial"),
               "software": bool(data.get("software"))}
    return _to_account("certificate_expiring", data.get("account_id"), directory, context)


# -- documents ------------------------------------------------------------------------------------

@plans("documents.read_reminder_requested.v1")
def read_reminder(data: Mapping[str, Any], directory: Directory) -> list[MailRequest]:
    """The expert's relance: each named account is asked to download the document."""
    folder = data.get("folder") or {}
    context = {"expertise_id": data.get("expertise_id"), "display_name": data.get("expertise_display_name"),
               "document_id": data.get("document_id"), "file_name": data.get("file_name"),
               "folder_label": folder.get("label") or folder.get("path"),
               "requested_by_name": _person({"x_account_id": data.get("requested_by")}, "x", directory)}
    mails: list[MailRequest] = []
    for account_id in dict.fromkeys(data.get("account_ids") or []):
        mails += _to_account("read_reminder", account_id, directory, context, data.get("expertise_id"))
    return mails


# -- billing --------------------------------------------------------------------------------------

@plans("billing.invoice_issued.v1")
def invoice_issued(data: Mapping[str, Any], directory: Directory) -> list[MailRequest]:
    context = {key: data.get(key) for key in ("invoice_id", "invoice_number", "kind", "issued_on", "due_on",
                                              "total_ht_cents", "total_ttc_cents", "payment_method", "expertise_id")}
    return _to_account("invoice_issued", data.get("account_id"), directory, context, data.get("expertise_id"))


@plans("billing.formal_notice_sent.v1")
def formal_notice(data: Mapping[str, Any], directory: Directory) -> list[MailRequest]:
    context = {key: data.get(key) for key in ("incident_on", "sent_on", "suspension_on", "amount_due_cents",
                                              "invoices")}
    return _to_account("formal_notice", data.get("account_id"), directory, context)


@plans("billing.account_suspended.v1")
def account_suspended(data: Mapping[str, Any], directory: Directory) -> list[MailRequest]:
    context = {key: data.get(key) for key in ("suspended_on", "amount_due_cents", "invoices")}
    return _to_account("account_suspended", data.get("account_id"), directory, context)


@plans("billing.account_reinstated.v1")
def account_reinstated(data: Mapping[str, Any], directory: Directory) -> list[MailRequest]:
    context = {key: data.get(key) for key in ("reinstated_on", "suspended_on")}
    return _to_account("account_reinstated", data.get("account_id"), directory, context)


@plans("billing.tariff_announced.v1")
def tariff_announced(data: Mapping[str, Any], directory: Directory) -> list[MailRequest]:
    """Every active expert (the ones billed) is told of a tariff revision four months ahead."""
    context = {key: data.get(key) for key in ("tariff_version", "announced_on", "effective_from", "lines")}
    return [MailRequest("tariff_announced", contact.account_id, contact.email, contact.display_name, context)
            for contact in directory.active_experts()]
