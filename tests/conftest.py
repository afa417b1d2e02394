"""Root test helpers: where the services live."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = sorted(path.parent.name for path in (ROOT / "services").glob("*/pyproject.toml"))
# Services that own a database (DESIGN §2); the portal owns no business data and has none.
DATA_SERVICES = sorted(service for service in SERVICES if (ROOT / "services" / service / "migrations").is_dir())
