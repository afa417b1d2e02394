"""Settings of the notification service, from ``NOTIFICATION_*`` environment variables."""

from typing import ClassVar

from scelle_common.config import ServiceSettings


class Settings(ServiceSettings):
    env_prefix: ClassVar[str] = "NOTIFICATION_"

    # Delivery (``scelle-notification send-mail``).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Scellé <ne-pas-repondre@scelle.localhost>"
    send_batch_size: int = 50
    send_idle_seconds: float = 2.0
    send_lease_seconds: int = 300
    retry_first_seconds: int = 30
    retry_longest_seconds: int = 3600
    retry_max_attempts: int = 30
    # Links in mails point here (the gateway's public address).
    public_url: str = "https://scelle.localhost:8443"
    # Digest: people per transaction (a crash loses at most one chunk's work, redone on rerun).
    digest_chunk_size: int = 500
