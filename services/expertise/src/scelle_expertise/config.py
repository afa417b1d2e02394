"""Settings of the expertise service, from ``EXPERTISE_*`` environment variables."""

from typing import ClassVar

from scelle_common.config import ServiceSettings


class Settings(ServiceSettings):
    env_prefix: ClassVar[str] = "EXPERTISE_"
