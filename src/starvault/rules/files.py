"""VA: notes starvault cannot read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from . import Finding, rule

if TYPE_CHECKING:
    from ..vault import Vault


def _problems(vault: Vault, code: str) -> Iterator[Finding]:
    for path, note in vault.notes.items():
        for p in note.problems:
            if p.code == code:
                yield Finding(path, p.line, p.column, p.message)
    for path, p in vault.problems:
        if p.code == code:
            yield Finding(path, p.line, p.column, p.message)


@rule("VA001", "unreadable-note")
def unreadable_note(vault: Vault) -> Iterator[Finding]:
    """A note that is not UTF-8 text: binary, another encoding, or not readable at all.

    starvault reads notes as UTF-8 (with or without a byte order mark, LF or CRLF). A file
    saved as Latin-1 or Windows-1252, or a binary file that happens to end in ``.md``, is
    reported with the line of the first byte that is not UTF-8, and the rest of the vault
    is checked as usual. Symbolic links that leave the vault or loop are not followed.

    **Anti-pattern**

    A note saved by an old editor as Latin-1: ``Caf\\xe9 notes`` (byte ``0xE9``).

    **Best practice**

    Re-save the note as UTF-8 (``iconv -f latin1 -t utf-8``): ``Café notes``.
    """
    return _problems(vault, "VA001")


@rule("VA002", "invalid-front-matter")
def invalid_front_matter(vault: Vault) -> Iterator[Finding]:
    """Front matter that is not valid YAML, or is not a mapping of properties.

    Front matter is the YAML between ``---`` lines at the very top of a note. Obsidian
    shows broken front matter as plain text and loses every property in it, so types,
    question types and principle links silently disappear.

    **Anti-pattern**

    ::

        ---
        title: RAG support search
        question_types: [leadership, conflict
        ---

    **Best practice**

    ::

        ---
        title: RAG support search
        question_types: [leadership, conflict]
        ---
    """
    return _problems(vault, "VA002")
