"""The seed journey (issue 9) on a private local stack, through the real gateway with real certificates.

A magistrat designates an expert with two files and reminds them; the expert accepts and the case
is created by events; the expert adds two parties — one with an avocat, one speaking for itself
through a member invited by e-mail, whose software certificate identity issues and mails and who
then uses it — and starts the case; the magistrat, the avocat and the expert deposit; the other
party sees the avocat's *dire* as new and downloads it, and the expert's *contradictoire* view says
so; the final report brings the invoice (amount computed here from the domain's tariffs); each
participant's digest lists exactly the deposits the rights matrix let them read; every service's
audit chain verifies. A court integration listening on its own queue bound to the platform's
exchange (``#``) receives every event of the journey, each valid against its producer's schema.

Everything runs as the local stack runs it (``tests/platform``): gunicorn APIs, relays, consumers,
the mail sender, the nginx gateway, PostgreSQL, RabbitMQ, S3 and an SMTP capture server.
Expectations come from ``shared/domain`` (tariffs, rights matrix), never from a service's answer.
"""

from __future__ import annotations

import contextlib
import csv
import fnmatch
import hashlib
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TypeVar

import pika
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from scelle_common.events import Event, SchemaRegistry, parse_event
from scelle_common.testing.plugin import BusNamespace
from scelle_common.testing.smtp import SmtpCapture
from scelle_common.testing.waiting import eventually as wait_for
from tests.conftest import ROOT, SERVICES
from tests.e2e.harness import Pki, dev_pki
from tests.platform.harness import Platform, running_platform

# The domain's reference data (tariffs, rights matrix), kept outside the services' code.
SHARED_DOMAIN = Path("/work/shared/domain")
T = TypeVar("T")
WAIT_SECONDS = 90

NAMING = {"first_applicant": "Société Immobilière du Parc", "first_defender": "Bâtiments Réunis",
          "jurisdiction": "TJ Paris", "rg_number": "26/04512", "record_number": None,
          "expert_name": "Garnier", "mi_number": None, "designation_date": "02-12-2026"}
PARTY_MEMBER = {"given_name": "Lucien", "surname": "Martel", "email": "lucien.martel@exemple.test"}


# -- the domain's rules, read from shared/domain ------------------------------------------------


def shared_file(name: str) -> Path:
    path = SHARED_DOMAIN / name
    if not path.is_file():
        pytest.fail(f"the journey computes its expectations from {path}, which is missing", pytrace=False)
    return path


def expected_invoice_ttc_cents(on: date, parties: int, software_certificates: int) -> int:
    """The single invoice of a case that reached its report: reservation, opening, parties and
    certificates at the tariff in force, plus 20 % VAT rounded half-up to the cent."""
    with shared_file("tariffs.csv").open(encoding="utf-8") as rows:
        tariffs = [row for row in csv.DictReader(rows) if date.fromisoformat(row["effective_from"]) <= on]
    version = max(row["effective_from"] for row in tariffs)
    price = {row["code"]: int(row["unit_price_cents_ht"]) for row in tariffs if row["effective_from"] == version}
    ht = (price["reservation_capacite"] + price["ouverture"] + parties * price["partie"]
          + software_certificates * price["certificat_logiciel"])
    vat = (Decimal(ht) * Decimal("0.20")).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return ht + int(vat)


@dataclass(frozen=True)
class Member:
    """A participant as the rights matrix sees it: a role and the parties they belong to or represent."""

    role: str
    parties: frozenset[str] = frozenset()


def may_read(member: Member, folder_path: str, status: str) -> bool:
    """Whether the matrix gives ``member`` read or deposit (not ``shared``, nothing is shared here)
    on ``folder_path`` in ``status``."""
    with shared_file("rights-matrix.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            if row["role"] != member.role or not fnmatch.fnmatchcase(folder_path, row["folder"]):
                continue
            if row["scope"] != "any":
                owner = folder_path.split("/")[1]
                if (row["scope"] == "own") != (owner in member.parties):
                    continue
            if row[status] in ("read", "deposit"):
                return True
    return False


# -- people at the gateway ----------------------------------------------------------------------


class Person:
    """Someone calling the gateway with their certificate (``requests`` with ``cert=``)."""

    def __init__(self, platform: Platform, cert: tuple[str, str], name: str) -> None:
        self.platform, self.name, self.cert = platform, name, cert
        self.session = requests.Session()
        self.account_id = ""

    def call(self, method: str, path: str, expect: int | None = 200, **kwargs: Any) -> requests.Response:
        # verify= on each request: a Session's own would lose to REQUESTS_CA_BUNDLE from the environment.
        response = self.session.request(method, self.platform.url(path), cert=self.cert,
                                        verify=self.platform.pki.server_ca, timeout=30, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (
                f"{self.name}: {method} {path} → {response.status_code}, expected {expect}: {response.text[:2000]}")
        return response

    def json(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        return self.call(method, path, expect, **kwargs).json()

    def found(self, path: str) -> Any:
        """The JSON at ``path``, or ``None`` while it is 404 (what events have not brought yet)."""
        response = self.call("GET", path, expect=None)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, f"{self.name}: GET {path} → {response.status_code}: {response.text}"
        return response.json()

    def deposit(self, folder_id: str, name: str, content: bytes) -> dict[str, Any]:
        return self.json("POST", f"/api/documents/v1/folders/{folder_id}/documents", 201, params={"name": name},
                         data=content, headers={"Content-Type": "application/octet-stream"})

    def folders(self, expertise_id: str) -> dict[str, dict[str, Any]]:
        """The case's folders this person sees, by path (an empty dict while the vault does not know them)."""
        listing = self.found(f"/api/documents/v1/expertises/{expertise_id}/folders") or {"folders": []}
        return {folder["path"]: folder for folder in listing["folders"]}


def eventually(probe: Callable[[], T | None], what: str, platform: Platform, timeout: float = WAIT_SECONDS) -> T:
    """``probe()`` once it is truthy; fails saying what never happened (and which process died)."""
    return wait_for(probe, what, timeout, interval=0.3, while_waiting=platform.check_alive,
                    explain=lambda: f"the processes logged:\n{platform.problems()}")


@contextlib.contextmanager
def step(name: str) -> Iterator[None]:
    """Name the step of the journey in any failure inside it."""
    print(f"journey step: {name}")
    try:
        yield
    except AssertionError as exc:
        raise AssertionError(f"step « {name} »: {exc}") from exc


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def pdf(label: str) -> bytes:
    return f"%PDF-1.7\n% {label}\n".encode() + uuid.uuid4().bytes


# -- the mail ---------------------------------------------------------------------------------


def mails_to(smtp: SmtpCapture, address: str, subject: str | None = None) -> list[Any]:
    return [mail.message for mail in smtp.messages() if address in mail.recipients
            and (subject is None or mail.message["Subject"] == subject)]


def html_of(message: Any) -> str:
    return str(message.get_body(preferencelist=("html",)).get_content())


def text_of(message: Any) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())


DIGEST_SUBJECT = "[Scellé] Compte rendu d'activité"


def digest_documents(message: Any) -> set[str]:
    """The document ids a digest links to."""
    return set(re.findall(r"/expertises/[^/\"]+/documents/([0-9a-zA-Z-]+)", html_of(message)))


# -- the court integration ------------------------------------------------------------------------


@dataclass
class CourtIntegration:
    """A subscriber with its own queue bound to every routing key of the platform's exchange."""

    broker_url: str
    queue: str
    events: list[Event] = field(default_factory=list)

    def drain(self) -> list[Event]:
        connection = pika.BlockingConnection(pika.URLParameters(self.broker_url))
        try:
            channel = connection.channel()
            while True:
                method, _properties, body = channel.basic_get(self.queue, auto_ack=True)
                if method is None:
                    return self.events
                self.events.append(parse_event(body))
        finally:
            connection.close()


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def journey_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return dev_pki(tmp_path_factory.mktemp("journey-pki") / "pki")


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpCapture]:
    capture = SmtpCapture().start()
    yield capture
    capture.stop()


@pytest.fixture(scope="module")
def bus(rabbitmq_url: str) -> Iterator[BusNamespace]:
    namespace = BusNamespace(rabbitmq_url)
    yield namespace
    namespace.clean()


@pytest.fixture(scope="module")
def court(bus: BusNamespace) -> CourtIntegration:
    """Bound before the platform starts, so that it misses nothing."""
    queue = bus.queue("court-integration", "events")
    connection = pika.BlockingConnection(pika.URLParameters(bus.broker_url))
    try:
        bus.topology.declare_queue(connection.channel(), queue, ["#"])
    finally:
        connection.close()
    return CourtIntegration(bus.broker_url, queue)


@pytest.fixture(scope="module")
def platform(tmp_path_factory, journey_pki, database_factory, s3_endpoint, smtp, bus,  # noqa: ANN001
             court) -> Iterator[Platform]:  # noqa: ARG001 - court: its queue must exist before the start
    with running_platform(tmp_path_factory.mktemp("journey"), pki=journey_pki, database_factory=database_factory,
                          broker_url=bus.broker_url, s3=s3_endpoint, smtp_host=smtp.host, smtp_port=smtp.port,
                          bus=bus) as running:
        yield running


# -- the journey ----------------------------------------------------------------------------------


@pytest.mark.timeout(900)
def test_the_seed_journey_through_the_gateway(platform: Platform, smtp: SmtpCapture, court: CourtIntegration,
                                              tmp_path: Path) -> None:
    pki = platform.pki
    magistrat = Person(platform, pki.cert("magistrat"), "magistrat")
    expert = Person(platform, pki.cert("expert"), "expert")
    avocat = Person(platform, pki.cert("avocat"), "avocat")
    for person in (magistrat, expert, avocat):
        person.account_id = person.json("GET", "/api/identity/v1/accounts/me")["id"]
    request_files = {"Ordonnance de désignation.pdf": pdf("ordonnance"), "Assignation.pdf": pdf("assignation")}
    started_at = datetime.now(UTC)

    with step("the magistrat designates the expert found in the directory, with two files"):
        [card] = magistrat.json("GET", "/api/identity/v1/directory/experts", params={"surname": "Garnier"})["experts"]
        assert card["account_id"] == expert.account_id
        designation = magistrat.json("POST", "/api/designation/v1/designations", 201, json={"expert": {
            key: card[key] for key in ("account_id", "given_name", "surname", "email", "court_code",
                                       "national_list", "specialities")}})
        designation_id = designation["id"]
        dossier = eventually(lambda: {f["path"]: f for f in (magistrat.found(
            f"/api/documents/v1/designations/{designation_id}/folders") or {"folders": []})["folders"]},
            "the vault to open the designation's dossier", platform)
        request_folder = dossier[f"designation/{designation_id}/demande"]
        dossier_document_ids = set()
        for name, content in request_files.items():
            stored = magistrat.deposit(request_folder["id"], name, content)
            assert stored["sha256"] == sha256(content)
            dossier_document_ids.add(stored["id"])
        eventually(lambda: magistrat.json("GET", f"/api/designation/v1/designations/{designation_id}")
                   ["document_count"] == 2, "the designation to hear of both files", platform)
        sent = magistrat.json("POST", f"/api/designation/v1/designations/{designation_id}/sending")
        assert sent["status"] == "en_attente"

    with step("the magistrat reminds the expert"):
        reminded = magistrat.json("POST", f"/api/designation/v1/designations/{designation_id}/reminders")
        assert reminded["reminder_count"] == 1
        eventually(lambda: len(mails_to(smtp, card["email"])) >= 2,
                   "the expert's two mails (designation sent, reminded)", platform)

    with step("the expert accepts; the case is created by events, the magistrat en charge"):
        pending = expert.json("GET", "/api/designation/v1/designations/pending")
        assert [item["id"] for item in pending["items"]] == [designation_id]
        expert.json("POST", f"/api/designation/v1/designations/{designation_id}/acceptance", json=NAMING)
        [case] = eventually(lambda: expert.json("GET", "/api/expertise/v1/expertises")["items"],
                            "the expertise created from designation.accepted.v1", platform)
        expertise_id = case["id"]
        seen = expert.json("GET", f"/api/expertise/v1/expertises/{expertise_id}")
        assert seen["designation_id"] == designation_id and seen["status"] == "en_creation"
        roles = {p["account_id"]: p for p in seen["participants"]}
        assert roles[magistrat.account_id]["role"] == "magistrat" and roles[magistrat.account_id]["en_charge"]
        filed = eventually(lambda: (folder := expert.folders(expertise_id).get("expert/designation"))
                           and folder["document_count"] == 2 and folder, "the request files filed in the case",
                           platform)
        items = expert.json("GET", f"/api/documents/v1/folders/{filed['id']}/documents")["items"]
        assert sorted(item["sha256"] for item in items) == sorted(map(sha256, request_files.values()))
        request_document_ids = {item["id"] for item in items}

    with step("the expert adds two parties, an avocat and an invited party member"):
        case_path = f"/api/expertise/v1/expertises/{expertise_id}"
        claimant = expert.json("POST", f"{case_path}/parties", 201, json={
            "name": "Société Immobilière du Parc", "kind": "demandeur", "representation": "avocat"})
        defendant = expert.json("POST", f"{case_path}/parties", 201, json={
            "name": "Bâtiments Réunis", "kind": "defendeur", "representation": "elle_meme"})
        avocat_card = avocat.json("GET", "/api/identity/v1/accounts/me")
        expert.json("POST", f"{case_path}/participants", 201, json={
            "account_id": avocat.account_id, "role": "avocat", "party_ids": [claimant["id"]],
            "given_name": avocat_card["given_name"], "surname": avocat_card["surname"], "email": avocat_card["email"]})
        invited = expert.json("POST", f"{case_path}/invitations", 201, json={
            "role": "partie_publiante", "party_ids": [defendant["id"]], **PARTY_MEMBER})
        assert invited["invitation_pending"]

    with step("identity issues the party member's software certificate and mails its one-time link"):
        link_mail = eventually(lambda: [m for m in mails_to(smtp, PARTY_MEMBER["email"])
                                        if "/software-certificate-packages/" in text_of(m)],
                               "identity's mail with the retrieval link", platform)[0]
        link = re.search(r"https://\S+/software-certificate-packages/[A-Za-z0-9_-]+", text_of(link_mail))
        assert link is not None and link.group(0).startswith(platform.url("/")), text_of(link_mail)
        # identity mails the link from inside the transaction that stores it: the link works once
        # that commits, a moment after the mail left.
        eventually(lambda: requests.get(link.group(0), verify=pki.server_ca, timeout=30).status_code == 200,
                   "the retrieval link to be known", platform)
        password = "mot de passe du membre"
        package = requests.post(link.group(0), json={"password": password}, verify=pki.server_ca, timeout=30)
        assert package.status_code == 200, package.text
        assert requests.post(link.group(0), json={"password": password}, verify=pki.server_ca,
                             timeout=30).status_code == 410  # one-time
        key, certificate, chain = pkcs12.load_key_and_certificates(package.content, password.encode())
        assert key is not None and certificate is not None
        chain_pem = tmp_path / "member-chain.pem"
        key_pem = tmp_path / "member-key.pem"
        chain_pem.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [certificate, *(chain or [])]))
        key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
        member = Person(platform, (str(chain_pem), str(key_pem)), "party member")

    with step("the party member signs in with that certificate and becomes the participant"):
        # The account identity opened for the invitation accepts the CGU in force first.
        refused = member.json("GET", "/api/identity/v1/accounts/me", 403)
        assert refused["type"].endswith("/cgu-acceptance-required"), refused
        version = member.json("GET", "/api/identity/v1/cgu/current")["version"]
        member.json("POST", "/api/identity/v1/cgu/acceptances", json={"version": version})
        me = member.call("GET", "/api/identity/v1/accounts/me")
        member.account_id = me.json()["id"]
        assert me.json()["email"] == PARTY_MEMBER["email"]
        bound = eventually(lambda: {p["account_id"]: p for p in expert.json("GET", case_path)["participants"]}
                           .get(member.account_id), "the invited participant bound to the new account", platform)
        assert bound["role"] == "partie_publiante" and bound["party_ids"] == [defendant["id"]]

    with step("the expert starts the case: en_cours"):
        changed = expert.json("POST", f"{case_path}/status-changes", 201, json={"to": "en_cours", "confirmed": True})
        assert changed["to_status"] == "en_cours"
        assert expert.json("GET", case_path)["status"] == "en_cours"

    deposits: dict[str, tuple[str, str]] = {}  # document id → (folder path, status at deposit)
    for document_id in request_document_ids:
        deposits[document_id] = ("expert/designation", "en_creation")

    def folder_of(person: Person, path: str) -> dict[str, Any]:
        return eventually(lambda: (person.folders(expertise_id).get(path) or {}).get("may_deposit")
                          and person.folders(expertise_id)[path], f"{person.name} may deposit in {path}", platform)

    with step("the magistrat deposits in Magistrat → Expert"):
        ruling = pdf("ordonnance complémentaire")
        document = magistrat.deposit(folder_of(magistrat, "magistrat/magistrat-vers-expert")["id"],
                                     "Ordonnance complémentaire.pdf", ruling)
        deposits[document["id"]] = ("magistrat/magistrat-vers-expert", "en_cours")

    with step("the avocat deposits a dire for the claimant"):
        dire_path = f"parties/{claimant['id']}/dires-et-annexes"
        dire_content = pdf("dire n° 1")
        dire = avocat.deposit(folder_of(avocat, dire_path)["id"], "Dire n°1.pdf", dire_content)
        deposits[dire["id"]] = (dire_path, "en_cours")

    with step("the other party's member sees the dire as New and downloads it"):
        folder = eventually(lambda: (member.folders(expertise_id).get(dire_path) or {}).get("unread_count") == 1
                            and member.folders(expertise_id)[dire_path], "the dire New for the party member", platform)
        assert folder["access"] == "read"
        [listed] = member.json("GET", f"/api/documents/v1/folders/{folder['id']}/documents")["items"]
        assert listed["id"] == dire["id"] and listed["new"] is True
        download = member.call("GET", f"/api/documents/v1/documents/{dire['id']}/content")
        assert sha256(download.content) == sha256(dire_content)
        [listed] = member.json("GET", f"/api/documents/v1/folders/{folder['id']}/documents")["items"]
        assert listed["new"] is False

    with step("the expert's contradictoire view shows who read the dire"):
        view = expert.json("GET", f"/api/documents/v1/documents/{dire['id']}/contradictoire")
        assert [row["account_id"] for row in view["vus"]] == [member.account_id]
        assert view["vus"][0]["first_read_at"]
        assert member.account_id not in {row["account_id"] for row in view["non_vus"]}
        assert {row["account_id"] for row in view["vus"] + view["non_vus"]} == {
            expert.account_id, avocat.account_id, member.account_id}

    with step("the expert deposits the final report"):
        report = expert.deposit(folder_of(expert, "greffe/rapport-definitif")["id"], "Rapport définitif.pdf",
                                pdf("rapport définitif"))
        deposits[report["id"]] = ("greffe/rapport-definitif", "en_cours")

    with step("the invoice is issued with the amount the tariffs give"):
        cost_path = f"/api/billing/v1/expertises/{expertise_id}/cost"
        eventually(lambda: (cost := expert.json("GET", cost_path))["final_report_on"] and len(cost["lines"]) == 5,
                   "billing to know the report and the five lines (reservation, opening, 2 parties, 1 certificate)",
                   platform)
        platform.cli("billing", "run-invoicing")
        [invoice] = expert.json("GET", "/api/billing/v1/invoices")["items"]
        assert invoice["expertise_id"] == expertise_id and invoice["kind"] == "unique"
        assert invoice["total_ttc_cents"] == expected_invoice_ttc_cents(
            date.fromisoformat(invoice["issued_on"]), parties=2, software_certificates=1)
        # The invoice mail is consumed after every deposit before it (one ordered queue).
        eventually(lambda: [m for m in mails_to(smtp, card["email"]) if invoice["number"] in text_of(m)],
                   "the invoice mail to the expert", platform)

    people = {"expert": (expert, Member("expert")), "magistrat": (magistrat, Member("magistrat")),
              "avocat": (avocat, Member("avocat", frozenset({claimant["id"]}))),
              "party member": (member, Member("partie_publiante", frozenset({defendant["id"]})))}
    members_at = {  # who took part when each deposit was made
        "en_creation": {"expert", "magistrat"},
        "en_cours": set(people),
    }

    with step("each participant's digest lists exactly what they may read"):
        until = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        platform.cli("notification", "digest", "--until", until)
        for label, (person, rights) in people.items():
            address = person.json("GET", "/api/identity/v1/accounts/me")["email"]
            [digest] = eventually(lambda address=address: mails_to(smtp, address, DIGEST_SUBJECT),
                                  f"the digest of the {label}", platform)
            expected = {document_id for document_id, (path, status) in deposits.items()
                        if label in members_at[status] and may_read(rights, path, status)}
            # The case went en_cours once, with all four taking part.
            assert text_of(digest).count("changement de statut") == 1, text_of(digest)
            listed = digest_documents(digest)
            assert listed == expected, (f"{label}'s digest lists {sorted(listed)}, expected {sorted(expected)} "
                                        f"(deposits: {deposits}):\n{text_of(digest)}")

    with step("every service's audit chain verifies"):
        for line in platform.services:
            if "migrate" in line.uses:
                result = platform.cli(line.name, "verify-audit")
                assert "audit chain intact" in result.stdout, (line.name, result.stdout)

    with step("the court integration received every event of the journey, each valid against its schema"):
        registry = SchemaRegistry([ROOT / "services" / service / "contracts" / "events" for service in SERVICES])
        events = court.drain()
        for event in events:
            registry.validate(event)
        journey = [event for event in events if event.time >= started_at]
        assert {event.name for event in journey} == {
            # drafted, sent, reminded, accepted
            "designation.drafted.v1", "designation.created.v1", "designation.reminded.v1",
            "designation.accepted.v1",
            # the case, its parties, its participants (the invitee bound to its account), en_cours
            "expertise.created.v1", "expertise.party_added.v1", "expertise.participant_added.v1",
            "expertise.participant_invited.v1", "expertise.participant_updated.v1", "expertise.status_changed.v1",
            # the invitee's account and certificate, then its CGU acceptance
            "identity.account_registered.v1", "identity.software_certificate_issued.v1",
            "identity.certificate_bound.v1", "identity.account_updated.v1",
            # deposits (dossier, filing, magistrat, dire, report), first downloads, the invoice
            "documents.document_deposited.v1", "documents.document_read.v1", "billing.invoice_issued.v1",
        }
        deposited = [event.subject for event in journey if event.name == "documents.document_deposited.v1"]
        assert sorted(deposited) == sorted(dossier_document_ids | set(deposits))
        [read] = [event for event in journey if event.name == "documents.document_read.v1"]
        assert read.subject == dire["id"] and read.data["account_id"] == member.account_id
        [issued] = [event for event in journey if event.name == "billing.invoice_issued.v1"]
        assert issued.subject == invoice["id"]
