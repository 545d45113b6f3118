"""The on-disk cache: ``.starvault-cache/`` at the vault root, as ruff keeps its own.

It holds each note's parse (reused while the file's size and modification time are
unchanged) and each note's link outcome (reused while, in addition, the vault's set of
files is the same and no note it links into by heading or block has changed). A missing,
corrupt or old-version cache is ignored and rebuilt; a read-only vault runs uncached.

The file is ``marshal`` data of plain tuples, which loads several times faster than
pickled objects. A note's links are kept as a marshal blob of their own and decoded only
when something asks for them: a warm check of an unchanged note never does.
"""

from __future__ import annotations

import marshal
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from . import __version__
from .links import Outcome, Resolved, Status
from .scan import Heading, Link, Note, Problem

CACHE_DIR = ".starvault-cache"
FILE = "notes.marshal"
# Bump FORMAT when Note's shape or the extraction changes, so old caches are dropped;
# marshal's format also depends on the Python version.
FORMAT = 6
T = TypeVar("T")
_KEY = f"starvault-{__version__}-{FORMAT}-py{sys.version_info[0]}.{sys.version_info[1]}"


class _Decoded(Generic[T]):
    """A Note field that a CachedNote keeps in its cached form until first read."""

    def __init__(self, field: Any, raw: str, decode: Callable[[Any], T]) -> None:
        self.field = field  # Note's slot descriptor
        self.raw = raw  # the attribute holding the cached form, None once decoded
        self.decode = decode

    def __get__(self, note: Any, owner: type | None = None) -> T:
        if note is None:  # looked up on the class
            return self  # type: ignore[return-value]
        raw = getattr(note, self.raw)
        if raw is not None:
            self.__set__(note, self.decode(raw))
        return self.field.__get__(note)

    def __set__(self, note: Any, value: T) -> None:
        setattr(note, self.raw, None)
        self.field.__set__(note, value)


class CachedNote(Note):
    """A Note from the cache whose links and headings are decoded on first access."""

    __slots__ = ("_raw_headings", "_raw_links")

    links = _Decoded(
        Note.links, "_raw_links", lambda raw: list(map(Link._make, marshal.loads(raw)))
    )
    headings = _Decoded(Note.headings, "_raw_headings", lambda raw: list(map(Heading._make, raw)))


@dataclass
class Cached:
    notes: dict[str, Note] = field(default_factory=dict)
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    fingerprint: str | None = None
    # The stored rows, written back as they are for what did not change.
    rows: dict[str, tuple[Any, Any]] = field(default_factory=dict)


def encode_note(note: Note) -> tuple[Any, ...]:
    try:
        marshal.dumps(note.meta)
        meta: Any = note.meta
        pickled = False
    except ValueError:  # YAML dates and the like
        meta = pickle.dumps(note.meta, protocol=pickle.HIGHEST_PROTOCOL)
        pickled = True
    return (
        note.path,
        note.size,
        note.mtime_ns,
        note.body_line,
        pickled,
        meta,
        marshal.dumps(tuple(tuple(link) for link in note.links)),
        tuple(tuple(h) for h in note.headings),
        note.blocks,
        note.suppressions,
        tuple(tuple(p) for p in note.problems),
    )


def decode_note(row: tuple[Any, ...]) -> Note:
    path, size, mtime, body_line, pickled, meta, links, heads, blocks, supp, problems = row
    note = CachedNote(
        path,
        pickle.loads(meta) if pickled else meta,
        body_line,
        [],
        [],
        blocks,
        supp,
        [Problem(*p) for p in problems],
        size,
        mtime,
    )
    note._raw_links = links
    note._raw_headings = heads
    return note


def _encode_outcome(o: Outcome) -> tuple[Any, ...]:
    problems = tuple(
        (tuple(r.link), r.status.value, r.path, r.candidates, r.hint) for r in o.problems
    )
    return (o.count, problems, o.targets, o.deps)


def _decode_outcome(source: str, row: tuple[Any, ...]) -> Outcome:
    count, problems, targets, deps = row
    return Outcome(
        count,
        tuple(Resolved(source, Link(*lk), Status(st), p, c, h) for lk, st, p, c, h in problems),
        targets,
        deps,
    )


def load(root: Path) -> Cached:
    path = root / CACHE_DIR / FILE
    try:
        # loads() of the whole file: load() on a file object reads in small pieces.
        data = marshal.loads(path.read_bytes())
        if not isinstance(data, dict) or data.get("key") != _KEY:
            return Cached()
        notes: dict[str, Note] = {}
        outcomes: dict[str, Outcome] = {}
        rows: dict[str, tuple[Any, Any]] = {}
        for pair in data["rows"]:
            row, outcome = pair
            path = row[0]
            notes[path] = decode_note(row)
            if outcome is not None:
                outcomes[path] = _decode_outcome(path, outcome)
            rows[path] = pair
        return Cached(notes, outcomes, data.get("fingerprint"), rows)
    except Exception:  # any unreadable or corrupt cache is just a cold start
        return Cached()


def save(
    root: Path,
    notes: dict[str, Note],
    outcomes: dict[str, Outcome],
    fingerprint: str,
    previous: Cached | None = None,
) -> None:
    folder = root / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by starvault automatically.\n*\n", encoding="utf-8")
            (folder / "CACHEDIR.TAG").write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by starvault.\n",
                encoding="utf-8",
            )
        rows = []
        for path, note in notes.items():
            if not (note.size or note.mtime_ns):
                continue  # never read: nothing to keep
            outcome = outcomes.get(path)
            if previous is not None and previous.notes.get(path) is note and path in previous.rows:
                old_row, old_outcome = previous.rows[path]
                if outcome is not None and previous.outcomes.get(path) is outcome:
                    rows.append((old_row, old_outcome))
                    continue
                note_row = old_row
            else:
                note_row = encode_note(note)
            rows.append((note_row, _encode_outcome(outcome) if outcome else None))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".notes-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                marshal.dump({"key": _KEY, "fingerprint": fingerprint, "rows": rows}, fh)
            os.replace(tmp, folder / FILE)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only vault: no cache, same results
