"""Every mail renders in French, as HTML and as text, inside the one layout."""

from __future__ import annotations

from datetime import UTC, datetime

from scelle_notification.adapters.renderer import JinjaRenderer
from scelle_notification.domain.digest import Deposit, Reader, compose

renderer = JinjaRenderer("https://scelle.test/")


def test_every_kind_renders_as_html_and_text_with_the_layout_and_a_subject():
    at = datetime(2026, 12, 3, 13, 5, tzinfo=UTC)
    digest = compose(Reader("r", "R", "expert"), [Deposit("e", "E", at, "p", "P", "f.pdf", "d", "a", "A", "expert")],
                     at, at)
    for kind in renderer.kinds():
        mail = renderer.render(kind, "Hélène GARNIER", {"digest": digest} if kind == "digest" else {})
        assert mail.subject.startswith("[Scellé] "), kind
        assert "Bonjour Hélène GARNIER," in mail.text and "Bonjour Hélène GARNIER," in mail.html, kind
        assert "L'équipe Scellé" in mail.text and "<html lang=\"fr\">" in mail.html, kind
        assert "<" not in mail.text, kind


def test_links_point_at_the_public_url():
    mail = renderer.render("invoice_issued", "X", {"invoice_id": "inv-1", "invoice_number": "2026-000042",
                                                   "total_ttc_cents": 10200, "due_on": "2026-07-03"})
    assert "https://scelle.test/factures/inv-1" in mail.text
    assert 'href="https://scelle.test/factures/inv-1"' in mail.html
    assert "102,00" in mail.text and "03/07/2026" in mail.text
    assert mail.subject == "[Scellé] Facture n° 2026-000042"


def test_what_people_typed_is_escaped_in_html_and_kept_in_text():
    at = datetime(2026, 12, 3, 13, 5, tzinfo=UTC)
    digest = compose(Reader("r", "R", "expert"), [Deposit("e", "L'EXPERTISE", at, "p", "Expert / Correspondance",
                                                          "<script>x</script>.pdf", "d", "a", "Jean D'ARC",
                                                          "expert")], at, at)
    mail = renderer.render("digest", "R", {"digest": digest})
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html
    assert "<script>x</script>.pdf par Jean D'ARC le 03/12/2026 à 14h05" in mail.text
    assert mail.subject == "[Scellé] Compte rendu d'activité"
