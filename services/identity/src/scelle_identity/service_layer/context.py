"""The dependencies every use case receives, and the few helpers they share."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scelle_common.audit import audit_entry
from scelle_identity.domain.errors import NotAllowed, NotConfigured
from scelle_identity.domain.profiles import REGISTRANT, SERVICE
from scelle_identity.service_layer.ports import CertificateAuthority, Clock, Mailer, Policy, Signer, Trust
from scelle_identity.service_layer.unit_of_work import IdentityUnitOfWork


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """The one way identity makes ids (accounts, links, packages)."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Actor:
    """Who asks, as the principal token (or the command line) says."""

    account_id: str | None
    profile: str
    fingerprint: str | None = None
    serial: str | None = None
    client_ip: str | None = None

    @property
    def is_account(self) -> bool:
        return self.account_id is not None and self.profile not in (REGISTRANT, SERVICE, "system")

    def require_account(self) -> str:
        """The account id of a registered holder; refuses registrants and services."""
        if not self.is_account or self.account_id is None:
            raise NotAllowed("Cette action demande un compte inscrit.")
        return self.account_id

    def require_profile(self, *profiles: str) -> str:
        account_id = self.require_account()
        if self.profile not in profiles:
            raise NotAllowed(f"Action réservée aux profils : {', '.join(profiles)}.")
        return account_id


SYSTEM = Actor(account_id=None, profile="system")


@dataclass
class Services:
    """Composition of the use cases' dependencies (built by ``bootstrap``)."""

    unit_of_work: Callable[[], IdentityUnitOfWork]
    policy: Policy = field(default_factory=Policy)
    clock: Clock = utc_now
    mailer: Mailer | None = None
    signer: Signer | None = None
    trust: Trust | None = None
    authority: CertificateAuthority | None = None

    def require_signer(self) -> Signer:
        if self.signer is None:
            raise NotConfigured("Aucune clé de signature des jetons n'est configurée (IDENTITY_SIGNING_KEY).")
        return self.signer

    def require_trust(self) -> Trust:
        if self.trust is None:
            raise NotConfigured("Aucune autorité de confiance n'est configurée (IDENTITY_TRUSTED_ISSUERS_DIR).")
        return self.trust

    def require_authority(self) -> CertificateAuthority:
        if self.authority is None:
            raise NotConfigured("L'autorité des certificats logiciels n'est pas configurée (IDENTITY_SOFTWARE_CA_*).")
        return self.authority

    def require_mailer(self) -> Mailer:
        if self.mailer is None:
            raise NotConfigured("Aucun serveur de courriel n'est configuré (IDENTITY_SMTP_HOST).")
        return self.mailer

