"""The magistrat/greffier user guide in real headless Chromium, through the real gateway, with
real client certificates: the magistrat designates an expert with two files (directory → step 02
uploads with their progress → confirmation → Envoyer), reminds, and sees the acceptance the expert
gives in a second browser; the expert refuses another designation, adds a party and changes the
case's status with its confirmation. Events flow between the services as in ``./scelle up``
(conftest ``event_flow``). Each main screen is saved under var/screenshots/."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from scelle_common.testing.waiting import eventually
from tests.browser.webdriver import Chromium

GARNIER = {"given_name": "Hélène", "surname": "Garnier", "email": "helene.garnier@experts-justice.test",
           "court_code": "paris", "national_list": False, "specialities": []}


def pdf(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_bytes(b"%PDF-1.7\n" + text.encode() * 2000 + b"\n%%EOF\n")
    return path


def submit_until(chromium: Chromium, button: str, expected: str, timeout: float = 30) -> str:
    """Press ``button`` until the page says ``expected``: the designation hears of the vault's
    files a moment after they are deposited, and says so (in French) until then."""
    deadline = time.monotonic() + timeout
    while True:
        chromium.click(button)
        try:
            return chromium.wait_for_text(expected, timeout=3)
        except AssertionError:
            if time.monotonic() > deadline:
                raise


def test_magistrat_designates_with_two_files_and_sees_the_acceptance(  # noqa: PLR0915
        browser: Callable[[str | None], Chromium], gateway: Any, people: Any, expertise_server: Any,  # noqa: ANN401
        event_flow: None, screenshots: Path, tmp_path: Path) -> None:
    magistrat = browser("magistrat")
    magistrat.open(gateway.url("/annuaire"))
    magistrat.type("#nom", "garn")
    magistrat.click("form.search-form button[type=submit]")
    magistrat.wait_for_text("Résultats (1)")
    magistrat.click("form.designate button[type=submit]")  # « Désigner cet expert » on the GARNIER card
    # The step indicator of the directory page names step 02 too: wait for what only the draft shows.
    text = magistrat.wait_for_text("Camille ROUSSEAU (Moi)")
    assert "Sélection des documents de désignation" in text and "GARNIER Hélène" in text, text
    magistrat.wait_for_text("Aucun fichier déposé pour l'instant.", timeout=30)  # htmx: the vault opened the dossier
    magistrat.screenshot(screenshots / "30-designation-etape-02.png")

    ordonnance = pdf(tmp_path, "Ordonnance de désignation.pdf", "ordonnance ")
    jugement = pdf(tmp_path, "Jugement avant dire droit.pdf", "jugement ")
    magistrat.type("#fichiers", f"{ordonnance}\n{jugement}")
    # Count the per-file progress lines the script shows (kept in sessionStorage across the reload).
    magistrat.script("const list = document.querySelector('form[data-televersement] .upload-progress');"
                     "new MutationObserver(() => sessionStorage.setItem('lignes', String("
                     "list.querySelectorAll('progress').length))).observe(list, {childList: true, subtree: true});")
    magistrat.click("form[data-televersement] button[type=submit]")
    text = magistrat.wait_for_text("2 fichiers déposés dans le coffre-fort.", timeout=30)
    assert magistrat.script("return sessionStorage.getItem('lignes')") == "2"  # one request per file, with progress
    assert "Demande participation à une expertise (2)" in text, text
    assert "Ordonnance de désignation.pdf" in text and "Jugement avant dire droit.pdf" in text
    magistrat.screenshot(screenshots / "31-designation-fichiers-deposes.png")

    magistrat.click("a[href$='/envoi']")
    text = magistrat.wait_for_text("Envoyer la désignation ?")
    assert "Fichiers transmis (2)" in text, text
    magistrat.screenshot(screenshots / "32-designation-confirmer-envoi.png")
    text = submit_until(magistrat, "form[action$='/envoi'] button", "La désignation a été envoyée à l'expert")
    assert "En attente" in text and "Documents de désignation (2)" in text, text
    designation_url = magistrat.url
    magistrat.screenshot(screenshots / "33-designation-envoyee.png")

    magistrat.click("a[href$='/relance']")
    magistrat.wait_for_text("Relancer l'expert ?")
    magistrat.click("form[action$='/relance'] button")
    magistrat.wait_for_text("La relance a été envoyée à l'expert.")

    # The expert answers in a second browser: Accepter with the naming fields.
    expert = browser("expert")
    expert.open(designation_url)
    text = expert.wait_for_text("Votre réponse")
    assert "Ordonnance de désignation.pdf" in text and "Refuser la désignation" in text, text
    expert.click("a[href$='/reponse']")
    expert.wait_for_text("Accepter la désignation")
    rg_number = f"26/{uuid.uuid4().int % 100000:05d}"
    for field, value in (("#first_applicant", "Poitou"), ("#first_defender", "Hartmann"),
                         ("#jurisdiction", "TJ Bordeaux"), ("#rg_number", rg_number),
                         ("#designation_date", "14-11-2026")):
        expert.type(field, value)
    expert.click("form[action$='/reponse'] button[type=submit]")
    expert.wait_for_text("Vous avez accepté la désignation")

    # The magistrat sees the acceptance, then the case the acceptance opened in the workspace.
    magistrat.open(designation_url)
    assert "Acceptée" in magistrat.wait_for_text("Acceptée")
    magistrat.screenshot(screenshots / "34-designation-acceptee-vue-magistrat.png")

    def case_listed() -> str | None:
        magistrat.open(gateway.url("/"))
        text = magistrat.text()
        return text if "POITOU_HARTMANN_TJ BORDEAUX" in text else None

    text = eventually(case_listed, what="the accepted designation's case in the magistrat's workspace")
    assert "En création" in text
    magistrat.screenshot(screenshots / "35-espace-magistrat-expertise-creee.png")


def test_expert_refuses_adds_a_party_and_changes_the_status(
        browser: Callable[[str | None], Chromium], gateway: Any, people: Any, designation_server: Any,  # noqa: ANN401
        documents_server: Any, expertise_server: Any, event_flow: None, screenshots: Path) -> None:
    magistrat, expert_person = people["magistrat"], people["expert"]
    draft = magistrat.call(designation_server.url, "POST", "/v1/designations",
                           {"expert": {"account_id": expert_person.account_id, **GARNIER}})

    def request_folder() -> str | None:
        response = requests.get(f"{documents_server.url}/v1/designations/{draft['id']}/folders",
                                headers=magistrat.headers, timeout=10)
        folders = response.json().get("folders", []) if response.ok else []
        return next((f["id"] for f in folders if f["path"].endswith("/demande")), None)

    folder = eventually(request_folder, what="the vault opens the dossier")
    deposit = requests.post(f"{documents_server.url}/v1/folders/{folder}/documents",
                            params={"name": "Ordonnance.pdf"}, data=b"%PDF-1.7 ordonnance",
                            headers=magistrat.headers | {"Content-Type": "application/pdf"}, timeout=10)
    assert deposit.status_code == 201, deposit.text
    eventually(lambda: requests.post(f"{designation_server.url}/v1/designations/{draft['id']}/sending",
                                     headers=magistrat.headers, timeout=10).ok, what="sent")

    # Refuser: a file joined to the answer, a justification, a confirmation page.
    expert = browser("expert")
    expert.open(gateway.url(f"/designations/{draft['id']}"))
    expert.click(f"a[href='/designations/{draft['id']}/refus']")
    expert.wait_for_text("Fichiers joints au refus (0)", timeout=30)
    letter = Path(expert.home) / "Lettre de refus.pdf"
    letter.write_bytes(b"%PDF-1.7 lettre de refus\n%%EOF\n")
    expert.type("#fichiers", str(letter))
    expert.click("form[data-televersement] button[type=submit]")
    expert.wait_for_text("1 fichier déposé dans le coffre-fort.", timeout=30)
    expert.type("#justification", "Conflit d'intérêts avec le défendeur.")
    expert.screenshot(screenshots / "36-refuser-justification.png")
    expert.click("form[action$='/refus'] button[type=submit]")
    text = expert.wait_for_text("Refuser la désignation ?")
    assert "Lettre de refus.pdf" in text and "Conflit d'intérêts avec le défendeur." in text, text
    assert "le magistrat en sera prévenu" in text, text  # a designation opened without the designator's names
    expert.screenshot(screenshots / "37-refuser-confirmation.png")
    text = submit_until(expert, "form[action$='/refus'] button[type=submit]", "Vous avez refusé la désignation")
    assert "Rejetée" in text, text

    # Administration of a case the expert owns: a party, then the status with its confirmation.
    case = expert_person.call(expertise_server.url, "POST", "/v1/expertises", {
        "first_applicant": "Tilleuls", "first_defender": "Batisud", "jurisdiction": "TJ Paris",
        "rg_number": f"26/{uuid.uuid4().int % 100000:05d}", "expert_name": "Garnier",
        "designation_date": "14-11-2026"})
    expert.open(gateway.url(f"/expertises/{case['id']}/administration"))
    expert.wait_for_text("Aucune partie pour l'instant.")
    expert.type("#partie-nom", "SCI Les Tilleuls")
    expert.click("#partie-representation option[value='elle_meme']")
    expert.click("form.add-party button[type=submit]")
    text = expert.wait_for_text("La partie a été ajoutée.")
    assert "SCI Les Tilleuls" in text and "Se représente elle-même" in text, text
    expert.click("article.party details:last-of-type summary")  # « Inviter un membre de SCI Les Tilleuls »
    expert.type("article.party input[name=given_name][required]", "Paul")
    expert.type("article.party input[name=surname][required]", "Tilleul")
    expert.type("article.party input[name=email]", f"paul.{uuid.uuid4().hex[:6]}@exemple.test")
    expert.click("article.party details:last-of-type button[type=submit]")
    text = expert.wait_for_text("L'invitation a été envoyée")
    assert "Membres : Paul" in text, text
    expert.script("document.getElementById('titre-parties').scrollIntoView()")
    expert.screenshot(screenshots / "38-administration-partie.png")

    expert.click(f"a[href='/expertises/{case['id']}/administration/statut/en_cours']")
    text = expert.wait_for_text("Passer l'expertise « En cours » ?")
    assert "facturation commence" in text, text
    expert.screenshot(screenshots / "39-statut-confirmation.png")
    expert.click("form[action$='/statut/en_cours'] button[type=submit]")
    text = expert.wait_for_text("Le statut de l'expertise a été changé.")
    assert "Statut actuel : En cours" in text, text
    expert.screenshot(screenshots / "40-statut-en-cours.png")
