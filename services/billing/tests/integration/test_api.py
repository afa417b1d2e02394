"""The billing API: cost tracking for the owner expert, invoices in JSON and PDF, operator payments,
terminations, and who may see what."""

from __future__ import annotations

import datetime as dt
import uuid

from scelle_billing.service_layer.invoicing import run_invoicing

from .conftest import open_expertise, problem

D = dt.date


def invoiced_expertise(billing, clock, owner):  # noqa: ANN001, ANN201
    """An expertise of ``owner`` en cours since 2024-01-15, invoiced on 2024-07-15 (due 2024-08-14)."""
    expertise = open_expertise(billing, D(2024, 1, 15), owner=owner)
    clock.set_day(D(2024, 7, 15))
    numbers = []
    # The run covers the whole shared database: find this expertise's invoice by its id.
    run_invoicing(billing.services, D(2024, 7, 15))
    numbers = billing.sql("SELECT id, number FROM invoices WHERE expertise_id = :e", e=expertise.id)
    return expertise, numbers[0]


def test_the_owner_expert_follows_the_cost_of_an_expertise(billing, caller, clock):
    expert = caller("expert")
    expertise, invoice = invoiced_expertise(billing, clock, expert.account_id)
    clock.set_day(D(2024, 7, 20))
    body = expert.get(f"/v1/expertises/{expertise.id}/cost").get_json()
    assert body["en_cours_on"] == "2024-01-15"
    assert body["tariff_version"] == "2020-04"
    assert body["first_invoice_on"] == "2024-07-15"
    assert sorted(line["code"] for line in body["lines"]) == [
        "certificat_logiciel", "certificat_logiciel", "ouverture", "partie", "partie", "reservation_capacite"]
    assert {line["invoice_number"] for line in body["lines"]} == {invoice.number}
    assert body["accrued_ht_cents"] == 8500
    assert body["invoiced_ttc_cents"] == 10200
    assert body["amount_due_cents"] == 10200
    assert [(i["number"], i["status"], i["status_label"]) for i in body["invoices"]] == [
        (invoice.number, "a_payer", "À payer")]
    rows = billing.sql("SELECT outcome FROM audit_log WHERE action = 'cost_tracking.read' AND target = :t",
                       t=f"expertise:{expertise.id}")
    assert [row.outcome for row in rows] == ["ok"]


def test_nobody_else_sees_an_expertise_cost_or_its_invoices(billing, caller, clock):
    owner = caller("expert")
    expertise, invoice = invoiced_expertise(billing, clock, owner.account_id)
    for other in (caller("expert"), caller("avocat"), caller("magistrat")):
        assert problem(other.get(f"/v1/expertises/{expertise.id}/cost"))["status"] == 404
        assert other.get(f"/v1/invoices/{invoice.id}").status_code == 404
        assert other.get(f"/v1/invoices/{invoice.id}/pdf").status_code == 404
    assert owner.get(f"/v1/expertises/{uuid.uuid4()}/cost").status_code == 404
    assert caller("operateur").get(f"/v1/expertises/{expertise.id}/cost").status_code == 200
    denied = billing.sql("SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND target = :t",
                         t=f"expertise:{expertise.id}")
    assert denied[0][0] == 3


def test_the_invoice_is_available_as_json_and_as_a_french_pdf(billing, caller, clock):
    expert = caller("expert")
    _, invoice = invoiced_expertise(billing, clock, expert.account_id)
    body = expert.get(f"/v1/invoices/{invoice.id}").get_json()
    assert (body["total_ht_cents"], body["vat_cents"], body["total_ttc_cents"]) == (8500, 1700, 10200)
    assert body["due_on"] == "2024-08-14"
    assert body["payment_method"] == "prelevement_sepa"
    assert body["kind_label"] == "Première facture (6 mois)"
    pdf = expert.get(f"/v1/invoices/{invoice.id}/pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert invoice.number in pdf.headers["Content-Disposition"]


def test_only_an_operator_records_payments_and_full_payment_settles_the_invoice(billing, caller, clock):
    expert = caller("expert")
    _, invoice = invoiced_expertise(billing, clock, expert.account_id)
    payment = {"amount_cents": 10200, "paid_on": "2024-08-01", "method": "prelevement_sepa"}
    clock.set_day(D(2024, 8, 2))
    assert problem(expert.post(f"/v1/invoices/{invoice.id}/payments", json=payment))["status"] == 403
    operator = caller("operateur")
    first = operator.post(f"/v1/invoices/{invoice.id}/payments", json=payment, headers={"Idempotency-Key": "p-1"})
    assert first.status_code == 201, first.get_json()
    assert (first.get_json()["remaining_cents"], first.get_json()["invoice_status"]) == (0, "payee")
    again = operator.post(f"/v1/invoices/{invoice.id}/payments", json=payment, headers={"Idempotency-Key": "p-1"})
    assert again.status_code == 200
    assert again.get_json()["payment_id"] == first.get_json()["payment_id"]
    assert billing.sql("SELECT count(*) FROM payments WHERE invoice_id = :i", i=invoice.id)[0][0] == 1
    recorded = [e for e in billing.events("billing.payment_recorded.v1") if e.data["invoice_id"] == invoice.id]
    assert [e.data["invoice_version"] for e in recorded] == [2]
    assert expert.get(f"/v1/invoices/{invoice.id}").get_json()["status"] == "payee"


def test_a_late_payment_owes_the_indemnity_and_interest_and_reinstates_a_suspended_account(billing, caller, clock):
    expert = caller("expert")
    _, invoice = invoiced_expertise(billing, clock, expert.account_id)
    for day in (D(2024, 8, 15), D(2024, 9, 14), D(2024, 9, 29)):  # incident, formal notice, suspension
        run_invoicing(billing.services, day)
    assert any(e.data["account_id"] == expert.account_id for e in billing.events("billing.account_suspended.v1"))
    clock.set_day(D(2024, 10, 1))
    status = expert.get(f"/v1/accounts/{expert.account_id}/billing").get_json()
    assert status["suspended_on"] == "2024-09-29"
    owed = status["amount_due_cents"]
    # 102 € + 40 € + 48 days at 3 × 4.92 % → 1,98 €
    assert owed == 10200 + 4000 + 198
    operator = caller("operateur")
    paid = operator.post(f"/v1/invoices/{invoice.id}/payments",
                         json={"amount_cents": owed, "paid_on": "2024-10-01", "method": "virement"})
    assert paid.get_json()["invoice_status"] == "payee"
    reinstated = [e for e in billing.events("billing.account_reinstated.v1")
                  if e.data["account_id"] == expert.account_id]
    assert [e.data["suspended_on"] for e in reinstated] == ["2024-09-29"]
    assert expert.get(f"/v1/accounts/{expert.account_id}/billing").get_json()["suspended_on"] is None


def test_terminations_are_recorded_by_operators_only(caller, clock):
    expert, operator = caller("expert"), caller("operateur")
    clock.set_day(D(2026, 11, 2))
    assert expert.post(f"/v1/accounts/{expert.account_id}/termination",
                       json={"received_on": "2026-11-02"}).status_code == 403
    done = operator.post(f"/v1/accounts/{expert.account_id}/termination", json={"received_on": "2026-11-02"})
    assert done.status_code == 201
    assert done.get_json()["termination_effective_on"] == "2027-02-02"


def test_payments_are_validated_by_the_schema(billing, caller, clock):
    operator = caller("operateur")
    response = operator.post(f"/v1/invoices/{uuid.uuid4()}/payments", json={"amount_cents": -5, "method": "or"})
    assert problem(response)["status"] == 422
    missing = operator.post(f"/v1/invoices/{uuid.uuid4()}/payments",
                            json={"amount_cents": 5, "paid_on": "2024-01-01", "method": "cheque"})
    assert problem(missing)["status"] == 404


def test_anyone_signed_in_reads_the_tariffs(caller):
    body = caller("avocat").get("/v1/tariffs").get_json()
    assert body["items"][0]["version"] == "2020-04"
    assert {line["code"]: line["unit_price_cents"] for line in body["items"][0]["lines"]}["partie"] == 1000


def test_an_expert_pages_through_their_own_invoices_only(fresh_billing, principal_signer, clock):
    from scelle_billing.entrypoints.flask_app import create_app
    from scelle_billing.config import Settings
    from .conftest import Caller

    owner = "expert-paging"
    for n in range(5):
        open_expertise(fresh_billing, D(2025, 1, 1 + n), owner=owner, parties=0, certificates=0)
    open_expertise(fresh_billing, D(2025, 1, 1))  # someone else's
    run_invoicing(fresh_billing.services, D(2025, 7, 10))
    app = create_app(Settings(database_url=fresh_billing.database_url,
                              broker_url=fresh_billing.runtime.settings.broker_url, jwks=principal_signer.jwks),
                     clock=clock)
    try:
        expert = Caller(app.test_client(), principal_signer, owner, "expert")
        first = expert.get("/v1/invoices?limit=3").get_json()
        second = expert.get(f"/v1/invoices?limit=3&cursor={first['next_cursor']}").get_json()
        numbers = [i["number"] for i in first["items"] + second["items"]]
        assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == 5
        assert second["next_cursor"] is None
        assert expert.get("/v1/invoices?account_id=someone-else").status_code == 404
        operator = Caller(app.test_client(), principal_signer, "op", "operateur")
        assert len(operator.get("/v1/invoices").get_json()["items"]) == 6
        assert len(operator.get(f"/v1/invoices?account_id={owner}").get_json()["items"]) == 5
        assert problem(expert.get("/v1/invoices?cursor=%%%"))["status"] == 422
    finally:
        app.extensions["scelle_runtime"].close()
