"""What the vault does with other services' events: keep its read model and folder tree current."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dataclasses import replace

from scelle_common.audit import AuditEntry
from scelle_common.events import Event
from scelle_common.messaging import PermanentError
from scelle_documents.domain import designations as dossiers
from scelle_documents.domain import folders as tree
from scelle_documents.domain.files import search_key
from scelle_documents.domain.model import Folder
from scelle_documents.service_layer import integration_events
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
    """created, renamed, status_changed…: the case's status and name (folders on first sight).

    A case created from a designation gets the designation's request files filed into
    ``expert/designation``: new rows on the same objects (same bytes, same hashes), each announced
    and audited, the dossier left as it was.
    """
    expertise_id = _case(uow, event, at, new_id)
    designation_id = event.data.get("designation_id")
    if event.name == "expertise.created.v1" and designation_id:
        file_designation(uow, expertise_id, str(designation_id), event.data.get("owner_account_id"), at, new_id)


def file_designation(uow: VaultUnitOfWork, expertise_id: str, designation_id: str, owner_account_id: str | None,
                     at: datetime, new_id: Any) -> int:
    request = uow.vault.folder_by_path_in_designation(designation_id, dossiers.REQUEST_KIND.replace("*", designation_id))
    target = uow.vault.folder_by_path(expertise_id, tree.DESIGNATION_FOLDER)
    if request is None or target is None:
        return 0
    already = uow.vault.filed_sources(expertise_id)
    filed = 0
    for source in uow.vault.documents_in([request.id]):
        if source.locked or source.id in already:
            continue
        document = replace(source, id=new_id(), expertise_id=expertise_id, designation_id=None, folder_id=target.id,
                           version=1, shared_with=frozenset(), source_document_id=source.id)
        uow.vault.add_document(document, search_key(document.file_name))
        # Who may read it in the case: the owner expert, its only participant yet. Not the source's
        # depositor (the designator): the rights matrix gives a magistrat or greffier nothing in
        # expert/*, and the audience is what digests and unread marks tell people about.
        audience = [owner_account_id] if owner_account_id else []
        uow.publish(integration_events.deposited(document, target, audience))
        uow.record(AuditEntry(action="documents.file_designation", target=f"document:{document.id}",
                              outcome="allowed", occurred_at=at, profile="system:expertise",
                              details={"source_document_id": source.id, "designation_id": designation_id,
                                       "expertise_id": expertise_id, "sha256": source.sha256}))
        filed += 1
    return filed


def designation_changed(uow: VaultUnitOfWork, event: Event, at: datetime, new_id: Any) -> None:
    """designation.*: the dossier's status and members; its two folders on first sight."""
    data = event.data
    try:
        designation_id = str(data["designation_id"])
        version = int(data["designation_version"])
        designator, expert = str(data["designator_account_id"]), str(data["expert_account_id"])
    except (KeyError, TypeError, ValueError) as error:
        raise PermanentError(f"{event.name} without designation id, version or accounts") from error
    created = uow.read_model.upsert_designation(designation_id, version=version, status=str(data.get("status")),
                                               designator_account_id=designator, expert_account_id=expert, at=at)
    if created:
        for kind, label in dossiers.DOSSIER_FOLDERS.items():
            uow.vault.add_folder(Folder(new_id(), None, kind.replace("*", designation_id), kind, None, label, None,
                                        designation_id), at, None)


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
