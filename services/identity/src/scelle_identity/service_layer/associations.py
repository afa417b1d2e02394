"""Binding more certificates to one account: cases A, B and C (DESIGN §6.8, REFERENCE §7).

A — the holder, logged in with a valid certificate, asks for a link; it is mailed to the
account's address; opened with the new certificate (through the gateway), it binds it.
B — the holder's certificate is dead: an operator has the same link mailed.
C — a duplicate account was created with the new certificate: an operator merges it into the
primary account; certificates move, the duplicate is closed, ``identity.accounts_merged`` tells
the services that own memberships, deposits, reads and invoices to move theirs.

Mail goes out before the transaction commits (and the audit row is written last, so the chain
is not held during SMTP): a refused mail leaves no link behind.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from scelle_identity.adapters.sealing import new_token, token_hash
from scelle_identity.domain.accounts import MERGED, Account, check_merge, merged_status
from scelle_identity.domain.errors import Conflict, InvalidRequest, NotFound
from scelle_identity.domain.links import (
    ASSOCIATION_MAX_TTL,
    ASSOCIATION_OPERATOR,
    ASSOCIATION_SELF,
    LinkState,
    expiry,
    require_usable,
)
from scelle_identity.domain.profiles import OPERATEUR, family_allows
from scelle_identity.service_layer import integration_events as events
from scelle_identity.service_layer.checks import presented_certificate, require_valid
from scelle_identity.service_layer.context import Actor, Services, audit_entry, new_id
from scelle_identity.service_layer.ports import Mail

LINK_PATH = "/api/identity/v1/association-links/{token}"


@dataclass(frozen=True)
class LinkSent:
    """What the requester learns: where the mail went and until when the link works (never the link)."""

    link_id: str
    account_id: str
    sent_to: str
    expires_at: datetime


def request_association(services: Services, actor: Actor) -> LinkSent:
    """Case A: the logged-in holder asks for a link to bind a new certificate."""
    return _send_link(services, actor, actor.require_account(), ASSOCIATION_SELF)


def issue_association_link(services: Services, actor: Actor, account_id: str) -> LinkSent:
    """Case B: an operator has the link mailed to a holder whose certificate died."""
    actor.require_profile(OPERATEUR)
    return _send_link(services, actor, account_id, ASSOCIATION_OPERATOR)


def _send_link(services: Services, actor: Actor, account_id: str, kind: str) -> LinkSent:
    mailer = services.require_mailer()
    now = services.clock()
    token = new_token()
    with services.unit_of_work() as uow:
        account = uow.account(account_id, for_update=True, live=True)
        expires_at = expiry(now, services.policy.association_link_ttl, ASSOCIATION_MAX_TTL)
        uow.links.withdraw_pending_associations(account.id, now)
        link_id = new_id()
        uow.links.add_association(id=link_id, token_hash=token_hash(token), account_id=account.id, kind=kind,
                                  created_by=actor.account_id or "system", created_at=now, expires_at=expires_at)
        mailer.send(_association_mail(services, account, token, kind, expires_at))
        uow.record(audit_entry(actor, "association.link.send", f"account:{account.id}", "sent", now,
                               kind=kind, link_id=link_id, expires_at=expires_at.isoformat()))
        uow.commit()
    return LinkSent(link_id, account.id, account.email, expires_at)


def _association_mail(services: Services, account: Account, token: str, kind: str, expires_at: datetime) -> Mail:
    origin = "à votre demande" if kind == ASSOCIATION_SELF else "par l'assistance Scellé, à votre demande"
    return Mail(
        to=account.email,
        subject="[Scellé] Associer un nouveau certificat à votre compte",
        paragraphs=(
            f"Bonjour {account.display_name},",
            f"Un lien d'association d'un nouveau certificat à votre compte Scellé a été émis {origin}.",
            "Fermez tous vos navigateurs, sélectionnez votre nouveau certificat, puis ouvrez le lien "
            f"ci-dessous. Il ne sert qu'une fois et expire le {expires_at:%d/%m/%Y à %H:%M} (UTC).",
            "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : sans votre nouveau "
            "certificat, le lien est inutilisable.",
        ),
        link=services.policy.public_url.rstrip("/") + LINK_PATH.format(token=token),
        link_label="Associer mon nouveau certificat",
    )


@dataclass(frozen=True)
class LinkInfo:
    state: LinkState
    expires_at: datetime
    holder: str  # "Hélène G." — enough to recognise one's own link, not more


def association_info(services: Services, actor: Actor, token: str) -> LinkInfo:
    """What a link is for and whether it still works (no side effect but the audit row)."""
    now = services.clock()
    with services.unit_of_work() as uow:
        found = uow.links.association(token_hash(token))
        if found is None:
            raise NotFound("Lien d'association inconnu.")
        row, link = found
        account = uow.accounts.get(row.account_id)
        assert account is not None
        uow.record(audit_entry(actor, "association.link.read", f"link:{row.id}", link.state(now).value, now))
        uow.commit()
    return LinkInfo(link.state(now), row.expires_at, f"{account.given_name} {account.surname[:1]}.")


def redeem_association(services: Services, actor: Actor, token: str) -> Account:
    """Bind the certificate presented with this request to the link's account."""
    now = services.clock()
    with services.unit_of_work() as uow:
        found = uow.links.association(token_hash(token), for_update=True)
        if found is None:
            raise NotFound("Lien d'association inconnu.")
        row, link = found
        record = presented_certificate(uow, actor)
        account = uow.accounts.get(row.account_id, for_update=True)
        if account is None or account.status == MERGED:
            raise NotFound("Le compte de ce lien n'existe plus.")
        if link.state(now) is LinkState.USED and row.used_fingerprint == record.fingerprint:
            # The same certificate redeeming twice (a double click): already done.
            uow.record(audit_entry(actor, "association.link.redeem", f"link:{row.id}", "already_bound", now))
            uow.commit()
            return account
        require_usable(link, now)
        if record.account_id is not None and record.account_id != account.id:
            raise Conflict("Ce certificat est déjà lié à un autre compte : demandez à l'assistance de fusionner "
                           "les deux comptes (cas C), en donnant le numéro de série du certificat.")
        verdict = require_valid(services, record, now)
        assert verdict.family is not None
        if not family_allows(verdict.family, account.profile):
            raise InvalidRequest(f"Un certificat de cette autorité ne peut pas porter un compte {account.profile}.",
                                 {"/certificate": "famille d'émetteur incompatible avec le profil du compte"})
        via = "association_self" if row.kind == ASSOCIATION_SELF else "association_operator"
        uow.links.use_association(row.id, now, record.fingerprint)
        if record.account_id is None:
            account = replace(account, version=account.version + 1)
            uow.accounts.save(account, now)
            uow.certificates.bind(record.fingerprint, account.id, via, now)
            uow.publish(events.certificate_bound(account, record, via, now))
        uow.record(audit_entry(replace(actor, account_id=account.id, profile=account.profile),
                               "association.link.redeem", f"link:{row.id}", "bound", now, via=via))
        uow.commit()
    return account


@dataclass(frozen=True)
class Merge:
    primary: Account
    merged: Account
    moved_certificates: list[str]


def merge_accounts(services: Services, actor: Actor, primary_id: str, duplicate_id: str, reason: str) -> Merge:
    """Case C: fold the duplicate account into the primary one."""
    actor.require_profile(OPERATEUR)
    now = services.clock()
    with services.unit_of_work() as uow:
        # Lock both rows in a fixed order so two merges never deadlock.
        locked = {account_id: uow.accounts.get(account_id, for_update=True)
                  for account_id in sorted({primary_id, duplicate_id})}
        primary, duplicate = locked.get(primary_id), locked.get(duplicate_id)
        if primary is None or duplicate is None:
            raise NotFound("Compte introuvable.")
        check_merge(primary, duplicate)
        moved = uow.certificates.move(duplicate.id, primary.id)
        uow.links.withdraw_pending_associations(duplicate.id, now)
        merged = replace(duplicate, status=MERGED, merged_into=primary.id, version=duplicate.version + 1,
                         status_changed_at=now)
        primary = replace(primary, status=merged_status(primary, duplicate), version=primary.version + 1)
        uow.accounts.save(merged, now)
        uow.accounts.save(primary, now)
        uow.publish(events.accounts_merged(primary, merged, moved, actor.account_id, now))
        uow.record(audit_entry(actor, "operator.accounts.merge", f"account:{primary.id}", "merged", now,
                               merged_account=merged.id, moved_certificates=moved, reason=reason))
        uow.commit()
    return Merge(primary, merged, moved)
