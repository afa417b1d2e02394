"""French formatting of what the APIs return."""

from __future__ import annotations

from datetime import date

from scelle_portal import labels


def test_french_dates() -> None:
    assert labels.french_date("2026-03-03") == "3 mars 2026"
    # UTC instants are shown in Paris time (UTC+1 in winter, UTC+2 in summer).
    assert labels.french_date("2026-11-20T09:05:00Z", with_time=True) == "20 novembre 2026 à 10 h 05"
    assert labels.french_date("2026-07-14T23:30:00+00:00", with_time=True) == "15 juillet 2026 à 1 h 30"
    assert labels.french_date(date(2026, 8, 1)) == "1 août 2026"
    assert labels.french_date(None) == ""
    assert labels.french_date("pas une date") == "pas une date"


def test_file_sizes() -> None:
    assert labels.file_size(12) == "12 octets"
    assert labels.file_size(3500) == "3,4 Ko"
    assert labels.file_size(5 * 1024 * 1024) == "5,0 Mo"
    assert labels.file_size(None) == ""


def test_status_filters_in_the_order_of_the_user_guide() -> None:
    assert list(labels.STATUSES.values()) == ["En création", "En cours", "En pause", "Terminée"]
    assert "terminee" not in labels.DEFAULT_STATUSES


def test_certificate_holder_is_the_common_name() -> None:
    assert labels.certificate_holder("CN=Camille Rousseau,2.5.4.42=Camille,O=Ministere de la Justice,C=FR") == "Camille Rousseau"
    assert labels.certificate_holder("O=Sans nom") == "O=Sans nom"
    assert labels.certificate_holder(None) == ""
