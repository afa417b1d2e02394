"""Domain errors of the vault; only the HTTP entrypoint maps them to problem types (one table)."""

from __future__ import annotations


class VaultError(Exception):
    """Base of every refusal the vault explains to its caller."""

    slug = "vault-error"

    def __init__(self, detail: str, **context: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.context = {key: value for key, value in context.items() if value is not None}


class NotFound(VaultError):
    """Unknown, or not visible to a non-member (never says which)."""

    slug = "not-found"


class AccessDenied(VaultError):
    """A member asked for something the rights matrix (or a rule of the vault) refuses.

    ``rule`` names what refused: ``role``, ``folder``, ``status``, ``share``, ``inactive``, ``owner``.
    """

    slug = "access-denied"

    def __init__(self, detail: str, *, rule: str, **context: object) -> None:
        super().__init__(detail, rule=rule, **context)
        self.rule = rule


class DocumentLocked(VaultError):
    slug = "document-locked"


class InvalidFile(VaultError):
    """The file itself is refused: empty, badly named, of a forbidden type."""

    slug = "invalid-file"

    def __init__(self, detail: str, *, rule: str, **context: object) -> None:
        super().__init__(detail, rule=rule, **context)
        self.rule = rule


class FileTooLarge(VaultError):
    slug = "file-too-large"

    def __init__(self, detail: str, *, limit: int) -> None:
        super().__init__(detail, rule="size", limit_bytes=limit)
        self.limit = limit


class IncompleteUpload(VaultError):
    """The body ended before the length it announced: the client went away mid-upload."""

    slug = "incomplete-upload"


class InvalidRequest(VaultError):
    slug = "validation-failed"


class Conflict(VaultError):
    slug = "conflict"


class IdempotencyKeyReused(Conflict):
    slug = "idempotency-key-reused"


class StorageUnavailable(VaultError):
    """The object store does not answer; nothing was recorded."""

    slug = "storage-unavailable"
