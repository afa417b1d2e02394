"""The rights matrix (DESIGN.md §6.5) as data, and the decisions it takes. Deny by default.

The matrix maps role × folder kind × scope × status to ``deposit`` (download and deposit),
``read`` (download), ``shared`` (download only what the owner expert shared with that
participant) or ``none``. A role's absent folders are ``none`` in every status. Scope ``own`` is a
party the participant belongs to or represents, or the sapiteur's own folders; ``other`` any other;
``any`` all of them. Inactive participants get nothing.
"""

from __future__ import annotations

import csv
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scelle_documents.domain.folders import ALL_KINDS, owner_scoped

DEFAULT_MATRIX = Path(__file__).resolve().parents[1] / "data" / "rights-matrix.csv"

STATUSES = ("en_creation", "en_cours", "en_pause", "terminee")
ROLES = ("expert", "co_expert", "sapiteur", "magistrat", "greffier", "avocat", "partie_publiante",
         "partie_lectrice", "expert_de_partie")
SCOPES = ("any", "own", "other")
STATUS_LABELS = {"en_creation": "En création", "en_cours": "En cours", "en_pause": "En pause", "terminee": "Terminée"}


class Access(enum.IntEnum):
    """What a cell grants, ordered so that the best of several memberships is ``max``."""

    NONE = 0
    SHARED = 1
    READ = 2
    DEPOSIT = 3


class Operation(enum.Enum):
    LIST = "list"
    DOWNLOAD = "download"
    DEPOSIT = "deposit"


class MatrixError(ValueError):
    """The matrix file is not a valid rights matrix; the message names the line."""


@dataclass(frozen=True)
class Membership:
    """One participation of the caller in an expertise, as the read model knows it."""

    participant_id: str
    role: str
    active: bool
    party_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FolderRef:
    """What the matrix needs about a folder: its kind and, for party/sapiteur folders, its owner."""

    kind: str
    owner_ref: str | None = None


@dataclass(frozen=True)
class Decision:
    """The caller's access to one folder in one status, with the memberships that give it."""

    access: Access
    role: str | None
    shared_via: frozenset[str] = field(default_factory=frozenset)
    denial: tuple[str, str] | None = None  # (rule, detail) when access is NONE

    def allows(self, operation: Operation, *, shared_with: Iterable[str] = ()) -> bool:
        """Whether ``operation`` is allowed; ``shared_with`` = participants a document is shared with."""
        if operation is Operation.DEPOSIT:
            return self.access is Access.DEPOSIT
        if operation is Operation.LIST:
            return self.access is not Access.NONE
        if self.access >= Access.READ:
            return True
        return self.access is Access.SHARED and bool(self.shared_via & set(shared_with))


class RightsMatrix:
    """The loaded matrix. Build it with :meth:`load` (validates every line)."""

    def __init__(self, cells: Mapping[tuple[str, str, str], Mapping[str, Access]]) -> None:
        self._cells = dict(cells)

    @classmethod
    def load(cls, path: Path = DEFAULT_MATRIX) -> RightsMatrix:
        with path.open(encoding="utf-8", newline="") as handle:
            return cls.parse(handle.read().splitlines(), source=str(path))

    @classmethod
    def parse(cls, lines: Iterable[str], source: str = "rights matrix") -> RightsMatrix:
        reader = csv.reader(lines)
        header = next(reader, None)
        expected = ["role", "folder", "scope", *STATUSES]
        if header != expected:
            raise MatrixError(f"{source}: header must be {','.join(expected)}")
        cells: dict[tuple[str, str, str], dict[str, Access]] = {}
        for number, row in enumerate(reader, start=2):
            if not row or not "".join(row).strip():
                continue
            if len(row) != len(expected):
                raise MatrixError(f"{source}:{number}: {len(row)} columns, expected {len(expected)}")
            role, kind, scope, *values = (value.strip() for value in row)
            if role not in ROLES:
                raise MatrixError(f"{source}:{number}: unknown role {role!r}")
            if kind not in ALL_KINDS:
                raise MatrixError(f"{source}:{number}: unknown folder {kind!r}")
            if scope not in SCOPES or (scope != "any" and not owner_scoped(kind)):
                raise MatrixError(f"{source}:{number}: scope {scope!r} does not apply to {kind}")
            try:
                accesses = {status: Access[value.upper()] for status, value in zip(STATUSES, values, strict=True)}
            except KeyError:
                raise MatrixError(f"{source}:{number}: values must be deposit, read, shared or none") from None
            if (role, kind, scope) in cells:
                raise MatrixError(f"{source}:{number}: duplicate cell {role},{kind},{scope}")
            clashing = {"any"} if scope != "any" else {"own", "other"}
            if any((role, kind, other) in cells for other in clashing):
                raise MatrixError(f"{source}:{number}: {role},{kind} mixes scope 'any' with 'own'/'other'")
            cells[(role, kind, scope)] = accesses
        if not cells:
            raise MatrixError(f"{source}: no cell")
        return cls(cells)

    def rows(self) -> list[tuple[str, str, str, dict[str, Access]]]:
        """Every cell line (role, kind, scope, status → access), in a stable order."""
        return [(role, kind, scope, dict(values)) for (role, kind, scope), values in sorted(self._cells.items())]

    def cell(self, role: str, kind: str, scope: str, status: str) -> Access:
        """One cell; absent = ``none`` (deny by default)."""
        values = self._cells.get((role, kind, scope))
        return values.get(status, Access.NONE) if values else Access.NONE

    def _row_for(self, membership: Membership, folder: FolderRef) -> tuple[str, Mapping[str, Access]] | None:
        scope = _scope(membership, folder)
        for candidate in ("any", scope):
            values = self._cells.get((membership.role, folder.kind, candidate))
            if values is not None:
                return candidate, values
        return None

    def decide(self, memberships: Iterable[Membership], folder: FolderRef, status: str) -> Decision:
        """The caller's best access to ``folder`` while the expertise is in ``status``."""
        best = Access.NONE
        best_role: str | None = None
        shared_via: set[str] = set()
        active = [membership for membership in memberships if membership.active]
        for membership in active:
            row = self._row_for(membership, folder)
            access = row[1].get(status, Access.NONE) if row else Access.NONE
            if access is Access.SHARED:
                shared_via.add(membership.participant_id)
            if access > best:
                best, best_role = access, membership.role
        if best is not Access.NONE:
            return Decision(best, best_role, frozenset(shared_via))
        return Decision(Access.NONE, None, denial=self._why_not(active, folder, status))

    def _why_not(self, active: list[Membership], folder: FolderRef, status: str) -> tuple[str, str]:
        if not active:
            return "inactive", "Votre participation à cette expertise n'est pas active."
        roles = ", ".join(sorted({membership.role for membership in active}))
        for membership in active:
            row = self._row_for(membership, folder)
            if row and any(value is not Access.NONE for value in row[1].values()):
                return "status", (f"Le rôle {membership.role} n'a pas accès à ce dossier quand l'expertise est "
                                  f"« {STATUS_LABELS.get(status, status)} ».")
        return "folder", f"Le rôle {roles} n'a pas accès à ce dossier."

    def explain(self, memberships: Iterable[Membership], folder: FolderRef, status: str,
                operation: Operation) -> tuple[str, str]:
        """Why ``operation`` is refused although the caller may see the folder: (rule, detail)."""
        decision = self.decide(memberships, folder, status)
        if decision.denial:
            return decision.denial
        if operation is Operation.DEPOSIT:
            active = [membership for membership in memberships if membership.active]
            for other in STATUSES:
                if other != status and self.decide(active, folder, other).access is Access.DEPOSIT:
                    return "status", (f"Le dépôt dans ce dossier n'est pas ouvert quand l'expertise est "
                                      f"« {STATUS_LABELS.get(status, status)} ».")
            return "role", f"Le rôle {decision.role} peut consulter ce dossier mais pas y déposer."
        return "share", "Ce document n'a pas été partagé avec vous par l'expert."


def _scope(membership: Membership, folder: FolderRef) -> str:
    if folder.owner_ref is None:
        return "any"
    own = folder.owner_ref == membership.participant_id or folder.owner_ref in membership.party_ids
    return "own" if own else "other"
