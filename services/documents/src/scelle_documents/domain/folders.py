"""The vault's folder tree (DESIGN.md §6.4): stable ids, French labels, where each kind comes from.

A folder's *kind* is its rights-matrix id (``parties/*/pieces-cotees``); its *path* replaces ``*``
by the party or sapiteur participant id it belongs to (its *owner*). Sub-folders keep the kind and
owner of their parent, so the matrix governs them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

# kind → label, in display order.
EXPERTISE_FOLDERS: dict[str, str] = {
    "expert/designation": "Expert / Désignation",
    "expert/correspondance": "Expert / Correspondance",
    "expert/notes-aux-parties": "Expert / Notes aux parties",
    "expert/gestion-financiere": "Expert / Gestion financière de l'expertise",
    "expert/gestion-administrative": "Expert / Gestion administrative de l'expertise",
    "expert/acceptation-dematerialisation": "Expert / Acceptation de la dématérialisation",
    "expert/gestion-des-delais": "Expert / Gestion des délais",
    "magistrat/magistrat-vers-expert": "Magistrat / Magistrat → Expert",
    "magistrat/expert-vers-magistrat": "Magistrat / Expert → Magistrat",
    "greffe/rapport-definitif": "Greffe / Rapport définitif",
    "greffe/expert-parties-vers-greffe": "Greffe / Expert & Parties → Greffe",
    "greffe/greffe-vers-expert-parties": "Greffe / Greffe → Expert & Parties",
}
SAPITEUR_FOLDERS: dict[str, str] = {
    "sapiteur/*/gestion-financiere": "Sapiteur {name} / Gestion financière",
    "sapiteur/*/sapiteur-vers-expert": "Sapiteur {name} / Sapiteur → Expert",
    "sapiteur/*/expert-vers-sapiteur": "Sapiteur {name} / Expert → Sapiteur",
}
PARTY_FOLDERS: dict[str, str] = {
    "parties/*/bordereaux": "Parties / {name} / Bordereaux",
    "parties/*/dires-et-annexes": "Parties / {name} / Dires et annexes",
    "parties/*/pieces-cotees": "Parties / {name} / Pièces cotées",
    "parties/*/confidentiel-accepte": "Parties / {name} / Confidentiel accepté",
}
ALL_KINDS: tuple[str, ...] = (*EXPERTISE_FOLDERS, *SAPITEUR_FOLDERS, *PARTY_FOLDERS)
DESIGNATION_FOLDER = "expert/designation"


@dataclass(frozen=True)
class FolderSpec:
    """A folder to create: kind, concrete path, owner (party or sapiteur participant id), label."""

    kind: str
    path: str
    owner_ref: str | None
    label: str


def expertise_folders() -> list[FolderSpec]:
    """The folders every expertise has from its creation."""
    return [FolderSpec(kind, kind, None, label) for kind, label in EXPERTISE_FOLDERS.items()]


def party_folders(party_id: str, party_name: str) -> list[FolderSpec]:
    """The four folders of a party, created when the party joins the case."""
    return [FolderSpec(kind, kind.replace("*", party_id), party_id, label.format(name=party_name))
            for kind, label in PARTY_FOLDERS.items()]


def sapiteur_folders(participant_id: str, display_name: str) -> list[FolderSpec]:
    """The three folders of a sapiteur, created when the sapiteur joins the case."""
    return [FolderSpec(kind, kind.replace("*", participant_id), participant_id, label.format(name=display_name))
            for kind, label in SAPITEUR_FOLDERS.items()]


def owner_scoped(kind: str) -> bool:
    """Whether folders of this kind belong to a party or a sapiteur (``own``/``other`` scopes apply)."""
    return "*" in kind
