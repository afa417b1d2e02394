"""Software certificates: issue, one-time retrieval, renewal, revocation and the CA's CRL.

Issuing makes a key pair and a certificate bound to the holder's account, seals the private key
under the secret of a one-time retrieval link and mails the link (never the certificate). The
holder opens it, chooses the PKCS#12 password and downloads the file once; the sealed key is
then erased. ``identity.software_certificate_issued`` carries the expertise the certificate was
issued for: billing charges that expertise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from scelle_common.events import Event
from scelle_common.messaging import PermanentError
from scelle_identity.adapters.sealing import new_token, seal, token_hash, unseal
from scelle_identity.adapters.software_ca import revoked_entry
from scelle_identity.adapters.x509_certificates import facts_of, pem_of
from scelle_identity.domain.accounts import ACTIVE, Account
from scelle_identity.domain.certificates import CertificateRecord
from scelle_identity.domain.errors import InvalidRequest, LinkUnusable, NotAllowed, NotFound
from scelle_identity.domain.links import PACKAGE_MAX_TTL, LinkState, OneTimeLink, expiry, require_usable
from scelle_identity.domain.profiles import SOFTWARE_FAMILY
from scelle_identity.domain.software_certificates import (
    REVOCATION_REASONS,
    check_issue,
    check_password,
    may_manage,
)
from scelle_identity.service_layer import integration_events as events
from scelle_identity.service_layer.context import Actor, Services, audit_entry, new_id
from scelle_identity.service_layer.ports import Holder, Mail
from scelle_identity.service_layer.unit_of_work import IdentityUnitOfWork

PACKAGE_PATH = "/api/identity/v1/software-certificate-packages/{token}"


@dataclass(frozen=True)
class IssueRequest:
    """Who the certificate is for: an existing account, or the details of a new one."""

    profile: str
    expertise_id: str | None = None
    account_id: str | None = None
    given_name: str | None = None
    surname: str | None = None
    email: str | None = None
    phone_fixed: str | None = None
    phone_mobile: str | None = None


@dataclass(frozen=True)
class IssuedCertificate:
    account: Account
    record: CertificateRecord
    sent_to: str | None
    link_expires_at: datetime | None
    replayed: bool = False


def issue_software_certificate(services: Services, actor: Actor, request: IssueRequest,
                               idempotency_key: str | None = None) -> IssuedCertificate:
    """Issue a certificate for a party, a sapiteur or an operator and mail its retrieval link."""
    actor_id = actor.require_account()
    check_issue(actor.profile, request.profile, request.expertise_id)
    now = services.clock()
    with services.unit_of_work() as uow:
        if idempotency_key:
            replay = _replay(uow, actor_id, idempotency_key)
            if replay is not None:
                uow.commit()
                return replay
        account, new = _holder_account(uow, request, now)
        if new:
            uow.publish(events.account_registered(account, "software_issue", now))
        issued, token = _issue(services, uow, actor, account, request.expertise_id, None, now)
        if idempotency_key:
            first = uow.idempotency.claim(actor_id, idempotency_key, "software_certificate.issue",
                                          issued.record.fingerprint, now)
            if first != issued.record.fingerprint:  # a concurrent twin won: ours never happened
                uow.rollback()
                replay = _replay(uow, actor_id, idempotency_key)
                assert replay is not None
                return replay
        _send_package(services, issued, token)
        uow.record(audit_entry(actor, "software_certificate.issue", f"certificate:{issued.record.fingerprint}",
                               "issued", now, account=account.id, expertise_id=request.expertise_id,
                               new_account=new))
        uow.commit()
    return issued


def issue_for_invitation(services: Services, uow: IdentityUnitOfWork, event: Event) -> IssuedCertificate:
    """``expertise.participant_invited.v1``: the owner expert invited a party member or a non-expert
    sapiteur; issue their certificate for that expertise and mail the retrieval link.

    Runs in the consumer's transaction (its inbox row makes a redelivery a no-op). A mail that
    cannot be sent raises, so the event is retried; bad data is dead-lettered.
    """
    data = event.data
    profile, expertise_id = data.get("profile"), data.get("expertise_id")
    invited_by = data.get("invited_by") if isinstance(data.get("invited_by"), str) else None
    try:
        check_issue("expert", str(profile), expertise_id if isinstance(expertise_id, str) else None)
        request = IssueRequest(
            profile=str(profile), expertise_id=str(expertise_id), account_id=data.get("account_id") or None,
            given_name=data.get("given_name"), surname=data.get("surname"), email=data.get("email"),
            phone_fixed=data.get("phone_fixed"), phone_mobile=data.get("phone_mobile"))
        now = services.clock()
        account, new = _holder_account(uow, request, now)
    except (InvalidRequest, NotAllowed, NotFound) as exc:
        raise PermanentError(f"invitation {event.id} cannot be served: {exc.detail}") from None
    if new:
        uow.publish(events.account_registered(account, "software_issue", now))
    inviter = Actor(invited_by, "expert")
    issued, token = _issue(services, uow, inviter, account, request.expertise_id, None, now,
                           participant_id=str(data.get("participant_id") or "") or None, causation=event)
    _send_package(services, issued, token)
    uow.record(audit_entry(Actor(None, "system"), "software_certificate.issue",
                           f"certificate:{issued.record.fingerprint}", "issued", now, account=account.id,
                           expertise_id=request.expertise_id, participant_id=data.get("participant_id"),
                           invited_by=invited_by, event_id=event.id, new_account=new))
    return issued


def renew_software_certificate(services: Services, actor: Actor, fingerprint: str) -> IssuedCertificate:
    """A new certificate for the same holder and expertise; the old one lives until it ends."""
    actor_id = actor.require_account()
    now = services.clock()
    with services.unit_of_work() as uow:
        record = uow.certificates.get(fingerprint, for_update=True)
        if record is None or not record.software or record.account_id is None:
            raise NotFound("Certificat logiciel introuvable.")
        if not may_manage(actor_id, actor.profile, record.account_id, record.issued_by):
            raise NotAllowed("Seuls le titulaire, celui qui l'a fait délivrer ou un opérateur le renouvellent.")
        account = uow.accounts.get(record.account_id, for_update=True)
        assert account is not None
        issued, token = _issue(services, uow, actor, account, record.expertise_id, record.fingerprint, now)
        _send_package(services, issued, token)
        uow.record(audit_entry(actor, "software_certificate.renew", f"certificate:{fingerprint}", "renewed", now,
                               new_certificate=issued.record.fingerprint))
        uow.commit()
    return issued


def revoke_certificate(services: Services, actor: Actor, fingerprint: str, reason: str) -> CertificateRecord:
    """Revoke a certificate in identity's own state (and on the CRL for a software certificate)."""
    actor_id = actor.require_account()
    if reason not in REVOCATION_REASONS:
        raise InvalidRequest("Motif de révocation inconnu.", {"/reason": f"parmi : {', '.join(REVOCATION_REASONS)}"})
    now = services.clock()
    with services.unit_of_work() as uow:
        record = uow.certificates.get(fingerprint, for_update=True)
        if record is None or record.account_id is None:
            raise NotFound("Certificat introuvable.")
        allowed = may_manage(actor_id, actor.profile, record.account_id, record.issued_by if record.software else None)
        if not allowed:
            raise NotAllowed("Seuls le titulaire, celui qui l'a fait délivrer ou un opérateur le révoquent.")
        if record.revoked_at is not None:
            uow.record(audit_entry(actor, "certificate.revoke", f"certificate:{fingerprint}", "already_revoked", now))
            uow.commit()
            return record
        account = uow.accounts.get(record.account_id, for_update=True)
        assert account is not None
        uow.certificates.revoke(fingerprint, now, reason)
        uow.links.withdraw_package_of(fingerprint, now)
        record = replace(record, revoked_at=now, revocation_reason=reason)
        if record.software:
            _regenerate_crl(services, uow, now)
        account = replace(account, version=account.version + 1)
        uow.accounts.save(account, now)
        uow.publish(events.certificate_revoked(account, record, reason, actor_id, now))
        uow.record(audit_entry(actor, "certificate.revoke", f"certificate:{fingerprint}", "revoked", now,
                               reason=reason, account=account.id))
        uow.commit()
    return record


# -- retrieval


@dataclass(frozen=True)
class PackageInfo:
    state: LinkState
    expires_at: datetime
    holder: str
    fingerprint: str
    not_after: datetime


def package_info(services: Services, actor: Actor, token: str) -> PackageInfo:
    """What a retrieval link holds and whether it still works."""
    now = services.clock()
    with services.unit_of_work() as uow:
        row, link, record, account = _package(uow, token, for_update=False)
        uow.record(audit_entry(actor, "software_certificate.package.read", f"package:{row.id}",
                               link.state(now).value, now))
        uow.commit()
    return PackageInfo(link.state(now), row.expires_at, f"{account.given_name} {account.surname[:1]}.",
                       record.fingerprint, record.not_after)


@dataclass(frozen=True)
class Package:
    filename: str
    pkcs12: bytes


def retrieve_package(services: Services, actor: Actor, token: str, password: str) -> Package:
    """The PKCS#12, once, protected by the password the holder chooses now."""
    check_password(password)
    authority = services.require_authority()
    now = services.clock()
    with services.unit_of_work() as uow:
        row, link, record, account = _package(uow, token, for_update=True)
        try:
            require_usable(link, now)
            if record.revoked_at is not None:
                raise LinkUnusable("Ce certificat a été révoqué : il ne peut plus être récupéré.", "revoked")
            try:
                key = serialization.load_der_private_key(unseal(token, record.fingerprint, row.sealed_key), None)
            except ValueError:
                raise LinkUnusable("Ce lien ne permet pas d'ouvrir le certificat.", "invalid") from None
        except LinkUnusable as refusal:
            # The refusal is evidence too; the locked package row is left as it is.
            uow.rollback()
            uow.record(audit_entry(actor, "software_certificate.package.retrieve", f"package:{row.id}",
                                   "refused", now, state=refusal.state))
            uow.commit()
            raise
        certificate = x509.load_pem_x509_certificate(record.pem.encode())
        friendly = f"{account.given_name} {account.surname} - {account.profile} (Scelle)"
        data = authority.pkcs12(certificate, key, password, friendly)  # type: ignore[arg-type]
        uow.links.retrieve_package(row.id, now)
        uow.record(audit_entry(actor, "software_certificate.package.retrieve", f"package:{row.id}", "retrieved",
                               now, certificate=record.fingerprint, account=account.id))
        uow.commit()
    return Package(f"scelle-{account.profile}-{record.serial_hex[:12]}.p12", data)


def _package(uow: IdentityUnitOfWork, token: str, *,
             for_update: bool) -> tuple[Any, OneTimeLink, CertificateRecord, Account]:
    found = uow.links.package(token_hash(token), for_update=for_update)
    if found is None:
        raise NotFound("Lien de récupération inconnu.")
    row, link = found
    record = uow.certificates.get(row.fingerprint)
    assert record is not None and record.account_id is not None
    account = uow.accounts.get(record.account_id)
    assert account is not None
    return row, link, record, account


# -- the CRL


def current_crl(services: Services) -> bytes:
    """The latest CRL of the software CA (DER), re-issued when half its lifetime has passed."""
    now = services.clock()
    with services.unit_of_work() as uow:
        latest = uow.crls.latest()
        if latest is not None and latest.next_update - now > services.policy.crl_validity / 2:
            return bytes(latest.der)
        der = _regenerate_crl(services, uow, now)
        uow.commit()
    return der


def regenerate_crl(services: Services) -> bytes:
    """Issue a new CRL now (the daily command, or after a revocation)."""
    now = services.clock()
    with services.unit_of_work() as uow:
        der = _regenerate_crl(services, uow, now)
        uow.record(audit_entry(Actor(None, "system"), "crl.issue", "crl:software-ca", "issued", now))
        uow.commit()
    return der


def _regenerate_crl(services: Services, uow: IdentityUnitOfWork, now: datetime) -> bytes:
    authority = services.require_authority()
    uow.lock_crl()
    entries: dict[int, x509.RevokedCertificate] = {}
    for record in uow.certificates.revoked_software():
        assert record.revoked_at is not None
        serial = int(record.serial_hex, 16)
        entries[serial] = revoked_entry(serial, record.revoked_at, record.revocation_reason or "unspecified")
    highest_outside = 0
    if services.trust is not None:
        # Revocations made outside identity (the dev PKI's own tool) stay on the CRL.
        for entry in services.trust.revoked_entries(authority.certificate):
            entries.setdefault(entry.serial_number, entry)
        highest_outside = services.trust.highest_crl_number(authority.certificate)
    latest = uow.crls.latest()
    number = max(latest.number if latest else 0, highest_outside) + 1
    crl = authority.crl(entries.values(), number, now, services.policy.crl_validity)
    der = crl.public_bytes(serialization.Encoding.DER)
    assert crl.next_update_utc is not None
    uow.crls.add(number, now, crl.next_update_utc, der)
    return der


# -- shared steps


def _replay(uow: IdentityUnitOfWork, actor_id: str, key: str) -> IssuedCertificate | None:
    fingerprint = uow.idempotency.find(actor_id, key)
    if fingerprint is None:
        return None
    record = uow.certificates.get(fingerprint)
    if record is None or record.account_id is None:
        return None
    account = uow.accounts.get(record.account_id)
    assert account is not None
    return IssuedCertificate(account, record, None, None, replayed=True)


def _holder_account(uow: IdentityUnitOfWork, request: IssueRequest, now: datetime) -> tuple[Account, bool]:
    if request.account_id:
        account = uow.account(request.account_id, for_update=True, live=True)
        if account.profile != request.profile:
            raise InvalidRequest("Ce compte n'a pas ce profil.", {"/profile": f"le compte est {account.profile}"})
        return account, False
    missing = {f"/{name}": "obligatoire sans account_id" for name in ("given_name", "surname", "email")
               if not getattr(request, name)}
    if missing:
        raise InvalidRequest("Indiquez le compte ou l'identité du titulaire.", missing)
    account = Account(
        id=new_id(), profile=request.profile, status=ACTIVE, given_name=str(request.given_name).strip(),
        surname=str(request.surname).strip(), email=str(request.email).strip(), version=1, created_at=now,
        phone_fixed=request.phone_fixed, phone_mobile=request.phone_mobile,
    )
    uow.accounts.add(account, now)
    return account, True


def _issue(services: Services, uow: IdentityUnitOfWork, actor: Actor, account: Account, expertise_id: str | None,
           renewal_of: str | None, now: datetime, *, participant_id: str | None = None,
           causation: Event | None = None) -> tuple[IssuedCertificate, str]:
    """Issue, bind, seal the key under a new link secret, announce; returns the link secret too."""
    authority = services.require_authority()
    issued = authority.issue(Holder(account.given_name, account.surname, account.email, account.profile), now,
                             services.policy.software_certificate_validity)
    facts = facts_of(issued.certificate)
    record = CertificateRecord(
        fingerprint=facts.fingerprint, serial_hex=facts.serial_hex, family=SOFTWARE_FAMILY, issuer=facts.issuer,
        subject=facts.subject, not_before=facts.not_before, not_after=facts.not_after,
        pem=pem_of(issued.certificate), first_seen_at=now, account_id=account.id, bound_at=now,
        bound_via="software_issue", software=True, expertise_id=expertise_id, issued_by=actor.account_id,
        renewal_of=renewal_of,
    )
    uow.certificates.add(record)
    token = new_token()
    expires_at = expiry(now, services.policy.package_link_ttl, PACKAGE_MAX_TTL)
    key_der = issued.private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption())
    uow.links.add_package(id=new_id(), fingerprint=record.fingerprint, token_hash=token_hash(token),
                          sealed_key=seal(token, record.fingerprint, key_der), created_at=now, expires_at=expires_at)
    account = replace(account, version=account.version + 1)
    uow.accounts.save(account, now)
    uow.publish(events.software_certificate_issued(account, record, now, participant_id=participant_id,
                                                   causation=causation),
                events.certificate_bound(account, record, "software_issue", now))
    return IssuedCertificate(account, record, account.email, expires_at), token


def _send_package(services: Services, issued: IssuedCertificate, token: str) -> None:
    account, record, expires_at = issued.account, issued.record, issued.link_expires_at
    assert expires_at is not None
    reason = "pour une expertise" if record.expertise_id else "pour l'exploitation de Scellé"
    services.require_mailer().send(Mail(
        to=account.email,
        subject="[Scellé] Votre certificat logiciel",
        paragraphs=(
            f"Bonjour {account.display_name},",
            f"Un certificat logiciel Scellé a été émis à votre nom (profil {account.profile}, {reason}).",
            "Ouvrez le lien ci-dessous pour le récupérer : vous choisirez le mot de passe qui protégera le "
            "fichier PKCS#12. Le lien ne sert qu'une fois et expire le "
            f"{expires_at:%d/%m/%Y à %H:%M} (UTC). Le certificat n'est jamais envoyé en pièce jointe.",
            "Importez ensuite le fichier dans votre navigateur pour vous connecter à Scellé.",
        ),
        link=services.policy.public_url.rstrip("/") + PACKAGE_PATH.format(token=token),
        link_label="Récupérer mon certificat",
    ))

