"""Repositories of the identity database (SQLAlchemy 2 Core on the unit of work's session)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from scelle_identity.adapters import orm
from scelle_identity.domain.accounts import Account, Address
from scelle_identity.domain.certificates import CertificateRecord
from scelle_identity.domain.cgu import CguVersion
from scelle_identity.domain.directory import Cursor, like_prefix, search_key
from scelle_identity.domain.links import OneTimeLink
from scelle_identity.domain.reference import Court, Nomenclature, Speciality

# -- accounts


def _account_values(account: Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "profile": account.profile,
        "status": account.status,
        "given_name": account.given_name,
        "surname": account.surname,
        "given_name_key": search_key(account.given_name),
        "surname_key": search_key(account.surname),
        "email": account.email,
        "phone_fixed": account.phone_fixed,
        "phone_mobile": account.phone_mobile,
        "address_street": account.address.street,
        "address_postal_code": account.address.postal_code,
        "address_city": account.address.city,
        "address_country": account.address.country,
        "address_text": account.address_text,
        "court_code": account.court_code,
        "national_list": account.national_list,
        "nomenclature": account.nomenclature,
        "cgu_version": account.cgu_version,
        "merged_into": account.merged_into,
        "status_changed_at": account.status_changed_at,
        "version": account.version,
        "created_at": account.created_at,
    }


def _account(row: Row[Any], specialities: Sequence[str] = ()) -> Account:
    return Account(
        id=row.id,
        profile=row.profile,
        status=row.status,
        given_name=row.given_name,
        surname=row.surname,
        email=row.email,
        version=row.version,
        created_at=row.created_at,
        phone_fixed=row.phone_fixed,
        phone_mobile=row.phone_mobile,
        address=Address(row.address_street, row.address_postal_code, row.address_city, row.address_country),
        address_text=row.address_text,
        court_code=row.court_code,
        national_list=row.national_list,
        specialities=tuple(sorted(specialities)),
        nomenclature=row.nomenclature,
        cgu_version=row.cgu_version,
        merged_into=row.merged_into,
        status_changed_at=row.status_changed_at,
    )


class AccountRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _specialities(self, ids: Iterable[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        rows = self._session.execute(
            select(orm.account_specialities.c.account_id, orm.account_specialities.c.code)
            .where(orm.account_specialities.c.account_id.in_(list(ids)))
        )
        for account_id, code in rows:
            found.setdefault(account_id, []).append(code)
        return found

    def get(self, account_id: str, *, for_update: bool = False) -> Account | None:
        statement = select(orm.accounts).where(orm.accounts.c.id == account_id)
        if for_update:
            statement = statement.with_for_update()
        row = self._session.execute(statement).first()
        if row is None:
            return None
        return _account(row, self._specialities([row.id]).get(row.id, ()))

    def add(self, account: Account, now: datetime) -> None:
        self._session.execute(insert(orm.accounts).values(**_account_values(account), updated_at=now))
        self._set_specialities(account)

    def save(self, account: Account, now: datetime) -> None:
        values = _account_values(account)
        values.pop("id")
        values.pop("created_at")
        self._session.execute(update(orm.accounts).where(orm.accounts.c.id == account.id).values(**values,
                                                                                                 updated_at=now))
        self._session.execute(delete(orm.account_specialities).where(
            orm.account_specialities.c.account_id == account.id))
        self._set_specialities(account)

    def _set_specialities(self, account: Account) -> None:
        if account.specialities:
            self._session.execute(insert(orm.account_specialities), [
                {"account_id": account.id, "nomenclature": account.nomenclature, "code": code}
                for code in account.specialities
            ])

    def operator_exists(self) -> bool:
        return self._session.execute(
            select(func.count()).select_from(orm.accounts).where(orm.accounts.c.profile == "operateur")
        ).scalar_one() > 0

    def find(self, *, email: str | None = None, serial_hex: str | None = None, limit: int = 50) -> list[Account]:
        """Accounts by e-mail (case-insensitive) or by the serial of one of their certificates."""
        statement = select(orm.accounts).where(orm.accounts.c.status != "merged")
        if email:
            statement = statement.where(func.lower(orm.accounts.c.email) == email.strip().lower())
        if serial_hex:
            statement = statement.where(orm.accounts.c.id.in_(
                select(orm.certificates.c.account_id).where(orm.certificates.c.serial_hex == serial_hex)))
        rows = self._session.execute(statement.order_by(orm.accounts.c.surname_key, orm.accounts.c.id)
                                     .limit(limit)).all()
        specialities = self._specialities(row.id for row in rows)
        return [_account(row, specialities.get(row.id, ())) for row in rows]

    def search_experts(
        self,
        *,
        surname: str | None,
        given_name: str | None,
        courts: Sequence[str],
        speciality_codes: Sequence[tuple[str, str]],
        after: Cursor | None,
        limit: int,
    ) -> list[tuple[Account, Cursor]]:
        """Active experts matching every criterion, by surname then given name; ``limit`` of them."""
        table = orm.accounts
        statement = select(table).where(table.c.profile == "expert", table.c.status == "active")
        if surname:
            statement = statement.where(table.c.surname_key.like(like_prefix(search_key(surname)), escape="\\"))
        if given_name:
            statement = statement.where(table.c.given_name_key.like(like_prefix(search_key(given_name)),
                                                                    escape="\\"))
        if courts:
            statement = statement.where(table.c.court_code.in_(list(courts)))
        if speciality_codes:
            statement = statement.where(table.c.id.in_(
                select(orm.account_specialities.c.account_id).where(
                    tuple_(orm.account_specialities.c.nomenclature, orm.account_specialities.c.code)
                    .in_(list(speciality_codes)))))
        if after is not None:
            statement = statement.where(
                tuple_(table.c.surname_key, table.c.given_name_key, table.c.id)
                > tuple_(after.surname_key, after.given_name_key, after.account_id))
        statement = statement.order_by(table.c.surname_key, table.c.given_name_key, table.c.id).limit(limit)
        rows = self._session.execute(statement).all()
        specialities = self._specialities(row.id for row in rows)
        return [(_account(row, specialities.get(row.id, ())), Cursor(row.surname_key, row.given_name_key, row.id))
                for row in rows]


# -- certificates


def _certificate(row: Row[Any]) -> CertificateRecord:
    return CertificateRecord(**{name: getattr(row, name) for name in CertificateRecord.__dataclass_fields__})


class CertificateRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, fingerprint: str, *, for_update: bool = False) -> CertificateRecord | None:
        statement = select(orm.certificates).where(orm.certificates.c.fingerprint == fingerprint)
        if for_update:
            statement = statement.with_for_update()
        row = self._session.execute(statement).first()
        return _certificate(row) if row else None

    def record_seen(self, record: CertificateRecord) -> None:
        """Remember a trusted certificate the first time it is presented (no-op afterwards)."""
        self._session.execute(pg_insert(orm.certificates).values(**asdict(record)).on_conflict_do_nothing())

    def add(self, record: CertificateRecord) -> None:
        self._session.execute(insert(orm.certificates).values(**asdict(record)))

    def bind(self, fingerprint: str, account_id: str, via: str, now: datetime) -> None:
        self._session.execute(update(orm.certificates).where(orm.certificates.c.fingerprint == fingerprint)
                              .values(account_id=account_id, bound_at=now, bound_via=via))

    def revoke(self, fingerprint: str, now: datetime, reason: str) -> None:
        self._session.execute(update(orm.certificates).where(orm.certificates.c.fingerprint == fingerprint)
                              .values(revoked_at=now, revocation_reason=reason))

    def of_account(self, account_id: str) -> list[CertificateRecord]:
        rows = self._session.execute(select(orm.certificates).where(orm.certificates.c.account_id == account_id)
                                     .order_by(orm.certificates.c.bound_at, orm.certificates.c.fingerprint))
        return [_certificate(row) for row in rows]

    def move(self, from_account: str, to_account: str) -> list[str]:
        """Rebind every certificate of ``from_account``; returns their fingerprints."""
        rows = self._session.execute(
            update(orm.certificates).where(orm.certificates.c.account_id == from_account)
            .values(account_id=to_account).returning(orm.certificates.c.fingerprint))
        return sorted(row.fingerprint for row in rows)

    def expiring(self, now: datetime, until: datetime) -> list[CertificateRecord]:
        """Bound, unrevoked certificates still valid at ``now`` that end before ``until``."""
        rows = self._session.execute(
            select(orm.certificates).where(
                orm.certificates.c.account_id.is_not(None),
                orm.certificates.c.revoked_at.is_(None),
                orm.certificates.c.not_after >= now,
                orm.certificates.c.not_after <= until,
            ).order_by(orm.certificates.c.not_after))
        return [_certificate(row) for row in rows]

    def revoked_software(self) -> list[CertificateRecord]:
        rows = self._session.execute(select(orm.certificates).where(
            orm.certificates.c.software.is_(True), orm.certificates.c.revoked_at.is_not(None)))
        return [_certificate(row) for row in rows]

    def notices_sent(self, fingerprint: str) -> set[int]:
        rows = self._session.execute(select(orm.expiry_notices.c.threshold_days)
                                     .where(orm.expiry_notices.c.fingerprint == fingerprint))
        return {row.threshold_days for row in rows}

    def record_notice(self, fingerprint: str, threshold: int, now: datetime) -> bool:
        """Claim the notice (fingerprint, threshold); ``False`` when another run already did."""
        result = self._session.execute(
            pg_insert(orm.expiry_notices).values(fingerprint=fingerprint, threshold_days=threshold, sent_at=now)
            .on_conflict_do_nothing().returning(orm.expiry_notices.c.fingerprint))
        return result.first() is not None


# -- one-time links


class LinkRepository:
    """Association links and certificate packages, found by the hash of their secret."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add_association(self, **values: Any) -> None:
        self._session.execute(insert(orm.association_links).values(**values))

    def association(self, token_hash: str, *, for_update: bool = False) -> tuple[Row[Any], OneTimeLink] | None:
        statement = select(orm.association_links).where(orm.association_links.c.token_hash == token_hash)
        if for_update:
            statement = statement.with_for_update()
        row = self._session.execute(statement).first()
        if row is None:
            return None
        return row, OneTimeLink(row.expires_at, row.used_at, row.withdrawn_at)

    def use_association(self, link_id: str, now: datetime, fingerprint: str) -> None:
        self._session.execute(update(orm.association_links).where(orm.association_links.c.id == link_id)
                              .values(used_at=now, used_fingerprint=fingerprint))

    def withdraw_pending_associations(self, account_id: str, now: datetime) -> None:
        """A new link replaces the account's earlier unused ones."""
        self._session.execute(update(orm.association_links).where(
            orm.association_links.c.account_id == account_id,
            orm.association_links.c.used_at.is_(None),
            orm.association_links.c.withdrawn_at.is_(None),
        ).values(withdrawn_at=now))

    def add_package(self, **values: Any) -> None:
        self._session.execute(insert(orm.certificate_packages).values(**values))

    def package(self, token_hash: str, *, for_update: bool = False) -> tuple[Row[Any], OneTimeLink] | None:
        statement = select(orm.certificate_packages).where(orm.certificate_packages.c.token_hash == token_hash)
        if for_update:
            statement = statement.with_for_update()
        row = self._session.execute(statement).first()
        if row is None:
            return None
        return row, OneTimeLink(row.expires_at, row.retrieved_at, row.withdrawn_at)

    def retrieve_package(self, package_id: str, now: datetime) -> None:
        """Mark retrieved and erase the sealed key: the private key now exists only with its holder."""
        self._session.execute(update(orm.certificate_packages).where(orm.certificate_packages.c.id == package_id)
                              .values(retrieved_at=now, sealed_key=None))

    def withdraw_package_of(self, fingerprint: str, now: datetime) -> None:
        self._session.execute(update(orm.certificate_packages).where(
            orm.certificate_packages.c.fingerprint == fingerprint,
            orm.certificate_packages.c.retrieved_at.is_(None),
        ).values(withdrawn_at=now, sealed_key=None))


# -- CRLs, CGU, reference data, idempotency


class CrlRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def latest(self) -> Row[Any] | None:
        return self._session.execute(select(orm.crls).order_by(orm.crls.c.number.desc()).limit(1)).first()

    def add(self, number: int, issued_at: datetime, next_update: datetime, der: bytes) -> None:
        self._session.execute(insert(orm.crls).values(number=number, issued_at=issued_at,
                                                      next_update=next_update, der=der))


class CguRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def versions(self) -> list[CguVersion]:
        rows = self._session.execute(select(orm.cgu_versions).order_by(orm.cgu_versions.c.effective_at))
        return [CguVersion(row.version, row.title, row.body, row.effective_at, row.published_at) for row in rows]

    def in_force(self, now: datetime) -> str | None:
        """The version in force at ``now`` (one indexed query: on the authentication path)."""
        return self._session.execute(
            select(orm.cgu_versions.c.version).where(orm.cgu_versions.c.effective_at <= now)
            .order_by(orm.cgu_versions.c.effective_at.desc(), orm.cgu_versions.c.version.desc()).limit(1)
        ).scalar_one_or_none()

    def add(self, version: CguVersion) -> bool:
        result = self._session.execute(pg_insert(orm.cgu_versions).values(**asdict(version))
                                       .on_conflict_do_nothing().returning(orm.cgu_versions.c.version))
        return result.first() is not None

    def accept(self, account_id: str, version: str, now: datetime, fingerprint: str | None,
               client_ip: str | None) -> None:
        self._session.execute(pg_insert(orm.cgu_acceptances).values(
            account_id=account_id, version=version, accepted_at=now, cert_fingerprint=fingerprint,
            client_ip=client_ip).on_conflict_do_nothing())


class ReferenceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert_courts(self, courts: Iterable[Court]) -> None:
        for court in courts:
            statement = pg_insert(orm.courts).values(code=court.code, name=court.name)
            self._session.execute(statement.on_conflict_do_update(index_elements=["code"],
                                                                  set_={"name": statement.excluded.name}))

    def upsert_nomenclature(self, nomenclature: Nomenclature, current: bool) -> None:
        if current:
            self._session.execute(update(orm.nomenclatures).where(
                orm.nomenclatures.c.version != nomenclature.version).values(current=False))
        statement = pg_insert(orm.nomenclatures).values(version=nomenclature.version, label=nomenclature.label,
                                                        current=current)
        self._session.execute(statement.on_conflict_do_update(
            index_elements=["version"], set_={"label": statement.excluded.label, "current": current}))
        for item in nomenclature.items.values():
            row = pg_insert(orm.specialities).values(nomenclature=nomenclature.version, code=item.code,
                                                     label=item.label, level=item.level)
            self._session.execute(row.on_conflict_do_update(
                index_elements=["nomenclature", "code"],
                set_={"label": row.excluded.label, "level": row.excluded.level}))

    def courts(self) -> list[Court]:
        return [Court(row.code, row.name)
                for row in self._session.execute(select(orm.courts).order_by(orm.courts.c.name))]

    def court_codes(self, codes: Iterable[str]) -> set[str]:
        wanted = list(codes)
        return set(self._session.execute(select(orm.courts.c.code).where(orm.courts.c.code.in_(wanted))).scalars())

    def current_nomenclature(self) -> Nomenclature | None:
        row = self._session.execute(select(orm.nomenclatures).where(orm.nomenclatures.c.current)).first()
        if row is None:
            return None
        items = self._session.execute(select(orm.specialities).where(
            orm.specialities.c.nomenclature == row.version).order_by(orm.specialities.c.code))
        return Nomenclature(row.version, row.label,
                            {item.code: Speciality(item.code, item.label, item.level) for item in items})


class IdempotencyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def claim(self, principal: str, key: str, operation: str, resource_id: str, now: datetime) -> str:
        """Record ``resource_id`` for (principal, key); returns the first one recorded."""
        self._session.execute(pg_insert(orm.idempotency_keys).values(
            principal=principal, key=key, operation=operation, resource_id=resource_id, created_at=now,
        ).on_conflict_do_nothing())
        return self._session.execute(select(orm.idempotency_keys.c.resource_id).where(
            and_(orm.idempotency_keys.c.principal == principal, orm.idempotency_keys.c.key == key))).scalar_one()

    def find(self, principal: str, key: str) -> str | None:
        return self._session.execute(select(orm.idempotency_keys.c.resource_id).where(
            orm.idempotency_keys.c.principal == principal, orm.idempotency_keys.c.key == key)).scalar_one_or_none()
