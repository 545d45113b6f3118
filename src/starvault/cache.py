"""The on-disk parse cache: ``.starvault-cache/`` at the vault root, as ruff keeps its own.

One file maps each note's path to its parsed :class:`~starvault.scan.Note`; an entry is
reused while the file's size and modification time are unchanged. A missing, corrupt or
old-version cache is ignored and rebuilt; a vault we may not write to simply runs uncached.

The file is ``marshal`` data of plain tuples: it loads several times faster than pickled
objects, which is most of a warm check's time on a large vault. Front matter that marshal
cannot hold (YAML dates) is stored as a pickle inside it.
"""

from __future__ import annotations

import marshal
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import __version__
from .scan import Heading, Link, Note, Problem

CACHE_DIR = ".starvault-cache"
FILE = "notes.marshal"
# Bump FORMAT when Note's shape or the extraction changes, so old caches are dropped;
# marshal's format also depends on the Python version.
FORMAT = 4
_KEY = f"starvault-{__version__}-{FORMAT}-py{sys.version_info[0]}.{sys.version_info[1]}"


def _encode(note: Note) -> tuple[Any, ...]:
    try:
        marshal.dumps(note.meta)
        meta: Any = note.meta
        pickled = False
    except ValueError:
        meta = pickle.dumps(note.meta, protocol=pickle.HIGHEST_PROTOCOL)
        pickled = True
    return (
        note.path,
        note.size,
        note.mtime_ns,
        note.body_line,
        pickled,
        meta,
        tuple(tuple(link) for link in note.links),
        tuple(tuple(h) for h in note.headings),
        note.blocks,
        note.suppressions,
        tuple(tuple(p) for p in note.problems),
    )


def _decode(row: tuple[Any, ...]) -> Note:
    path, size, mtime, body_line, pickled, meta, links, heads, blocks, supp, problems = row
    return Note(
        path,
        pickle.loads(meta) if pickled else meta,
        body_line,
        [Link(*link) for link in links],
        [Heading(*h) for h in heads],
        blocks,
        supp,
        [Problem(*p) for p in problems],
        size,
        mtime,
    )


def load(root: Path) -> dict[str, Note]:
    path = root / CACHE_DIR / FILE
    try:
        with open(path, "rb") as fh:
            data = marshal.load(fh)
        if not isinstance(data, dict) or data.get("key") != _KEY:
            return {}
        return {row[0]: _decode(row) for row in data["rows"]}
    except Exception:  # any unreadable or corrupt cache is just a cold start
        return {}


def save(root: Path, notes: dict[str, Note]) -> None:
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
        rows = [_encode(n) for n in notes.values() if n.size or n.mtime_ns]
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".notes-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                marshal.dump({"key": _KEY, "rows": rows}, fh)
            os.replace(tmp, folder / FILE)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only vault: no cache, same results
