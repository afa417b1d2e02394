"""Principal tokens for tests: a throwaway Ed25519 key pair that signs like identity does."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from scelle_common.http.principal import ISSUER


@dataclass
class PrincipalSigner:
    """An Ed25519 key with a ``kid``, its public JWKS, and a signer of principal tokens."""

    kid: str
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> PrincipalSigner:
        return cls(kid=f"test-{uuid.uuid4().hex[:8]}", private_key=Ed25519PrivateKey.generate())

    @property
    def jwks(self) -> str:
        public = json.loads(OKPAlgorithm.to_jwk(self.private_key.public_key()))
        public.update({"kid": self.kid, "alg": "EdDSA", "use": "sig"})
        return json.dumps({"keys": [public]})

    def sign(self, *, account_id: str = "acc-test", profile: str = "expert", lifetime: int = 300,
             issued_at: int | None = None, **claims: Any) -> str:
        """A principal token as identity would issue it; override any claim."""
        now = int(time.time()) if issued_at is None else issued_at
        payload = {
            "iss": ISSUER,
            "sub": account_id,
            "prf": profile,
            "cfp": "ab" * 32,
            "csn": "01",
            "ip": "127.0.0.1",
            "iat": now,
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
        } | claims
        return jwt.encode(payload, self.private_key, algorithm="EdDSA", headers={"kid": self.kid})
