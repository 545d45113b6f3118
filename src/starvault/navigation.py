"""Course navigation: the seed's Navigation blocks, the course order, and the fixer.

A course page (``type: course``) carries the same block right after its H1 and again at
the end::

    ## Navigation

    **Module:** [[../Table_of_Contents|Course Contents]] → Interview Preparation
    **Previous:** [[03_Papers_Reading_Guide|Papers Reading Guide]]
    **Next:** [[05_AI_Safety_Interview|AI Safety Interview]]

The table of contents (config ``toc``, ``type: toc``) lists the pages; the order of its
wiki-links is the course order. The first page writes ``**Previous:** —`` and the last
``**Next:** —`` (an em dash, no link); "none", "-" or nothing after the colon mean the same.

Links are resolved with the vault's own resolver (:meth:`Vault.lookup`), so navigation
agrees with Obsidian and with the link rules. The fixer rewrites only the Navigation lines
it has to, keeps every other byte (line endings, byte order mark, front matter, trailing
newline) and writes through a temporary file and a rename.
"""

from __future__ import annotations

import difflib
import posixpath
import re
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .atomic import write_atomic
from .scan import Heading, Link, Note, parse_text

if TYPE_CHECKING:
    from .vault import Vault

KEYS = ("Module", "Previous", "Next")
NONE_TEXT = "—"  # what the fixer writes for "no previous / next page"
NONE_MARKERS = frozenset(["", "—", "–", "-", "--", "none", "n/a"])

_KEY_LINE = re.compile(
    r"^\s*(?:\*\*|__)?(Module|Previous|Next)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(.*?)\s*$",
    re.IGNORECASE,
)
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_ARROW = re.compile(r"^\s*(?:→|->|›|>|»|—|–|-|:)?\s*")
_LINE_END = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


@dataclass(frozen=True)
class NavLine:
    """One ``**Key:** value`` line of a Navigation block."""

    key: str  # "Module", "Previous" or "Next"
    line: int  # 1-based, in the file as stored
    text: str  # the whole line
    link: Link | None  # the first wiki-link on the line
    target: str | None  # the path of the note it resolves to
    after: str  # text after the link ("Interview Preparation" on the Module line)

    @property
    def none(self) -> bool:
        """The line says there is no such page (``—``, ``none``, ``-`` or nothing)."""
        if self.link is not None:
            return False
        m = _KEY_LINE.match(self.text)
        value = (m.group(2) if m else "").strip("*_ ").casefold()
        return value in NONE_MARKERS

    @property
    def column(self) -> int:
        return self.link.column if self.link else 1

    def shown(self) -> str:
        """The value as written, for messages."""
        m = _KEY_LINE.match(self.text)
        return (m.group(2) if m else self.text).strip("*_ ")


@dataclass
class NavBlock:
    heading_line: int
    lines: dict[str, NavLine] = field(default_factory=dict)

    def normalised(self, key: str) -> str | None:
        found = self.lines.get(key)
        return " ".join(found.text.split()) if found else None


@dataclass
class PageNav:
    note: Note
    top: NavBlock | None
    bottom: NavBlock | None
    title_line: int  # the H1 line, or the first body line

    @property
    def main(self) -> NavBlock | None:
        """The block the page's own claims are read from: the top one, else the bottom."""
        return self.top or self.bottom


# ---------------------------------------------------------------------------------------
# Parsing


def parse_page(vault: Vault, note: Note, lines: list[str]) -> PageNav:
    """The Navigation blocks of a page, from its parsed note and its lines (LF)."""
    heads = note.headings
    blocks: list[tuple[int, NavBlock]] = []
    first_link: dict[int, Link] = {}  # a page's first wiki-link on each line
    for i, head in enumerate(heads):
        if not _is_nav_heading(head):
            continue
        if not first_link:
            for lk in reversed(note.links):
                if lk.kind == "link":
                    first_link[lk.line] = lk
        end = len(lines)
        if i + 1 < len(heads):
            end = heads[i + 1].line - 1
        block = NavBlock(head.line)
        for n in range(head.line + 1, end + 1):
            text = lines[n - 1] if n - 1 < len(lines) else ""
            if _THEMATIC_BREAK.match(text):
                break
            m = _KEY_LINE.match(text)
            if not m:
                continue
            key = m.group(1).capitalize()
            if key in block.lines:
                continue
            block.lines[key] = _nav_line(vault, note, key, n, text, first_link.get(n))
        blocks.append((i, block))
    top = bottom = None
    if blocks:
        first_index, first = blocks[0]
        content_before = any(h.level >= 2 for h in heads[:first_index])
        if len(blocks) > 1:
            top, bottom = first, blocks[-1][1]
        elif content_before:
            bottom = first
        else:
            top = first
    h1 = next((h.line for h in heads if h.level == 1), None)
    return PageNav(note, top, bottom, h1 or note.body_line)


def _nav_line(
    vault: Vault, note: Note, key: str, line: int, text: str, link: Link | None
) -> NavLine:
    target = None
    after = ""
    if link is not None:
        found = vault.lookup(link.target, note) if link.target else None
        target = found.path if found else None
        close = text.find("]]", link.column - 1)
        after = _ARROW.sub("", text[close + 2 :], count=1).strip() if close >= 0 else ""
    return NavLine(key, line, text, link, target, after)


def _is_nav_heading(head: Heading) -> bool:
    return head.level == 2 and head.text.strip().strip("*_ :").casefold() == "navigation"


def nav_lines(note: Note, lines: list[str]) -> tuple[int, tuple[tuple[int, str], ...]]:
    """What :func:`parse_page` reads of a page's text: its number of lines and the lines
    of its Navigation sections up to their end (plain data, kept in the cache)."""
    heads = note.headings
    kept: list[tuple[int, str]] = []
    for i, head in enumerate(heads):
        if not _is_nav_heading(head):
            continue
        end = heads[i + 1].line - 1 if i + 1 < len(heads) else len(lines)
        for n in range(head.line + 1, min(end, len(lines)) + 1):
            kept.append((n, lines[n - 1]))
            if _THEMATIC_BREAK.match(lines[n - 1]):
                break
    return len(lines), tuple(kept)


class _SparseLines:
    """A page's lines where only those :func:`nav_lines` kept are known (the rest read as
    blank): enough for :func:`parse_page`, without reading the file."""

    def __init__(self, count: int, kept: tuple[tuple[int, str], ...]) -> None:
        self.count = count
        self.kept = dict(kept)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> str:
        return self.kept.get(i + 1, "")


def page_nav(vault: Vault, note: Note) -> PageNav:
    """The navigation of a course page of the vault (cached per vault; the lines it is
    read from are kept per note version in the cache, so a warm run reads no page)."""
    cache = _PAGES.setdefault(vault, {})
    found = cache.get(note.path)
    if found is None:
        sparse = _nav_texts(vault).get(note.path)
        if sparse is None:
            found = parse_page(vault, note, vault.text(note).split("\n"))
        else:
            found = parse_page(vault, note, _SparseLines(*sparse))  # type: ignore[arg-type]
        cache[note.path] = found
    return found


def _nav_texts(vault: Vault) -> dict[str, tuple[int, tuple[tuple[int, str], ...]]]:
    """:func:`nav_lines` of every course page, from the cache where it is current."""
    found = _NAV_TEXTS.get(vault)
    if found is None:
        from .findings_cache import per_note

        found = per_note(
            vault,
            "navigation",
            vault.notes_of_type("course"),
            lambda n: nav_lines(n, vault.text(n).split("\n")),
        )
        _NAV_TEXTS[vault] = found
    return found


_NAV_TEXTS: weakref.WeakKeyDictionary[Vault, dict[str, Any]] = weakref.WeakKeyDictionary()


_PAGES: weakref.WeakKeyDictionary[Vault, dict[str, PageNav]] = weakref.WeakKeyDictionary()


# ---------------------------------------------------------------------------------------
# The course order


def toc_note(vault: Vault) -> Note | None:
    """The table of contents: the note named by config ``toc``, else the one ``type: toc``."""
    found = vault.lookup(vault.config.toc)
    if found is not None:
        return found
    tocs = vault.notes_of_type("toc")
    return tocs[0] if len(tocs) == 1 else None


def inputs(vault: Vault) -> tuple[list[Note], str]:
    """What course navigation is read from: the table of contents and the course pages
    (a vault-scope rule declaring ``inputs="course"`` is kept in the cache while these
    stay the same)."""
    toc = toc_note(vault)
    return [*([toc] if toc is not None else []), *vault.notes_of_type("course")], ""


def course_order(vault: Vault) -> list[str]:
    """Course page paths in the order the table of contents links them (cached per vault)."""
    cached = _ORDERS.get(vault)
    if cached is None:
        cached = _ORDERS[vault] = _course_order(vault)
    return cached


_ORDERS: weakref.WeakKeyDictionary[Vault, list[str]] = weakref.WeakKeyDictionary()


def course_positions(vault: Vault) -> dict[str, int]:
    """Each course page's place in :func:`course_order` (a list scan per page is
    quadratic in the number of pages)."""
    found = _POSITIONS.get(vault)
    if found is None:
        found = _POSITIONS[vault] = {p: i for i, p in enumerate(course_order(vault))}
    return found


_POSITIONS: weakref.WeakKeyDictionary[Vault, dict[str, int]] = weakref.WeakKeyDictionary()


def _course_order(vault: Vault) -> list[str]:
    toc = toc_note(vault)
    if toc is None:
        return []
    order: dict[str, None] = {}  # a dict: "already listed" is a lookup, not a list scan
    for r in sorted(vault.links_from(toc), key=lambda r: (r.link.line, r.link.column)):
        if r.link.kind not in ("link", "markdown", "embed") or r.path is None:
            continue
        note = vault.notes.get(r.path)
        if note is not None and note.type == "course":
            order.setdefault(r.path)
    return list(order)


def course_sections(vault: Vault) -> list[tuple[Heading | None, list[str]]]:
    """The course order cut at the table of contents' headings: each heading (None before
    the first) with the course pages listed under it, in order; empty sections left out."""
    found = _SECTIONS.get(vault)
    if found is not None:
        return found
    toc = toc_note(vault)
    found: list[tuple[Heading | None, list[str]]] = []
    if toc is not None:
        heads = sorted((h for h in toc.headings if h.level > 1), key=lambda h: h.line)
        line_of: dict[str, int] = {}
        for r in vault.links_from(toc):
            if r.path is not None:
                line_of[r.path] = min(r.link.line, line_of.get(r.path, r.link.line))
        k = 0
        for path in course_order(vault):  # in line order
            line = line_of.get(path, 0)
            while k < len(heads) and heads[k].line < line:
                k += 1
            head = heads[k - 1] if k else None
            if not found or found[-1][0] is not head:
                found.append((head, []))
            found[-1][1].append(path)
    _SECTIONS[vault] = found
    return found


_SECTIONS: weakref.WeakKeyDictionary[Vault, list[Any]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Expected:
    module: str  # the toc's path
    previous: str | None
    next: str | None
    module_name: str  # the page's ``module`` field, "" when it has none

    def target(self, key: str) -> str | None:
        return {"Module": self.module, "Previous": self.previous, "Next": self.next}[key]


def expected(vault: Vault, note: Note) -> Expected | None:
    """What the page's Navigation should say, or None when the toc does not list it."""
    toc = toc_note(vault)
    order = course_order(vault)
    i = course_positions(vault).get(note.path)
    if toc is None or i is None:
        return None
    module = note.meta.get("module")
    return Expected(
        toc.path,
        order[i - 1] if i > 0 else None,
        order[i + 1] if i + 1 < len(order) else None,
        module.strip() if isinstance(module, str) else "",
    )


def line_ok(line: NavLine | None, exp: Expected) -> bool:
    """Whether a Navigation line says what the table of contents implies."""
    if line is None:
        return False
    want = exp.target(line.key)
    if want is None:
        return line.none
    if line.target != want:
        return False
    if line.key == "Module" and exp.module_name:
        return line.after.casefold() == exp.module_name.casefold()
    return True


# ---------------------------------------------------------------------------------------
# Writing the expected lines


def link_to(vault: Vault, source: Note, target: Note, relative: bool = False) -> str:
    """The shortest wiki-link text that resolves from ``source`` to ``target``."""
    path = target.path[:-3] if target.path.lower().endswith(".md") else target.path
    options = []
    if relative:
        options.append(posixpath.relpath(path, source.folder or "."))
    options += [target.name, path, "/" + path]
    for option in options:
        where, cands = vault.resolver.candidates(option, source.folder)
        if where == "ok" and cands and cands[0] == target.path and len(cands) == 1:
            return option
    return "/" + path


def _wikilink(vault: Vault, source: Note, target: Note, relative: bool = False) -> str:
    link = link_to(vault, source, target, relative)
    shown = re.sub(r"[|\[\]]", "", target.title).strip()
    if not shown or shown == link:
        return f"[[{link}]]"
    return f"[[{link}|{shown}]]"


def expected_lines(vault: Vault, page: PageNav, exp: Expected) -> list[str]:
    """The three lines the page should have; lines already right are kept as written."""
    source = page.main
    out = []
    for key in KEYS:
        current = source.lines.get(key) if source else None
        if current is not None and line_ok(current, exp):
            out.append(current.text)
            continue
        want = exp.target(key)
        if want is None:
            out.append(f"**{key}:** {NONE_TEXT}")
            continue
        link = _wikilink(vault, page.note, vault.notes[want], relative=key == "Module")
        suffix = f" → {exp.module_name}" if key == "Module" and exp.module_name else ""
        out.append(f"**{key}:** {link}{suffix}")
    return out


# ---------------------------------------------------------------------------------------
# The fixer


@dataclass(frozen=True)
class FileFix:
    """The new content of one file; ``diff()`` shows the change."""

    path: str  # vault-relative
    before: bytes
    after: bytes

    def diff(self) -> str:
        a = _diff_lines(self.before)
        b = _diff_lines(self.after)
        out = difflib.unified_diff(a, b, f"a/{self.path}", f"b/{self.path}")
        return "".join(out)


def _diff_lines(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig", errors="replace")
    lines = _LINE_END.findall(text)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def fix_page(vault: Vault, path: str, data: bytes) -> bytes:
    """The page's bytes with its Navigation blocks rewritten from the table of contents.

    Returns ``data`` unchanged when there is nothing to fix or it cannot be fixed (not a
    course page, not in the table of contents, not UTF-8).
    """
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data
    raw = _LINE_END.findall(text)
    ending = next((m for m in (_ending(line) for line in raw) if m), "\n")
    bodies = [line.rstrip("\r\n") for line in raw]
    lf = "\n".join(bodies) + ("\n" if raw and _ending(raw[-1]) else "")
    note = parse_text(path, lf)
    if note.problems or note.type != "course":
        return data
    exp = expected(vault, note)
    if exp is None:
        return data
    page = parse_page(vault, note, bodies)
    want = expected_lines(vault, page, exp)
    # Edits as (index, delete count, new lines), applied from the bottom up.
    edits: list[tuple[int, int, list[str]]] = []
    for block in (page.top, page.bottom):
        if block is not None:
            edits.extend(_block_edits(block, want, bodies))
    if page.bottom is None:
        tail = ["", "---", "", "## Navigation", "", *want]
        edits.append((len(bodies), 0, tail))
    if page.top is None:
        at = _after_title(page, bodies)
        block = ["", "## Navigation", "", *want, "", "---"]
        if at < len(bodies) and bodies[at].strip():
            block.append("")
        if at == 0 and note.body_line == 1:
            block = block[1:]  # no title: the block opens the note
        edits.append((at, 0, block))
    if not edits:
        return data
    lines = list(raw)
    had_final_newline = bool(raw) and bool(_ending(raw[-1]))
    if lines and not had_final_newline:
        lines[-1] += ending  # appended lines follow it; the end is restored below
    for index, delete, new in sorted(edits, key=lambda e: e[0], reverse=True):
        lines[index : index + delete] = [n + ending for n in new]
    out = "".join(lines)
    if not had_final_newline and out.endswith(ending):
        out = out[: -len(ending)]
    result = ("\ufeff" if bom else "") + out
    return result.encode("utf-8")


def _ending(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith(("\n", "\r")):
        return line[-1]
    return ""


def _block_edits(
    block: NavBlock, want: list[str], bodies: list[str]
) -> list[tuple[int, int, list[str]]]:
    edits: list[tuple[int, int, list[str]]] = []
    insert_at = block.heading_line  # index just after the heading line
    if insert_at < len(bodies) and not bodies[insert_at].strip() and not block.lines:
        insert_at += 1  # keep the blank line under the heading
    pending: list[str] = []
    for key, text in zip(KEYS, want, strict=True):
        current = block.lines.get(key)
        if current is None:
            pending.append(text)
            continue
        if pending:
            edits.append((insert_at, 0, pending))
            pending = []
        if current.text != text:
            edits.append((current.line - 1, 1, [text]))
        insert_at = current.line
    if pending:
        if not block.lines:
            pending = [*pending, ""] if insert_at < len(bodies) and bodies[insert_at] else pending
        edits.append((insert_at, 0, pending))
    return edits


def _after_title(page: PageNav, bodies: list[str]) -> int:
    """Index of the line where a missing top block goes: after the H1 (or front matter)."""
    h1 = next((h.line for h in page.note.headings if h.level == 1), None)
    if h1 is None:
        return page.note.body_line - 1
    at = h1  # index after the H1 line
    if at < len(bodies) and re.match(r"^ {0,3}=+\s*$", bodies[at]):
        at += 1  # a setext title underlined with ===
    return at


def plan_fixes(vault: Vault) -> list[FileFix]:
    """The course pages whose Navigation blocks --fix would rewrite, and how."""
    fixes = []
    for note in vault.notes_of_type("course"):
        if _fix_suppressed(note):
            continue
        try:
            data = vault.file(note.path).read_bytes()
        except OSError:
            continue
        after = fix_page(vault, note.path, data)
        if after != data:
            fixes.append(FileFix(note.path, data, after))
    return fixes


def _fix_suppressed(note: Note) -> bool:
    """A page that switches NV rules off in its front matter is left alone."""
    codes = note.suppressions.get(0, ())
    return any(c in ("ALL", "NV", "NV0") or c.startswith("NV00") for c in codes)


def apply_fixes(vault: Vault, fixes: list[FileFix]) -> None:
    for fix in fixes:
        write_atomic(vault.file(fix.path), fix.after)
