"""Dunning of an account (terms, art. 6): incident → formal notice after 30 days → suspension after
15 more days without payment → reinstatement once everything is paid.

The incident is the first day an invoice of the account was late. One step per call; the daily run
and every payment call it until it answers ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

NOTICE_AFTER_DAYS = 30
SUSPEND_AFTER_DAYS = 15
FORMAL_NOTICE = "formal_notice"
SUSPEND = "suspend"
REINSTATE = "reinstate"
INCIDENT = "incident"
CLEARED = "cleared"


@dataclass(frozen=True)
class DunningState:
    incident_on: date | None = None
    notice_sent_on: date | None = None
    suspended_on: date | None = None

    @property
    def suspended(self) -> bool:
        return self.suspended_on is not None


def suspension_on(notice_sent_on: date) -> date:
    return notice_sent_on + timedelta(days=SUSPEND_AFTER_DAYS)


def next_step(state: DunningState, unpaid_due_dates: Sequence[date], today: date) -> tuple[DunningState, str] | None:
    """The next change of ``state`` on ``today``, given the due dates of the account's invoices
    still unpaid (principal, indemnity or interest) whose due date has passed."""
    overdue = sorted(d for d in unpaid_due_dates if d < today)
    if not overdue:
        if state.suspended:
            return DunningState(), REINSTATE
        if state.incident_on is not None:
            return DunningState(), CLEARED
        return None
    if state.incident_on is None:
        return replace(state, incident_on=overdue[0] + timedelta(days=1)), INCIDENT
    if state.notice_sent_on is None:
        if today >= state.incident_on + timedelta(days=NOTICE_AFTER_DAYS):
            return replace(state, notice_sent_on=today), FORMAL_NOTICE
        return None
    if not state.suspended and today >= suspension_on(state.notice_sent_on):
        return replace(state, suspended_on=today), SUSPEND
    return None
