"""Search and statistics pages with every service down, and the statistics chart's arithmetic.

The pages against the real services are in tests/browser/test_search_stats_in_chromium.py."""

from __future__ import annotations

from typing import Any

import pytest

from scelle_common.testing.servers import free_port
from scelle_portal.config import Settings
from scelle_portal.entrypoints.flask_app import create_app
from scelle_portal.statistics import BAR_AREA, bar_chart, duration


@pytest.fixture
def client(principal_signer) -> Any:  # noqa: ANN001
    dead = f"http://127.0.0.1:{free_port()}"
    settings = Settings(jwks=principal_signer.jwks, identity_url=dead, expertise_url=dead, documents_url=dead,
                        designation_url=dead, billing_url=dead, connect_timeout_seconds=0.5, log_level="WARNING")
    return create_app(settings).test_client()


def headers(signer: Any, profile: str = "magistrat") -> dict[str, str]:
    return {"X-Scelle-Principal": signer.sign(account_id="acc-1", profile=profile)}


def test_search_without_query_invites_one(client, principal_signer) -> None:  # noqa: ANN001
    response = client.get("/recherche", headers=headers(principal_signer))
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert 'aria-current="page">Rechercher<' in body
    assert "Saisissez un mot, un nom ou un numéro" in body
    assert "Résultats pour" not in body


def test_search_with_its_services_down_names_each_missing_group(client, principal_signer) -> None:  # noqa: ANN001
    body = client.get("/recherche?q=garnier", headers=headers(principal_signer)).get_data(as_text=True)
    assert "Résultats pour « garnier »" in body and "Service partiellement indisponible" in body
    assert "Expertises : Le service des expertises ne répond pas pour le moment." in body
    assert "Documents : Le coffre-fort des documents ne répond pas pour le moment." in body
    assert "Intervenants : Le service des expertises ne répond pas pour le moment." in body
    assert "(0)" not in body  # no count a service did not give


def test_a_query_longer_than_the_services_accept_is_refused_in_french(client, principal_signer) -> None:  # noqa: ANN001
    body = client.get("/recherche?q=" + "a" * 201, headers=headers(principal_signer)).get_data(as_text=True)
    assert "La recherche est limitée à 200 caractères" in body
    assert "Expertises :" not in body and "Documents :" not in body  # no service was asked


def test_statistics_with_expertise_down_still_offers_the_page(client, principal_signer) -> None:  # noqa: ANN001
    response = client.get("/statistiques", headers=headers(principal_signer))
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert "Statistiques des expertises : Le service des expertises ne répond pas pour le moment." in body
    assert "Statistiques des désignations : Le service des désignations ne répond pas pour le moment." in body
    assert "<svg" not in body  # no chart of figures nobody gave
    assert "Télécharger le tableau des expertises (CSV)" in body


def test_statistics_of_an_expert_do_not_ask_for_designations(client, principal_signer) -> None:  # noqa: ANN001
    body = client.get("/statistiques", headers=headers(principal_signer, "expert")).get_data(as_text=True)
    assert "Statistiques des désignations" not in body and "Vos désignations" not in body


def test_the_csv_export_with_expertise_down_is_a_french_page_not_a_file(client, principal_signer) -> None:  # noqa: ANN001
    response = client.get("/statistiques/expertises.csv", headers=headers(principal_signer))
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert "Le service des expertises ne répond pas pour le moment." in response.get_data(as_text=True)
    assert "Content-Disposition" not in response.headers


def test_bars_are_scaled_to_the_largest_value_and_described() -> None:
    chart = bar_chart([("En création", 2, "2"), ("En cours", 4, "4"), ("En pause", 0, "0"), ("Terminée", None, "—")])
    assert [bar.width for bar in chart.bars] == [BAR_AREA / 2, BAR_AREA, 0, 0]
    assert [bar.y for bar in chart.bars] == sorted({bar.y for bar in chart.bars})  # one row each, top to bottom
    assert chart.height > chart.bars[-1].y
    assert chart.description == "En création : 2 ; En cours : 4 ; En pause : 0 ; Terminée : —."
    assert [bar.width for bar in bar_chart([("A", 0, "0")]).bars] == [0]  # nothing to scale: no division by zero


def test_durations_read_in_french() -> None:
    assert duration(None, "jour") == "pas encore de donnée"
    assert duration(1, "jour") == "1 jour"
    assert duration(12.0, "jour") == "12 jours"
    assert duration(2.5, "heure") == "2,5 heures"
