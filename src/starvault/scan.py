"""Scanning: find the vault's files, read each note, split its front matter, extract its
links, headings, block ids and suppression comments with the shared Markdown parser.

The result for one note is a :class:`Note`, plain data that pickles small: it is what the
on-disk cache stores and what worker processes send back on a cold scan.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote

from .atomic import PREFIX, stale

# The manifest a starvault site build writes at the top of its output folder: a folder
# holding one is an earlier build, never part of the vault (site.build imports this).
SITE_MANIFEST = ".starvault-build.json"

# A link as written. ``kind`` is "link" ([[..]]), "embed" (![[..]]), "markdown" ([..](..) and
# ![..](..)) or "property" (a wiki-link in a front matter value).
LinkKind = str


class Link(NamedTuple):
    kind: LinkKind
    target: str  # the path part as written, trimmed ("" for [[#Heading]] and [[]])
    subpath: str | None  # after the first "#": "Heading#Sub", "^block-id", "page=3"
    display: str | None  # shown text, or the embed size "200"
    line: int  # 1-based, in the file as stored
    column: int  # 1-based


class Heading(NamedTuple):
    level: int
    text: str
    line: int


class Problem(NamedTuple):
    """A finding made while reading a file (VA001, VA002)."""

    code: str
    line: int
    column: int
    message: str


@dataclass(slots=True, eq=False)
class Note:
    path: str  # vault-relative, "/"-separated, NFC
    meta: dict[str, Any] = field(default_factory=dict)
    body_line: int = 1  # line where the body starts (after front matter)
    links: list[Link] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    blocks: dict[str, int] = field(default_factory=dict)  # lower-case id -> line
    suppressions: dict[int, tuple[str, ...]] = field(default_factory=dict)  # line -> codes
    problems: list[Problem] = field(default_factory=list)
    size: int = 0
    mtime_ns: int = 0
    ctime_ns: int = 0
    inode: int = 0
    # Top-level front matter key -> (line, column of its value): where a finding about a
    # field points, without reading the note again.
    fields: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def file_key(self) -> tuple[int, ...]:
        """The key of the file as read (see :func:`file_key`)."""
        return (self.size, self.mtime_ns, self.ctime_ns, self.inode)

    def __eq__(self, other: object) -> bool:
        # By content, so a note decoded lazily from the cache equals a freshly parsed one.
        if not isinstance(other, Note):
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def _key(self) -> tuple[Any, ...]:
        return (
            self.path,
            self.meta,
            self.body_line,
            self.links,
            self.headings,
            self.blocks,
            self.suppressions,
            self.problems,
            self.file_key,
            self.fields,
        )

    @property
    def name(self) -> str:
        """The note name Obsidian shows: the file name without ``.md``."""
        base = self.path.rsplit("/", 1)[-1]
        return base[:-3] if base.lower().endswith(".md") else base

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    @property
    def type(self) -> str | None:
        value = self.meta.get("type")
        return value if isinstance(value, str) else None

    @property
    def title(self) -> str:
        value = self.meta.get("title")
        return value.strip() if isinstance(value, str) and value.strip() else self.name

    @property
    def aliases(self) -> list[str]:
        value = self.meta.get("aliases", self.meta.get("alias"))
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [v for v in value if isinstance(v, str)]
        return []


@dataclass
class ScanResult:
    notes: list[str]  # vault-relative paths of *.md files
    attachments: list[str]  # every other file
    problems: list[tuple[str, Problem]]  # findings about paths that are not notes
    stats: dict[str, tuple[int, ...]] = field(default_factory=dict)  # note -> file_key
    # Paths whose name on disk is not their NFC name (macOS writes NFD): NFC -> on disk.
    disk: dict[str, str] = field(default_factory=dict)
    canvases: list[str] = field(default_factory=list)  # *.canvas, also in attachments


def file_key(st: os.stat_result) -> tuple[int, ...]:
    """What the cache compares to tell a file unchanged: size and modification time, and
    the inode and change time too, which a same-size edit that kept its mtime (``cp -p``,
    ``rsync -t``, ``touch -r``) or a permission change still moves."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


# ---------------------------------------------------------------------------------------
# Walking the vault

_GLOB_CACHE: dict[str, re.Pattern[str]] = {}


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Translate a gitignore-style glob (``**``, ``*``, ``?``) for vault-relative paths.

    A pattern without a slash matches a file or folder name anywhere, as in .gitignore.
    """
    cached = _GLOB_CACHE.get(pattern)
    if cached is not None:
        return cached
    pat = pattern.strip().lstrip("/")
    anchored = "/" in pat.rstrip("/")
    pat = pat.rstrip("/")
    out = []
    i = 0
    while i < len(pat):
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif pat[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pat[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pat[i]))
            i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    compiled = re.compile(f"^{prefix}{body}(?:/.*)?$")
    _GLOB_CACHE[pattern] = compiled
    return compiled


def nfc(text: str) -> str:
    """Unicode NFC, as Obsidian compares file names (ASCII is returned as it is)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _undecodable(name: str) -> bool:
    """A name read with surrogateescape: it held bytes that are not UTF-8."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def inside(root: Path | str, path: Path | str) -> bool:
    """Whether ``path`` really lies inside ``root`` once every symbolic link is followed:
    the one test for anything starvault reads from a vault besides its notes."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _other_file(path: str, than: str) -> bool:
    """Whether ``path`` exists and is not the file ``than`` (on a file system that
    normalises names, such as macOS's, both name one file)."""
    try:
        return not os.path.samefile(path, than)
    except OSError:
        return False


def walk(root: Path, exclude: list[str]) -> ScanResult:
    """List notes and attachments. Dot-files and dot-folders (the cache among them) are
    not part of a vault, nor is a folder holding an earlier site build (its manifest).
    Names are compared in NFC; ``disk`` keeps the name to open where it differs.

    Symbolic links are followed only while they stay inside the vault, and each folder is
    entered once, so a symlink loop ends the walk of that branch with a finding.
    """
    patterns = [glob_to_regex(p) for p in exclude]
    root_real = os.path.realpath(root)
    notes: list[str] = []
    attachments: list[str] = []
    problems: list[tuple[str, Problem]] = []
    stats: dict[str, tuple[int, ...]] = {}
    disk: dict[str, str] = {}
    canvases: list[str] = []
    seen_dirs = {root_real}
    # (folder on disk, its vault path in NFC with "/", its vault path as on disk)
    stack: list[tuple[str, str, str]] = [(str(root), "", "")]
    while stack:
        folder, prefix, disk_prefix = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(
                (prefix.rstrip("/") or ".", Problem("VA001", 1, 1, f"cannot list folder: {exc}"))
            )
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                if name.startswith(PREFIX) and stale(name):
                    # A note write of a starvault run that was killed midway.
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                continue
            if not name.isprintable() or _undecodable(name):
                # Bytes that are not UTF-8 (or control characters) in a name: no page,
                # link or report could spell it.
                shown = (
                    (prefix + name).encode("utf-8", "backslashreplace").decode("ascii", "replace")
                )
                problems.append(
                    (
                        prefix.rstrip("/") or ".",
                        Problem(
                            "VA001",
                            1,
                            1,
                            f"the name {shown!r} is not valid UTF-8 text: not read; rename it",
                        ),
                    )
                )
                continue
            rel = nfc(prefix + name)
            if patterns and any(p.match(rel) for p in patterns):
                continue
            on_disk = disk_prefix + name
            if on_disk != rel:
                if rel in disk or _other_file(os.path.join(root, rel), entry.path):
                    problems.append(
                        (
                            rel,
                            Problem(
                                "VA001",
                                1,
                                1,
                                "two files have this name (written in two Unicode forms);"
                                " not read: rename one",
                            ),
                        )
                    )
                    continue
                disk[rel] = on_disk
            try:
                is_link = entry.is_symlink()
                if is_link:
                    real = os.path.realpath(entry.path)
                    if real != root_real and not real.startswith(root_real + os.sep):
                        problems.append(
                            (
                                rel,
                                Problem(
                                    "VA001",
                                    1,
                                    1,
                                    "symbolic link points outside the vault; not read",
                                ),
                            )
                        )
                        continue
                if entry.is_dir():
                    real = os.path.realpath(entry.path)
                    if real in seen_dirs:
                        problems.append(
                            (
                                rel,
                                Problem(
                                    "VA001",
                                    1,
                                    1,
                                    "symbolic link loop: this folder is already part of the "
                                    "vault; not read again",
                                ),
                            )
                        )
                        continue
                    if os.path.lexists(os.path.join(entry.path, SITE_MANIFEST)):
                        continue  # a site starvault built: its pages are not notes
                    seen_dirs.add(real)
                    stack.append((entry.path, rel + "/", on_disk + "/"))
                    continue
                if not entry.is_file():
                    # A dangling link, a FIFO or a device: never open it (a FIFO would block).
                    if name.lower().endswith(".md"):
                        problems.append(
                            (rel, Problem("VA001", 1, 1, "not a regular readable file"))
                        )
                    continue
            except OSError as exc:
                problems.append((rel, Problem("VA001", 1, 1, f"cannot read: {exc.strerror}")))
                continue
            if name.lower().endswith(".md"):
                notes.append(rel)
                # The cache check needs the file's key: take it while we are here.
                with contextlib.suppress(OSError):
                    stats[rel] = file_key(entry.stat())
            else:
                attachments.append(rel)
                if name.lower().endswith(".canvas"):
                    canvases.append(rel)
    notes.sort()
    attachments.sort()
    canvases.sort()
    return ScanResult(notes, attachments, problems, stats, disk, canvases)


# ---------------------------------------------------------------------------------------
# Reading one note

_FM_OPEN = re.compile(r"---[ \t]*\n")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    """Bytes to text with LF line ends, or the VA001 problem that stops it.

    A note is unreadable only when it is not UTF-8: NUL bytes in valid UTF-8 (binary
    pasted into a fence) are text, as Obsidian shows them.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if b"\x00" in data[:8192]:
            return None, Problem("VA001", 1, 1, "binary file with a .md name: not a Markdown note")
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start]
        return None, Problem(
            "VA001",
            line,
            col,
            f"not UTF-8 text (byte 0x{byte:02X} at line {line}); re-save the note as UTF-8",
        )
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, None


def split_front_matter(text: str) -> tuple[str | None, int]:
    """Return (front matter text or None, 1-based line where the body starts)."""
    if not text.startswith("---"):
        return None, 1
    m = _FM_OPEN.match(text)
    if not m:
        return None, 1
    close = _FM_CLOSE.search(text, m.end())
    if not close:
        return None, 1
    fm = text[m.end() : close.start()]
    body_line = text.count("\n", 0, close.end()) + 2
    return fm, body_line


def field_lines(text: str, body_line: int) -> dict[str, tuple[int, int]]:
    """Top-level front matter keys -> (line, column of the value) in the file as stored."""
    out: dict[str, tuple[int, int]] = {}
    lines = text.split("\n")
    for idx in range(1, max(1, body_line - 2)):
        if idx >= len(lines):
            break
        m = re.match(r"""^(['"]?)([^\s:'"#][^:'"]*)\1\s*:(\s*)""", lines[idx])
        if m and m.group(2).strip() not in out:
            col = m.end() + 1 if m.end() < len(lines[idx].rstrip()) else 1
            out[m.group(2).strip()] = (idx + 1, col)
    return out


def field_line(note: Note, key: str) -> int | None:
    """The line of a top-level front matter key of ``note`` (any case), if it has it."""
    hit = note.fields.get(key) or next(
        (where for name, where in note.fields.items() if name.casefold() == key.casefold()),
        None,
    )
    return hit[0] if hit else None


@lru_cache(maxsize=1)
def _yaml_handler() -> Any:
    from frontmatter.default_handlers import YAMLHandler

    return YAMLHandler()


# What the aliases of one note's front matter may expand to, in YAML nodes: far above any
# real note, far below the "billion laughs" that would take minutes and gigabytes.
MAX_YAML_NODES = 10_000


def alias_expansion(fm: str) -> int:
    """How many nodes the YAML would hold with every alias expanded (events only, no
    objects built, so a bomb costs time in proportion to its text)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    sizes: dict[str, int] = {}  # anchor -> size of its node
    stack: list[list[Any]] = [[None, 0]]  # [anchor, nodes so far] per open collection
    total = 0
    for event in yaml.parse(fm, Loader=loader):
        if isinstance(event, yaml.AliasEvent):
            n = sizes.get(event.anchor, 1)
        elif isinstance(event, yaml.ScalarEvent):
            n = 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            stack.append([event.anchor, 1])
            continue
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, n = stack.pop()
            if anchor:
                sizes[anchor] = n
        else:
            continue
        stack[-1][1] += n
        total = stack[0][1]
        if total > MAX_YAML_NODES or n > MAX_YAML_NODES:
            return max(total, n)
    return total


# Template placeholders that the core Templates plugin ({{date}}, {{title}},
# {{date:YYYY-MM-DD}}) and Templater (<% tp.date.now() %>) fill in when a note is made
# from a template. In a template itself they make strict YAML fail, yet Obsidian reads
# every other property. One line each.
_PLACEHOLDER = re.compile(r"\{\{[^{}\n]*\}\}|<%[^\n]*?%>")
# Each placeholder is read as a run of one private-use character of the same length
# (a plain YAML scalar anywhere; lines and columns of a real error stay where they are).
_PUA, _PUA_END = 0xE000, 0xF8FF
_PUA_RUN = re.compile("([\ue000-\uf8ff])\\1*")


def _load_with_placeholders(fm: str) -> Any:
    """The front matter read with its placeholders as plain strings, or the YAMLError
    that remains once they are set aside (a real error)."""
    originals: list[str] = []

    def hide(m: re.Match[str]) -> str:
        originals.append(m.group(0))
        return chr(_PUA + len(originals) - 1) * len(m.group(0))

    if _PUA_RUN.search(fm):
        return _yaml_handler().load(fm)  # the text has its own: raise the first error again
    hidden = _PLACEHOLDER.sub(hide, fm)
    if len(originals) > _PUA_END - _PUA:
        return _yaml_handler().load(fm)
    data = _yaml_handler().load(hidden)

    def restore(value: Any) -> Any:
        if isinstance(value, str):
            return _PUA_RUN.sub(lambda m: originals[ord(m.group(1)) - _PUA], value)
        if isinstance(value, dict):
            return {restore(k): restore(v) for k, v in value.items()}
        if isinstance(value, list):
            return [restore(v) for v in value]
        return value

    return restore(data)


def load_yaml(fm: str) -> tuple[Any, Problem | None]:
    """Parse front matter with python-frontmatter's YAML handler (C loader when present)."""
    import yaml

    try:
        if "*" in fm and "&" in fm and alias_expansion(fm) > MAX_YAML_NODES:
            return None, Problem(
                "VA002",
                2,
                1,
                f"front matter aliases expand to more than {MAX_YAML_NODES:,} values;"
                " write the values out instead of nesting aliases",
            )
        try:
            data = _yaml_handler().load(fm)
        except yaml.YAMLError:
            if not _PLACEHOLDER.search(fm):
                raise
            data = _load_with_placeholders(fm)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line if mark else 0) + 2
        col = (mark.column if mark else 0) + 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, Problem(
            "VA002", line, col, f"front matter is not valid YAML: {problem}; fix the YAML"
        )
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        kind = type(data).__name__
        return None, Problem(
            "VA002",
            2,
            1,
            f"front matter is a {kind}, not a mapping of properties; write 'key: value' lines",
        )
    return data, None


_IGNORE_RE = re.compile(r"^\s*starvault-ignore\b\s*(.*?)\s*$", re.DOTALL)
# Blocks that cannot hold a link skip the inline parser, and blocks where nothing can hide
# a wiki-link use its matcher directly. Tests turn this off to prove both paths agree.
SHORTCUTS = True
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Blocks whose lines hold no block ids. HTML blocks are not among them: Obsidian renders
# "<!-- note --> text ^id" as a paragraph with a block id.
_SKIP_BLOCKS = {"fence", "code_block", "math_block", "math_block_label"}


class _Extractor:
    """Walks block tokens; runs the inline parser only where a block can hold a link."""

    def __init__(self, lines: list[str], offset: int, markdown: Any) -> None:
        self.markdown = markdown  # starvault.markdown, imported once per note by parse_text
        self.md = markdown.block_parser()
        self.lines = lines  # body lines
        self.offset = offset  # body line index 0 is file line offset+1
        self.links: list[Link] = []
        self.headings: list[Heading] = []
        self.suppressions: dict[int, tuple[str, ...]] = {}
        self.skip_ranges: list[tuple[int, int]] = []
        self.cursor: dict[int, int] = {}
        self._content: str | None = None
        self._starts: list[int] = [0]

    def position(self, map_start: int, content: str, pos: int, needle: str) -> tuple[int, int]:
        """Map an offset in a block's inline content to (file line, column).

        Paragraph lines are suffixes of their source lines (only the container's prefix,
        "> " or a list marker, is cut), which gives the column exactly (the checker's
        parser reads table rows as paragraphs); ATX headings are found in the source line.
        """
        if content is not self._content:
            # Line starts of this block's content, once: a long paragraph with thousands
            # of links must stay linear.
            self._content = content
            starts = [0]
            i = content.find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = content.find("\n", i + 1)
            self._starts = starts
        line_idx = bisect_right(self._starts, pos) - 1
        line_start = self._starts[line_idx]
        in_line = pos - line_start
        src_i = map_start + line_idx
        src = self.lines[src_i] if src_i < len(self.lines) else ""
        line_end = content.find("\n", line_start)
        cline = content[line_start : line_end if line_end >= 0 else len(content)].rstrip()
        base = len(src.rstrip()) - len(cline)
        if base >= 0 and src[base : base + len(cline)] == cline:
            col = base + in_line
        else:
            # ATX headings: the content is not a suffix of the line.
            probe = cline[:in_line] + needle
            found = src.find(probe, self.cursor.get(src_i, 0))
            if found < 0:
                found = src.find(needle, self.cursor.get(src_i, 0))
                col = found if found >= 0 else in_line
            else:
                col = found + in_line
            self.cursor[src_i] = col + 1
        return src_i + self.offset + 1, col + 1

    def add_suppression(self, line: int, content: str) -> None:
        m = _IGNORE_RE.match(content)
        if m:
            codes = tuple(c.upper() for c in re.split(r"[\s,]+", m.group(1)) if c)
            self.suppressions[line] = self.suppressions.get(line, ()) + (codes or ("ALL",))

    def inline(self, token: Any, env: dict[str, Any]) -> None:
        content = token.content
        start = token.map[0]
        if SHORTCUTS:
            comment = "%%" in content
            if not comment and "[" not in content:
                return  # no link, no comment: nothing to extract
            refs = env.get("references")
            wiki = "[[" in content
            if not comment and not wiki and not refs and "](" not in content:
                return
            if wiki and not refs and not self.markdown.needs_inline_parser(content):
                # Nothing in the block can hide or reshape a wiki-link, and it has no
                # Markdown link: the inline rule's own matcher, run directly, finds the
                # same links.
                self.fast_wikilinks(start, content)
                return
        md = self.md
        children: list[Any] = []
        md.inline.parse(content, md, env, children)
        self.walk_inline(children, start, content, env)

    def fast_wikilinks(self, start: int, content: str) -> None:
        for m in self.markdown.find_wikilinks(content):
            self.add_wikilink(start, content, m.start, m.inner, m.embed, content[m.start : m.end])

    def add_wikilink(
        self, start: int, content: str, pos: int, inner: str, embed: bool, markup: str
    ) -> None:
        needle = markup[: markup.find("|") + 1 or len(markup)]
        line, col = self.position(start, content, pos, needle.rstrip("|\\"))
        parts = self.markdown.split_wikilink(inner)
        kind = "embed" if embed else "link"
        self.links.append(Link(kind, nfc(parts.path), parts.subpath, parts.display, line, col))

    def walk_inline(
        self, children: list[Any], start: int, content: str, env: dict[str, Any], base: int = 0
    ) -> None:
        """Links in inline tokens; ``base`` is the offset in ``content`` of the text they
        were parsed from (an inline footnote's ``^[...]`` is parsed on its own)."""
        for child in children:
            kind = child.type
            if kind == "wikilink":
                meta = child.meta
                self.add_wikilink(
                    start, content, base + meta["pos"], child.content, meta["embed"], child.markup
                )
            elif kind == "footnote_ref" and "pos" in (child.meta or {}):
                # "^[text]": its tokens live in the footnote list, parsed from "text".
                found = env.get("footnotes", {}).get("list", {}).get(child.meta.get("id"), {})
                inner = found.get("tokens")
                if inner:
                    self.walk_inline(inner, start, content, env, base + child.meta["pos"] + 2)
            elif kind in ("link_open", "image"):
                href = child.attrGet("href" if kind == "link_open" else "src") or ""
                if child.markup == "autolink" or child.markup == "linkify":
                    continue
                pos = (child.meta or {}).get("pos")
                if pos is None:
                    continue
                pos += base
                link = markdown_destination(href)
                if link is None:
                    continue
                needle = "![" if kind == "image" else "["
                line, col = self.position(start, content, pos, needle)
                path, subpath = link
                self.links.append(Link("markdown", path, subpath, None, line, col))
            elif kind == "obsidian_comment":
                line, _ = self.position(start, content, base + child.meta["pos"], "%%")
                self.add_suppression(line, child.content)


def markdown_destination(href: str) -> tuple[str, str | None] | None:
    """A Markdown destination as (decoded path, subpath), or None when Obsidian does not
    read it as a file in the vault.

    Not a file: a URL (``https:``, ``mailto:``, ``//host``), any path with a ``:`` that
    does not start with ``./`` or ``../`` (no note name may hold one, so
    ``<(https://example.com)>`` is a web address in parentheses, not a note named
    ``(https``), and an empty destination (``[text]()``, which Obsidian leaves alone).
    """
    if _SCHEME_RE.match(href) or href.startswith("//"):
        return None
    href = unquote(href)
    subpath = None
    if "#" in href:
        href, subpath = href.split("#", 1)
    if ":" in href and not href.startswith(("./", "../")):
        return None
    if not href.strip() and subpath is None:
        return None
    return nfc(href.strip()), subpath


class LinkSpan(NamedTuple):
    """Where a link sits in its line (0-based columns, end exclusive), for rewriting it.

    ``path`` is the target as written (still %-encoded in a Markdown link, inside ``<>``
    when it is written so), ``subpath`` the text after its ``#`` (None without one).
    """

    start: int
    end: int
    path: tuple[int, int]
    subpath: tuple[int, int] | None


def link_span(line: str, link: Link) -> LinkSpan | None:
    """The exact extent of ``link`` in ``line`` (the text of line ``link.line``).

    None when the line does not hold the link there (the text changed since it was read,
    or a Markdown link whose destination is on a later line).
    """
    from .markdown import match_wikilink

    at = link.column - 1
    if link.kind != "markdown":
        found = match_wikilink(line, at, len(line))
        if found is None:
            return None
        after, inner, embed = found
        base = at + (3 if embed else 2)
        bar = inner.find("|")
        head = inner if bar < 0 else inner[:bar]
        if head.endswith("\\"):  # the table escape ``[[Note\|shown]]``
            head = head[:-1]
        hash_ = head.find("#")
        path = head if hash_ < 0 else head[:hash_]
        lead = len(path) - len(path.lstrip())
        p = (base + lead, base + lead + len(path.strip()))
        sub = None if hash_ < 0 else (base + hash_ + 1, base + len(head))
        return LinkSpan(at, after, p, sub)
    return _markdown_span(line, at)


def _markdown_span(line: str, at: int) -> LinkSpan | None:
    from markdown_it.helpers import parseLinkDestination

    i = at + 2 if line.startswith("![", at) else at + 1
    if i > len(line) or line[i - 1] != "[":
        return None
    depth = 1
    while i < len(line) and depth:
        c = line[i]
        if c == "\\":
            i += 2
            continue
        depth += 1 if c == "[" else -1 if c == "]" else 0
        i += 1
    if depth or not line.startswith("(", i):
        return None
    i += 1
    while i < len(line) and line[i] in " \t":
        i += 1
    dest = parseLinkDestination(line, i, len(line))
    if not dest.ok:
        return None
    raw_start, raw_end = i, dest.pos
    if line.startswith("<", raw_start):
        raw_start, raw_end = raw_start + 1, raw_end - 1
    close = line.find(")", dest.pos)
    if close < 0:
        return None
    hash_ = line.find("#", raw_start, raw_end)
    path = (raw_start, raw_end if hash_ < 0 else hash_)
    sub = None if hash_ < 0 else (hash_ + 1, raw_end)
    return LinkSpan(at, close + 1, path, sub)


def _property_links(meta: dict[str, Any], fm: str) -> list[Link]:
    """Wiki-links in front matter values, located in the front matter text (line 2 on)."""
    from .markdown import find_wikilinks

    found: list[str] = []

    def visit(value: Any) -> None:
        if isinstance(value, str):
            if "[[" in value:
                found.extend(m.inner for m in find_wikilinks(value))
        elif isinstance(value, dict):
            for v in value.values():
                visit(v)
        elif isinstance(value, list):
            for v in value:
                visit(v)

    visit(meta)
    if not found:
        return []
    from .markdown import split_wikilink

    links = []
    fm_lines = fm.split("\n")
    li, ci = 0, 0
    for inner in found:
        needle = f"[[{inner}]]"
        line, col = 2, 1
        for j in range(li, len(fm_lines)):
            k = fm_lines[j].find(needle, ci if j == li else 0)
            if k >= 0:
                li, ci = j, k + len(needle)
                line, col = j + 2, k + 1
                break
        parts = split_wikilink(inner)
        links.append(Link("property", nfc(parts.path), parts.subpath, parts.display, line, col))
    return links


def parse_text(path: str, text: str) -> Note:
    """Build a Note from decoded text (LF line ends). Pure: no file system access."""
    note = Note(path)
    if "\0" in text:
        # As markdown-it reads it (same length: lines and columns stay where they are).
        text = text.replace("\0", "\ufffd")
    fm, body_line = split_front_matter(text)
    note.body_line = body_line
    if fm is not None:
        meta, problem = load_yaml(fm)
        if problem is not None:
            note.problems.append(problem)
        else:
            note.meta = meta
            note.fields = field_lines(text, body_line)
            note.links.extend(_property_links(meta, fm))
            ignore = (meta.get("starvault") or {}) if isinstance(meta, dict) else {}
            if isinstance(ignore, dict) and ignore.get("ignore"):
                codes = ignore["ignore"]
                if isinstance(codes, str):
                    codes = [codes]
                if isinstance(codes, list):
                    note.suppressions[0] = tuple(str(c).upper() for c in codes)
        body = text.split("\n", body_line - 1)[-1] if body_line > 1 else text
    else:
        body = text
    lines = body.split("\n")
    # Imported here, not at the top: a warm run (every note from the cache) needs no parser.
    from . import markdown

    ex = _Extractor(lines, body_line - 1, markdown)
    env: dict[str, Any] = {}
    tokens = ex.md.parse(body, env)
    heading_level = 0
    deepest = ex.md.options["maxNesting"] - 1
    for token in tokens:
        kind = token.type
        # markdown-it drops whatever lies deeper than maxNesting without a word.
        if (
            token.nesting == 1
            and token.level >= deepest
            and token.map
            and not any(p.code == "VA004" for p in note.problems)
        ):
            note.problems.append(
                Problem(
                    "VA004",
                    token.map[0] + body_line,
                    1,
                    f"blocks nested more than {deepest + 1} levels deep: what is inside"
                    " is not read or shown; flatten the quotes or lists",
                )
            )
        if kind == "inline":
            if heading_level:
                text_ = token.content
                ex.headings.append(Heading(heading_level, text_, token.map[0] + body_line))
                heading_level = 0
            ex.inline(token, env)
        elif kind == "heading_open":
            heading_level = int(token.tag[1])
        elif kind in _SKIP_BLOCKS:
            if token.map:
                ex.skip_ranges.append((token.map[0], token.map[1]))
        elif kind == "obsidian_comment_block":
            ex.skip_ranges.append((token.map[0], token.map[1]))
            ex.add_suppression(token.map[0] + body_line, token.content)
    note.links.extend(ex.links)
    note.headings = ex.headings
    note.suppressions.update(ex.suppressions)
    # Block ids: "text ^id" at a line end, or "^id" alone, outside code and comments.
    if "^" in body:
        skip = ex.skip_ranges
        for i, block_id in markdown.find_block_ids(body):
            if not any(a <= i < b for a, b in skip):
                note.blocks.setdefault(block_id.lower(), i + body_line)
    return note


def too_large(size: int, limit: int) -> Problem:
    return Problem(
        "VA003",
        1,
        1,
        f"the note is {size // 1024:,} KB, above the limit of {limit // 1024:,} KB: not read;"
        " split it, or raise 'max_note_kb' in starvault.toml",
    )


def read_note(root: str, rel: str, limit: int | None = None, on_disk: str | None = None) -> Note:
    """Read and parse one note; never raises for bad input (problems are recorded).

    ``rel`` is its vault path (NFC), ``on_disk`` the path to open when that differs.
    A note above ``limit`` bytes is not read (VA003): parsing and rendering cost memory in
    proportion to a note's size, and one pasted log must not stop the run.
    """
    full = os.path.join(root, on_disk or rel)
    try:
        st = os.stat(full)
        if not stat.S_ISREG(st.st_mode):
            note = Note(rel)
            note.problems.append(Problem("VA001", 1, 1, "not a regular file"))
            return note
        if limit is not None and st.st_size > limit:
            note = Note(rel)
            note.problems.append(too_large(st.st_size, limit))
            note.size, note.mtime_ns, note.ctime_ns, note.inode = file_key(st)
            return note
        with open(full, "rb") as fh:
            data = fh.read() if limit is None else fh.read(limit + 1)
        if limit is not None and len(data) > limit:  # it grew since stat
            note = Note(rel)
            note.problems.append(too_large(len(data), limit))
            return note
    except OSError as exc:
        # Never cached (no file key): re-read on every run until it can be read.
        note = Note(rel)
        note.problems.append(Problem("VA001", 1, 1, f"cannot read the file: {exc.strerror}"))
        return note
    text, problem = decode(data)
    if text is None:
        note = Note(rel)
        assert problem is not None
        note.problems.append(problem)
    else:
        try:
            note = parse_text(rel, text)
        except RecursionError:
            note = Note(rel)
            note.problems.append(
                Problem("VA001", 1, 1, "nesting too deep to parse; simplify the note")
            )
    note.size, note.mtime_ns, note.ctime_ns, note.inode = file_key(st)
    return note


def read_text(root: Path, rel: str, limit: int | None = None) -> str:
    """The decoded text of a note (LF line ends), or "" if it cannot be read or is larger
    than ``limit`` bytes."""
    try:
        with open(root / rel, "rb") as fh:
            data = fh.read() if limit is None else fh.read(limit + 1)
    except OSError:
        return ""
    if limit is not None and len(data) > limit:
        return ""
    text, _ = decode(data)
    return text or ""
