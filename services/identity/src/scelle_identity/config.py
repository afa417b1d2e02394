"""Settings of the identity service, from ``IDENTITY_*`` environment variables."""

from typing import ClassVar

from scelle_common.config import ServiceSettings


class Settings(ServiceSettings):
    env_prefix: ClassVar[str] = "IDENTITY_"
