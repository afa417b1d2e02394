"""Settings of the portal, from ``PORTAL_*`` environment variables.

The portal owns no data (DESIGN.md §2): it has no database and publishes no event. The shared
:class:`ServiceSettings` requires a database and a broker URL; here both default to empty and
are never used.
"""

from typing import ClassVar

from scelle_common.config import ServiceSettings


class Settings(ServiceSettings):
    env_prefix: ClassVar[str] = "PORTAL_"

    database_url: str = ""  # unused: the portal is stateless
    broker_url: str = ""  # unused: the portal neither publishes nor consumes
    identity_url: str = "http://127.0.0.1:8101"
    expertise_url: str = "http://127.0.0.1:8102"
    documents_url: str = "http://127.0.0.1:8103"
    designation_url: str = "http://127.0.0.1:8104"
    billing_url: str = "http://127.0.0.1:8105"
    notification_url: str = "http://127.0.0.1:8106"
    # Each call to a service: connect and read timeouts (seconds). A person waits for the page.
    connect_timeout_seconds: float = 1.0
    read_timeout_seconds: float = 5.0
    # A page that deposits files (designation dossiers) takes bodies up to this size, the
    # gateway's own limit; every other page keeps ``max_request_bytes``.
    max_upload_bytes: int = 1024 ** 3

    def service_url(self, service: str) -> str:
        return str(getattr(self, f"{service}_url")).rstrip("/")
