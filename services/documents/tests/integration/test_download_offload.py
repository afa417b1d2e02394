"""Downloads handed to the gateway: rights, read and audit in the vault, bytes from S3 via nginx.

With ``DOCUMENTS_DOWNLOAD_OFFLOAD_LOCATION`` the API answers ``X-Accel-Redirect`` to a short-lived
pre-signed URL under that internal location; nginx fetches it from S3 (Range passed through). Here
the test plays nginx: it strips the location and fetches the URL from the S3 server.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from scelle_documents.entrypoints.flask_app import create_app

from .conftest import Case, audit_rows, outbox_events


@pytest.fixture(scope="module")
def offloading_app(settings) -> Any:  # noqa: ANN001
    app = create_app(settings.model_copy(update={"download_offload_location": "/_scelle/s3/"}))
    yield app
    app.extensions["scelle_runtime"].close()


def test_a_download_is_redirected_to_a_presigned_object_after_rights_read_and_audit(offloading_app, principal_signer,
                                                                                    s3_endpoint, database_url):
    case = Case(offloading_app, principal_signer).create()
    case.add_party("A")
    avocat = case.add_participant("avocat", "avocat", parties=["A"])
    case.set_status("en_cours")
    folders = case.folders()
    data = b"%PDF-1.7 " + bytes(range(256)) * 40
    document = case.members["expert"].deposit(folders["expert/correspondance"]["id"], "Note é.pdf", data).get_json()

    response = avocat.get(f"/v1/documents/{document['id']}/content")
    assert response.status_code == 200 and response.data == b""
    redirect = response.headers["X-Accel-Redirect"]
    assert redirect.startswith("/_scelle/s3/") and "X-Amz-Signature=" in redirect
    assert response.headers["Content-Disposition"].endswith("filename*=UTF-8''Note%20%C3%A9.pdf")
    assert response.mimetype == "application/pdf"
    fetched = requests.get(s3_endpoint.url + redirect.removeprefix("/_scelle/s3"), headers={"Range": "bytes=0-8"},
                           timeout=10)
    assert fetched.status_code == 206 and fetched.content == data[:9]
    assert [e.data["account_id"] for e in outbox_events(database_url, subject=document["id"],
                                                        name="documents.document_read.v1")] == [avocat.account_id]
    assert audit_rows(database_url, "documents.download", f"document:{document['id']}")[-1].details["offloaded"]

    hidden = case.members["expert"].deposit(folders["expert/gestion-financiere"]["id"], "f.pdf", data).get_json()
    refused = avocat.get(f"/v1/documents/{hidden['id']}/content")
    assert refused.status_code == 403 and "X-Accel-Redirect" not in refused.headers
