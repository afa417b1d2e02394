"""Create the development key that signs principal tokens, and its public JWKS.

    python deploy/local/devkeys.py KEYS_DIR

Writes ``KEYS_DIR/principal-signing.jwk.json`` (Ed25519 private JWK, mode 600) once,
and rewrites ``KEYS_DIR/jwks.json`` (the public half) from it on every run, so the
two always match. Services verify tokens with ``<SVC>_JWKS_FILE=KEYS_DIR/jwks.json``.
The key id is the RFC 7638 thumbprint of the public key, so it is stable for a key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

PRIVATE_NAME = "principal-signing.jwk.json"
PUBLIC_NAME = "jwks.json"
PUBLIC_MEMBERS = ("kty", "crv", "x")


def thumbprint(public_jwk: dict[str, str]) -> str:
    """RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order."""
    canonical = json.dumps({k: public_jwk[k] for k in sorted(PUBLIC_MEMBERS)}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_private_jwk() -> dict[str, str]:
    jwk = json.loads(OKPAlgorithm.to_jwk(Ed25519PrivateKey.generate()))
    return {**jwk, "kid": thumbprint(jwk), "alg": "EdDSA", "use": "sig"}


def write_private(path: Path, jwk: dict[str, str]) -> None:
    # Created with mode 600 from the start: the key never exists world-readable.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(jwk, out, indent=2)
        out.write("\n")


def main(keys_dir: Path) -> None:
    keys_dir.mkdir(parents=True, exist_ok=True)
    private_path = keys_dir / PRIVATE_NAME
    if not private_path.exists():
        write_private(private_path, new_private_jwk())
    os.chmod(private_path, 0o600)
    private = json.loads(private_path.read_text(encoding="utf-8"))
    public = {k: private[k] for k in (*PUBLIC_MEMBERS, "kid", "alg", "use")}
    (keys_dir / PUBLIC_NAME).write_text(json.dumps({"keys": [public]}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} KEYS_DIR")
    main(Path(sys.argv[1]))
