"""Settings of the designation service, from ``DESIGNATION_*`` environment variables."""

from typing import ClassVar

from scelle_common.config import ServiceSettings


class Settings(ServiceSettings):
    env_prefix: ClassVar[str] = "DESIGNATION_"
