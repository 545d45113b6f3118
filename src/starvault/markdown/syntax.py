"""Obsidian's syntax read from plain text, without a Markdown parser.

The one place that knows how a wiki-link, a block id and a heading section are spelled.
The markdown-it plugins of this package call these functions, and so does every module
that needs them on text it already holds (front matter values, a line under the cursor,
an excerpt): none keeps its own regular expression. Importing this module imports no
parser, so a warm check (every note from the cache) stays light.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

# A wiki-link never spans lines; past this length an unclosed ``[[`` is plain text (keeps
# pathological input such as a megabyte of ``[[`` linear).
MAX_WIKILINK = 2048


@dataclass(frozen=True, slots=True)
class WikiTarget:
    """The parts of a wiki-link's inner text ``path#subpath|display``."""

    path: str
    subpath: str | None
    display: str | None


def split_wikilink(inner: str) -> WikiTarget:
    """Split ``Note#Heading|shown`` (also ``Note\\|shown`` from tables) into its parts."""
    display: str | None = None
    bar = inner.find("|")
    if bar >= 0:
        display = inner[bar + 1 :]
        inner = inner[:bar]
        if inner.endswith("\\"):  # the table escape ``[[Note\|shown]]``
            inner = inner[:-1]
    subpath: str | None = None
    hash_ = inner.find("#")
    if hash_ >= 0:
        subpath = inner[hash_ + 1 :].strip()
        inner = inner[:hash_]
    return WikiTarget(inner.strip(), subpath, display)


def match_wikilink(src: str, pos: int, pos_max: int) -> tuple[int, str, bool] | None:
    """``[[...]]`` or ``![[...]]`` at ``pos``: (offset after it, inner text, is embed)."""
    if src.startswith("![[", pos):
        inner_start = pos + 3
        embed = True
    elif src.startswith("[[", pos):
        inner_start = pos + 2
        embed = False
    else:
        return None
    limit = src.find("\n", inner_start)
    if limit < 0:
        limit = pos_max
    limit = min(limit, inner_start + MAX_WIKILINK)
    # The first "]]" closes the link, so a single "]" inside is part of the target.
    end = src.find("]]", inner_start, limit)
    if end < 0:
        return None
    inner = src[inner_start:end]
    if "[[" in inner:
        return None  # "[[a [[b]]": the inner "[[" starts the link
    return end + 2, inner, embed


class WikiMatch(NamedTuple):
    """One wiki-link found in text: ``text[start:end]`` is ``[[inner]]`` or ``![[inner]]``."""

    start: int
    end: int
    inner: str
    embed: bool

    @property
    def target(self) -> WikiTarget:
        return split_wikilink(self.inner)

    @property
    def shown(self) -> str:
        """What Obsidian shows for it: the display text, else the note's name."""
        parts = self.target
        if parts.display:
            return parts.display
        return parts.path.rsplit("/", 1)[-1] or (parts.subpath or "")


def find_wikilinks(text: str, start: int = 0, end: int | None = None) -> Iterator[WikiMatch]:
    """Every wiki-link and embed in ``text`` as Obsidian reads plain text (no code spans or
    comments considered: the parser does that). Linear in the length of the text."""
    stop = len(text) if end is None else end
    pos = text.find("[[", start, stop)
    while pos >= 0:
        at = pos - 1 if pos > start and text[pos - 1] == "!" else pos
        found = match_wikilink(text, at, stop)
        if found is None:
            pos = text.find("[[", pos + 1, stop)
            continue
        after, inner, embed = found
        yield WikiMatch(at, after, inner, embed)
        pos = text.find("[[", after, stop)


def whole_wikilink(value: str) -> WikiMatch | None:
    """The wiki-link ``value`` consists of (spaces around allowed), else None."""
    text = value.strip()
    if not text.startswith(("[[", "![[")):
        return None
    m = next(find_wikilinks(text), None)
    return m if m is not None and m.start == 0 and m.end == len(text) else None


def replace_wikilinks(text: str, repl: Callable[[WikiMatch], str] | None = None) -> str:
    """``text`` with each wiki-link replaced by ``repl(match)`` (by default what Obsidian
    shows for it)."""
    if "[[" not in text:
        return text
    out: list[str] = []
    last = 0
    for m in find_wikilinks(text):
        out.append(text[last : m.start])
        out.append(repl(m) if repl is not None else m.shown)
        last = m.end
    out.append(text[last:])
    return "".join(out)


# ---------------------------------------------------------------------------------------
# Block ids: "text ^id" at the end of a line (after a space), or "^id" alone on it.

_BLOCK_ID = re.compile(r"\^([A-Za-z0-9-]+)[ \t]*$", re.MULTILINE)


def block_id_at_end(line: str) -> tuple[str, int] | None:
    """The block id ending ``line`` and the offset of its ``^``, else None."""
    if "^" not in line:
        return None
    m = _BLOCK_ID.search(line.rstrip("\n"))
    if m is None or (m.start() and not line[m.start() - 1].isspace()):
        return None
    return m.group(1), m.start()


def find_block_ids(text: str) -> Iterator[tuple[int, str]]:
    """(0-based line, id) of every block id in ``text``, in order (code not considered)."""
    line, last = 0, 0
    for m in _BLOCK_ID.finditer(text):
        at = m.start()
        # After a space or alone (a look-behind in the pattern is fifty times slower).
        if at and not text[at - 1].isspace():
            continue
        line += text.count("\n", last, at)
        last = at
        yield line, m.group(1)


# ---------------------------------------------------------------------------------------
# Heading sections


class _Heading(Protocol):
    @property
    def level(self) -> int: ...
    @property
    def line(self) -> int: ...


def section_end(headings: Sequence[_Heading], i: int, stop: int | None = None) -> int:
    """The index of the heading that ends heading ``i``'s section: the next one of the
    same or a higher rank (``stop``, by default ``len(headings)``, when none does)."""
    hi = len(headings) if stop is None else stop
    level = headings[i].level
    return next((j for j in range(i + 1, hi) if headings[j].level <= level), hi)


def section_lines(headings: Sequence[_Heading], i: int, lines: Sequence[str]) -> list[str]:
    """The lines under heading ``i`` (1-based ``line``s into ``lines``), to its section's end."""
    j = section_end(headings, i)
    end = headings[j].line if j < len(headings) else len(lines) + 1
    return list(lines[headings[i].line : end - 1])
