"""The vault's use cases: one function each, reading top to bottom (check → act → record).

Every listing, download, deposit, share, lock and refusal leaves an audit row in the transaction of
what it records; a refusal is recorded in a transaction of its own (the use case's is rolled back)
with the rule that refused it. Bytes move outside any database transaction: a deposit streams to S3
first and its row (with receipt, event and audit) commits only once the object is complete.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from scelle_common.audit import audit_entry
from scelle_common.logging import get_logger
from scelle_documents.adapters.blob_store import BlobReader, BlobStore
from scelle_documents.adapters.repository import decode_cursor, encode_cursor
from scelle_documents.domain.errors import (
    AccessDenied,
    Conflict,
    DocumentLocked,
    FileTooLarge,
    IdempotencyKeyReused,
    InvalidFile,
    InvalidRequest,
    NotFound,
    StorageUnavailable,
    VaultError,
)
from scelle_documents.domain import designations as dossiers
from scelle_documents.domain.files import sanitize_file_name, search_key, sniff_media_type
from scelle_documents.domain.model import Caller, Document, Expertise, Folder, Participant
from scelle_documents.domain.receipts import ReceiptSigner
from scelle_documents.domain.rights import Access, Decision, Membership, Operation, RightsMatrix
from scelle_documents.service_layer import integration_events
from scelle_documents.service_layer.unit_of_work import VaultUnitOfWork

log = get_logger(__name__)
T = TypeVar("T")
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """The one way the vault makes ids (folders, documents, receipts)."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Actor:
    """Who asks, as the verified principal token says."""

    account_id: str
    profile: str
    fingerprint: str | None = None
    serial: str | None = None
    client_ip: str | None = None


@dataclass
class Services:
    """The use cases' dependencies (built by ``bootstrap``)."""

    unit_of_work: Callable[[], VaultUnitOfWork]
    matrix: RightsMatrix
    blobs: BlobStore | None
    signer: ReceiptSigner | None
    max_document_bytes: int
    forbidden_media_types: frozenset[str] = frozenset()
    download_offload_location: str = ""
    clock: Clock = utc_now
    new_id: Callable[[], str] = new_id

    def require_storage(self) -> BlobStore:
        if self.blobs is None:
            raise StorageUnavailable("Le stockage des documents n'est pas configuré.")
        return self.blobs



def run(services: Services, actor: Actor, action: str, target: str,
        use_case: Callable[[VaultUnitOfWork, datetime], T]) -> T:
    """Run ``use_case`` in one unit of work; a refusal is audited with its rule, then re-raised."""
    now = services.clock()
    try:
        with services.unit_of_work() as uow:
            result = use_case(uow, now)
            uow.commit()
            return result
    except VaultError as refusal:
        record_refusal(services, actor, action, target, now, refusal)
        raise


def record_refusal(services: Services, actor: Actor, action: str, target: str, at: datetime,
                   refusal: VaultError) -> None:
    outcome = "failed" if isinstance(refusal, StorageUnavailable) else "denied"
    with services.unit_of_work() as uow:
        uow.record(audit_entry(actor, action, target, outcome, at, reason=refusal.slug,
                               rule=refusal.context.get("rule"), detail=refusal.detail))
        uow.commit()


# --- who may do what -------------------------------------------------------------------------

def caller_in(uow: VaultUnitOfWork, actor: Actor, expertise_id: str) -> Caller:
    """The caller's participations; a non-member learns nothing (404)."""
    expertise = uow.vault.expertise(expertise_id)
    participants = uow.vault.participations(expertise_id, actor.account_id) if expertise else []
    if expertise is None or not participants:
        raise NotFound("Expertise introuvable.")
    return Caller(actor.account_id, expertise, tuple(participants))


def caller_in_designation(uow: VaultUnitOfWork, actor: Actor, designation_id: str) -> Caller:
    """The caller in a designation dossier: its designator or its expert, else 404."""
    designation = uow.vault.designation(designation_id)
    if designation is None or not designation.is_member(actor.account_id):
        raise NotFound("Désignation introuvable.")
    stand_in = Expertise(designation.id, designation.status, f"Désignation {designation.id}", None)
    return Caller(actor.account_id, stand_in, (), designation)


def _caller_for(uow: VaultUnitOfWork, actor: Actor, expertise_id: str | None, designation_id: str | None) -> Caller:
    if designation_id is not None:
        return caller_in_designation(uow, actor, designation_id)
    assert expertise_id is not None
    return caller_in(uow, actor, expertise_id)


def folder_in(uow: VaultUnitOfWork, actor: Actor, folder_id: str) -> tuple[Caller, Folder]:
    """A folder and the caller's participations in its case or dossier; unknown or not a member → 404."""
    folder = uow.vault.folder(folder_id)
    if folder is None:
        raise NotFound("Dossier introuvable.")
    try:
        return _caller_for(uow, actor, folder.expertise_id, folder.designation_id), folder
    except NotFound:
        raise NotFound("Dossier introuvable.") from None


def decide(services: Services, caller: Caller, folder: Folder) -> Decision:
    if caller.designation is not None:
        return dossiers.decide(caller.designation, caller.account_id, folder.kind)
    return services.matrix.decide(caller.memberships, folder.ref, caller.expertise.status)


def require(services: Services, caller: Caller, folder: Folder, operation: Operation,
            document: Document | None = None) -> Decision:
    """The decision for ``operation``, or :class:`AccessDenied` naming the rule that refused it."""
    decision = decide(services, caller, folder)
    shared_with = document.shared_with if document else ()
    if operation is Operation.DOWNLOAD and document is None:
        allowed = decision.access >= Access.SHARED
    else:
        allowed = decision.allows(operation, shared_with=shared_with)
    if allowed:
        return decision
    if caller.designation is not None:
        rule, detail = decision.denial or dossiers.deposit_refusal(caller.designation, caller.account_id, folder.kind)
        raise AccessDenied(detail, rule=rule, folder=folder.kind, status=caller.designation.status,
                           operation=operation.value)
    rule, detail = services.matrix.explain(caller.memberships, folder.ref, caller.expertise.status, operation)
    raise AccessDenied(detail, rule=rule, folder=folder.kind, status=caller.expertise.status,
                       roles=sorted({p.role for p in caller.participants}), operation=operation.value)


def visible(decision: Decision, document: Document) -> bool:
    """Whether a listing shows ``document``: every document of a readable folder, shared ones only
    where the cell is ``shared``."""
    return decision.allows(Operation.DOWNLOAD, shared_with=document.shared_with) or decision.access >= Access.READ


def document_in(uow: VaultUnitOfWork, actor: Actor, document_id: str, *, for_update: bool = False
                ) -> tuple[Caller, Folder, Document]:
    document = uow.vault.document(document_id, for_update=for_update)
    if document is None:
        raise NotFound("Document introuvable.")
    try:
        caller = _caller_for(uow, actor, document.expertise_id, document.designation_id)
    except NotFound:
        raise NotFound("Document introuvable.") from None
    folder = uow.vault.folder(document.folder_id)
    assert folder is not None
    return caller, folder, document


def require_owner(caller: Caller) -> None:
    if not caller.is_owner_expert:
        raise AccessDenied("Seul l'expert en charge du dossier peut faire cela.", rule="owner",
                           roles=sorted({p.role for p in caller.participants}))


def audience(services: Services, uow: VaultUnitOfWork, caller: Caller, folder: Folder) -> list[str]:
    """Accounts able to read a new document of ``folder`` (the depositor included)."""
    if caller.designation is not None:
        designation = caller.designation
        readers = {account for account in (designation.designator_account_id, designation.expert_account_id)
                   if dossiers.decide(designation, account, folder.kind).access >= Access.READ}
    else:
        readers = set(entitled_accounts(services, uow, caller.expertise, folder, None))
    return sorted(readers | {caller.account_id})


def entitled_accounts(services: Services, uow: VaultUnitOfWork, expertise: Expertise, folder: Folder,
                      document: Document | None) -> dict[str, list[Participant]]:
    """Accounts that may download ``document`` (or any document of ``folder``), with their participations."""
    by_account: dict[str, list[Participant]] = {}
    for participant in uow.vault.participants(expertise.id):
        if participant.account_id and participant.active:
            by_account.setdefault(participant.account_id, []).append(participant)
    entitled: dict[str, list[Participant]] = {}
    for account_id, participants in by_account.items():
        memberships = [participant.membership() for participant in participants]
        decision = services.matrix.decide(memberships, folder.ref, expertise.status)
        shared_with = document.shared_with if document else frozenset()
        if decision.allows(Operation.DOWNLOAD, shared_with=shared_with):
            entitled[account_id] = participants
    return entitled


# --- views -----------------------------------------------------------------------------------

def document_view(document: Document, folder: Folder, *, new: bool | None = None,
                  caller: Caller | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": document.id, "expertise_id": document.expertise_id, "folder_id": folder.id,
        "folder_path": folder.path, "folder_label": folder.label, "file_name": document.file_name,
        "original_name": document.original_name, "size": document.size, "sha256": document.sha256,
        "media_type": document.media_type, "depositor_account_id": document.depositor_account_id,
        "depositor_role": document.depositor_role, "deposited_at": document.deposited_at,
        "locked": document.locked, "locked_at": document.locked_at, "lock_reason": document.lock_reason,
        "receipt_id": document.receipt.get("receipt_id"),
    }
    if new is not None:
        view["new"] = new
    if caller is not None and caller.is_owner_expert:
        view["shared_with"] = sorted(document.shared_with)
        view["shared_count"] = len(document.shared_with)
    return view


# --- folders and listings --------------------------------------------------------------------

def list_folders(services: Services, actor: Actor, expertise_id: str) -> dict[str, Any]:
    """The folders the caller may see, with their document and unread ("New") counts."""
    def use_case(uow: VaultUnitOfWork, now: datetime) -> dict[str, Any]:
        caller = caller_in(uow, actor, expertise_id)
        visible_folders = []
        for folder in uow.vault.folders(expertise_id):
            decision = decide(services, caller, folder)
            if decision.access is not Access.NONE:
                visible_folders.append((folder, decision))
        documents = uow.vault.documents_in([folder.id for folder, _ in visible_folders])
        decisions = {folder.id: decision for folder, decision in visible_folders}
        shown = [document for document in documents if visible(decisions[document.folder_id], document)]
        read = uow.vault.read_ids(actor.account_id, [document.id for document in shown])
        counts: dict[str, list[int]] = {}
        for document in shown:
            count = counts.setdefault(document.folder_id, [0, 0])
            count[0] += 1
            count[1] += document.id not in read
        views = [{
            "id": folder.id, "path": folder.path, "kind": folder.kind, "label": folder.label,
            "parent_id": folder.parent_id, "access": decision.access.name.lower(),
            "may_deposit": decision.access is Access.DEPOSIT,
            "document_count": counts.get(folder.id, [0, 0])[0], "unread_count": counts.get(folder.id, [0, 0])[1],
        } for folder, decision in visible_folders]
        uow.record(audit_entry(actor, "documents.list_folders", f"expertise:{expertise_id}", "allowed", now,
                               folders=len(views)))
        return {"expertise_id": expertise_id, "status": caller.expertise.status,
                "display_name": caller.expertise.display_name, "folders": views,
                "unread_count": sum(view["unread_count"] for view in views)}

    return run(services, actor, "documents.list_folders", f"expertise:{expertise_id}", use_case)


def list_documents(services: Services, actor: Actor, folder_id: str, *, limit: int = 50,
                   cursor: str | None = None) -> dict[str, Any]:
    def use_case(uow: VaultUnitOfWork, now: datetime) -> dict[str, Any]:
        caller, folder = folder_in(uow, actor, folder_id)
        decision = require(services, caller, folder, Operation.LIST)
        try:
            after = decode_cursor(cursor) if cursor else None
        except (ValueError, TypeError):
            raise InvalidRequest("Curseur de pagination invalide.") from None
        shown: list[Document] = []
        scanned_to = after
        # Shared-only folders hide what was not shared: keep reading until the page is full.
        while len(shown) < limit + 1:
            batch = uow.vault.documents_in([folder.id], limit=limit + 1, after=scanned_to)
            shown.extend(document for document in batch if visible(decision, document))
            if len(batch) < limit + 1:
                break
            scanned_to = (batch[-1].deposited_at, batch[-1].id)
        page, more = shown[:limit], len(shown) > limit
        read = uow.vault.read_ids(actor.account_id, [document.id for document in page])
        uow.record(audit_entry(actor, "documents.list", f"folder:{folder.id}", "allowed", now,
                               expertise_id=folder.expertise_id, documents=len(page)))
        return {"folder": {"id": folder.id, "path": folder.path, "label": folder.label,
                           "access": decision.access.name.lower()},
                "items": [document_view(d, folder, new=d.id not in read, caller=caller) for d in page],
                "next_cursor": encode_cursor(page[-1]) if more and page else None}

    return run(services, actor, "documents.list", f"folder:{folder_id}", use_case)


def list_designation_folders(services: Services, actor: Actor, designation_id: str) -> dict[str, Any]:
    """The two folders of a designation dossier, with the caller's access and counts."""
    def use_case(uow: VaultUnitOfWork, now: datetime) -> dict[str, Any]:
        caller = caller_in_designation(uow, actor, designation_id)
        assert caller.designation is not None
        views = []
        for folder in uow.vault.designation_folders(designation_id):
            decision = decide(services, caller, folder)
            if decision.access is Access.NONE:
                continue
            documents = uow.vault.documents_in([folder.id])
            read = uow.vault.read_ids(actor.account_id, [document.id for document in documents])
            views.append({"id": folder.id, "path": folder.path, "kind": folder.kind, "label": folder.label,
                          "parent_id": folder.parent_id, "access": decision.access.name.lower(),
                          "may_deposit": decision.access is Access.DEPOSIT, "document_count": len(documents),
                          "unread_count": sum(document.id not in read for document in documents)})
        uow.record(audit_entry(actor, "documents.list_folders", f"designation:{designation_id}", "allowed", now,
                               folders=len(views)))
        return {"designation_id": designation_id, "status": caller.designation.status, "folders": views,
                "unread_count": sum(view["unread_count"] for view in views)}

    return run(services, actor, "documents.list_folders", f"designation:{designation_id}", use_case)


_SLUG = re.compile(r"[^a-z0-9]+")


def create_subfolder(services: Services, actor: Actor, parent_id: str, name: str) -> dict[str, Any]:
    """A sub-folder where the caller may deposit; it is governed like its parent."""
    def use_case(uow: VaultUnitOfWork, now: datetime) -> dict[str, Any]:
        caller, parent = folder_in(uow, actor, parent_id)
        require(services, caller, parent, Operation.DEPOSIT)
        try:
            label = sanitize_file_name(name)[:200]
        except ValueError:
            raise InvalidRequest("Le nom du sous-dossier est vide.") from None
        slug = _SLUG.sub("-", search_key(label)).strip("-")[:60] or "dossier"
        path = f"{parent.path}/{slug}"
        if uow.vault.folder_by_path(parent.expertise_id, path) is not None:
            path = f"{path}-{services.new_id()[:8]}"
        folder = Folder(services.new_id(), parent.expertise_id, path, parent.kind, parent.owner_ref,
                        f"{parent.label} / {label}", parent.id)
        uow.vault.add_folder(folder, now, actor.account_id)
        uow.record(audit_entry(actor, "documents.create_folder", f"folder:{folder.id}", "allowed", now,
                               parent=parent.id, path=path))
        return {"id": folder.id, "path": folder.path, "label": folder.label, "parent_id": parent.id,
                "kind": folder.kind}

    return run(services, actor, "documents.create_folder", f"folder:{parent_id}", use_case)


# --- deposit ---------------------------------------------------------------------------------

def deposit(services: Services, actor: Actor, folder_id: str, name: str, declared_media_type: str | None,
            read: Callable[[int], bytes], announced_size: int | None = None,
            idempotency_key: str | None = None) -> dict[str, Any]:
    """Stream a file into the vault; visible only once complete on S3, with its signed receipt.

    With an ``idempotency_key``, a retry by the same depositor gets the first document back (the
    body is not read again); the same key for another folder or name is a conflict.
    """
    action, target = "documents.deposit", f"folder:{folder_id}"
    started = services.clock()

    def replay(uow: VaultUnitOfWork) -> dict[str, Any] | None:
        if not idempotency_key:
            return None
        first = uow.vault.by_idempotency_key(actor.account_id, idempotency_key)
        if first is None:
            return None
        if first.folder_id != folder_id or first.original_name != name:
            raise IdempotencyKeyReused("Cette clé d'idempotence a déjà servi pour un autre dépôt.")
        folder = uow.vault.folder(first.folder_id)
        assert folder is not None
        return document_view(first, folder) | {"receipt": first.receipt}

    def check(uow: VaultUnitOfWork) -> tuple[Caller, Folder, Decision, str]:
        caller, folder = folder_in(uow, actor, folder_id)
        decision = require(services, caller, folder, Operation.DEPOSIT)
        try:
            file_name = sanitize_file_name(name)
        except ValueError:
            raise InvalidFile("Le nom du fichier est vide ou invalide.", rule="name") from None
        return caller, folder, decision, file_name

    try:
        with services.unit_of_work() as uow:
            check(uow)
            replayed = replay(uow)
        if replayed is not None:
            return replayed
        if announced_size is not None and announced_size > services.max_document_bytes:
            raise FileTooLarge(f"Le fichier dépasse la taille maximale de {services.max_document_bytes} octets.",
                               limit=services.max_document_bytes)
        if services.signer is None:
            raise StorageUnavailable("La clé de signature des accusés de dépôt n'est pas configurée.")
        blobs = services.require_storage()
    except VaultError as refusal:
        record_refusal(services, actor, action, target, started, refusal)
        raise
    key = blobs.new_key()
    try:
        stored = blobs.put_stream(key, read, max_bytes=services.max_document_bytes, expected_size=announced_size)
    except VaultError as refusal:
        record_refusal(services, actor, action, target, started, refusal)
        raise
    media_type = sniff_media_type(stored.head)
    try:
        if media_type in services.forbidden_media_types:
            raise InvalidFile(f"Ce type de fichier ({media_type}) n'est pas accepté.", rule="type",
                              media_type=media_type)

        def record(uow: VaultUnitOfWork, now: datetime) -> dict[str, Any]:
            # Checked again: the status or the caller's role may have changed during the upload.
            caller, folder, decision, file_name = check(uow)
            if idempotency_key:
                uow.vault.serialise_deposits(actor.account_id, idempotency_key)
            replayed = replay(uow)
            if replayed is not None:
                raise _Replayed(replayed)  # a concurrent retry committed first: keep its document
            document_id = services.new_id()
            facts = {
                "receipt_id": services.new_id(), "document_id": document_id, "expertise_id": folder.expertise_id,
                "designation_id": folder.designation_id,
                "folder": {"id": folder.id, "path": folder.path, "label": folder.label},
                "file_name": file_name, "size": stored.size, "sha256": stored.sha256, "media_type": media_type,
                "depositor": {"account_id": actor.account_id, "profile": actor.profile, "role": decision.role,
                              "certificate_fingerprint": actor.fingerprint, "certificate_serial": actor.serial},
                "deposited_at": now.isoformat().replace("+00:00", "Z"),
            }
            assert services.signer is not None
            document = Document(
                id=document_id, expertise_id=folder.expertise_id, designation_id=folder.designation_id,
                folder_id=folder.id, version=1,
                file_name=file_name, original_name=name, size=stored.size, sha256=stored.sha256,
                media_type=media_type, declared_media_type=(declared_media_type or None) and declared_media_type[:200],
                object_key=stored.key, depositor_account_id=actor.account_id, depositor_role=decision.role,
                cert_fingerprint=actor.fingerprint, deposited_at=now, receipt=services.signer.sign(facts))
            uow.vault.add_document(document, search_key(file_name), idempotency_key)
            readers = audience(services, uow, caller, folder)
            uow.publish(integration_events.deposited(document, folder, readers))
            uow.record(audit_entry(actor, action, f"document:{document.id}", "allowed", now, folder=folder.id,
                                   size=stored.size, sha256=stored.sha256, media_type=media_type))
            return document_view(document, folder) | {"receipt": document.receipt}

        return run(services, actor, action, target, record)
    except _Replayed as replayed:
        blobs.delete(stored.key)
        return replayed.body
    except BaseException:
        blobs.delete(stored.key)
        raise


class _Replayed(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__("replayed")
        self.body = body


# --- downloads -------------------------------------------------------------------------------

@dataclass
class Download:
    """A document to send: either its bytes (``reader``) or, when the gateway streams objects
    itself, a pre-signed URL for it (``presigned_url``) and the range asked for."""

    document: Document
    reader: BlobReader | None = None
    presigned_url: str | None = None
    byte_range: tuple[int, int] | None = None


def download(services: Services, actor: Actor, document_id: str,
             byte_range: Callable[[int], tuple[int, int] | None] | None = None, *,
             offload: bool = False) -> Download:
    """Open a document for streaming; the first download by the caller is recorded and published.

    With ``offload`` the bytes do not pass through this process: the caller gets a short-lived
    pre-signed URL for the gateway to stream (rights checked, read recorded and audited first).
    """
    action, target = "documents.download", f"document:{document_id}"
    now = services.clock()
    try:
        with services.unit_of_work() as uow:
            caller, folder, document = document_in(uow, actor, document_id)
            require(services, caller, folder, Operation.DOWNLOAD, document)
            if document.locked:
                raise DocumentLocked("Ce document a été verrouillé et ne peut plus être téléchargé.",
                                     rule="locked", reason=document.lock_reason)
        blobs = services.require_storage()
        wanted = byte_range(document.size) if byte_range else None
        if offload:
            result = Download(document, presigned_url=blobs.presigned_get(document.object_key), byte_range=wanted)
        else:
            result = Download(document, reader=blobs.open(document.object_key, wanted), byte_range=wanted)
    except VaultError as refusal:
        record_refusal(services, actor, action, target, now, refusal)
        raise
    try:
        with services.unit_of_work() as uow:
            if uow.vault.record_read(document.id, actor.account_id, now):
                uow.publish(integration_events.read(document, folder, actor.account_id, now))
            uow.record(audit_entry(actor, action, target, "allowed", now, expertise_id=document.expertise_id,
                                   range=f"bytes={wanted[0]}-{wanted[1]}" if wanted else None,
                                   offloaded=offload or None))
            uow.commit()
    except BaseException:
        if result.reader is not None:
            result.reader.close()
        raise
    return result


@dataclass
class ArchiveEntry:
    document: Document
    folder: Folder


@dataclass
class Archive:
    expertise: Expertise
    entries: list[ArchiveEntry] = field(default_factory=list)


def archive(services: Services, actor: Actor, expertise_id: str, document_ids: Sequence[str],
            max_documents: int) -> Archive:
    """Check every requested document; all must be downloadable (else the refusal names the first)."""
    if not document_ids:
        raise InvalidRequest("Aucun document demandé.")
    if len(document_ids) > max_documents:
        raise InvalidRequest(f"Au plus {max_documents} documents par archive.")

    def use_case(uow: VaultUnitOfWork, now: datetime) -> Archive:
        caller = caller_in(uow, actor, expertise_id)
        documents = {document.id: document for document in uow.vault.documents_by_ids(list(document_ids))}
        folders = {folder.id: folder for folder in uow.vault.folders(expertise_id)}
        result = Archive(caller.expertise)
        for document_id in dict.fromkeys(document_ids):
            document = documents.get(document_id)
            if document is None or document.expertise_id != expertise_id:
                raise NotFound(f"Document introuvable : {document_id}.")
            folder = folders[document.folder_id]
            require(services, caller, folder, Operation.DOWNLOAD, document)
            if document.locked:
                raise DocumentLocked(f"Le document {document.file_name} est verrouillé.", rule="locked")
            result.entries.append(ArchiveEntry(document, folder))
        for entry in result.entries:
            if uow.vault.record_read(entry.document.id, actor.account_id, now):
                uow.publish(integration_events.read(entry.document, entry.folder, actor.account_id, now))
        uow.record(audit_entry(actor, "documents.download_archive", f"expertise:{expertise_id}", "allowed", now,
                               documents=[entry.document.id for entry in result.entries]))
        return result

    services.require_storage()
    return run(services, actor, "documents.download_archive", f"expertise:{expertise_id}", use_case)


# --- one document ----------------------------------------------------------------------------

def _visible_document(services: Services, uow: VaultUnitOfWork, actor: Actor, document_id: str
                      ) -> tuple[Caller, Folder, Document]:
    caller, folder, document = document_in(uow, actor, document_id)
    decision = require(services, caller, folder, Operation.LIST)
    if not visible(decision, document):
        rule, detail = services.matrix.explain(caller.memberships, folder.ref, caller.expertise.status,
                                               Operation.DOWNLOAD)
        raise AccessDenied(detail, rule=rule, folder=folder.kind, status=caller.expertise.status)
    return caller, folder, document


def get_document(services: Services, actor: Actor, document_id: str) -> dict[str, Any]:
    def use_case(uow: VaultUnitOfWork, now: datetime) -> dict[str, Any]:
        caller, folder, document = _visible_document(services, uow, actor, document_id)
        read = uow.vault.read_ids(actor.account_id, [document.id])
        uow.record(audit_entry(actor, "documents.view", f"document:{document_id}", "allowed", now))
        return document_view(document, folder, new=document.id not in read, caller=caller)

    return run(services, actor, "documents.view", f"document:{document_id}", use_case)


def get_receipt(services: Services, actor: Actor, document_id: str) -> dict[str, Any]:
    def use_case(uow: VaultUnitOfWork, now: datetime) -> dict[str, Any]:
        _caller, _folder, document = _visible_document(services, uow, actor, document_id)
        uow.record(audit_entry(actor, "documents.receipt", f"document:{document_id}", "allowed", now))
        return dict(document.receipt)

    return run(services, actor, "documents.receipt", f"document:{document_id}", use_case)


def lock(services: Services, actor: Actor, document_id: str, reason: str) -> dict[str, Any]:
    """Lock a wrong deposit (its depositor or the owner expert): kept, listed, no longer downloadable."""
    def use_case(uow: VaultUnitOfWork, now: datetime) -> dict[str, Any]:
        caller, folder, document = document_in(uow, actor, document_id, for_update=True)
        require(services, caller, folder, Operation.LIST)
        if document.depositor_account_id != actor.account_id and not caller.is_owner_expert:
            raise AccessDenied("Seuls le déposant et l'expert peuvent verrouiller ce document.", rule="owner")
        if document.locked:
            raise Conflict("Ce document est déjà verrouillé.")
        document.locked_at, document.locked_by, document.lock_reason = now, actor.account_id, reason
        document.version += 1
        uow.vault.lock(document)
        uow.publish(integration_events.locked(document, folder))
        uow.record(audit_entry(actor, "documents.lock", f"document:{document_id}", "allowed", now, reason=reason))
        return document_view(document, folder, caller=caller)

    return run(services, actor, "documents.lock", f"document:{document_id}", use_case)


def set_share(services: Services, actor: Actor, document_id: str, participant_id: str, shared: bool
              ) -> dict[str, Any]:
    """The owner expert shares a document with a participant (or withdraws the share)."""
    action = "documents.share" if shared else "documents.unshare"

    def use_case(uow: VaultUnitOfWork, now: datetime) -> dict[str, Any]:
        caller, folder, document = document_in(uow, actor, document_id, for_update=True)
        require_owner(caller)
        participant = next((p for p in uow.vault.participants(document.expertise_id) if p.id == participant_id), None)
        if participant is None:
            raise NotFound("Participant introuvable dans cette expertise.")
        if shared == (participant_id in document.shared_with):
            return document_view(document, folder, caller=caller)
        if shared:
            uow.vault.share(document.id, participant_id, actor.account_id, now)
            document.shared_with = document.shared_with | {participant_id}
        else:
            uow.vault.unshare(document.id, participant_id)
            document.shared_with = document.shared_with - {participant_id}
        document.version += 1
        uow.vault.bump_version(document)
        uow.publish(integration_events.shared(document, folder, participant_id, participant.account_id, shared,
                                              actor.account_id, now))
        uow.record(audit_entry(actor, action, f"document:{document_id}", "allowed", now, participant=participant_id))
        return document_view(document, folder, caller=caller)

    return run(services, actor, action, f"document:{document_id}", use_case)


def contradictoire(services: Services, actor: Actor, document_id: str) -> dict[str, Any]:
    """The owner expert's view: everyone entitled to the document, who downloaded it and when."""
    def use_case(uow: VaultUnitOfWork, now: datetime) -> dict[str, Any]:
        caller, folder, document = document_in(uow, actor, document_id)
        require_owner(caller)
        entitled = entitled_accounts(services, uow, caller.expertise, folder, document)
        reads = uow.vault.reads(document.id)
        rows = [{
            "account_id": account_id,
            "participants": [{"id": p.id, "role": p.role, "display_name": p.display_name} for p in participants],
            "downloaded": account_id in reads, "first_read_at": reads.get(account_id),
        } for account_id, participants in sorted(entitled.items(), key=lambda item: item[1][0].display_name)]
        uow.record(audit_entry(actor, "documents.contradictoire", f"document:{document_id}", "allowed", now))
        return {"document": document_view(document, folder, caller=caller),
                "vus": [row for row in rows if row["downloaded"]],
                "non_vus": [row for row in rows if not row["downloaded"]],
                "seen_count": sum(row["downloaded"] for row in rows), "entitled_count": len(rows)}

    return run(services, actor, "documents.contradictoire", f"document:{document_id}", use_case)


def remind(services: Services, actor: Actor, document_id: str) -> dict[str, Any]:
    """*Relancer*: ask those entitled who have not downloaded the document yet."""
    def use_case(uow: VaultUnitOfWork, now: datetime) -> dict[str, Any]:
        caller, folder, document = document_in(uow, actor, document_id)
        require_owner(caller)
        reads = uow.vault.reads(document.id)
        missing = sorted(account for account in entitled_accounts(services, uow, caller.expertise, folder, document)
                         if account not in reads and account != actor.account_id)
        if not missing:
            raise Conflict("Tous les participants concernés ont déjà téléchargé ce document.")
        uow.publish(integration_events.read_reminder_requested(document, folder, missing, actor.account_id, now,
                                                               caller.expertise.display_name))
        uow.record(audit_entry(actor, "documents.remind", f"document:{document_id}", "allowed", now,
                               accounts=len(missing)))
        return {"document_id": document.id, "reminded_account_ids": missing}

    return run(services, actor, "documents.remind", f"document:{document_id}", use_case)


def search(services: Services, actor: Actor, query: str, limit: int = 50) -> dict[str, Any]:
    """File names (accent- and case-insensitive) among what the caller may read."""
    key = search_key(query.strip())
    if len(key) < 2:
        raise InvalidRequest("La recherche demande au moins deux caractères.")

    def use_case(uow: VaultUnitOfWork, now: datetime) -> dict[str, Any]:
        expertise_ids = uow.vault.expertises_of(actor.account_id)
        found = uow.vault.search(expertise_ids, key, limit * 4) if expertise_ids else []
        callers: dict[str, Caller] = {}
        folders: dict[str, Folder] = {}
        items = []
        for document in found:
            if document.expertise_id not in callers:
                callers[document.expertise_id] = caller_in(uow, actor, document.expertise_id)
                folders.update({f.id: f for f in uow.vault.folders(document.expertise_id)})
            caller, folder = callers[document.expertise_id], folders[document.folder_id]
            if visible(decide(services, caller, folder), document):
                items.append(document_view(document, folder))
            if len(items) == limit:
                break
        uow.record(audit_entry(actor, "documents.search", "search", "allowed", now, results=len(items)))
        return {"query": query, "items": items}

    return run(services, actor, "documents.search", "search", use_case)


def memberships_of(participants: Iterable[Participant]) -> list[Membership]:
    return [participant.membership() for participant in participants]
