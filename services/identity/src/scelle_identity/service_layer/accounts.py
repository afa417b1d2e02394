"""Registration, the holder's own account and certificates, and the CGU versions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from scelle_identity.adapters.x509_certificates import certificate_from_pem, facts_of
from scelle_identity.domain.accounts import ACTIVE, Account, update_contact
from scelle_identity.domain.certificates import CertificateRecord, CertificateStatus
from scelle_identity.domain.cgu import CguVersion, check_new_version, in_force
from scelle_identity.domain.errors import Conflict, InvalidRequest, NotAllowed, NotConfigured
from scelle_identity.domain.profiles import EXPERT, OPERATEUR, REGISTRANT
from scelle_identity.domain.registration import RegistrationForm, validate_registration
from scelle_identity.service_layer import integration_events as events
from scelle_identity.service_layer.checks import presented_certificate, require_valid
from scelle_identity.service_layer.context import Actor, Services, audit_entry, new_id


def register(services: Services, actor: Actor, form: RegistrationForm) -> Account:
    """Create the account of the certificate's holder, bind the certificate, record the CGU."""
    if actor.profile != REGISTRANT:
        raise Conflict("Ce certificat est déjà lié à un compte.")
    now = services.clock()
    with services.unit_of_work() as uow:
        record = presented_certificate(uow, actor)
        if record.account_id is not None:
            raise Conflict("Ce certificat est déjà lié à un compte.")
        verdict = require_valid(services, record, now)
        assert verdict.family is not None
        current_cgu = uow.cgu.in_force(now)
        nomenclature = uow.reference.current_nomenclature()
        if current_cgu is None or nomenclature is None:
            raise NotConfigured("Les données de référence (CGU, nomenclature) ne sont pas chargées.")
        registration = validate_registration(
            form, facts_of(certificate_from_pem(record.pem)), verdict.family, current_cgu=current_cgu,
            courts=uow.reference.court_codes([form.court_code] if form.court_code else []),
            nomenclature=nomenclature,
        )
        account = Account(
            id=new_id(), profile=registration.profile, status=ACTIVE, given_name=registration.given_name,
            surname=registration.surname, email=registration.email, version=1, created_at=now,
            phone_fixed=registration.phone_fixed, phone_mobile=registration.phone_mobile,
            address=registration.address, address_text=registration.address_text,
            court_code=registration.court_code, national_list=registration.national_list,
            specialities=registration.specialities,
            nomenclature=nomenclature.version if registration.profile == EXPERT else None,
            cgu_version=registration.cgu_version,
        )
        uow.accounts.add(account, now)
        uow.certificates.bind(record.fingerprint, account.id, "registration", now)
        uow.cgu.accept(account.id, registration.cgu_version, now, record.fingerprint, actor.client_ip)
        uow.publish(events.account_registered(account, "registration", now),
                    events.certificate_bound(account, record, "registration", now))
        uow.record(audit_entry(replace(actor, account_id=account.id, profile=account.profile), "account.register",
                               f"account:{account.id}", "registered", now, cgu_version=registration.cgu_version))
        uow.commit()
    return account


def own_account(services: Services, actor: Actor) -> Account:
    """The caller's account (the read is audited like every access)."""
    account_id = actor.require_account()
    now = services.clock()
    with services.unit_of_work() as uow:
        account = uow.account(account_id)
        uow.record(audit_entry(actor, "account.read", f"account:{account_id}", "ok", now))
        uow.commit()
    return account


def update_own_account(services: Services, actor: Actor, changes: dict[str, object]) -> Account:
    """Change the caller's contact details (e-mail, phones, address)."""
    account_id = actor.require_account()
    now = services.clock()
    with services.unit_of_work() as uow:
        account = uow.account(account_id, for_update=True)
        updated, changed = update_contact(account, changes)
        if changed:
            uow.accounts.save(updated, now)
            uow.publish(events.account_updated(updated, changed, now))
        uow.record(audit_entry(actor, "account.update", f"account:{account_id}", "updated" if changed else "unchanged",
                               now, fields=changed))
        uow.commit()
    return updated


@dataclass(frozen=True)
class OwnCertificate:
    record: CertificateRecord
    status: CertificateStatus
    current: bool  # the certificate of this request


def own_certificates(services: Services, actor: Actor) -> list[OwnCertificate]:
    """The caller's certificates, with their status and which one is in use."""
    account_id = actor.require_account()
    now = services.clock()
    with services.unit_of_work() as uow:
        records = uow.certificates.of_account(account_id)
        uow.record(audit_entry(actor, "account.certificates.list", f"account:{account_id}", "ok", now,
                               count=len(records)))
        uow.commit()
    return [OwnCertificate(record, record.status(now), record.fingerprint == actor.fingerprint) for record in records]


def find_accounts(services: Services, actor: Actor, *, email: str | None, serial_hex: str | None) -> list[Account]:
    """Operators look accounts up by e-mail or certificate serial (cases B and C)."""
    actor.require_profile(OPERATEUR)
    if not email and not serial_hex:
        raise InvalidRequest("Indiquez un e-mail ou un numéro de série.", {"/email": "ou serial"})
    now = services.clock()
    with services.unit_of_work() as uow:
        found = uow.accounts.find(email=email, serial_hex=serial_hex)
        uow.record(audit_entry(actor, "operator.accounts.find", f"email:{email or ''} serial:{serial_hex or ''}",
                               "ok", now, count=len(found)))
        uow.commit()
    return found


def account_for_operator(services: Services, actor: Actor, account_id: str) -> tuple[Account, list[CertificateRecord]]:
    actor.require_profile(OPERATEUR)
    now = services.clock()
    with services.unit_of_work() as uow:
        account = uow.account(account_id)
        records = uow.certificates.of_account(account_id)
        uow.record(audit_entry(actor, "operator.account.read", f"account:{account_id}", "ok", now))
        uow.commit()
    return account, records


# -- CGU


def current_cgu(services: Services, actor: Actor) -> CguVersion:
    """The CGU version in force (read by registrants and holders alike)."""
    now = services.clock()
    with services.unit_of_work() as uow:
        version = in_force(uow.cgu.versions(), now)
        if version is None:
            raise NotConfigured("Aucune version des CGU n'est publiée.")
        uow.record(audit_entry(actor, "cgu.read", f"cgu:{version.version}", "ok", now))
        uow.commit()
    return version


def accept_cgu(services: Services, actor: Actor, version: str) -> Account:
    """The holder accepts the version in force (forced re-acceptance after a new version)."""
    account_id = actor.require_account()
    now = services.clock()
    with services.unit_of_work() as uow:
        current = uow.cgu.in_force(now)
        if current is None:
            raise NotConfigured("Aucune version des CGU n'est publiée.")
        if version != current:
            raise InvalidRequest("Seule la version en vigueur peut être acceptée.",
                                 {"/version": f"la version en vigueur est {current}"})
        account = uow.account(account_id, for_update=True)
        uow.cgu.accept(account_id, version, now, actor.fingerprint, actor.client_ip)
        if account.cgu_version != version:
            account = replace(account, cgu_version=version, version=account.version + 1)
            uow.accounts.save(account, now)
            uow.publish(events.account_updated(account, ["cgu_version"], now))
        uow.record(audit_entry(actor, "cgu.accept", f"cgu:{version}", "accepted", now))
        uow.commit()
    return account


def publish_cgu(services: Services, actor: Actor, version: str, title: str, body: str,
                effective_at: datetime | None) -> CguVersion:
    """A new CGU version (operators, or the command line): everyone accepts it at next login."""
    require_operator_or_system(actor)
    now = services.clock()
    candidate = CguVersion(version, title, body, effective_at or now, now)
    with services.unit_of_work() as uow:
        check_new_version(uow.cgu.versions(), candidate, now)
        uow.cgu.add(candidate)
        uow.record(audit_entry(actor, "cgu.publish", f"cgu:{version}", "published", now,
                               effective_at=candidate.effective_at.isoformat()))
        uow.commit()
    return candidate


def require_operator_or_system(actor: Actor) -> None:
    """Operators act through the API; the command line acts as ``system``."""
    if actor.profile not in ("system", OPERATEUR):
        raise NotAllowed("Action réservée aux opérateurs.")
