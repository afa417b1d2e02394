"""What the vault does with other services' events: keep its read model and folder tree current."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scelle_common.events import Event
from scelle_common.messaging import PermanentError
from scelle_documents.domain import folders as tree
from scelle_documents.domain.model import Folder
from scelle_documents.service_layer.unit_of_work import VaultUnitOfWork


def _add_folders(uow: VaultUnitOfWork, expertise_id: str, specs: list[tree.FolderSpec], at: datetime,
                 new_id: Any) -> None:
    for spec in specs:
        uow.vault.add_folder(Folder(new_id(), expertise_id, spec.path, spec.kind, spec.owner_ref, spec.label, None),
                             at, None)


def _case(uow: VaultUnitOfWork, event: Event, at: datetime, new_id: Any) -> str:
    data = event.data
    try:
        expertise_id = str(data["expertise_id"])
        version = int(data["expertise_version"])
    except (KeyError, TypeError, ValueError) as error:
        raise PermanentError(f"{event.name} without expertise_id/expertise_version") from error
    created = uow.read_model.upsert_expertise(
        expertise_id, version=version, status=str(data.get("status") or data.get("to_status")),
        display_name=str(data.get("display_name") or expertise_id), at=at,
        owner_account_id=data.get("owner_account_id"), designation_id=data.get("designation_id"))
    if created:
        _add_folders(uow, expertise_id, tree.expertise_folders(), at, new_id)
    return expertise_id


def expertise_changed(uow: VaultUnitOfWork, event: Event, at: datetime, new_id: Any) -> None:
    """created, renamed, status_changed…: the case's status and name (folders on first sight)."""
    _case(uow, event, at, new_id)


def party_added(uow: VaultUnitOfWork, event: Event, at: datetime, new_id: Any) -> None:
    expertise_id = _case(uow, event, at, new_id)
    data = event.data
    party_id, name = str(data["party_id"]), str(data.get("name") or data["party_id"])
    uow.read_model.upsert_party(party_id, expertise_id, name, int(data["expertise_version"]))
    _add_folders(uow, expertise_id, tree.party_folders(party_id, name), at, new_id)


def participant_changed(uow: VaultUnitOfWork, event: Event, at: datetime, new_id: Any, *, removed: bool = False
                        ) -> None:
    expertise_id = _case(uow, event, at, new_id)
    data = event.data
    participant_id = str(data["participant_id"])
    name = str(data.get("participant_display_name") or participant_id)
    uow.read_model.upsert_participant(
        participant_id, expertise_id, account_id=data.get("account_id"), role=str(data["role"]),
        active=bool(data.get("active")) and not removed, party_ids=[str(p) for p in data.get("party_ids") or []],
        display_name=name, version=int(data["expertise_version"]), removed=removed)
    if data["role"] == "sapiteur" and not removed:
        _add_folders(uow, expertise_id, tree.sapiteur_folders(participant_id, name), at, new_id)


def accounts_merged(uow: VaultUnitOfWork, event: Event) -> None:
    surviving, merged = event.data.get("account_id"), event.data.get("merged_account_id")
    if not surviving or not merged:
        raise PermanentError("identity.accounts_merged.v1 without account_id/merged_account_id")
    uow.read_model.merge_accounts(str(surviving), str(merged))
