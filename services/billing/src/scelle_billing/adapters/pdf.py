"""The PDF rendering of an invoice (fpdf2, core Helvetica: Latin-1 French text, amounts in "EUR")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from fpdf import FPDF

from scelle_billing.domain.money import euros

SELLER = ("Scellé — plateforme de dématérialisation de l'expertise judiciaire",)


def _day(value: Any) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.strftime("%d/%m/%Y") if value else "—"


def _text(value: str) -> str:
    """Core fonts are Latin-1: replace the few typographic characters outside it."""
    return (value.replace("—", "-").replace("–", "-").replace("’", "'").replace("\u202f", " ")
            .replace("€", "EUR").encode("latin-1", "replace").decode("latin-1"))


def _eur(cents: int) -> str:
    return _text(f"{euros(cents)} EUR")


def render_invoice(invoice: Mapping[str, Any]) -> bytes:
    """``invoice`` as returned by ``queries.read_invoice``."""
    pdf = FPDF(format="A4")
    pdf.set_title(f"Facture {invoice['number']}")
    pdf.set_author("Scellé")
    issued = invoice["issued_on"]
    issued = date.fromisoformat(issued) if isinstance(issued, str) else issued
    pdf.set_creation_date(datetime.combine(issued, time(0), UTC))  # same invoice, same bytes
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _text(f"Facture n° {invoice['number']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in SELLER:
        pdf.cell(0, 5, _text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    facts = [
        ("Type", invoice["kind_label"]),
        ("Date d'émission", _day(invoice["issued_on"])),
        ("Date d'échéance", _day(invoice["due_on"])),
        ("Expertise", invoice.get("display_name") or invoice["expertise_id"]),
        ("Passage « En cours »", _day(invoice.get("en_cours_on"))),
        ("Tarif applicable", invoice["tariff_version"]),
        ("Compte facturé", invoice["account_id"]),
        ("Mode de paiement", invoice["payment_method_label"]),
    ]
    for label, value in facts:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(50, 6, _text(label))
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 6, _text(str(value)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (90, 20, 35, 35)
    pdf.set_font("Helvetica", "B", 10)
    for width, title in zip(widths, ("Désignation", "Quantité", "Prix unitaire HT", "Montant HT"), strict=True):
        pdf.cell(width, 7, _text(title), border=1, align="C")
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    for line in invoice["lines"]:
        pdf.cell(widths[0], 7, _text(line["label"]), border=1)
        pdf.cell(widths[1], 7, str(line["quantity"]), border=1, align="R")
        pdf.cell(widths[2], 7, _eur(line["unit_price_cents"]), border=1, align="R")
        pdf.cell(widths[3], 7, _eur(line["amount_cents"]), border=1, align="R")
        pdf.ln()
    totals = [("Total HT", invoice["total_ht_cents"]),
              (f"TVA {invoice['vat_rate_percent']} %", invoice["vat_cents"]),
              ("Total TTC", invoice["total_ttc_cents"])]
    if invoice["indemnity_cents"]:
        totals.append(("Indemnité forfaitaire pour frais de recouvrement", invoice["indemnity_cents"]))
    if invoice["interest_cents"]:
        totals.append(("Intérêts de retard (3 × taux légal)", invoice["interest_cents"]))
    if invoice["paid_cents"]:
        totals.append(("Déjà réglé", invoice["paid_cents"]))
    totals.append(("Reste à payer", invoice["remaining_cents"]))
    for label, cents in totals:
        pdf.set_font("Helvetica", "B" if label in ("Total TTC", "Reste à payer") else "", 10)
        pdf.cell(sum(widths[:3]), 7, _text(label), border=1, align="R")
        pdf.cell(widths[3], 7, _eur(cents), border=1, align="R")
        pdf.ln()
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(0, 4, _text(
        "Payable à 30 jours. En cas de retard de paiement : indemnité forfaitaire pour frais de recouvrement "
        "de 40 EUR par facture impayée et intérêts de retard au taux de trois fois le taux d'intérêt légal, "
        "calculés par jour de retard. Sans régularisation 30 jours après l'incident, une mise en demeure est "
        "adressée ; restée sans effet 15 jours, elle entraîne la suspension du compte jusqu'au paiement complet."))
    return bytes(pdf.output())
