"""The notification unit of work: read model, activities, digests, e-mails, outbox and audit in one transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scelle_common.service_uow import ServiceUnitOfWork
from scelle_notification.adapters.repository import Activities, Contacts, DigestStates, Emails, Expertises


class NotificationUnitOfWork(ServiceUnitOfWork):
    contacts: Contacts
    expertises: Expertises
    activities: Activities
    digests: DigestStates
    emails: Emails

    def bind(self, session: Session) -> None:
        self.contacts = Contacts(session)
        self.expertises = Expertises(session)
        self.activities = Activities(session)
        self.digests = DigestStates(session)
        self.emails = Emails(session)
