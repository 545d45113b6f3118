"""The on-disk cache: ``.starvault-cache/`` at the vault root, as ruff keeps its own.

It holds each note's parse, reused while the file's key is unchanged (size, modification
time, change time and inode: see :func:`starvault.scan.file_key`; a note changed just
before the run that cached it began is read again, as git treats "racily clean" files),
and each note's link outcome (reused while, in addition, the vault's set of files is the
same and no note it links into by heading or block has changed). A missing, corrupt or
old-version cache is ignored and rebuilt; a read-only vault runs uncached.

The file is ``marshal`` data of plain tuples, which loads several times faster than
pickled objects. A note's links are kept as a marshal blob of their own and decoded only
when something asks for them: a warm check of an unchanged note never does.

The cache sits in the vault, and a shared vault may bring a crafted one. Nothing in it is
ever unpickled or run, and it is read only when its keyed hash (BLAKE2b, with a key kept in
the user's own cache folder, never in the vault) proves that this user's starvault wrote
it: anything else is ignored as a cold start. It is read only from a regular file, never
through a symbolic link, a FIFO or a device, and written only into a real folder.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import hashlib
import hmac
import marshal
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from . import __version__
from .atomic import clean_stale, temp_prefix
from .links import Outcome, Resolved, Status
from .scan import Heading, Link, Note, Problem

CACHE_DIR = ".starvault-cache"
FILE = "notes.marshal"
# The notes changed since FILE was written, over it: an edit rewrites this small file, not
# one the size of the vault (FILE is written anew once the changes pass DELTA_SHARE).
DELTA = "notes-delta.marshal"
DELTA_SHARE = 0.05
DELTA_MIN = 64  # notes: a small vault keeps a delta too
# Bump FORMAT when Note's shape or the extraction changes, so old caches are dropped;
# marshal's format also depends on the Python version.
FORMAT = 8
T = TypeVar("T")
_KEY = f"starvault-{__version__}-{FORMAT}-py{sys.version_info[0]}.{sys.version_info[1]}"
MAGIC = b"starvault-cache\n"
# YAML dates and times, which marshal cannot hold, as tagged pairs of plain strings.
_DATE, _DATETIME = "\0date", "\0datetime"


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
    started_ns: int = 0  # when the run that wrote the cache began reading files
    # The stored rows, written back as they are for what did not change.
    rows: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    # The rows of FILE alone and its keyed hash (what a DELTA is written over).
    base_rows: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    base_mac: bytes | None = None


def _tag(meta: Any) -> tuple[Any, tuple[Any, ...]]:
    """Front matter as plain data: each date or time becomes its ISO text, and its place
    (the keys and indexes that lead to it) is listed, so decoding visits only those."""
    spots: list[tuple[tuple[Any, ...], bool]] = []

    def walk(value: Any, where: tuple[Any, ...]) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, (*where, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*where, i)) for i, v in enumerate(value)]
        if isinstance(value, datetime.date):  # datetime is a date too
            spots.append((where, isinstance(value, datetime.datetime)))
            return value.isoformat()
        return value

    return walk(meta, ()), tuple(spots)


def _untag(meta: Any, spots: tuple[Any, ...]) -> Any:
    # The containers on the way are copied: the cached row keeps the plain ones, and it
    # is written back as it is.
    meta = dict(meta)
    for where, is_datetime in spots:
        parent = meta
        for step in where[:-1]:
            child = parent[step]
            child = dict(child) if isinstance(child, dict) else list(child)
            parent[step] = child
            parent = child
        kind = datetime.datetime if is_datetime else datetime.date
        parent[where[-1]] = kind.fromisoformat(parent[where[-1]])
    return meta


def encode_note(note: Note) -> tuple[Any, ...]:
    size = note.size
    try:
        marshal.dumps(note.meta)
        meta: Any = note.meta
        tagged: tuple[Any, ...] = ()
    except ValueError:  # YAML dates and times
        meta, tagged = _tag(note.meta)
        try:
            marshal.dumps(meta)
        except ValueError:  # nothing else YAML makes; if it does, never reuse this row
            meta, size = {}, -1
    return (
        note.path,
        size,
        note.mtime_ns,
        note.body_line,
        tagged,
        meta,
        marshal.dumps(tuple(tuple(link) for link in note.links)),
        tuple(tuple(h) for h in note.headings),
        note.blocks,
        note.suppressions,
        tuple(tuple(p) for p in note.problems),
        note.ctime_ns,
        note.inode,
        note.fields,
    )


def decode_note(row: tuple[Any, ...]) -> Note:
    (
        path,
        size,
        mtime,
        body_line,
        tagged,
        meta,
        links,
        heads,
        blocks,
        supp,
        problems,
        ctime,
        ino,
        fields,
    ) = row
    note = CachedNote(
        path,
        _untag(meta, tagged) if tagged else meta,
        body_line,
        [],
        [],
        blocks,
        supp,
        [Problem(*p) for p in problems],
        size,
        mtime,
        ctime,
        ino,
        fields,
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


# A change this close before the caching run began may share its timestamps with the
# version that run read (the kernel's file clock ticks every few milliseconds; some file
# systems keep whole seconds, FAT two): such a note is read again.
RACY_NS = 20_000_000
RACY_COARSE_NS = 2_000_000_000


def reusable(note: Note, key: tuple[int, ...] | None, started_ns: int) -> bool:
    """Whether a cached note still describes the file whose key the walk saw."""
    if key != note.file_key:
        return False
    window = RACY_COARSE_NS if note.ctime_ns % 1_000_000_000 == 0 else RACY_NS
    return note.ctime_ns < started_ns - window


def user_secret() -> bytes | None:
    """This user's key for the cache's keyed hash, made on first use; None if there is
    no private place to keep it (then nothing is cached)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "starvault")
    path = os.path.join(folder, "cache-key")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(os.urandom(32))
        data = _read_regular(path, 64)
    except OSError:
        return None
    return data if data is not None and len(data) == 32 else None


def _read_regular(path: str | Path, limit: int) -> bytes | None:
    """The bytes of a regular file of at most ``limit`` bytes; None for anything else
    (a symbolic link, a FIFO that would block, a device such as /dev/zero)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit + 1)
    finally:
        os.close(fd)


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hashlib.blake2b(payload, key=secret, digest_size=32).digest()


# A cache larger than this is not one starvault wrote for any vault it can check.
MAX_CACHE_BYTES = 4 << 30


# Whether what a load builds may be frozen out of the cyclic collector's sight: right for
# a command that ends when its work is done (check, build); a library caller or a server
# (serve, lsp) keeps the default, so no cyclic garbage made before a freeze outlives its use.
FREEZE = False


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while plain data is built: decoding a cache makes
    hundreds of thousands of containers and no cycles, and the collector walking them
    over and over was three quarters of the time. In a one-shot command (``FREEZE``) the
    objects are then frozen: they hold no cycles, so nothing is lost, only skipped."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was built lives as long as the vault: moved out of the collector's sight
        # (re-enabling would otherwise walk all of it at the next allocation).
        if FREEZE:
            gc.freeze()
        if was:
            gc.enable()


def load(root: Path) -> Cached:
    with paused_gc():
        return _load(root)


def _load(root: Path) -> Cached:
    try:
        found = read_signed(root / CACHE_DIR / FILE, _KEY, with_mac=True)
        if found is None:
            return Cached()
        data, mac = found
        base = {pair[0][0]: pair for pair in data["rows"]}
        rows = dict(base)
        try:
            delta = read_signed(root / CACHE_DIR / DELTA, _KEY)
        except OSError:  # none: FILE alone
            delta = None
        if delta is not None and delta.get("base") == mac:  # else written over another FILE
            for pair in delta["rows"]:
                rows[pair[0][0]] = pair
            for path in delta["removed"]:
                rows.pop(path, None)
            data = delta
        notes: dict[str, Note] = {}
        outcomes: dict[str, Outcome] = {}
        for path, (row, outcome) in rows.items():
            notes[path] = decode_note(row)
            if outcome is not None:
                outcomes[path] = _decode_outcome(path, outcome)
        fingerprint, started = data.get("fingerprint"), data.get("started", 0)
        return Cached(notes, outcomes, fingerprint, started, rows, base, mac)
    except Exception:  # any unreadable or corrupt cache is just a cold start
        return Cached()


def save(
    root: Path,
    notes: dict[str, Note],
    outcomes: dict[str, Outcome],
    fingerprint: str,
    previous: Cached | None = None,
    started_ns: int = 0,
) -> None:
    if user_secret() is None:
        return
    try:
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
        head = {"key": _KEY, "fingerprint": fingerprint, "started": started_ns}
        if previous is not None and previous.base_mac is not None:
            base = previous.base_rows
            changed = [
                pair
                for pair in rows
                if (old := base.get(pair[0][0])) is None
                or old[0] is not pair[0]
                # An outcome worked out again (a file came or went) is often the same.
                or (old[1] is not pair[1] and old[1] != pair[1])
            ]
            kept = {pair[0][0] for pair in rows}
            removed = [path for path in base if path not in kept]
            if len(changed) + len(removed) <= max(DELTA_MIN, DELTA_SHARE * len(rows)):
                delta = {**head, "base": previous.base_mac, "rows": changed, "removed": removed}
                write_signed(root, DELTA, delta)
                return
        write_signed(root, FILE, {**head, "rows": rows})
        # A delta left over was written over the old FILE: never applied to this one.
        with contextlib.suppress(OSError):
            (root / CACHE_DIR / DELTA).unlink()
    except (OSError, ValueError):
        pass  # a read-only vault (or a value marshal cannot hold): no cache, same results


def read_signed(path: Path, key: str, *, with_mac: bool = False) -> Any:
    """The data of a cache file this user's starvault wrote with format ``key``, else None;
    ``with_mac``: (data, its keyed hash).

    Nothing is decoded before its keyed hash checks out; any other file (a vault's own,
    a corrupt one, an older format) is None, a cold start.
    """
    secret = user_secret()
    blob = _read_regular(path, MAX_CACHE_BYTES) if secret is not None else None
    if blob is None or not blob.startswith(MAGIC):
        return None
    mac, payload = blob[len(MAGIC) : len(MAGIC) + 32], blob[len(MAGIC) + 32 :]
    if not hmac.compare_digest(mac, _mac(secret, payload)):  # type: ignore[arg-type]
        return None  # not written by this user's starvault: never decoded
    # loads() of the whole file: load() on a file object reads in small pieces.
    with paused_gc():
        data = marshal.loads(payload)
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    return (data, mac) if with_mac else data


def write_signed(root: Path, name: str, data: dict[str, Any]) -> None:
    """Write ``data`` as the cache file ``name`` with this user's keyed hash, atomically.

    Only into a real ``.starvault-cache`` folder (never through a link); without a key
    nothing is written. Raises OSError (read-only vault) and ValueError (data marshal
    cannot hold) for the caller to treat as "uncached".
    """
    secret = user_secret()
    if secret is None:
        return
    folder = root / CACHE_DIR
    folder.mkdir(exist_ok=True)
    if not stat.S_ISDIR(os.lstat(folder).st_mode):
        return  # a symbolic link or a file: never write through it
    _create(folder / ".gitignore", "# Created by starvault automatically.\n*\n")
    _create(
        folder / "CACHEDIR.TAG",
        "Signature: 8a477f597d28d172789f06886806bc55\n"
        "# This file is a cache directory tag created by starvault.\n",
    )
    payload = marshal.dumps(data)
    clean_stale(folder)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=temp_prefix(), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + _mac(secret, payload))
            fh.write(payload)
        os.replace(tmp, folder / name)
    except BaseException:
        os.unlink(tmp)
        raise


def _create(path: Path, text: str) -> None:
    """Write a new file; never through a symbolic link, never over an existing file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
