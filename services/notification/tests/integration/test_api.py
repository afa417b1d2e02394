"""The operator's delivery log and each person's preferences, through the real app and tokens."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from scelle_notification.entrypoints.flask_app import create_app

from .conftest import billing_event, mailer_for, person


@pytest.fixture
def client(settings) -> Iterator[Any]:  # noqa: ANN001
    app = create_app(settings)
    yield app.test_client()
    app.extensions["scelle_runtime"].close()


def call(client, signer, method: str, path: str, profile: str, account_id: str | None = None, **kwargs: Any):  # noqa: ANN001, ANN201
    token = signer.sign(account_id=account_id or str(uuid.uuid4()), profile=profile)
    return client.open(path, method=method, headers={"X-Scelle-Principal": token}, **kwargs)


def test_an_operator_sees_what_was_sent_to_whom_when_and_its_status(client, principal_signer, notification,
                                                                    smtp_capture):
    people = [person("expert", f"Expert{i}") for i in range(3)]
    for who in people:
        notification.feed(who.registered())
        notification.feed(billing_event("billing.account_reinstated.v1", who, reinstated_on="2026-08-25",
                                        suspended_on="2026-08-18"))
    notification.deliver(mailer_for(smtp_capture.host, smtp_capture.port))

    first = call(client, principal_signer, "GET", "/v1/emails?limit=2", "operateur")
    assert first.status_code == 200, first.get_data(as_text=True)
    page = first.get_json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    second = call(client, principal_signer, "GET", f"/v1/emails?limit=2&cursor={page['next_cursor']}", "operateur")
    rows = page["items"] + second.get_json()["items"]
    assert second.get_json()["next_cursor"] is None
    assert sorted(r["recipient_account_id"] for r in rows) == sorted(p.account_id for p in people)
    assert {(r["status"], r["kind"], r["subject"]) for r in rows} == {("sent", "account_reinstated",
                                                                       "[Scellé] Compte rétabli")}
    assert all(r["sent_at"] and r["created_at"].endswith("Z") for r in rows)

    mine = call(client, principal_signer, "GET", f"/v1/emails?recipient_account_id={people[0].account_id}",
                "operateur").get_json()["items"]
    assert [r["recipient_email"] for r in mine] == [people[0].email]
    one = call(client, principal_signer, "GET", f"/v1/emails/{mine[0]['id']}", "operateur").get_json()
    assert "Votre paiement a été reçu" in one["text_body"] and "<html" in one["html_body"]
    audit = notification.sql("SELECT action, outcome FROM audit_log ORDER BY seq")
    assert ("emails.read", "ok") in audit


def test_the_delivery_log_is_for_operators_only(client, principal_signer, notification):
    for profile in ("expert", "magistrat", "avocat"):
        response = call(client, principal_signer, "GET", "/v1/emails", profile)
        assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert call(client, principal_signer, "GET", f"/v1/emails/{uuid.uuid4()}", "operateur").status_code == 404
    assert call(client, principal_signer, "GET", "/v1/emails?status=lost", "operateur").status_code == 422
    assert call(client, principal_signer, "GET", "/v1/emails?cursor=zzz", "operateur").status_code == 422


def test_magistrats_greffiers_and_avocats_may_opt_out_of_party_activity_others_may_not(client, principal_signer,
                                                                                      notification):
    for profile in ("magistrat", "greffier", "avocat"):
        account = str(uuid.uuid4())
        assert call(client, principal_signer, "GET", "/v1/preferences/me", profile, account).get_json() == {
            "account_id": account, "party_activity": True, "may_opt_out_of_party_activity": True}
        response = call(client, principal_signer, "PUT", "/v1/preferences/me", profile, account,
                        json={"party_activity": False})
        assert response.status_code == 200 and response.get_json()["party_activity"] is False
        assert call(client, principal_signer, "GET", "/v1/preferences/me", profile,
                    account).get_json()["party_activity"] is False
    for profile in ("expert", "partie"):
        response = call(client, principal_signer, "PUT", "/v1/preferences/me", profile, json={"party_activity": False})
        assert response.status_code == 403
    assert call(client, principal_signer, "PUT", "/v1/preferences/me", "avocat", json={}).status_code == 422
