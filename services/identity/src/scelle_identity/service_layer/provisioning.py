"""Putting data in: reference data, the first operator, the demo accounts of the dev PKI."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography import x509

from scelle_identity.adapters.reference_files import ReferenceData, load_reference_data
from scelle_identity.adapters.x509_certificates import certificate_from_pem, facts_of, pem_of
from scelle_identity.domain.accounts import ACTIVE, Account, Address
from scelle_identity.domain.certificates import CertificateRecord, CertificateStatus, status_of
from scelle_identity.domain.errors import Conflict, InvalidRequest
from scelle_identity.domain.profiles import EXPERT, OPERATEUR, SOFTWARE_FAMILY, family_allows
from scelle_identity.domain.reference import court_code_for_unit
from scelle_identity.service_layer import integration_events as events
from scelle_identity.service_layer.context import SYSTEM, Services, audit_entry, new_id
from scelle_identity.service_layer.ports import Holder

# Demo experts declare these (codes of the shipped extract); others get E.1.
DEMO_SPECIALITIES = {"expert": ("E.1.3", "G.2.5"), "expert-2": ("C.1.26", "A.1.5"), "expert-expired": ("A.1",)}
DEMO_ADDRESS = Address("1 place du Palais", "75001", "Paris", "France")


def load_reference(services: Services, data: ReferenceData | None = None) -> ReferenceData:
    """Upsert courts, nomenclatures and CGU versions from the shipped data files (idempotent)."""
    data = data or load_reference_data()
    now = services.clock()
    with services.unit_of_work() as uow:
        uow.reference.upsert_courts(data.courts)
        for nomenclature in data.nomenclatures:
            uow.reference.upsert_nomenclature(nomenclature, current=nomenclature.version == data.current_nomenclature)
        added = [version.version for version in data.cgu_versions if uow.cgu.add(version)]
        uow.record(audit_entry(SYSTEM, "reference.load", "reference:all", "loaded", now,
                               courts=len(data.courts), cgu_added=added))
        uow.commit()
    return data


@dataclass(frozen=True)
class Bootstrapped:
    account: Account
    record: CertificateRecord
    pkcs12: bytes | None = None


def bootstrap_operator(services: Services, *, given_name: str | None, surname: str | None, email: str,
                       certificate_pem: str | None = None, p12_password: str | None = None) -> Bootstrapped:
    """The first operator: bind an existing certificate of the platform CA, or issue one."""
    now = services.clock()
    with services.unit_of_work() as uow:
        if uow.accounts.operator_exists():
            raise Conflict("Un opérateur existe déjà : les suivants sont créés par un opérateur.")
        pkcs12 = None
        if certificate_pem is not None:
            certificate = certificate_from_pem(certificate_pem)
            facts = facts_of(certificate)
            verdict = services.require_trust().verdict(certificate, now)
            if status_of(facts, verdict, now) is not CertificateStatus.VALID or verdict.family is None:
                raise InvalidRequest("Ce certificat n'est pas valide.", {"/certificate": "non reconnu ou expiré"})
            if not family_allows(verdict.family, OPERATEUR):
                raise InvalidRequest("Un opérateur se connecte avec un certificat de l'autorité Scellé.",
                                     {"/certificate": f"famille {verdict.family}"})
            existing = uow.certificates.get(facts.fingerprint)
            if existing is not None and existing.account_id is not None:
                raise Conflict("Ce certificat est déjà lié à un compte.")
            given_name, surname = given_name or facts.given_name, surname or facts.surname
        if not given_name or not surname:
            raise InvalidRequest("Nom et prénom obligatoires.", {"/given_name": "obligatoire"})
        account = Account(id=new_id(), profile=OPERATEUR, status=ACTIVE, given_name=given_name, surname=surname,
                          email=email, version=1, created_at=now)
        uow.accounts.add(account, now)
        if certificate_pem is not None:
            record = _record(certificate, SOFTWARE_FAMILY, now, account.id, "bootstrap")
            if existing is None:
                uow.certificates.add(record)
            else:
                uow.certificates.bind(record.fingerprint, account.id, "bootstrap", now)
        else:
            if not p12_password:
                raise InvalidRequest("Un mot de passe protège le PKCS#12 émis.", {"/password": "obligatoire"})
            authority = services.require_authority()
            issued = authority.issue(Holder(given_name, surname, email, OPERATEUR, unit="Exploitation"), now,
                                     services.policy.software_certificate_validity)
            record = replace(_record(issued.certificate, SOFTWARE_FAMILY, now, account.id, "bootstrap"), software=True)
            uow.certificates.add(record)
            pkcs12 = authority.pkcs12(issued.certificate, issued.private_key, p12_password,
                                      f"{given_name} {surname} - operateur (Scelle)")
        uow.publish(events.account_registered(account, "bootstrap", now),
                    events.certificate_bound(account, record, "bootstrap", now))
        if record.software:
            uow.publish(events.software_certificate_issued(account, record, now))
        uow.record(audit_entry(SYSTEM, "operator.bootstrap", f"account:{account.id}", "created", now,
                               certificate=record.fingerprint))
        uow.commit()
    return Bootstrapped(account, record, pkcs12)


def _record(certificate: x509.Certificate, family: str, now: Any, account_id: str, via: str) -> CertificateRecord:
    facts = facts_of(certificate)
    return CertificateRecord(
        fingerprint=facts.fingerprint, serial_hex=facts.serial_hex, family=family, issuer=facts.issuer,
        subject=facts.subject, not_before=facts.not_before, not_after=facts.not_after, pem=pem_of(certificate),
        first_seen_at=now, account_id=account_id, bound_at=now, bound_via=via,
    )


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def seed_demo(services: Services, manifest_path: Path) -> SeedReport:
    """Reference data, then an account for each ``registered`` identity of a dev-PKI manifest.

    Idempotent: a certificate already bound is skipped; an account with the same e-mail and
    profile is reused. Demo accounts have accepted the CGU in force, so a demo login goes in.
    """
    reference = load_reference(services)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    base = manifest_path.parent
    report = SeedReport()
    for identity in manifest.get("identities", []):
        if not identity.get("registered"):
            continue
        certificate = certificate_from_pem((base / identity["cert"]).read_bytes())
        verdict = services.require_trust().verdict(certificate, services.clock())
        if verdict.family is None or not family_allows(verdict.family, identity["profile"]):
            report.skipped.append(f"{identity['name']} (untrusted)")
            continue
        if _seed_one(services, identity, certificate, verdict.family, reference):
            report.created.append(identity["name"])
        else:
            report.skipped.append(f"{identity['name']} (already there)")
    return report


def _seed_one(services: Services, identity: dict[str, Any], certificate: x509.Certificate, family: str,
              reference: ReferenceData) -> bool:
    now = services.clock()
    fingerprint = facts_of(certificate).fingerprint
    with services.unit_of_work() as uow:
        existing = uow.certificates.get(fingerprint, for_update=True)
        if existing is not None and existing.account_id is not None:
            return False
        cgu = uow.cgu.in_force(now)
        profile = identity["profile"]
        same = [a for a in uow.accounts.find(email=identity["email"]) if a.profile == profile]
        account = same[0] if same else None
        if account is None:
            expert = profile == EXPERT
            account = Account(
                id=new_id(), profile=profile, status=ACTIVE, given_name=identity["given_name"],
                surname=identity["surname"], email=identity["email"], version=1, created_at=now,
                phone_mobile="+33 6 00 00 00 00",
                address=DEMO_ADDRESS if expert else Address(),
                court_code=(court_code_for_unit(reference.courts, identity.get("org_unit")) or "paris") if expert
                else None,
                specialities=DEMO_SPECIALITIES.get(identity["name"], ("E.1",)) if expert else (),
                nomenclature=reference.current_nomenclature if expert else None,
                cgu_version=cgu,
            )
            uow.accounts.add(account, now)
            if cgu:
                uow.cgu.accept(account.id, cgu, now, fingerprint, None)
            uow.publish(events.account_registered(account, "seed", now))
        else:
            account = replace(account, version=account.version + 1)
            uow.accounts.save(account, now)
        record = _record(certificate, family, now, account.id, "seed")
        if existing is None:
            uow.certificates.add(record)
        else:
            uow.certificates.bind(fingerprint, account.id, "seed", now)
        uow.publish(events.certificate_bound(account, record, "seed", now))
        uow.record(audit_entry(SYSTEM, "demo.seed", f"account:{account.id}", "bound", now,
                               demo_identity=identity["name"], certificate=fingerprint))
        uow.commit()
    return True
