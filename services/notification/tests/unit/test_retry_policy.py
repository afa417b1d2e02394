"""Which SMTP failures are retried, and how long mail waits."""

from __future__ import annotations

from datetime import timedelta

from scelle_notification.domain.retry import Failure, RetryPolicy, classify


def test_5xx_replies_are_permanent_4xx_and_silence_are_temporary():
    assert classify(550) is Failure.PERMANENT
    assert classify(554) is Failure.PERMANENT
    assert classify(451) is Failure.TEMPORARY
    assert classify(421) is Failure.TEMPORARY
    assert classify(None) is Failure.TEMPORARY


def test_the_wait_doubles_from_the_first_delay_and_is_capped():
    policy = RetryPolicy(first=timedelta(seconds=30), longest=timedelta(minutes=10), max_attempts=5)
    assert [policy.delay(n).total_seconds() for n in range(1, 7)] == [30, 60, 120, 240, 480, 600]
    assert policy.delay(500) == timedelta(minutes=10)


def test_mail_is_given_up_after_the_last_attempt():
    policy = RetryPolicy(max_attempts=3)
    assert not policy.gives_up(2)
    assert policy.gives_up(3)
