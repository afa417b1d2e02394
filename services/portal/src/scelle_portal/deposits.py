"""Deposits into a vault folder, as every page that takes files makes them."""

from __future__ import annotations

from typing import Any

from flask import g
from werkzeug.datastructures import FileStorage

from scelle_portal.backends import ServiceRefused, ServiceUnavailable
from scelle_portal.views import backends


def deposit_files(folder: dict[str, Any], files: list[FileStorage], key: str) -> tuple[int, str | None]:
    """Each file streamed to the vault as one deposit (the upload is spooled to disk by Werkzeug,
    never held whole in memory); how many went in and, if one was refused, the vault's French
    reason (the files after it are not sent). ``key`` is the form's: sent twice, it deposits each
    file once."""
    deposited = 0
    for file in files:
        headers = {"Content-Type": file.mimetype or "application/octet-stream"}
        if key:
            headers["Idempotency-Key"] = f"{key}:{file.filename}"
        try:
            backends().call("documents", "POST", f"/v1/folders/{folder['id']}/documents", token=g.token,
                            request_id=g.request_id, params={"name": file.filename}, data=file.stream,
                            headers=headers)
        except ServiceRefused as exc:
            return deposited, f"« {file.filename} » : {exc.message}"
        except ServiceUnavailable as exc:
            return deposited, f"« {file.filename} » : {exc.message} Réessayez dans un instant."
        deposited += 1
    return deposited, None
