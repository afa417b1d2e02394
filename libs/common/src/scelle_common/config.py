"""Typed, frozen settings read once from environment variables.

Every service declares a subclass of :class:`ServiceSettings` with its own
``env_prefix`` (``EXPERTISE_``, ``DOCUMENTS_``…). A value may also be given
through a file named by ``<PREFIX><FIELD>_FILE`` so that Kubernetes secrets and
dev keys never travel through the environment itself. A missing or malformed
value stops the process with a message naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError


class ConfigError(RuntimeError):
    """Raised when the environment does not describe a runnable service."""


class ServiceSettings(BaseModel):
    """What every Scellé service process needs; subclasses add their own fields.

    A subclass sets ``env_prefix = "EXPERTISE_"`` and declares extra fields with
    defaults or as required.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    env_prefix: ClassVar[str] = ""

    database_url: str
    broker_url: str
    jwks: str = ""
    log_level: str = "INFO"
    statement_timeout_ms: int = 30_000
    max_request_bytes: int = 1_048_576
    events_exchange: str = "scelle.events"
    queue_prefix: str = ""
    relay_batch_size: int = 200
    relay_idle_seconds: float = 1.0
    consumer_prefetch: int = 32
    delivery_limit: int = 5

    @classmethod
    def variable(cls, field_name: str) -> str:
        """The environment variable that carries ``field_name``."""
        return (cls.env_prefix + field_name).upper()


SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


def load_settings(settings_cls: type[SettingsT], environ: Mapping[str, str] | None = None) -> SettingsT:
    """Parse ``environ`` (default: the process environment) into frozen settings.

    ``FOO`` wins over ``FOO_FILE``. Raises :class:`ConfigError` naming every
    missing or invalid variable, never echoing a value (it may be a secret).
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name in settings_cls.model_fields:
        variable = settings_cls.variable(name)
        if variable in environ:
            values[name] = environ[variable]
        elif f"{variable}_FILE" in environ:
            values[name] = _read_secret_file(f"{variable}_FILE", environ[f"{variable}_FILE"])
    try:
        return settings_cls.model_validate(values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            variable = settings_cls.variable(str(error["loc"][0]))
            if error["type"] == "missing":
                problems.append(f"{variable} is required (or {variable}_FILE)")
            else:
                problems.append(f"{variable}: {error['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None


def _read_secret_file(variable: str, path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{variable}={path} cannot be read: {exc.strerror}") from None
