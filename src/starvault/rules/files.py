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


@rule("VA001", "unreadable-note", scope="local")
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


@rule("VA002", "invalid-front-matter", scope="local")
def invalid_front_matter(vault: Vault) -> Iterator[Finding]:
    """Front matter that is not valid YAML, or is not a mapping of properties.

    Front matter is the YAML between ``---`` lines at the very top of a note. Obsidian
    shows broken front matter as plain text and loses every property in it, so types,
    question types and principle links silently disappear. Aliases (``&a`` / ``*a``) that
    would expand to more than 10,000 values are refused too: nested aliases grow
    exponentially, and a few lines of them would take minutes and gigabytes to read.

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


@rule("VA003", "note-too-large")
def note_too_large(vault: Vault) -> Iterator[Finding]:
    """A note larger than ``max_note_kb`` (default 8,192 KB): it is not read.

    Parsing and rendering take memory in proportion to a note's size: a pasted log or an
    exported database of hundreds of megabytes would stop the check and the site build
    for the whole vault. Such a note is reported and left out; the rest is checked as usual.

    **Anti-pattern**

    A 300 MB ``Meeting export.md`` in the vault.

    **Best practice**

    Keep large data as an attachment (``export.csv``) and link it, or split the note. A
    vault that really needs larger notes raises ``max_note_kb`` in ``starvault.toml``.
    """
    return _problems(vault, "VA003")


@rule("VA004", "too-deeply-nested", severity="warning")
def too_deeply_nested(vault: Vault) -> Iterator[Finding]:
    """Blocks nested more than 20 levels deep: what is inside them is neither read nor shown.

    The Markdown parser stops at 20 levels of nested quotes and lists (a guard against
    input that would take unbounded work), so links and text below that depth silently
    disappear from the check and the site. The finding points at the first block too deep.

    **Anti-pattern**

    ::

        > > > > > > > > > > > > > > > > > > > > > a quote 21 levels deep

    **Best practice**

    Flatten the structure: a few levels of quotes or lists say the same.
    """
    return _problems(vault, "VA004")
