"""Settings of the notification service, from ``NOTIFICATION_*`` environment variables."""

from typing import ClassVar

from scelle_common.config import ServiceSettings


class Settings(ServiceSettings):
    env_prefix: ClassVar[str] = "NOTIFICATION_"
