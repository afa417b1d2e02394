"""Who passes the gateway for which route (domain.access)."""

from __future__ import annotations

import pytest

from scelle_identity.domain.access import AccountState, Grant, Refusal, Route, decide, normalise_path
from scelle_identity.domain.certificates import CertificateStatus

VALID = CertificateStatus.VALID
ACTIVE = AccountState(suspended=False, cgu_accepted=True)


@pytest.mark.parametrize(("uri", "path"), [
    ("/api/identity/v1/registrations?x=1", "/api/identity/v1/registrations"),
    ("//api///billing/v1/", "/api/billing/v1/"),
    ("/api/billing/../expertise/v1/x", "/api/expertise/v1/x"),
    ("/api/billing/%2e%2e/expertise/v1", "/api/expertise/v1"),
    ("/api/./identity/v1/cgu/current#top", "/api/identity/v1/cgu/current"),
    ("/../etc/passwd", None),
    ("relative/path", None),
])
def test_routes_are_matched_on_the_path_nginx_routes_by(uri, path):
    assert normalise_path(uri) == path


def test_public_routes_pass_without_any_certificate():
    decision = decide(Route.of("GET", "/api/identity/v1/jwks.json"), CertificateStatus.ABSENT, None)
    assert decision.grant is Grant.ANONYMOUS and not decision.reusable_across_routes


@pytest.mark.parametrize(("status", "refusal", "http"), [
    (CertificateStatus.ABSENT, Refusal.CERTIFICATE_REQUIRED, 401),
    (CertificateStatus.UNTRUSTED, Refusal.CERTIFICATE_UNTRUSTED, 403),
    (CertificateStatus.REVOKED, Refusal.CERTIFICATE_REVOKED, 403),
    (CertificateStatus.EXPIRED, Refusal.CERTIFICATE_EXPIRED, 403),
    (CertificateStatus.NOT_YET_VALID, Refusal.CERTIFICATE_NOT_YET_VALID, 403),
])
def test_a_certificate_that_is_not_valid_is_refused_whatever_the_account(status, refusal, http):
    decision = decide(Route.of("GET", "/api/expertise/v1/x"), status, ACTIVE)
    assert (decision.refusal, decision.refusal.status) == (refusal, http)


def test_both_the_gateway_and_identity_must_accept_the_certificate():
    decision = decide(Route.of("GET", "/api/expertise/v1/x"), VALID, ACTIVE, gateway_verified=False)
    assert decision.refusal is Refusal.CERTIFICATE_UNTRUSTED


def test_an_unknown_certificate_may_only_register():
    assert decide(Route.of("POST", "/api/identity/v1/registrations"), VALID, None).grant is Grant.REGISTRANT
    assert decide(Route.of("GET", "/api/identity/v1/registrations"), VALID, None).refusal is (
        Refusal.CERTIFICATE_NOT_REGISTERED)
    assert decide(Route.of("GET", "/api/expertise/v1/x"), VALID, None).refusal.status == 401


def test_a_suspended_holder_reaches_billing_and_the_cgu_only():
    suspended = AccountState(suspended=True, cgu_accepted=True)
    assert decide(Route.of("GET", "/api/expertise/v1/x"), VALID, suspended).refusal is Refusal.ACCOUNT_SUSPENDED
    billing = decide(Route.of("POST", "/api/billing/v1/payments"), VALID, suspended)
    assert billing.grant is Grant.PRINCIPAL and not billing.reusable_across_routes
    assert decide(Route.of("GET", "/api/billing/../documents/v1/"), VALID, suspended).refusal is (
        Refusal.ACCOUNT_SUSPENDED)


def test_pending_cgu_block_everything_but_the_cgu_routes():
    pending = AccountState(suspended=False, cgu_accepted=False)
    assert decide(Route.of("GET", "/api/billing/v1/x"), VALID, pending).refusal is Refusal.CGU_ACCEPTANCE_REQUIRED
    accept = decide(Route.of("POST", "/api/identity/v1/cgu/acceptances"), VALID, pending)
    assert accept.grant is Grant.PRINCIPAL and not accept.reusable_across_routes


def test_only_an_unconditional_principal_is_reusable_across_routes():
    assert decide(Route.of("GET", "/api/documents/v1/x"), VALID, ACTIVE).reusable_across_routes
    mismatch = AccountState(suspended=False, cgu_accepted=True, profile_allowed=False)
    assert decide(Route.of("GET", "/api/documents/v1/x"), VALID, mismatch).refusal is (
        Refusal.CERTIFICATE_PROFILE_MISMATCH)
