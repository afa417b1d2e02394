"""An expertise opened as the user guide opens one, through the services' real APIs: the magistrat
designates the expert and deposits the ordonnance in the vault's dossier, sends, the expert
accepts; the expertise service opens the case (magistrat en charge) and the vault learns of it from
the bus. The browser tests of the expertise page start from there."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from scelle_common.testing.waiting import eventually


def get(person: Any, base_url: str, path: str) -> Any:
    """A GET that may be refused for now (the service has not heard the event yet): None then."""
    response = requests.get(base_url + path, headers=person.headers, timeout=10)
    return response.json() if response.status_code == 200 else None


def deposit(person: Any, documents_url: str, folder_id: str, name: str, content: bytes) -> dict[str, Any]:
    response = requests.post(f"{documents_url}/v1/folders/{folder_id}/documents", params={"name": name},
                             data=content, timeout=10,
                             headers=person.headers | {"Content-Type": "application/octet-stream"})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def vault_folder(person: Any, documents_url: str, expertise_id: str, path: str) -> dict[str, Any] | None:
    folders = (get(person, documents_url, f"/v1/expertises/{expertise_id}/folders") or {}).get("folders") or []
    return next((f for f in folders if f["path"] == path), None)


def open_case(people: dict[str, Any], designation_url: str, documents_url: str, expertise_url: str,
              defender: str = "Hartmann") -> dict[str, Any]:
    """A new case between the demo magistrat (en charge) and the demo expert, as the expertise
    service shows it to the expert, once the vault lets the magistrat deposit in *Magistrat →
    Expert*."""
    magistrat, expert = people["magistrat"], people["expert"]
    card = {"account_id": expert.account_id, "given_name": "Hélène", "surname": "Garnier",
            "email": "helene.garnier@experts-justice.test", "court_code": "paris", "national_list": False,
            "specialities": []}
    designator = {"given_name": "Camille", "surname": "Rousseau", "email": "camille.rousseau@justice.test"}
    designation = magistrat.call(designation_url, "POST", "/v1/designations", {"designator": designator, "expert": card})
    path = f"/v1/designations/{designation['id']}"

    def request_folder() -> dict[str, Any] | None:
        dossier = get(magistrat, documents_url, f"{path}/folders") or {}
        return next((f for f in dossier.get("folders") or [] if f["path"].endswith("/demande")), None)

    folder = eventually(request_folder, "the vault to open the designation's dossier")
    deposit(magistrat, documents_url, folder["id"], "Ordonnance de désignation.pdf",
            b"%PDF-1.7\n% ordonnance " + uuid.uuid4().bytes)
    eventually(lambda: (get(magistrat, designation_url, path) or {}).get("document_count") == 1,
               "the designation to count the ordonnance")
    magistrat.call(designation_url, "POST", f"{path}/sending")
    rg_number = f"26/{uuid.uuid4().int % 100000:05d}"
    expert.call(designation_url, "POST", f"{path}/acceptance", {
        "first_applicant": "Poitou", "first_defender": defender, "jurisdiction": "TJ Bordeaux",
        "rg_number": rg_number, "expert_name": "Garnier", "designation_date": "14-11-2026"})

    def created() -> dict[str, Any] | None:
        page = get(expert, expertise_url, "/v1/expertises?limit=200") or {}
        return next((e for e in page.get("items") or [] if rg_number in e["display_name"]), None)

    case = eventually(created, "the expertise service to open the case")
    eventually(lambda: (vault_folder(magistrat, documents_url, case["id"], "magistrat/magistrat-vers-expert")
                        or {}).get("may_deposit"), "the vault to let the magistrat deposit")
    return expert.call(expertise_url, "GET", f"/v1/expertises/{case['id']}")  # type: ignore[no-any-return]
