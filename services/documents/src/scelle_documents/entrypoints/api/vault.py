"""Folders, documents, deposits, downloads (single, ranged, ZIP), receipts, shares, locks, reads."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Response, request
from flask_smorest import Blueprint
from zipstream import ZIP_STORED, ZipStream

from scelle_common.http import Problem, public
from scelle_documents.domain.errors import StorageUnavailable
from scelle_documents.domain.receipts import verify_receipt
from scelle_documents.entrypoints.api.common import actor, json_response, services
from scelle_documents.entrypoints.api.schemas import (
    ArchiveInput,
    DepositQuery,
    LockInput,
    PageQuery,
    ReceiptInput,
    SearchQuery,
    SubfolderInput,
)
from scelle_documents.service_layer import handlers

blueprint = Blueprint("documents", __name__, url_prefix="/v1", description="Le coffre : dossiers et documents")
BINARY = {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}


def content_disposition(file_name: str) -> str:
    """RFC 6266: an ASCII fallback and the UTF-8 name in ``filename*``."""
    fallback = unicodedata.normalize("NFKD", file_name).encode("ascii", "ignore").decode()
    fallback = re.sub(r'[^A-Za-z0-9._ ()\-]', "_", fallback).strip() or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


@blueprint.route("/expertises/<expertise_id>/folders", methods=["GET"])
@blueprint.doc(summary="Les dossiers visibles, avec le nombre de documents et de nouveaux")
def list_folders(expertise_id: str) -> Response:
    return json_response(handlers.list_folders(services(), actor(), expertise_id))


@blueprint.route("/designations/<designation_id>/folders", methods=["GET"])
@blueprint.doc(summary="Le dossier d'une désignation (demande, réponse) : désignateur et expert désigné")
def list_designation_folders(designation_id: str) -> Response:
    return json_response(handlers.list_designation_folders(services(), actor(), designation_id))


@blueprint.route("/folders/<folder_id>/subfolders", methods=["POST"])
@blueprint.arguments(SubfolderInput)
@blueprint.doc(summary="Créer un sous-dossier là où l'on peut déposer")
def create_subfolder(body: dict[str, Any], folder_id: str) -> Response:
    return json_response(handlers.create_subfolder(services(), actor(), folder_id, body["name"]), 201)


@blueprint.route("/folders/<folder_id>/documents", methods=["GET"])
@blueprint.arguments(PageQuery, location="query")
@blueprint.doc(summary="Les documents d'un dossier (nouveaux marqués)")
def list_documents(query: dict[str, Any], folder_id: str) -> Response:
    return json_response(handlers.list_documents(services(), actor(), folder_id, limit=query["limit"],
                                                 cursor=query["cursor"]))


@blueprint.route("/folders/<folder_id>/documents", methods=["POST"], endpoint="deposit")
@blueprint.arguments(DepositQuery, location="query")
@blueprint.doc(summary="Déposer un fichier (corps brut, diffusé en continu vers le stockage)",
               requestBody={"required": True, **BINARY},
               parameters=[{"in": "header", "name": "Idempotency-Key", "required": False,
                            "schema": {"type": "string", "maxLength": 200},
                            "description": "retrying with the same key gives back the first document"}])
def deposit(query: dict[str, Any], folder_id: str) -> Response:
    stream = request.stream
    key = (request.headers.get("Idempotency-Key") or "").strip()[:200] or None
    result = handlers.deposit(services(), actor(), folder_id, query["name"],
                              request.mimetype or None, stream.read, request.content_length, key)
    return json_response(result, 201, {"Location": f"/v1/documents/{result['id']}"})


@blueprint.route("/documents/<document_id>", methods=["GET"])
@blueprint.doc(summary="Un document (métadonnées)")
def get_document(document_id: str) -> Response:
    return json_response(handlers.get_document(services(), actor(), document_id))


@blueprint.route("/documents/<document_id>/content", methods=["GET"])
@blueprint.doc(summary="Télécharger (Range accepté)", responses={"200": BINARY, "206": BINARY})
def download(document_id: str) -> Response:
    ranges = request.range
    unsatisfiable: list[int] = []

    def wanted(size: int) -> tuple[int, int] | None:
        if ranges is None or len(ranges.ranges) != 1 or ranges.units != "bytes":
            return None
        bounds = ranges.range_for_length(size)
        if bounds is None:
            unsatisfiable.append(size)
            return None
        return bounds[0], bounds[1] - 1

    vault = services()
    offload = vault.download_offload_location
    result = handlers.download(vault, actor(), document_id, wanted, offload=bool(offload))
    document = result.document
    if unsatisfiable:
        if result.reader is not None:
            result.reader.close()
        raise Problem(416, "range-not-satisfiable", "Plage demandée impossible",
                      headers={"Content-Range": f"bytes */{document.size}"})
    headers = {"Content-Disposition": content_disposition(document.file_name), "Accept-Ranges": "bytes",
               "ETag": f'"{document.sha256}"', "X-Content-SHA256": document.sha256,
               "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    if result.presigned_url is not None:
        # The gateway streams the object itself from S3 (Range passed through); it keeps
        # Content-Type, Content-Disposition, Accept-Ranges and Cache-Control from this answer.
        signed = urlsplit(result.presigned_url)
        headers["X-Accel-Redirect"] = f"{offload.rstrip('/')}{signed.path}?{signed.query}"
        return Response(b"", status=200, mimetype=document.media_type, headers=headers)
    reader = result.reader
    assert reader is not None
    headers["Content-Length"] = str(reader.length)
    status = 200
    if reader.content_range:
        headers["Content-Range"] = reader.content_range
        status = 206
    return Response(reader.chunks, status=status, mimetype=document.media_type, headers=headers,
                    direct_passthrough=True)


@blueprint.route("/expertises/<expertise_id>/archive", methods=["POST"])
@blueprint.arguments(ArchiveInput)
@blueprint.doc(summary="Télécharger plusieurs documents en un ZIP diffusé au fil de l'eau (ZIP64)",
               responses={"200": {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}})
def archive(body: dict[str, Any], expertise_id: str) -> Response:
    vault = services()
    settings_limit = vault_limit()
    result = handlers.archive(vault, actor(), expertise_id, body["document_ids"], settings_limit)
    blobs = vault.require_storage()
    stream = ZipStream(compress_type=ZIP_STORED, sized=True)
    used: set[str] = set()

    def content(key: str) -> Iterator[bytes]:
        reader = blobs.open(key)
        yield from reader.chunks

    for entry in result.entries:
        folder_label = "/".join(part.strip().replace("/", "_") for part in entry.folder.label.split(" / "))
        name = f"{folder_label}/{entry.document.file_name}"
        stem, dot, extension = name.rpartition(".")
        counter = 1
        while name in used:
            counter += 1
            name = f"{stem} ({counter}).{extension}" if dot and "/" not in extension else f"{name} ({counter})"
        used.add(name)
        stream.add(content(entry.document.object_key), name, size=entry.document.size)
    file_name = (body.get("name") or result.expertise.display_name or "documents")[:150] + ".zip"
    headers = {"Content-Disposition": content_disposition(file_name), "Content-Length": str(len(stream)),
               "Cache-Control": "private, no-store"}
    return Response(_guarded(iter(stream)), mimetype="application/zip", headers=headers, direct_passthrough=True)


def _guarded(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Once the status line is out, a storage failure can only cut the stream (the client sees it)."""
    try:
        yield from chunks
    except StorageUnavailable:
        return


def vault_limit() -> int:
    from flask import current_app

    return int(current_app.extensions["scelle_runtime"].settings.zip_max_documents)


@blueprint.route("/documents/<document_id>/receipt", methods=["GET"])
@blueprint.doc(summary="L'accusé de dépôt signé (JSON)")
def receipt(document_id: str) -> Response:
    body = handlers.get_receipt(services(), actor(), document_id)
    return json_response(body, headers={"Content-Disposition": content_disposition(
        f"accuse-de-depot-{document_id}.json")})


@blueprint.route("/receipts/verification", methods=["POST"])
@blueprint.arguments(ReceiptInput)
@blueprint.doc(summary="Vérifier un accusé de dépôt (signature seule, sans accès au coffre)")
def verify(body: dict[str, Any]) -> Response:
    vault = services()
    if vault.signer is None:
        raise StorageUnavailable("La clé des accusés de dépôt n'est pas configurée.")
    outcome = verify_receipt(body, vault.signer.public_jwks())
    return json_response({"valid": outcome.valid, "reason": outcome.reason, "key_id": outcome.key_id})


@blueprint.route("/receipt-keys", methods=["GET"])
@blueprint.doc(summary="Les clés publiques qui vérifient les accusés de dépôt (JWKS)")
@public
def receipt_keys() -> Response:
    vault = services()
    return json_response(vault.signer.public_jwks() if vault.signer else {"keys": []})


@blueprint.route("/documents/<document_id>/lock", methods=["POST"])
@blueprint.arguments(LockInput)
@blueprint.doc(summary="Verrouiller un dépôt erroné (déposant ou expert)")
def lock(body: dict[str, Any], document_id: str) -> Response:
    return json_response(handlers.lock(services(), actor(), document_id, body["reason"]))


@blueprint.route("/documents/<document_id>/shares/<participant_id>", methods=["PUT"])
@blueprint.doc(summary="Partager avec un participant (expert)")
def share(document_id: str, participant_id: str) -> Response:
    return json_response(handlers.set_share(services(), actor(), document_id, participant_id, True))


@blueprint.route("/documents/<document_id>/shares/<participant_id>", methods=["DELETE"])
@blueprint.doc(summary="Retirer un partage (expert)")
def unshare(document_id: str, participant_id: str) -> Response:
    return json_response(handlers.set_share(services(), actor(), document_id, participant_id, False))


@blueprint.route("/documents/<document_id>/contradictoire", methods=["GET"])
@blueprint.doc(summary="Vus / Non vus : qui a téléchargé le document, quand (expert)")
def contradictoire(document_id: str) -> Response:
    return json_response(handlers.contradictoire(services(), actor(), document_id))


@blueprint.route("/documents/<document_id>/reminders", methods=["POST"])
@blueprint.doc(summary="Relancer ceux qui n'ont pas encore téléchargé le document (expert)")
def remind(document_id: str) -> Response:
    return json_response(handlers.remind(services(), actor(), document_id), 202)


@blueprint.route("/search", methods=["GET"])
@blueprint.arguments(SearchQuery, location="query")
@blueprint.doc(summary="Rechercher par nom de fichier (sans accents) parmi ce que l'on peut lire")
def search(query: dict[str, Any]) -> Response:
    return json_response(handlers.search(services(), actor(), query["q"], query["limit"]))
