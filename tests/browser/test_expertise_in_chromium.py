"""The expertise page in real headless Chromium, through the real gateway, following the magistrat's
user guide (REFERENCE §5): open the expertise, deposit in *Magistrat → Expert* after the *dépôt
définitif* warning (a real file chosen in the page, its progress shown by the page's script); the
expert sees the document flagged *New*, downloads it as a ZIP (Chromium saves it; its content is
checked), and the *Contradictoire* shows who downloaded it. Screenshots of each screen go to
var/screenshots/."""

from __future__ import annotations

import uuid
import zipfile
from typing import Any

import pytest

from tests.browser.cases import eventually, open_case

FOLDER_LINK = "a[href$='dossier=magistrat/magistrat-vers-expert']"


@pytest.fixture
def case(people, designation_server, documents_server, expertise_server) -> dict[str, Any]:  # noqa: ANN001
    return open_case(people, designation_server.url, documents_server.url, expertise_server.url, defender="Marchand")


def test_the_magistrat_deposits_and_the_expert_downloads_it_as_a_zip(browser, gateway, case, screenshots,  # noqa: ANN001
                                                                     tmp_path) -> None:
    name = "Questions du juge.pdf"
    content = b"%PDF-1.7\n% questions du juge " + uuid.uuid4().hex.encode()
    chosen = tmp_path / name
    chosen.write_bytes(content)

    magistrat = browser("magistrat")
    magistrat.open(gateway.url(f"/expertises/{case['id']}"))
    text = magistrat.wait_for_text("Dossiers")
    assert case["display_name"] in text and "Magistrat → Expert" in text and "Choisissez un dossier" in text
    magistrat.screenshot(screenshots / "20-expertise-magistrat.png")

    magistrat.click(FOLDER_LINK)
    text = magistrat.wait_for_text("Déposer dans ce dossier")
    assert "Dépôt définitif." in text and "il n'est plus possible de le supprimer" in text.replace("\n", " ")
    magistrat.type("#fichiers", str(chosen))
    magistrat.click("#confirmation")
    magistrat.screenshot(screenshots / "21-depot-definitif.png")
    magistrat.click("form[data-televersement] button[type=submit]")
    text = magistrat.wait_for_text("1 document déposé dans « Magistrat / Magistrat → Expert »", timeout=20)
    assert name in text and "Vous (Magistrat)" in text and "Accusé de dépôt" in text
    magistrat.screenshot(screenshots / "22-document-depose.png")

    expert = browser("expert")
    expert.open(gateway.url(f"/expertises/{case['id']}"))
    text = expert.wait_for_text("Dossiers")
    assert "New" in text
    expert.screenshot(screenshots / "23-expertise-expert-new.png")
    expert.click(FOLDER_LINK)
    text = expert.wait_for_text(name)
    row = next(line for line in text.splitlines() if name in line)
    assert f"New {name}\tCamille ROUSSEAU (Magistrat)" in row, row
    assert "Déposer dans ce dossier" not in text  # read only for the expert (the vault's matrix)

    downloads = tmp_path / "telechargements"
    downloads.mkdir()
    expert.save_downloads_to(downloads)
    expert.click(f"input[aria-label='Sélectionner {name}']")
    expert.screenshot(screenshots / "24-selection-zip.png")
    expert.script("window.pageAvantTelechargement = true")  # gone if the browser loads another page
    expert.click("form[action$='/archive'] button[type=submit]")  # « Télécharger la sélection (ZIP) »
    with zipfile.ZipFile(expert.downloaded(downloads, ".zip")) as archive:
        assert archive.namelist() == [f"Magistrat/Magistrat → Expert/{name}"]
        assert archive.read(archive.namelist()[0]) == content

    # The page refreshes its list after a download (htmx): New is gone without reloading the page.
    eventually(lambda: f"New {name}" not in expert.text(), "the list to drop New after the download", timeout=15)
    assert expert.script("return window.pageAvantTelechargement === true")
    assert expert.script("return document.querySelectorAll('#espace-documents').length") == 1
    expert.click("a[href$='/contradictoire']")
    text = expert.wait_for_text("Contradictoire : " + name)
    seen = text.split("Vus (1)")[1]
    assert "Hélène GARNIER (Expert) — le " in seen
    assert "Vu par 1 / " in text and "Non vus (" in text
    expert.screenshot(screenshots / "25-contradictoire.png")

    expert.click("nav.tabs a[href$='/cout']")
    text = expert.wait_for_text("Suivi du coût")
    assert "Total des prestations (HT)" in text and "Reste à payer" in text
    expert.screenshot(screenshots / "26-suivi-du-cout.png")
