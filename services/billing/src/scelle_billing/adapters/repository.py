"""Repositories of the billing database (SQLAlchemy 2 Core on the unit of work's session)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from scelle_billing.adapters.orm import (
    billing_accounts,
    billing_files,
    billing_lines,
    invoice_counters,
    invoices,
    payments,
    tariff_announcements,
)
from scelle_billing.domain.invoices import check_chronological


class BillingFiles:
    """One row per expertise: owner, status, t₀, frozen tariff, final report, invoicing progress."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, expertise_id: str, *, for_update: bool = False) -> RowMapping | None:
        statement = select(billing_files).where(billing_files.c.expertise_id == expertise_id)
        if for_update:
            statement = statement.with_for_update()
        return self._session.execute(statement).mappings().first()

    def ensure(self, expertise_id: str, now: datetime) -> RowMapping:
        """The file of ``expertise_id``, created empty if no event told us about it yet, locked."""
        self._session.execute(pg_insert(billing_files).values(
            expertise_id=expertise_id, created_at=now, updated_at=now).on_conflict_do_nothing())
        row = self.get(expertise_id, for_update=True)
        assert row is not None
        return row

    def update(self, expertise_id: str, now: datetime, **values: Any) -> None:
        self._session.execute(update(billing_files).where(billing_files.c.expertise_id == expertise_id)
                              .values(updated_at=now, **values))

    def invoicing_candidates(self, today: date, six_months_ago: date) -> list[str]:
        """Expertises that may owe an invoice today: en cours, with pending lines, and six months old
        without any invoice, or with a final report, or closed, or whose owner terminated. A
        superset the domain decides on; lines waiting for the remainder are not even looked at."""
        pending = exists().where(billing_lines.c.expertise_id == billing_files.c.expertise_id,
                                 billing_lines.c.invoice_id.is_(None))
        terminated = exists().where(billing_accounts.c.account_id == billing_files.c.owner_account_id,
                                    billing_accounts.c.termination_received_on <= today)
        statement = (select(billing_files.c.expertise_id)
                     .where(billing_files.c.en_cours_on.is_not(None), billing_files.c.owner_account_id.is_not(None),
                            or_(and_(billing_files.c.invoice_count == 0, billing_files.c.en_cours_on <= six_months_ago),
                                billing_files.c.final_report_on <= today,
                                billing_files.c.closed, terminated),
                            pending)
                     .order_by(billing_files.c.en_cours_on, billing_files.c.expertise_id))
        return list(self._session.execute(statement).scalars())

    def reassign_owner(self, from_account: str, to_account: str, now: datetime) -> int:
        return int(self._session.execute(update(billing_files).where(
            billing_files.c.owner_account_id == from_account).values(
            owner_account_id=to_account, updated_at=now)).rowcount)


class BillingLines:
    def __init__(self, session: Session) -> None:
        self._session = session

    def accrue(self, **values: Any) -> bool:
        """Insert a line unless the same (expertise, code, source) accrued already; True if new."""
        result = self._session.execute(pg_insert(billing_lines).values(**values).on_conflict_do_nothing(
            constraint="billing_lines_once").returning(billing_lines.c.id))
        return result.first() is not None

    def price_unpriced(self, expertise_id: str, prices: Mapping[str, tuple[str, int]]) -> None:
        """Give every unpriced line of the expertise its frozen tariff's label and price."""
        for code, (label, cents) in prices.items():
            self._session.execute(update(billing_lines).where(
                billing_lines.c.expertise_id == expertise_id, billing_lines.c.code == code,
                billing_lines.c.unit_price_cents.is_(None)).values(label=label, unit_price_cents=cents))

    def of_expertise(self, expertise_id: str) -> list[RowMapping]:
        return list(self._session.execute(select(billing_lines).where(
            billing_lines.c.expertise_id == expertise_id).order_by(billing_lines.c.accrued_at,
                                                                   billing_lines.c.id)).mappings())

    def mark_invoiced(self, line_ids: Sequence[str], invoice_id: str) -> None:
        self._session.execute(update(billing_lines).where(billing_lines.c.id.in_(list(line_ids)))
                              .values(invoice_id=invoice_id))


class Invoices:
    def __init__(self, session: Session) -> None:
        self._session = session

    def next_sequence(self, issued_on: date) -> int:
        """The next number of ``issued_on``'s year. The counter row stays locked until this
        transaction ends, so numbers are given in commit order and a rolled-back invoice gives its
        number back: no gap. Refuses an issue day before the last one (numbers stay chronological)."""
        year = issued_on.year
        self._session.execute(pg_insert(invoice_counters).values(year=year, last_sequence=0)
                              .on_conflict_do_nothing())
        counter = self._session.execute(select(invoice_counters).where(invoice_counters.c.year == year)
                                        .with_for_update()).mappings().one()
        check_chronological(counter["last_issued_on"], issued_on)
        return int(self._session.execute(update(invoice_counters).where(invoice_counters.c.year == year).values(
            last_sequence=invoice_counters.c.last_sequence + 1, last_issued_on=issued_on)
            .returning(invoice_counters.c.last_sequence)).scalar_one())

    def add(self, **values: Any) -> None:
        self._session.execute(invoices.insert().values(**values))

    def get(self, invoice_id: str, *, for_update: bool = False) -> RowMapping | None:
        statement = select(invoices).where(invoices.c.id == invoice_id)
        if for_update:
            statement = statement.with_for_update()
        return self._session.execute(statement).mappings().first()

    def update(self, invoice_id: str, **values: Any) -> None:
        self._session.execute(update(invoices).where(invoices.c.id == invoice_id).values(**values))

    def of_expertise(self, expertise_id: str) -> list[RowMapping]:
        return list(self._session.execute(select(invoices).where(invoices.c.expertise_id == expertise_id)
                                          .order_by(invoices.c.year, invoices.c.sequence)).mappings())

    def page_of_account(self, account_id: str | None, after: tuple[int, int] | None, limit: int) -> list[RowMapping]:
        """Invoices newest first (``account_id`` None: every account), after the ``(year, sequence)`` given."""
        statement = select(invoices)
        if account_id is not None:
            statement = statement.where(invoices.c.account_id == account_id)
        if after is not None:
            statement = statement.where(or_(invoices.c.year < after[0],
                                            and_(invoices.c.year == after[0], invoices.c.sequence < after[1])))
        return list(self._session.execute(statement.order_by(invoices.c.year.desc(), invoices.c.sequence.desc())
                                          .limit(limit)).mappings())

    def kinds_of(self, expertise_id: str) -> list[str]:
        return list(self._session.execute(select(invoices.c.kind).where(invoices.c.expertise_id == expertise_id)
                                          .order_by(invoices.c.year, invoices.c.sequence)).scalars())

    def unsettled_of_account(self, account_id: str) -> list[RowMapping]:
        return list(self._session.execute(select(invoices).where(
            invoices.c.account_id == account_id, invoices.c.settled.is_(False))
            .order_by(invoices.c.due_on, invoices.c.number)).mappings())

    def reassign_account(self, from_account: str, to_account: str) -> int:
        return int(self._session.execute(update(invoices).where(invoices.c.account_id == from_account)
                                         .values(account_id=to_account)).rowcount)

    def accounts_to_dun(self, today: date) -> list[str]:
        """Accounts with an unsettled invoice past due, or in a dunning state to clear."""
        overdue = select(invoices.c.account_id).where(invoices.c.settled.is_(False), invoices.c.due_on < today)
        in_dunning = select(billing_accounts.c.account_id).where(billing_accounts.c.incident_on.is_not(None))
        return sorted(set(self._session.execute(overdue.distinct()).scalars())
                      | set(self._session.execute(in_dunning).scalars()))

    def payments_of(self, invoice_ids: Iterable[str]) -> dict[str, list[RowMapping]]:
        ids = list(invoice_ids)
        found: dict[str, list[RowMapping]] = {invoice_id: [] for invoice_id in ids}
        if ids:
            for row in self._session.execute(select(payments).where(payments.c.invoice_id.in_(ids))
                                             .order_by(payments.c.paid_on, payments.c.recorded_at)).mappings():
                found[row["invoice_id"]].append(row)
        return found

    def add_payment(self, **values: Any) -> None:
        self._session.execute(payments.insert().values(**values))

    def payment_by_key(self, recorded_by: str, key: str) -> RowMapping | None:
        return self._session.execute(select(payments).where(
            payments.c.recorded_by == recorded_by, payments.c.idempotency_key == key)).mappings().first()


class BillingAccounts:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, account_id: str) -> RowMapping | None:
        return self._session.execute(select(billing_accounts).where(
            billing_accounts.c.account_id == account_id)).mappings().first()

    def lock(self, account_id: str, now: datetime) -> RowMapping:
        """The account's row, created at version 0 if new, locked until the transaction ends."""
        self._session.execute(pg_insert(billing_accounts).values(
            account_id=account_id, version=0, updated_at=now).on_conflict_do_nothing())
        row = self._session.execute(select(billing_accounts).where(
            billing_accounts.c.account_id == account_id).with_for_update()).mappings().first()
        assert row is not None
        return row

    def delete(self, account_id: str) -> None:
        self._session.execute(billing_accounts.delete().where(billing_accounts.c.account_id == account_id))

    def update(self, account_id: str, now: datetime, **values: Any) -> int:
        """Apply ``values`` and bump the version; returns the new version."""
        return int(self._session.execute(update(billing_accounts).where(
            billing_accounts.c.account_id == account_id).values(
            version=billing_accounts.c.version + 1, updated_at=now, **values)
            .returning(billing_accounts.c.version)).scalar_one())


class TariffAnnouncements:
    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, version: str, announced_on: date, effective_from: date, now: datetime) -> bool:
        """True the first time a version is recorded (so it is announced once)."""
        result = self._session.execute(pg_insert(tariff_announcements).values(
            version=version, announced_on=announced_on, effective_from=effective_from, published_at=now)
            .on_conflict_do_nothing().returning(tariff_announcements.c.version))
        return result.first() is not None


__all__ = ["BillingAccounts", "BillingFiles", "BillingLines", "Invoices", "TariffAnnouncements"]
