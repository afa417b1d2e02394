"""Composition root of the identity service: settings → runtime → the use cases' dependencies."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from scelle_common.config import ConfigError, load_settings
from scelle_common.runtime import ServiceRuntime
from scelle_identity.adapters.mailer import SmtpMailer
from scelle_identity.adapters.signing import TokenSigner
from scelle_identity.adapters.software_ca import SoftwareCA
from scelle_identity.adapters.trust_store import TrustStore
from scelle_identity.config import Settings
from scelle_identity.domain.profiles import SOFTWARE_FAMILY
from scelle_identity.service_layer.context import Services, utc_now
from scelle_identity.service_layer.ports import Clock, Mailer, Policy
from scelle_identity.service_layer.unit_of_work import IdentityUnitOfWork

SERVICE = "identity"
SERVICE_ROOT = Path(__file__).resolve().parents[2]


def build_runtime(settings: Settings | None = None) -> ServiceRuntime:
    """Everything the identity processes need, from the environment unless ``settings`` is given."""
    return ServiceRuntime.build(SERVICE, SERVICE_ROOT, settings or load_settings(Settings))


def settings_of(runtime: ServiceRuntime) -> Settings:
    settings = runtime.settings
    if not isinstance(settings, Settings):
        raise TypeError("the identity runtime needs identity Settings")
    return settings


def build_services(runtime: ServiceRuntime, *, clock: Clock = utc_now, mailer: Mailer | None = None) -> Services:
    """The use cases' dependencies; the key material that is configured, and only that, is loaded.

    Raises :class:`ConfigError` when what is configured does not hold together (a signing key
    missing from the JWKS, a software CA the trust store does not trust...).
    """
    settings = settings_of(runtime)
    authority = None
    if settings.software_ca_cert and settings.software_ca_key:
        authority = SoftwareCA(settings.software_ca_cert, settings.software_ca_key)
    trust = None
    if settings.trusted_issuers_dir:
        trust = TrustStore(
            Path(settings.trusted_issuers_dir), settings.families(), reload_seconds=settings.trust_reload_seconds,
            # identity keeps the revocations of the certificates its own CA issued.
            self_managed_issuers=[authority.certificate.subject] if authority else [],
        )
        if authority is not None and trust.family_of_ca(authority.certificate) != SOFTWARE_FAMILY:
            raise ConfigError(
                f"the software-certificate CA must be a trusted CA of the '{SOFTWARE_FAMILY}' family "
                f"under {settings.trusted_issuers_dir}: its certificates could not log in otherwise"
            )
    signer = TokenSigner(settings.signing_key, settings.jwks) if settings.signing_key else None
    return Services(
        unit_of_work=lambda: IdentityUnitOfWork(runtime.session_factory, runtime.outbox, runtime.audit),
        policy=Policy(
            token_ttl_seconds=settings.token_ttl_seconds,
            auth_cache_seconds=settings.auth_cache_seconds,
            association_link_ttl=timedelta(minutes=settings.association_link_minutes),
            package_link_ttl=timedelta(hours=settings.package_link_hours),
            software_certificate_validity=timedelta(days=settings.software_certificate_days),
            crl_validity=timedelta(days=settings.crl_days),
            public_url=settings.public_url,
        ),
        clock=clock,
        mailer=mailer or SmtpMailer(settings.smtp_host, settings.smtp_port, settings.mail_from,
                                    settings.smtp_timeout_seconds),
        signer=signer,
        trust=trust,
        authority=authority,
    )
