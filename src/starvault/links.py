"""Link resolution exactly as Obsidian 1.x does it (SPEC §3), and subpath checks.

:class:`Resolver` knows every file of the vault and answers "which file does this link
from that note point to". Lookups are memoised per (linking folder, target), since a vault
links the same few hundred notes thousands of times.
"""

from __future__ import annotations

import difflib
import heapq
import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from enum import Enum
from typing import NamedTuple

from .scan import Heading, Link, Note

# ASCII punctuation Obsidian ignores when it matches a heading in a link.
_HEADING_PUNCT = str.maketrans({c: " " for c in '!"#$%&()*+,.:;<=>?@^`{|}~/[]\\'})
_URLISH = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)", re.IGNORECASE)


def heading_key(text: str) -> str:
    """Normalise a heading for comparison: punctuation to spaces, collapse, lower-case."""
    return " ".join(text.translate(_HEADING_PUNCT).split()).casefold()


class Status(Enum):
    OK = "ok"
    AMBIGUOUS = "ambiguous"  # resolves, but several files match (LK004)
    BROKEN = "broken"  # no such note (LK001)
    URLISH = "url"  # [[https://...]]: a note name that looks like a URL (LK001)
    MISSING_ATTACHMENT = "missing-attachment"  # LK005
    OUTSIDE = "outside"  # ../ past the vault root (LK006)
    EMPTY = "empty"  # [[]], [[|x]] (LK008)
    BAD_HEADING = "bad-heading"  # LK002
    BAD_BLOCK = "bad-block"  # LK003


class Resolved(NamedTuple):
    """One link with its outcome. ``path`` is the file it points to when it resolves."""

    source: str
    link: Link
    status: Status
    path: str | None
    candidates: tuple[str, ...] = ()
    # For a broken link: ("alias", note) when the target is an alias of that note,
    # ("near", note) for the closest name, ("", "") for none. Cached with the outcome.
    hint: tuple[str, str] | None = None

    @property
    def resolves(self) -> bool:
        return self.path is not None


class Outcome(NamedTuple):
    """What a note's links come to, small enough to cache between runs."""

    count: int  # links in the note
    problems: tuple[Resolved, ...]  # the links that do not resolve cleanly
    targets: tuple[str, ...]  # files its links resolve to, other than itself
    deps: tuple[str, ...]  # notes whose headings or block ids decided a subpath


def outcome_of(resolved: list[Resolved], suggester: Suggester | None = None) -> Outcome:
    problems = tuple(
        r._replace(hint=suggester.hint(r.link.target))
        if suggester is not None and r.status is Status.BROKEN
        else r
        for r in resolved
        if r.status is not Status.OK
    )
    targets = {r.path for r in resolved if r.path is not None and r.path != r.source}
    deps = {r.path for r in resolved if r.path is not None and r.link.subpath}
    return Outcome(len(resolved), problems, tuple(sorted(targets)), tuple(sorted(deps)))


# Extensions that make a link target an attachment rather than a note name with a dot.
ATTACHMENT_EXTENSIONS = frozenset(
    [
        "png",
        "jpg",
        "jpeg",
        "gif",
        "bmp",
        "svg",
        "webp",
        "avif",
        "tif",
        "tiff",
        "ico",
        "heic",
        "mp3",
        "wav",
        "m4a",
        "ogg",
        "flac",
        "3gp",
        "mp4",
        "webm",
        "ogv",
        "mov",
        "mkv",
        "avi",
        "pdf",
        "canvas",
        "base",
        "csv",
        "tsv",
        "json",
        "txt",
        "xml",
        "yaml",
        "yml",
        "zip",
        "gz",
        "tar",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "odp",
        "epub",
        "html",
        "htm",
        "css",
        "js",
        "py",
        "ipynb",
    ]
)


def _is_attachment(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return dot > 0 and base[dot + 1 :].lower() in ATTACHMENT_EXTENSIONS


def _sort_key(path: str) -> tuple[int, int, str]:
    return (path.count("/"), len(path), path)


class Resolver:
    """Obsidian's link resolution over a fixed set of vault files."""

    def __init__(self, files: Iterable[str]) -> None:
        self.exact: dict[str, list[str]] = defaultdict(list)
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for path in files:
            low = path.lower()
            self.exact[low].append(path)
            self.by_name[low.rsplit("/", 1)[-1]].append(path)
        for paths in self.by_name.values():
            paths.sort(key=_sort_key)
        self._targets: dict[tuple[str, str, bool], tuple[Status, tuple[str, ...]]] = {}
        self._subpaths: dict[tuple[str, str], Status] = {}
        self._headings: dict[str, HeadingIndex] = {}

    def forget(self, path: str) -> None:
        """Drop what is memoised about one note's headings and block ids (it was edited;
        the set of files is unchanged)."""
        self._headings.pop(path, None)
        self._subpaths = {k: v for k, v in self._subpaths.items() if k[0] != path}

    def subpath_status(self, note: Note, subpath: str) -> Status:
        """check_subpath, memoised: thousands of links name the same few headings."""
        key = (note.path, subpath)
        hit = self._subpaths.get(key)
        if hit is None:
            hit = self._subpaths[key] = check_subpath(note, subpath, self.headings(note))
        return hit

    def headings(self, note: Note) -> HeadingIndex:
        """The note's heading index, built once per note."""
        hit = self._headings.get(note.path)
        if hit is None:
            hit = self._headings[note.path] = HeadingIndex(note.headings)
        return hit

    def _lookup(self, target: str, folder: str) -> tuple[str, tuple[str, ...]]:
        """('ok'|'outside', candidates in Obsidian's order) for one spelled-out file path."""
        low = target.lower()
        if low.startswith(("./", "../")) or low in (".", ".."):
            joined = posixpath.normpath(posixpath.join(folder.lower(), low))
            if joined == ".." or joined.startswith("../"):
                return "outside", ()
            return "ok", tuple(self.exact.get(joined, ()))
        if low.startswith("/"):
            joined = posixpath.normpath(low.lstrip("/"))
            if joined == ".." or joined.startswith("../"):
                return "outside", ()
            return "ok", tuple(self.exact.get(joined, ()))
        if "/../" in "/" + low:
            joined = posixpath.normpath(low)
            if joined == ".." or joined.startswith("../"):
                return "outside", ()
            low = joined
        root = self.exact.get(low)
        if root:
            return "ok", tuple(root)
        name = low.rsplit("/", 1)[-1]
        pool = self.by_name.get(name, ())
        if "/" in low:
            tail = "/" + low
            pool = [p for p in pool if ("/" + p.lower()).endswith(tail)]
        return "ok", tuple(pool)

    def target_status(
        self, target: str, folder: str, markdown: bool
    ) -> tuple[Status, tuple[str, ...]]:
        """Where a non-empty link target leads, before any subpath: (status, candidates).

        Status is OK (one candidate), AMBIGUOUS (several, Obsidian's pick first), or
        URLISH, OUTSIDE, BROKEN, MISSING_ATTACHMENT (no candidates). Memoised by target.
        """
        relative = target.startswith(("./", "../")) or target in (".", "..")
        key = (folder if relative else "", target, markdown)
        hit = self._targets.get(key)
        if hit is None:
            hit = self._targets[key] = self._target_status(target, folder, markdown)
        status, pool = hit
        if status is Status.AMBIGUOUS and folder:
            pool = self._near_first(pool, folder)
        return status, pool

    def _target_status(
        self, target: str, folder: str, markdown: bool
    ) -> tuple[Status, tuple[str, ...]]:
        if not markdown and _URLISH.match(target):
            return Status.URLISH, ()
        where, pool = self._candidates(target, folder)
        if where == "outside":
            return Status.OUTSIDE, ()
        if not pool:
            return (Status.MISSING_ATTACHMENT if _is_attachment(target) else Status.BROKEN), ()
        return (Status.AMBIGUOUS if len(pool) > 1 else Status.OK), pool

    @staticmethod
    def _near_first(pool: tuple[str, ...], folder: str) -> tuple[str, ...]:
        """Ties: a file under the linking note's folder comes first."""
        near = folder.lower() + "/"
        first = [p for p in pool if p.lower().startswith(near)]
        if first:
            return (*first, *(p for p in pool if not p.lower().startswith(near)))
        return pool

    def candidates(self, target: str, folder: str) -> tuple[str, tuple[str, ...]]:
        """Files a link target may mean, first the one Obsidian picks."""
        where, pool = self._candidates(target, folder)
        if len(pool) > 1 and folder:
            pool = self._near_first(pool, folder)
        return where, pool

    def _candidates(self, target: str, folder: str) -> tuple[str, tuple[str, ...]]:
        """('ok'|'outside', candidates before ties). Notes may be named without ``.md``;
        other files need their extension."""
        hit: tuple[str, tuple[str, ...]] = ("ok", ())
        if not target.lower().endswith(".md"):
            hit = self._lookup(target + ".md", folder)
        if not hit[1] and hit[0] != "outside":
            hit = self._lookup(target, folder)
        return hit


class HeadingIndex:
    """A note's headings by their matching key, for ``#A#B`` subpaths in constant time
    where it matters: a note with thousands of headings and links to each of them."""

    __slots__ = ("first", "headings", "keys")

    def __init__(self, headings: list[Heading]) -> None:
        self.headings = headings
        self.keys = [heading_key(h.text) for h in headings]
        self.first: dict[str, int] = {}
        for i, k in enumerate(self.keys):
            self.first.setdefault(k, i)

    def find(self, parts: list[str]) -> int | None:
        """The index of ``A#B#C``: each part a heading inside the section of the previous."""
        headings, keys = self.headings, self.keys
        lo, hi, level = 0, len(headings), 0
        found: int | None = None
        for n, part in enumerate(parts):
            key = heading_key(part)
            if n == 0:  # any heading of the note: the first with that key
                found = self.first.get(key)
            else:
                found = next(
                    (i for i in range(lo, hi) if headings[i].level > level and keys[i] == key),
                    None,
                )
            if found is None:
                return None
            if n + 1 < len(parts):
                from .markdown.syntax import section_end

                # The section ends at the next heading of the same or a higher rank.
                end = section_end(headings, found, hi)
                lo, hi, level = found + 1, end, headings[found].level
        return found


def check_subpath(note: Note, subpath: str, index: HeadingIndex | None = None) -> Status:
    """LK002/LK003 for a subpath on a note that exists."""
    sub = subpath.strip()
    if not sub:
        return Status.OK
    if sub.startswith("^"):
        return Status.OK if sub[1:].strip().lower() in note.blocks else Status.BAD_BLOCK
    parts = [p for p in sub.split("#") if p.strip()]
    if not parts:
        return Status.OK
    found = (index or HeadingIndex(note.headings)).find(parts)
    return Status.OK if found is not None else Status.BAD_HEADING


def resolve_link(source: Note, link: Link, resolver: Resolver, notes: dict[str, Note]) -> Resolved:
    """Resolve one link of ``source``; check its heading or block when it lands on a note."""
    target = link.target
    if not target:
        if link.subpath is None or not link.subpath.strip():
            return Resolved(source.path, link, Status.EMPTY, None)
        # [[#Heading]]: the note itself.
        status = resolver.subpath_status(source, link.subpath)
        return Resolved(source.path, link, status, source.path)
    status, cands = resolver.target_status(target, source.folder, link.kind == "markdown")
    if not cands:
        return Resolved(source.path, link, status, None)
    path = cands[0]
    note = notes.get(path)
    if note is not None and link.subpath:
        sub = resolver.subpath_status(note, link.subpath)
        if sub is not Status.OK:
            status = sub
    return Resolved(source.path, link, status, path, cands)


def note_outcome(
    source: Note, resolver: Resolver, notes: dict[str, Note], suggester: Suggester | None = None
) -> Outcome:
    """``outcome_of`` every link of ``source`` resolved, without building a Resolved for
    the links that simply resolve (most of them): the same result, faster."""
    src = source.path
    folder = source.folder
    targets: set[str] = set()
    rest: list[Resolved] = []
    ok = Status.OK
    for link in source.links:
        if link.target and not link.subpath:
            status, cands = resolver.target_status(link.target, folder, link.kind == "markdown")
            if status is ok:
                if cands[0] != src:
                    targets.add(cands[0])
                continue
        rest.append(resolve_link(source, link, resolver, notes))
    if not rest:
        return Outcome(len(source.links), (), tuple(sorted(targets)), ())
    partial = outcome_of(rest, suggester)
    targets.update(partial.targets)
    return Outcome(len(source.links), partial.problems, tuple(sorted(targets)), partial.deps)


class Suggester:
    """Closest existing note name for a broken link, and alias hints (SPEC §3 rule 7)."""

    def __init__(self, notes: Iterable[Note]) -> None:
        self.names: dict[str, str] = {}
        self.aliases: dict[str, str] = {}
        for note in notes:
            self.names.setdefault(note.name.lower(), note.name)
            for alias in note.aliases:
                self.aliases.setdefault(alias.strip().lower(), note.name)
        self._grams: dict[str, set[str]] | None = None
        self._memo: dict[str, str | None] = {}

    @property
    def grams(self) -> dict[str, set[str]]:
        """Trigram index of the names, built on the first broken link only."""
        if self._grams is None:
            grams: dict[str, set[str]] = defaultdict(set)
            for low in self.names:
                for g in self._trigrams(low):
                    grams[g].add(low)
            self._grams = grams
        return self._grams

    @staticmethod
    def _trigrams(text: str) -> set[str]:
        padded = f"  {text} "
        return {padded[i : i + 3] for i in range(len(padded) - 2)}

    def hint(self, target: str) -> tuple[str, str]:
        alias = self.alias_of(target)
        if alias:
            return ("alias", alias)
        return ("near", self.closest(target) or "")

    def alias_of(self, target: str) -> str | None:
        name = target.rsplit("/", 1)[-1]
        return self.aliases.get(name.strip().lower())

    def closest(self, target: str) -> str | None:
        name = target.rsplit("/", 1)[-1].strip()
        if name.lower().endswith(".md"):
            name = name[:-3]
        low = name.lower()
        if low in self._memo:
            return self._memo[low]
        # Shortlist by shared trigrams, then rank with difflib: fast on 10,000 names.
        counts: Counter[str] = Counter()
        grams = self.grams
        for g in self._trigrams(low):
            counts.update(grams.get(g, ()))
        # Ties by name: set order varies between processes, suggestions must not.
        shortlist = heapq.nsmallest(40, counts, key=lambda c: (-counts[c], c))
        best = difflib.get_close_matches(low, shortlist, n=1, cutoff=0.6)
        result = self.names[best[0]] if best else None
        self._memo[low] = result
        return result
