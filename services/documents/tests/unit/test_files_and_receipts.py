"""File names, content sniffing and signed receipts (pure rules)."""

from __future__ import annotations

import json

import pytest

from scelle_documents.domain.files import sanitize_file_name, search_key, sniff_media_type
from scelle_documents.domain.receipts import ReceiptSigner, new_private_jwk, verify_receipt


@pytest.mark.parametrize("given, kept", [
    ("rapport.pdf", "rapport.pdf"),
    ("../../etc/passwd", "_.._etc_passwd"),
    ("a\\b\x00c\x1fd.txt", "a_b_c_d.txt"),
    ("Cafe\u0301.pdf", "Café.pdf"),  # NFC
    ("  .cache  ", "cache"),
    ("evil\u202etxt.exe", "evil_txt.exe"),
])
def test_names_lose_separators_control_characters_and_leading_dots(given, kept):
    assert sanitize_file_name(given) == kept


def test_long_names_are_cut_to_255_bytes_keeping_the_extension():
    name = sanitize_file_name("é" * 300 + ".pdf")
    assert len(name.encode()) <= 255 and name.endswith(".pdf")


@pytest.mark.parametrize("given", ["", "   ", "/", "\x00\x01"])
def test_nothing_usable_is_refused(given):
    with pytest.raises(ValueError):
        sanitize_file_name(given)


def test_search_ignores_case_and_accents():
    assert search_key("Rapport d'ÉTAPE") == search_key("rapport d'etape")


@pytest.mark.parametrize("head, media_type", [
    (b"%PDF-1.7\n", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n....", "image/png"),
    (b"\xff\xd8\xff\xe0", "image/jpeg"),
    (b"PK\x03\x04....word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"MZ\x90\x00", "application/x-msdownload"),
    ("Procès-verbal".encode(), "text/plain"),
    (b"\x00\x01\x02\x03", "application/octet-stream"),
])
def test_the_content_says_its_type(head, media_type):
    assert sniff_media_type(head) == media_type


def test_a_signed_receipt_verifies_offline_and_any_change_breaks_it():
    signer = ReceiptSigner.from_jwk(json.dumps(new_private_jwk()))
    receipt = signer.sign({"document_id": "d1", "sha256": "ab" * 32, "size": 3, "file_name": "Pièce.pdf"})
    keys = signer.public_jwks()
    assert verify_receipt(receipt, keys).valid
    assert not verify_receipt(receipt | {"size": 4}, keys).valid
    other = ReceiptSigner.from_jwk(json.dumps(new_private_jwk()))
    assert verify_receipt(receipt, other.public_jwks()).reason == "unknown signing key"
    assert not verify_receipt({"hello": "world"}, keys).valid
