"""The billing unit of work: files, lines, invoices, payments, accounts, outbox and audit in one transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scelle_common.service_uow import ServiceUnitOfWork
from scelle_billing.adapters.repository import (
    BillingAccounts,
    BillingFiles,
    BillingLines,
    Invoices,
    TariffAnnouncements,
)


class BillingUnitOfWork(ServiceUnitOfWork):
    files: BillingFiles
    lines: BillingLines
    invoices: Invoices
    accounts: BillingAccounts
    announcements: TariffAnnouncements

    def bind(self, session: Session) -> None:
        self.files = BillingFiles(session)
        self.lines = BillingLines(session)
        self.invoices = Invoices(session)
        self.accounts = BillingAccounts(session)
        self.announcements = TariffAnnouncements(session)
