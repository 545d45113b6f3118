"""The on-disk parse cache: ``.starvault-cache/`` at the vault root, as ruff keeps its own.

One pickle maps each note's path to its parsed :class:`~starvault.scan.Note`; an entry is
reused while the file's size and modification time are unchanged. A missing, corrupt or
old-version cache is ignored and rebuilt; a vault we may not write to simply runs uncached.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from . import __version__
from .scan import Note

CACHE_DIR = ".starvault-cache"
# Bump when Note's shape or the extraction changes, so old caches are dropped.
FORMAT = 3
_KEY = f"starvault-{__version__}-{FORMAT}"


def load(root: Path) -> dict[str, Note]:
    path = root / CACHE_DIR / "notes.pickle"
    try:
        with open(path, "rb") as fh:
            data = pickle.load(fh)
    except Exception:
        return {}
    if not isinstance(data, dict) or data.get("key") != _KEY:
        return {}
    notes = data.get("notes")
    return notes if isinstance(notes, dict) else {}


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
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".notes-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump({"key": _KEY, "notes": notes}, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, folder / "notes.pickle")
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # read-only vault: no cache, same results
