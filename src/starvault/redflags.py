"""Staff+ signals and the target level.

PLACEHOLDER: replaced by the redflags branch at merge. It keeps only the interface the
coverage model calls (``SIGNALS``, ``staff_signals``, ``target_level``); the real module
also reads a story's text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .scan import Note
    from .vault import Vault

# The seed's four Staff+ look-fors.
SIGNALS = ("org-impact", "ambiguity", "technical-leadership", "cross-functional")
LEVELS = ("senior", "staff", "principal")


def staff_signals(vault: Vault, note: Note) -> frozenset[str]:
    """The Staff+ look-fors a story shows (placeholder: its ``signals`` field only)."""
    value = note.meta.get("signals")
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return frozenset(s.strip().lower() for s in items if isinstance(s, str)) & set(SIGNALS)


def target_level(vault: Vault) -> str:
    """``target_level`` from the config (default staff), overridden by a company's ``level``."""
    level = str(getattr(vault.config, "target_level", "staff"))
    for note in sorted(vault.notes_of_type("company"), key=lambda n: n.path):
        value = note.meta.get("level")
        if isinstance(value, str) and value.strip().lower() in LEVELS:
            return value.strip().lower()
    return level
