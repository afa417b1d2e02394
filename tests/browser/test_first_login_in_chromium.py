"""First login in real headless Chromium, through the real gateway and the real identity
(REFERENCE §1.4, §7): an unregistered demo certificate is asked « Disposez-vous d'un compte ? »,
registers with the CGU and lands on its workspace; its account page; *Ajouter un certificat* mails
a link that a second new certificate opens and redeems; a new CGU version is accepted first.

Screenshots of each screen go to var/screenshots/ (tests/browser/README.md lists them).
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import requests
from sqlalchemy import create_engine, text

from tests.browser.test_accessibility import AXE, FAILING_IMPACTS, audit
from tests.browser.webdriver import Chromium
from tests.e2e.harness import devpki

UNREGISTERED = "expert-unregistered"  # Lucie Bernard, an expert card no account holds (dev PKI)


def assert_accessible(chromium: Chromium) -> None:
    """No serious or critical axe-core violation (WCAG 2.x A/AA) on the open page."""
    assert AXE.is_file(), f"{AXE} is missing: ./scelle test fetches it (ensure_axe in deploy/local/bootstrap.sh)"
    found = [f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes']}" for v in audit(chromium, AXE.read_text())
             if v["impact"] in FAILING_IMPACTS]
    assert not found, f"{chromium.url}:\n" + "\n".join(found)


def mailed_association_link(smtp, address: str) -> str:  # noqa: ANN001
    """The link of the last association mail sent to ``address`` (as the holder reads it)."""
    for mail in reversed(smtp.messages()):
        if address in mail.recipients and "Associer un nouveau certificat" in str(mail.message["Subject"]):
            body = mail.message.get_body(preferencelist=("plain",))
            assert body is not None
            found = re.search(r"https://\S+/association-links/[A-Za-z0-9_-]+", body.get_content())
            assert found, body.get_content()
            return found.group(0)
    raise AssertionError(f"no association mail to {address}: {[m.recipients for m in smtp.messages()]}")


def test_an_unregistered_certificate_registers_and_lands_on_its_workspace(  # noqa: PLR0915 - one user journey
        browser, gateway, pki, smtp, identity_env, screenshots) -> None:  # noqa: ANN001
    email = pki.identity(UNREGISTERED)["email"]
    chromium = browser(UNREGISTERED)
    chromium.open(gateway.url("/"))
    text_ = chromium.text()
    assert "Nouveau certificat reconnu" in text_ and "Disposez-vous d’un compte ?" in text_, text_
    chromium.screenshot(screenshots / "50-nouveau-certificat-reconnu.png")
    assert_accessible(chromium)

    chromium.click("a[href='/inscription']")
    text_ = chromium.wait_for_text("Créer mon compte")
    assert "Conditions générales d'utilisation de Scellé" in text_ and "Usage personnel." in text_, text_
    # Sent incomplete: French messages per field, what was typed is kept.
    chromium.click("#profil-expert")
    chromium.type("#given_name", "Lucie")
    chromium.click("form.registration button[type=submit]")
    text_ = chromium.wait_for_text("Le formulaire n'est pas complet.")
    for message in ("Nom : à renseigner.", "Courriel : à renseigner.", "Cour d'appel : choisissez votre cour d'appel.",
                    "Spécialités : cochez au moins une rubrique ou spécialité.",
                    "Conditions générales d'utilisation : cochez la case pour les accepter."):
        assert message in text_, message
    assert chromium.script("return document.getElementById('given_name').value") == "Lucie"
    assert chromium.script("return document.getElementById('profil-expert').checked") is True
    # Only the expert's fields show once Expert is chosen (CSS, no script).
    assert chromium.script("return getComputedStyle(document.querySelector('.for-justice')).display") == "none"
    chromium.screenshot(screenshots / "51-inscription-erreurs.png")
    assert_accessible(chromium)

    chromium.type("#surname", "Bernard")
    chromium.type("#email", email)
    chromium.type("#phone_mobile", "06 12 34 56 78")
    chromium.type("#street", "12 cours de l'Intendance")
    chromium.type("#postal_code", "33000")
    chromium.type("#city", "Bordeaux")
    chromium.click("#court_code option[value='bordeaux']")
    chromium.click("input[name='specialities'][value='E.1.3']")
    chromium.click("#cgu_accepted")
    chromium.script("document.querySelector('form.registration button[type=submit]').scrollIntoView()")
    chromium.screenshot(screenshots / "52-inscription-remplie.png")
    chromium.click("form.registration button[type=submit]")
    text_ = chromium.wait_for_text("Liste des expertises")
    assert "Lucie Bernard" in text_ and "Expert" in text_, text_
    chromium.screenshot(screenshots / "53-espace-de-travail-apres-inscription.png")

    chromium.click("#utilisateur")
    text_ = chromium.wait_for_text("Vos certificats")
    assert email in text_ and "Vos certificats (1)" in text_ and "Certificat utilisé" in text_, text_
    assert "Bordeaux" in text_
    # The digest preference comes in place with htmx (a link without script).
    assert "L'activité des parties y figure toujours" in chromium.wait_for_text("y figure toujours")
    chromium.screenshot(screenshots / "54-mon-compte-apres-inscription.png")
    assert_accessible(chromium)

    # Ajouter un certificat (case A): the link goes to the account's address...
    chromium.click("a[href='/compte/ajouter-un-certificat']")
    chromium.wait_for_text("M'envoyer le lien d'association")
    chromium.click("main form button[type=submit]")
    text_ = chromium.wait_for_text("Un courriel vous a été envoyé")
    assert email in text_
    chromium.screenshot(screenshots / "55-ajouter-un-certificat-courriel-envoye.png")
    assert_accessible(chromium)
    link = mailed_association_link(smtp, email)

    # ...and is opened with the new certificate (renewed card), as mailed (identity's API path: the
    # gateway sends a browser to the portal's page for it). Its host is the public one, not this gateway's.
    renewed = devpki.issue(pki.out, devpki.m.Identity(
        name=f"expert-renouvele-{uuid.uuid4().hex[:6]}", given_name="Lucie", surname="Bernard", profile="expert",
        family="experts", org_unit="Cour d'appel de Bordeaux", email=email, registered=False))["name"]
    new_card = browser(renewed)
    new_card.open(gateway.url("/"))
    new_card.wait_for_text("Disposez-vous d’un compte ?")
    new_card.open(gateway.url(urlsplit(link).path))
    text_ = new_card.wait_for_text("Associer ce certificat")
    assert "/inscription/association/" in new_card.url
    assert "Lucie B." in text_ and "Utilisable" in text_, text_
    new_card.screenshot(screenshots / "56-lien-d-association.png")
    assert_accessible(new_card)
    # Meanwhile a new CGU version came into force (as if published since): once the card is bound,
    # its first page is /cgu. (Before the binding: the gateway may keep an account's answer 30 s.)
    engine = create_engine(identity_env["IDENTITY_DATABASE_URL"])
    try:
        with engine.begin() as connection:
            changed = connection.execute(text("UPDATE accounts SET cgu_version = NULL WHERE email = :email"),
                                         {"email": email})
            assert changed.rowcount == 1
    finally:
        engine.dispose()
    new_card.click("main form button[type=submit]")
    text_ = new_card.wait_for_text("Certificat associé")
    assert "Lucie BERNARD" in text_
    new_card.screenshot(screenshots / "57-certificat-associe.png")
    assert_accessible(new_card)
    new_card.click("main a.button")  # « Accéder à la plateforme »
    text_ = new_card.wait_for_text("Accepter et continuer")
    assert new_card.url.endswith("/cgu") and "Une nouvelle version des conditions générales" in text_, text_
    new_card.screenshot(screenshots / "58-nouvelles-cgu.png")
    assert_accessible(new_card)
    new_card.click("main form button[type=submit]")  # without the box ticked
    new_card.wait_for_text("Cochez la case pour accepter")
    new_card.click("#cgu_accepted")
    new_card.click("main form button[type=submit]")
    text_ = new_card.wait_for_text("Liste des expertises")
    assert "Lucie Bernard" in text_
    new_card.open(gateway.url("/compte"))
    text_ = new_card.wait_for_text("Vos certificats")
    assert "Vos certificats (2)" in text_ and "Certificat utilisé" in text_, text_


def test_identitys_refusal_is_shown_under_its_field_then_the_account_edits_its_details(gateway, pki) -> None:  # noqa: ANN001
    """A justice card asking for the expert profile: identity refuses, the form says why, in French;
    registered as greffier, it changes its contact details (no browser needed: the HTML is read)."""
    agent = devpki.issue(pki.out, devpki.m.Identity(
        name=f"greffier-{uuid.uuid4().hex[:6]}", given_name="Léa", surname="Renaud", profile="greffier",
        family="justice", org_unit="Tribunal judiciaire de Bordeaux", email="lea.renaud@justice.test",
        registered=False))["name"]
    session = requests.Session()
    session.trust_env = False
    session.cert, session.verify = pki.cert(agent), pki.server_ca
    form_page = session.get(gateway.url("/inscription"), timeout=30)
    assert form_page.status_code == 200, form_page.text
    version = re.search(r'name="cgu_version" value="([^"]+)"', form_page.text)
    assert version, form_page.text
    form = {"profile": "expert", "given_name": "Léa", "surname": "Renaud", "email": "lea.renaud@justice.test",
            "street": "30 rue des Frères Bonie", "postal_code": "33000", "city": "Bordeaux", "country": "France",
            "court_code": "bordeaux", "national_list": "non", "specialities": "E.1.3",
            "cgu_version": version.group(1), "cgu_accepted": "oui"}
    refused = session.post(gateway.url("/inscription"), data=form, headers={"Sec-Fetch-Site": "same-origin"},
                           timeout=30, allow_redirects=False)
    assert refused.status_code == 200, refused.text
    assert "Profil : ce certificat permet seulement : magistrat, greffier." in refused.text, refused.text
    assert 'value="30 rue des Frères Bonie"' in refused.text and "{" not in refused.text.split("<body>")[-1]
    accepted = session.post(gateway.url("/inscription"), data=form | {"profile": "greffier", "street": "",
                                                                       "postal_code": "", "city": "",
                                                                       "court_code": "", "specialities": ""},
                            headers={"Sec-Fetch-Site": "same-origin"}, timeout=30, allow_redirects=False)
    assert accepted.status_code == 303 and accepted.headers["Location"] == "/", accepted.text
    # Registered now: the registration page sends it to its workspace.
    again = session.get(gateway.url("/inscription"), timeout=30, allow_redirects=False)
    assert again.status_code == 303 and again.headers["Location"] == "/"

    # Modifier mes coordonnées: a bad phone is refused here, a good one reaches identity.
    details = {"email": "lea.renaud@justice.test", "phone_fixed": "05 56 00 00 00", "phone_mobile": "abc",
               "address_text": "Tribunal judiciaire de Bordeaux, 30 rue des Frères Bonie"}
    refused = session.post(gateway.url("/compte/coordonnees"), data=details,
                           headers={"Sec-Fetch-Site": "same-origin"}, timeout=30, allow_redirects=False)
    assert refused.status_code == 200 and "Téléphone mobile : chiffres" in refused.text, refused.text
    saved = session.post(gateway.url("/compte/coordonnees"), data=details | {"phone_mobile": "+33 6 98 76 54 32"},
                         headers={"Sec-Fetch-Site": "same-origin"}, timeout=30, allow_redirects=False)
    assert saved.status_code == 303 and saved.headers["Location"] == "/compte?fait=coordonnees", saved.text
    account = session.get(gateway.url("/compte?fait=coordonnees"), timeout=30).text
    assert "Vos coordonnées ont été enregistrées." in account and "+33 6 98 76 54 32" in account
    assert "Tribunal judiciaire de Bordeaux, 30 rue des Frères Bonie" in account

    # A greffier may leave the parties' activity out of the daily digest.
    form = session.get(gateway.url("/compte/notifications"), timeout=30).text
    assert 'name="party_activity" value="oui" checked' in form, form
    changed = session.post(gateway.url("/compte/notifications"), data={"party_activity": "non"},
                           headers={"Sec-Fetch-Site": "same-origin"}, timeout=30, allow_redirects=False)
    assert changed.status_code == 303 and changed.headers["Location"] == "/compte?fait=notifications", changed.text
    form = session.get(gateway.url("/compte/notifications"), timeout=30).text
    assert 'name="party_activity" value="non" checked' in form, form
    session.close()
