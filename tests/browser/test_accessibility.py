"""Accessibility of the portal's main screens in real headless Chromium, through the real gateway.

axe-core (pinned, fetched by ``./scelle test``: ``ensure_axe`` in deploy/local/bootstrap.sh) is
injected into each screen and run against WCAG 2.x A and AA and axe's best practices; a serious or
critical violation fails the test with what and where. The keyboard test follows a person without a
mouse: the skip link first, then the navigation and each page's main action, every focus visible.
"""

from __future__ import annotations

import random
import time
from typing import Any

import pytest

from tests.browser.webdriver import ENTER, TAB, Chromium
from tests.e2e.harness import ROOT

AXE = ROOT / "var" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: ./scelle test fetches it (ensure_axe in deploy/local/bootstrap.sh)",
                    pytrace=False)
    return AXE.read_text(encoding="utf-8")


def audit(chromium: Chromium, axe_source: str) -> list[dict[str, Any]]:
    """axe's violations on the open page (the script is injected as WebDriver runs scripts: the
    page's CSP does not apply to it)."""
    if not chromium.script("return typeof window.axe === 'object'"):
        chromium.script(axe_source + "\nreturn true;")
    chromium.script(
        "window.scelleAxe = null;"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(r => { window.scelleAxe = r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + n.failureSummary)})); },"
        " e => { window.scelleAxe = [{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]; });",
        AXE_TAGS)
    deadline = time.monotonic() + 30
    while (violations := chromium.script("return window.scelleAxe")) is None:
        assert time.monotonic() < deadline, f"axe never finished on {chromium.url}"
        time.sleep(0.1)
    return list(violations)


def naming(applicant: str) -> dict[str, Any]:
    return {"first_applicant": applicant, "first_defender": "Hartmann", "jurisdiction": "TJ Bordeaux",
            "rg_number": f"26/{random.randrange(100000):05d}", "expert_name": "Garnier",
            "designation_date": "14-11-2026"}


@pytest.fixture(scope="module")
def screens(people, designation_server, expertise_server, deposit_designation_file) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """(user, path, text the screen shows once loaded) of every main screen, with data to show."""
    magistrat, expert = people["magistrat"], people["expert"]
    card = {"account_id": expert.account_id, "given_name": "Hélène", "surname": "Garnier",
            "email": "helene.garnier@experts-justice.test", "court_code": "paris", "national_list": False,
            "specialities": []}
    draft = magistrat.call(designation_server.url, "POST", "/v1/designations", {"expert": card})
    deposit_designation_file(draft["id"])
    magistrat.call(designation_server.url, "POST", f"/v1/designations/{draft['id']}/sending")
    unsent = magistrat.call(designation_server.url, "POST", "/v1/designations", {"expert": card})
    case = expert.call(expertise_server.url, "POST", "/v1/expertises", naming("Accessibilité"))
    return [
        ("magistrat", "/", "Liste des expertises"),
        ("magistrat", "/designations", "Désignations en attente"),
        ("magistrat", f"/designations/{draft['id']}", "Désignation de GARNIER"),
        ("magistrat", f"/designations/{draft['id']}/relance", "Relancer l'expert ?"),
        ("magistrat", "/annuaire?recherche=1&nom=garn", "Résultats ("),
        ("magistrat", f"/designations/{unsent['id']}/documents", "Expert choisi"),
        ("magistrat", "/recherche?q=garnier", "Résultats pour"),
        ("magistrat", "/statistiques", "Vos désignations"),
        ("magistrat", "/compte", "Vos certificats"),
        ("magistrat", "/nulle-part", "Page introuvable"),
        ("expert", "/", "Désignations à confirmer"),
        ("expert", f"/expertises/{case['id']}", case["display_name"]),
        ("expert", f"/expertises/{case['id']}?dossier=expert/correspondance", "Correspondance"),
        ("expert", f"/expertises/{case['id']}/cout", "Suivi du coût"),
        ("expert", f"/expertises/{case['id']}/administration", "Date de consignation"),
        ("expert", f"/designations/{draft['id']}/reponse", "Accepter la désignation"),
        ("expert", f"/designations/{draft['id']}/refus", "Refuser la désignation"),
        ("expert", "/statistiques", "Expertises par statut"),
    ]


def test_main_screens_have_no_serious_accessibility_violation(browser, gateway, screens, axe_source) -> None:  # noqa: ANN001
    chromium = {user: browser(user) for user in ("magistrat", "expert")}
    found: list[str] = []
    for user, path, expected in screens:
        page = chromium[user]
        page.open(gateway.url(path))
        page.wait_for_text(expected)
        for violation in audit(page, axe_source):
            if violation["impact"] in FAILING_IMPACTS:
                found.append(f"{user} {path}: [{violation['impact']}] {violation['id']} — {violation['help']}\n    "
                             + "\n    ".join(violation["nodes"]))
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


def focused(chromium: Chromium) -> dict[str, Any]:
    """What has the keyboard focus, and whether the focus is drawn (outline or box shadow)."""
    return chromium.script(
        "const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();"
        "return {tag: e.tagName.toLowerCase(), id: e.id, text: (e.innerText || e.value || '').trim(),"
        " href: e.getAttribute('href'), visible: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0,"
        " drawn: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'};")


def tab_until(chromium: Chromium, wanted: str, limit: int = 40) -> list[dict[str, Any]]:
    """Press Tab until the focus is on the element whose text is ``wanted``; every stop on the way
    must be visible with its focus drawn."""
    stops = []
    for _ in range(limit):
        chromium.press(TAB)
        stop = focused(chromium)
        assert stop["visible"] and stop["drawn"], f"focus not visible on {stop} at {chromium.url}"
        stops.append(stop)
        if stop["text"] == wanted:
            return stops
    raise AssertionError(f"« {wanted} » never got the focus on {chromium.url}: {[s['text'] for s in stops]}")


def test_the_keyboard_reaches_the_skip_link_navigation_and_main_actions(browser, gateway, screens) -> None:  # noqa: ANN001
    chromium = browser("magistrat")
    chromium.open(gateway.url("/"))
    chromium.wait_for_text("Liste des expertises")

    chromium.press(TAB)
    first = focused(chromium)
    assert first["text"] == "Aller au contenu" and first["visible"] and first["drawn"], first
    chromium.press(ENTER)
    assert focused(chromium)["id"] == "contenu"  # the focus moved to the main content
    stops = tab_until(chromium, "Désigner un expert")
    assert len(stops) == 1 and stops[0]["tag"] == "a"  # the workspace's main action comes first in <main>

    chromium.open(gateway.url("/"))
    chromium.wait_for_text("Liste des expertises")
    stops = tab_until(chromium, "Mon compte")
    navigation = [stop["text"] for stop in stops]
    for item in ("Espace de travail", "Désignations", "Désigner un expert", "Rechercher", "Statistiques"):
        assert item in navigation, navigation
    assert navigation.index("Rechercher") < navigation.index("Statistiques") < navigation.index("Mon compte")

    chromium.open(gateway.url("/recherche"))
    chromium.wait_for_text("Expertise, document ou intervenant")
    chromium.press(TAB, ENTER)  # skip link
    tab_until(chromium, "")  # the query field (its text is its empty value)
    assert focused(chromium)["id"] == "q"
    chromium.press(*"garnier", ENTER)
    chromium.wait_for_text("Résultats pour « garnier »")

    chromium.open(gateway.url("/statistiques"))
    chromium.wait_for_text("Export")
    chromium.press(TAB, ENTER)
    stop = tab_until(chromium, "Télécharger le tableau des expertises (CSV)")[-1]
    assert stop["href"] == "/statistiques/expertises.csv"
