"""Renaming and moving: a note, an attachment, a folder or a heading, with every link to it
rewritten. One engine for ``starvault mv`` and the language server's rename.

A plan is computed first (:func:`plan_move`, :func:`plan_heading`): the file moves and, per
file, text edits that replace only the target (or heading) part of each link, so display
text, subpath, embed ``!``, the Markdown form (``%20`` or ``<...>``) and front matter quoting
stay as written. Each new target is checked with the vault's own resolver against the files
as they will be: a bare name that would match several files is written with enough of its
folder to pick the right one. Links that did not resolve before are left alone.

:func:`execute` moves the files (never over an existing one), then writes each changed file
through a temporary file and a rename.
"""

from __future__ import annotations

import difflib
import os
import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from .links import Resolver
from .scan import Heading, Link, link_span

if TYPE_CHECKING:
    from .vault import Vault

# Characters a file name may not have if wiki-links are to reach it (Obsidian's own list).
_UNLINKABLE = re.compile(r"[#|\[\]^]")
_LINE_END = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
# What a Markdown destination must %-encode to stay one destination.
_MD_ESCAPE = {c: f"%{ord(c):02X}" for c in " %()<>#^[]|\\\t"}


class MoveError(Exception):
    """A move that cannot be done (missing source, taken destination, outside the vault)."""


class TextEdit(NamedTuple):
    line: int  # 1-based
    start: int  # 0-based columns in the line, end exclusive
    end: int
    text: str


@dataclass
class Plan:
    """What a rename does: file moves (vault-relative, old -> new) and edits per file
    (keyed by the file's path before the move)."""

    moves: dict[str, str] = field(default_factory=dict)
    folder: tuple[str, str] | None = None  # a whole folder moves (one rename)
    edits: dict[str, list[TextEdit]] = field(default_factory=dict)

    def after(self, path: str) -> str:
        return self.moves.get(path, path)

    def add(self, path: str, edit: TextEdit) -> None:
        self.edits.setdefault(path, []).append(edit)


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """``text`` (any line ends) with the edits applied; every other byte unchanged."""
    lines = _LINE_END.findall(text)
    for e in sorted(edits, key=lambda e: (e.line, e.start), reverse=True):
        i = e.line - 1
        if i >= len(lines):
            continue
        lines[i] = lines[i][: e.start] + e.text + lines[i][e.end :]
    return "".join(lines)


# ---------------------------------------------------------------------------------------
# Writing a target


def _md_encode(path: str) -> str:
    return "".join(_MD_ESCAPE.get(c, c) for c in path)


def target_text(
    resolver: Resolver,
    folder: str,
    dest: str,
    written: str,
    markdown: bool = False,
    full: bool = False,
) -> str:
    """The shortest spelling of a link to ``dest`` from a note in ``folder`` that keeps the
    form of ``written`` (relative, absolute, with a path, with ``.md``) and resolves to
    ``dest`` alone; a bare name that would be ambiguous gets as much folder as it needs."""
    is_note = dest.lower().endswith(".md")
    keep_ext = not is_note or written.lower().endswith(".md")
    path = dest if keep_ext else dest[:-3]
    parts = path.split("/")
    options: list[str] = []
    if written.startswith(("./", "../")):
        rel = posixpath.relpath(path, folder or ".")
        options.append(rel if rel.startswith("../") else "./" + rel)
    elif not written.startswith("/"):
        # A full path stays a full path; a partial one keeps as many folders as it had.
        given = len(parts) if full else max(1, len(written.rstrip("/").split("/")))
        options += ["/".join(parts[-k:]) for k in range(min(given, len(parts)), len(parts) + 1)]
    options.append("/" + path)
    for option in options:
        _, cands = resolver.target_status(option, folder, markdown)
        if len(cands) == 1 and cands[0] == dest:
            return option
    return options[-1]


# ---------------------------------------------------------------------------------------
# Planning


def _vault_path(vault: Vault, path: str) -> str:
    """A vault-relative path from user input (``/`` separated, no ``..``), or MoveError."""
    rel = path.replace("\\", "/").strip()
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if not parts or ".." in parts or rel.startswith("/"):
        raise MoveError(f"'{path}' is not a path inside the vault")
    return "/".join(parts)


def plan_move(vault: Vault, old: str, new: str) -> Plan:
    """Plan moving ``old`` (a note, an attachment or a folder) to ``new``, both
    vault-relative. Raises :class:`MoveError` for anything that cannot be done."""
    old, new = _vault_path(vault, old), _vault_path(vault, new)
    files = [*vault.notes, *vault.attachments]
    plan = Plan()
    if old in vault.notes or old in vault.attachments:
        if old.lower().endswith(".md") and not new.lower().endswith(".md"):
            new += ".md"  # a note stays a note
        plan.moves[old] = new
    elif (vault.root / old).is_dir():
        prefix = old + "/"
        if new == old or new.startswith(prefix):
            raise MoveError(f"cannot move the folder '{old}' into itself")
        plan.folder = (old, new)
        for path in files:
            if path.startswith(prefix):
                plan.moves[path] = new + "/" + path[len(prefix) :]
    elif (vault.root / old).exists():
        raise MoveError(f"'{old}' is not part of the vault (excluded or hidden)")
    else:
        raise MoveError(f"'{old}' does not exist")
    if new == old:
        raise MoveError(f"'{old}' is already there")
    dest = vault.root / new
    if os.path.lexists(dest) and not (
        os.path.normcase(new) == os.path.normcase(old) or _same_file(vault, old, new)
    ):
        raise MoveError(f"'{new}' already exists; starvault does not overwrite")
    for to in plan.moves.values():
        name = to.rsplit("/", 1)[-1]
        if _UNLINKABLE.search(name):
            raise MoveError(f"'{to}': links cannot reach a name with # | [ ] or ^")
    taken = {p.casefold() for p in files if p not in plan.moves}
    for to in plan.moves.values():
        if to.casefold() in taken:
            raise MoveError(f"'{to}' already exists; starvault does not overwrite")
    after = Resolver([plan.after(p) for p in files])
    for source in vault.notes:
        for r in vault.links_from(source):
            _relink(vault, plan, after, r.link, r.path, len(r.candidates) > 1, source)
    return plan


def _same_file(vault: Vault, old: str, new: str) -> bool:
    """A case-only rename on a case-insensitive file system names the same file."""
    try:
        return os.path.samefile(vault.root / old, vault.root / new)
    except OSError:
        return False


def _relink(
    vault: Vault,
    plan: Plan,
    after: Resolver,
    link: Link,
    target: str | None,
    was_ambiguous: bool,
    source: str,
) -> None:
    """Add the edit that keeps ``link`` pointing at its target after the moves, if any."""
    if target is None or not link.target:
        return  # broken links stay as they are; [[#Heading]] follows its note
    dest = plan.after(target)
    folder = posixpath.dirname(plan.after(source))
    markdown = link.kind == "markdown"
    _, cands = after.target_status(link.target, folder, markdown)
    if cands and cands[0] == dest and (len(cands) == 1 or was_ambiguous):
        return
    span = _span(vault, source, link)
    if span is None:
        return
    line = _line(vault, source, link.line)
    written = line[span.path[0] : span.path[1]]
    angle = markdown and span.path[0] > 0 and line[span.path[0] - 1] == "<"
    full = "/" in link.target and _stem(link.target) == _stem(target)
    text = target_text(after, folder, dest, link.target, markdown, full)
    if markdown and not angle:
        text = _md_encode(text)
    if text != written:
        plan.add(source, TextEdit(link.line, span.path[0], span.path[1], text))


def _stem(path: str) -> str:
    low = path.lower()
    return low[:-3] if low.endswith(".md") else low


def _line(vault: Vault, path: str, line: int) -> str:
    lines = vault.text(path).split("\n")
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _span(vault: Vault, path: str, link: Link):  # type: ignore[no-untyped-def]
    return link_span(_line(vault, path, link.line), link)


def heading_for_link(text: str) -> str:
    """A heading's text as a link subpath: characters links cannot hold become spaces."""
    return " ".join(_UNLINKABLE.sub(" ", text).split())


def plan_heading(vault: Vault, path: str, heading: Heading, new: str) -> Plan:
    """Plan renaming ``heading`` of note ``path`` to ``new``: the heading line and every
    link in the vault whose subpath names it (other headings of the same name stay)."""
    new = new.strip()
    if not new or "\n" in new:
        raise MoveError("a heading needs one line of text")
    note = vault.notes[path]
    index = vault.resolver.headings(note)  # memoised per note (forgotten when it is edited)
    plan = Plan()
    line = _line(vault, path, heading.line)
    at = line.find(heading.text)
    if at >= 0:
        plan.add(path, TextEdit(heading.line, at, at + len(heading.text), new))
    wanted = heading_for_link(new)
    sources = {path, *linking(vault, path)}
    for source in sorted(sources):
        for r in vault.links_from(source):
            sub = r.link.subpath
            if r.path != path or not sub or sub.startswith("^"):
                continue
            parts = sub.split("#")
            for i in range(len(parts)):
                if not parts[i].strip():
                    continue
                found = index.find([p for p in parts[: i + 1] if p.strip()])
                if found is not None and note.headings[found].line == heading.line:
                    _edit_subpath(vault, plan, source, r.link, parts, i, wanted)
                    break
    return plan


def linking(vault: Vault, target: str) -> list[str]:
    """Notes with at least one link resolving to ``target`` (from the link outcomes)."""
    return [p for p, o in vault.outcomes.items() if target in o.targets or target in o.deps]


def _edit_subpath(
    vault: Vault, plan: Plan, source: str, link: Link, parts: list[str], i: int, new: str
) -> None:
    span = _span(vault, source, link)
    if span is None or span.subpath is None:
        return
    line = _line(vault, source, link.line)
    raw = line[span.subpath[0] : span.subpath[1]]
    markdown = link.kind == "markdown"
    raw_parts = raw.split("#")
    if len(raw_parts) != len(parts):
        return
    old = raw_parts[i]
    lead = old[: len(old) - len(old.lstrip())]
    trail = old[len(old.rstrip()) :]
    angle = markdown and span.path[0] > 0 and line[span.path[0] - 1] == "<"
    raw_parts[i] = lead + (_md_encode(new) if markdown and not angle else new) + trail
    plan.add(source, TextEdit(link.line, span.subpath[0], span.subpath[1], "#".join(raw_parts)))


# ---------------------------------------------------------------------------------------
# Doing it


@dataclass(frozen=True)
class FileChange:
    path: str  # before
    to: str  # after (the same unless it moves)
    before: bytes
    after: bytes


def changes(vault: Vault, plan: Plan) -> list[FileChange]:
    """Every file the plan rewrites, with its bytes before and after (read from disk)."""
    out = []
    for path in sorted(plan.edits):
        try:
            data = vault.file(path).read_bytes()
            text = data.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
        new = (bom + apply_edits(text, plan.edits[path])).encode("utf-8")
        if new != data:
            out.append(FileChange(path, plan.after(path), data, new))
    return out


def diff(vault: Vault, plan: Plan) -> str:
    """The plan as a git-style diff: renames, then each file's changed lines."""
    out: list[str] = []
    edited = {c.path: c for c in changes(vault, plan)}
    renames = dict(plan.moves)
    for path in sorted(set(renames) | set(edited)):
        to = renames.get(path, path)
        change = edited.get(path)
        if to != path:
            out.append(f"diff --git a/{path} b/{to}\nrename from {path}\nrename to {to}\n")
        if change is not None:
            a = _diff_lines(change.before)
            b = _diff_lines(change.after)
            out.extend(difflib.unified_diff(a, b, f"a/{path}", f"b/{to}"))
    return "".join(out)


def _diff_lines(data: bytes) -> list[str]:
    lines = _LINE_END.findall(data.decode("utf-8-sig", errors="replace"))
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def execute(vault: Vault, plan: Plan) -> list[FileChange]:
    """Move the files, then write the changed ones atomically. Returns what changed."""
    from .atomic import write_atomic

    todo = changes(vault, plan)
    root = vault.root
    if plan.folder is not None:
        old, new = plan.folder
        _rename(root / old, root / new)
    else:
        for old, new in plan.moves.items():
            _rename(root / old, root / new)
    for c in todo:
        write_atomic(root / c.to, c.after)
    return todo


def _rename(src: os.PathLike[str], dst: os.PathLike[str]) -> None:
    """Rename without replacing: a file is hard-linked first (fails if the name is taken)."""
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.isdir(src):
        if os.path.lexists(dst) and not os.path.samefile(src, dst):
            raise MoveError(f"'{dst}' already exists; starvault does not overwrite")
        os.rename(src, dst)
        return
    try:
        os.link(src, dst)
    except FileExistsError:
        if not os.path.samefile(src, dst):
            raise MoveError(f"'{dst}' already exists; starvault does not overwrite") from None
        os.rename(src, dst)  # a case-only rename
        return
    except OSError:
        os.rename(src, dst)  # a file system without hard links
        return
    os.unlink(src)
