"""LK: links, embeds, headings and block references, resolved as Obsidian does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..links import Resolved, Status
from . import Finding, rule

if TYPE_CHECKING:
    from ..vault import Vault


def _written(r: Resolved) -> str:
    link = r.link
    text = link.target
    if link.subpath is not None:
        text += "#" + link.subpath
    return text


def _with_status(vault: Vault, *statuses: Status) -> Iterator[Resolved]:
    return (r for r in vault.link_problems if r.status in statuses)


def _finding(r: Resolved, message: str) -> Finding:
    return Finding(r.source, r.link.line, r.link.column, message, target=r.link.target)


@rule("LK001", "broken-link", scope="local")
def broken_link(vault: Vault) -> Iterator[Finding]:
    """A link or embed to a note that does not exist.

    Resolution follows Obsidian: case-insensitive, ``.md`` optional, the vault root first,
    then the shortest path. The message names the closest existing note, and when the text
    is an alias of a note (aliases never make a link resolve), the link to write instead.

    **Anti-pattern**

    ``See [[Hybrid Serch]] for the retrieval design.``

    **Best practice**

    ``See [[Hybrid Search]] for the retrieval design.``
    """
    for r in _with_status(vault, Status.BROKEN, Status.URLISH):
        target = r.link.target
        if r.status is Status.URLISH:
            msg = (
                f"'[[{target}]]' is a note name that looks like a URL; "
                f"write an external link as [text]({target})"
            )
        else:
            msg = f"no note named '{target}'"
            # The hint kept with the link's outcome; the suggester (an index of every
            # name, slow to build) only for a link that has none.
            kind, name = r.hint or vault.suggester.hint(target)
            if kind == "alias":
                shown = target.rsplit("/", 1)[-1]
                msg += (
                    f"; '{shown}' is an alias of '{name}', and aliases do not resolve "
                    f"links: write [[{name}|{shown}]]"
                )
            else:
                msg += f"; did you mean '{name}'?" if name else "; create the note or fix the link"
        yield _finding(r, msg)


@rule("LK002", "broken-heading", scope="local")
def broken_heading(vault: Vault) -> Iterator[Finding]:
    """A link to a heading that the target note does not have.

    Headings match as Obsidian matches them: punctuation and case are ignored, and in
    ``[[Note#A#B]]`` the heading B must be inside the section of A.

    **Anti-pattern**

    ``[[04_Behavioral_Interview#STAR Frameworks]]`` (the heading is "STAR Framework")

    **Best practice**

    ``[[04_Behavioral_Interview#STAR Framework]]``
    """
    for r in _with_status(vault, Status.BAD_HEADING):
        note = vault.notes[r.path] if r.path else None
        where = f"'{note.name}'" if note else "the note"
        heads = [h.text for h in note.headings][:6] if note else []
        hint = f" (it has: {', '.join(heads)})" if heads else " (it has no headings)"
        yield _finding(r, f"{where} has no heading '{r.link.subpath}'{hint}; fix the link")


@rule("LK003", "broken-block", scope="local")
def broken_block(vault: Vault) -> Iterator[Finding]:
    """A link to a block id (``#^id``) that the target note does not define.

    A block id is ``^id`` at the end of a line after a space, or alone on its own line
    after a list or table. ``![[img.png]]^id`` (no space) is not a block id.

    **Anti-pattern**

    ``[[RAG Support Search#^result]]`` where the note has no line ending in ``^result``.

    **Best practice**

    Add `` ^result`` to the end of the Result paragraph, or link to an existing id.
    """
    for r in _with_status(vault, Status.BAD_BLOCK):
        name = vault.notes[r.path].name if r.path else "the note"
        block = (r.link.subpath or "").lstrip("^")
        yield _finding(
            r, f"'{name}' has no block '^{block}'; add ' ^{block}' at the end of that block"
        )


@rule("LK004", "ambiguous-link", severity="warning", scope="local")
def ambiguous_link(vault: Vault) -> Iterator[Finding]:
    """A link whose file name matches several notes; Obsidian picks one of them.

    Obsidian prefers a note under the linking note's folder, then the shortest path. That
    choice changes silently when notes move, so spell out enough of the path.

    **Anti-pattern**

    ``[[Overview]]`` with ``Stories/Overview.md`` and ``Principles/Overview.md``.

    **Best practice**

    ``[[Stories/Overview]]``, or give the notes distinct names.
    """
    for r in _with_status(vault, Status.AMBIGUOUS):
        others = ", ".join(r.candidates[1:4])
        yield _finding(
            r,
            f"'{r.link.target}' matches {len(r.candidates)} notes; it resolves to "
            f"'{r.path}' (also: {others}); write the folder to make it unambiguous",
        )


@rule("LK005", "missing-attachment", scope="local")
def missing_attachment(vault: Vault) -> Iterator[Finding]:
    """An embed or link to an attachment (image, PDF, canvas) that does not exist.

    Attachments need their extension and are matched like notes: case-insensitive, root
    first, then the shortest path. A subpath such as ``#page=3`` is not checked.

    **Anti-pattern**

    ``![[architecture.png|400]]`` when the file is ``attachments/architecture.svg``.

    **Best practice**

    ``![[architecture.svg|400]]``
    """
    for r in _with_status(vault, Status.MISSING_ATTACHMENT):
        yield _finding(
            r, f"no attachment named '{r.link.target}'; add the file to the vault or fix the link"
        )


@rule("LK006", "link-outside-vault", scope="local")
def link_outside_vault(vault: Vault) -> Iterator[Finding]:
    """A link whose path leaves the vault (``../`` above the vault root).

    Obsidian cannot open files outside the vault, and starvault never reads them.

    **Anti-pattern**

    ``[[../../notes/Private]]`` from a note one folder deep.

    **Best practice**

    Move the note into the vault and link it by name: ``[[Private]]``.
    """
    for r in _with_status(vault, Status.OUTSIDE):
        yield _finding(r, f"'{_written(r)}' points outside the vault; link a note inside the vault")


@rule("LK007", "orphan-note", severity="info")
def orphan_note(vault: Vault) -> Iterator[Finding]:
    """A note that no other note links to.

    The table of contents (``type: toc``), index notes (Home, Index, README), practice
    notes (the practice log lists them) and note templates are exempt. An orphan is easy
    to forget before an interview: link it from a hub note.

    **Anti-pattern**

    ``Stories/Latency Incident.md`` that no question, principle or hub note mentions.

    **Best practice**

    List the story under ``stories:`` of the question it answers: ``"[[Latency Incident]]"``.
    """
    for path in vault.orphans:
        yield Finding(path, 1, 1, "no note links here; link it from a related note or hub")


@rule("LK008", "empty-link", scope="local")
def empty_link(vault: Vault) -> Iterator[Finding]:
    """A link with no target: ``[[]]``, ``[[|text]]`` or ``[[#]]``.

    An empty Markdown link ``[text]()`` is not a link to Obsidian and is left alone.

    **Anti-pattern**

    ``Ask about [[|the team's roadmap]].``

    **Best practice**

    ``Ask about [[Team Roadmap|the team's roadmap]].``
    """
    for r in _with_status(vault, Status.EMPTY):
        yield _finding(r, "link has no target; write the note name or remove the brackets")
