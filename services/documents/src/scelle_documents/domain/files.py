"""File names and content types: what a depositor claims is cleaned or checked, never trusted."""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_BYTES = 255
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\u0080-\u009f/\\\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def sanitize_file_name(name: str) -> str:
    """NFC, no path separators or control/bidi characters, no leading dots, at most 255 UTF-8 bytes.

    Raises ``ValueError`` when nothing usable is left.
    """
    cleaned = unicodedata.normalize("NFC", name)
    cleaned = _FORBIDDEN.sub("_", cleaned).strip().lstrip(".").strip()
    if not cleaned or set(cleaned) <= {"_", " "}:
        raise ValueError("le nom de fichier est vide")
    if len(cleaned.encode()) > MAX_NAME_BYTES:
        stem, dot, extension = cleaned.rpartition(".")
        if not dot or len(extension.encode()) > 16:
            stem, extension = cleaned, ""
        budget = MAX_NAME_BYTES - len(extension.encode()) - (1 if extension else 0)
        stem = stem.encode()[:budget].decode(errors="ignore")
        cleaned = f"{stem}.{extension}" if extension else stem
    return cleaned


def search_key(text: str) -> str:
    """Lower case without diacritics: what accent-insensitive search compares."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


# Signatures at offset 0 → media type. Order matters: the first match wins.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"{\\rtf", "application/rtf"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"\x1f\x8b", "application/gzip"),
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"),
)
_OOXML = {"word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
SNIFF_BYTES = 4096
DEFAULT_FORBIDDEN_TYPES = frozenset({"application/x-msdownload", "application/x-executable"})


def sniff_media_type(head: bytes) -> str:
    """The media type the first bytes show (at least the first 4 KiB when the file has them)."""
    for signature, media_type in _SIGNATURES:
        if head.startswith(signature):
            return media_type
    if head.startswith(b"PK\x03\x04"):
        text = head[:SNIFF_BYTES].decode("latin-1")
        if "mimetypeapplication/vnd.oasis.opendocument.text" in text:
            return "application/vnd.oasis.opendocument.text"
        for marker, media_type in _OOXML.items():
            if marker in text:
                return media_type
        return "application/zip"
    if head[4:12] in (b"ftypisom", b"ftypmp42", b"ftypM4A ", b"ftypqt  "):
        return "video/mp4"
    sample = head[:SNIFF_BYTES]
    if sample and b"\x00" not in sample:
        try:
            sample.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(sample) - 4:  # not merely a character cut by the sample's end
                return "application/octet-stream"
        return "text/plain"
    return "application/octet-stream"
