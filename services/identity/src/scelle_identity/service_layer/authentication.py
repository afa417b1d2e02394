"""The gateway's question, answered: may this request pass, and as whom?

identity re-checks the certificate itself (issuer family, validity dates, the issuers' CRLs and
its own revocations) whatever nginx said, finds the account bound to it, applies the access
rules of ``domain.access`` and signs a principal token. Every decision is audited in the same
transaction (time, fingerprint, serial, client address, route, outcome).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from scelle_identity.adapters.x509_certificates import (
    UnreadableCertificate,
    certificate_from_header,
    facts_of,
    pem_of,
)
from scelle_identity.domain.access import AccessDecision, AccountState, Grant, Refusal, Route, decide
from scelle_identity.domain.accounts import MERGED, Account
from scelle_identity.domain.certificates import (
    CertificateFacts,
    CertificateRecord,
    CertificateStatus,
    status_of,
)
from scelle_identity.domain.profiles import REGISTRANT, family_allows
from scelle_identity.domain.tokens import lifetime_seconds, principal_claims, registrant_subject
from scelle_identity.service_layer.context import Actor, Services, audit_entry
from scelle_identity.service_layer.unit_of_work import IdentityUnitOfWork


@dataclass(frozen=True)
class GatewayRequest:
    """The headers nginx sends with its ``auth_request`` subrequest."""

    client_cert: str | None  # $ssl_client_escaped_cert
    client_verify: str | None  # $ssl_client_verify
    client_ip: str | None  # $remote_addr
    method: str  # X-Original-Method
    uri: str  # X-Original-Uri


@dataclass(frozen=True)
class GatewayAnswer:
    """What identity tells the gateway."""

    decision: AccessDecision
    token: str | None = None
    cache_seconds: int = 0
    facts: CertificateFacts | None = None
    revoked_at: datetime | None = None
    cgu_version: str | None = None
    gateway_reason: str | None = None

    @property
    def refusal(self) -> Refusal | None:
        return self.decision.refusal


def authenticate(services: Services, request: GatewayRequest) -> GatewayAnswer:
    """Decide on one gateway subrequest (see the module docstring)."""
    now = services.clock()
    route = Route.of(request.method, request.uri)
    verify = (request.client_verify or "").strip()
    actor = Actor(account_id=None, profile="anonymous", client_ip=request.client_ip)
    try:
        certificate = certificate_from_header(request.client_cert)
    except UnreadableCertificate:
        return _refuse_unreadable(services, route, actor, now)

    facts = verdict = None
    if certificate is not None and not route.is_public:
        facts = facts_of(certificate)
        verdict = services.require_trust().verdict(certificate, now)
        actor = Actor(None, "anonymous", facts.fingerprint, facts.serial_hex, request.client_ip)

    with services.unit_of_work() as uow:
        record = uow.certificates.get(facts.fingerprint) if facts is not None else None
        account = _account_of(uow, record)
        status = status_of(facts, verdict, now, revoked_locally=record is not None and record.revoked_at is not None)
        if status is CertificateStatus.VALID and record is None and facts is not None and verdict is not None:
            assert verdict.family is not None and certificate is not None
            uow.certificates.record_seen(_first_sight(facts, verdict.family, pem_of(certificate), now))
        cgu_in_force = uow.cgu.in_force(now) if account is not None else None
        state = None
        if account is not None and verdict is not None and verdict.family is not None:
            state = AccountState(
                suspended=account.suspended,
                cgu_accepted=cgu_in_force is None or account.cgu_version == cgu_in_force,
                profile_allowed=family_allows(verdict.family, account.profile),
            )
        decision = decide(route, status, state, gateway_verified=verify == "SUCCESS")
        token = _token(services, decision, account, facts, request.client_ip, now)
        if account is not None:
            actor = Actor(account.id, account.profile, actor.fingerprint, actor.serial, actor.client_ip)
        outcome = decision.refusal.value if decision.refusal else decision.grant.value
        uow.record(audit_entry(
            actor, "gateway.authenticate", f"{route.method} {route.path or request.uri}", outcome, now,
            family=verdict.family if verdict else None, gateway_verify=verify[:120] or None,
            trust=verdict.reason if verdict else None,
        ))
        uow.commit()

    return GatewayAnswer(
        decision=decision,
        token=token,
        cache_seconds=services.policy.auth_cache_seconds if decision.reusable_across_routes else 0,
        facts=facts,
        revoked_at=(verdict.revoked_at if verdict else None) or (record.revoked_at if record else None),
        cgu_version=cgu_in_force,
        gateway_reason=verify[len("FAILED:"):] if verify.startswith("FAILED:") else None,
    )


def _account_of(uow: IdentityUnitOfWork, record: CertificateRecord | None) -> Account | None:
    if record is None or record.account_id is None:
        return None
    account = uow.accounts.get(record.account_id)
    # A merge moves certificates, so this only happens between a merge and its commit.
    if account is not None and account.status == MERGED and account.merged_into:
        account = uow.accounts.get(account.merged_into)
    return account


def _first_sight(facts: CertificateFacts, family: str, pem: str, now: datetime) -> CertificateRecord:
    return CertificateRecord(
        fingerprint=facts.fingerprint, serial_hex=facts.serial_hex, family=family, issuer=facts.issuer,
        subject=facts.subject, not_before=facts.not_before, not_after=facts.not_after, pem=pem,
        first_seen_at=now,
    )


def _token(services: Services, decision: AccessDecision, account: Account | None,
           facts: CertificateFacts | None, client_ip: str | None, now: datetime) -> str | None:
    if decision.grant not in (Grant.PRINCIPAL, Grant.REGISTRANT) or facts is None:
        return None
    signer = services.require_signer()
    if decision.grant is Grant.REGISTRANT:
        subject, profile = registrant_subject(facts.fingerprint), REGISTRANT
    else:
        assert account is not None
        subject, profile = account.id, account.profile
    claims = principal_claims(
        subject=subject, profile=profile, fingerprint=facts.fingerprint, serial=facts.serial_hex,
        client_ip=client_ip, issued_at=int(now.timestamp()),
        lifetime=lifetime_seconds(profile, services.policy.token_ttl_seconds), token_id=uuid.uuid4().hex,
    )
    return signer.sign(claims)


def _refuse_unreadable(services: Services, route: Route, actor: Actor, now: datetime) -> GatewayAnswer:
    decision = decide(route, CertificateStatus.UNTRUSTED, None)
    with services.unit_of_work() as uow:
        outcome = decision.refusal.value if decision.refusal else decision.grant.value
        uow.record(audit_entry(actor, "gateway.authenticate", f"{route.method} {route.path}", outcome, now,
                               trust="unreadable certificate"))
        uow.commit()
    return GatewayAnswer(decision=decision)
