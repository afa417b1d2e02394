"""Settings of the identity service, from ``IDENTITY_*`` environment variables.

Key material is given as file contents (``IDENTITY_SIGNING_KEY_FILE=/run/secrets/...``, the
common ``*_FILE`` rule); the trusted issuers are a directory. Every field has a default so that
tests and tools can build the app piecemeal; :meth:`Settings.require_api` is what a real API
process calls to refuse to start without its keys.
"""

from __future__ import annotations

from typing import ClassVar

from scelle_common.config import ConfigError, ServiceSettings

DEFAULT_FAMILIES = "justice,avocats,experts,scelle"


class Settings(ServiceSettings):
    env_prefix: ClassVar[str] = "IDENTITY_"

    # Principal tokens: the current private signing key (a private JWK with its ``kid``). The
    # public JWKS every service verifies with is the common ``jwks`` setting.
    signing_key: str = ""
    token_ttl_seconds: int = 300
    # How long the gateway may cache an unconditional principal answer (X-Accel-Expires).
    auth_cache_seconds: int = 30
    # When set, /internal/v1/authenticate answers only requests carrying it in
    # X-Scelle-Gateway-Secret (on top of the network policy that lets only nginx reach it).
    gateway_secret: str = ""

    # Trust: ``<dir>/<family>/**/*.pem`` holds that family's CA certificates and CRLs
    # (``var/pki/cas`` in development). Only the families listed are trusted.
    trusted_issuers_dir: str = ""
    trusted_families: str = DEFAULT_FAMILIES
    trust_reload_seconds: float = 30.0

    # Scellé's software-certificate CA (PEM contents, usually through *_FILE).
    software_ca_cert: str = ""
    software_ca_key: str = ""
    software_certificate_days: int = 1095
    crl_days: int = 7

    # Mail and the links it carries.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Scellé <ne-pas-repondre@scelle.localhost>"
    public_url: str = "https://scelle.localhost:8443"
    association_link_minutes: int = 30
    package_link_hours: int = 72

    def families(self) -> tuple[str, ...]:
        """The trusted family names, in the configured order."""
        return tuple(name.strip() for name in self.trusted_families.split(",") if name.strip())

    def require_api(self) -> None:
        """Stop a real API process that lacks what the gateway contract needs."""
        missing = [
            self.variable(name)
            for name in ("signing_key", "jwks", "trusted_issuers_dir", "software_ca_cert", "software_ca_key")
            if not getattr(self, name)
        ]
        if missing:
            raise ConfigError("invalid configuration: " + "; ".join(
                f"{name} is required" + ("" if name.endswith("_DIR") else f" (or {name}_FILE)") for name in missing
            ))
