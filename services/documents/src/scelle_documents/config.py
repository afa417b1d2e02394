"""Settings of the documents service, from ``DOCUMENTS_*`` environment variables."""

from typing import ClassVar

from scelle_common.config import ServiceSettings


class Settings(ServiceSettings):
    env_prefix: ClassVar[str] = "DOCUMENTS_"
