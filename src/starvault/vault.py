"""The vault model: its notes, attachments, resolved links, backlinks and graph.

``load(path)`` is the library's entry point. Reading is parallel on a cold scan (one
process per core) and incremental on a warm one (unchanged notes come from the cache).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache as _cache
from .atomic import die_with_parent
from .config import CONFIG_NAME, Config, load_config
from .links import Outcome, Resolved, Resolver, Suggester, note_outcome, resolve_link
from .scan import Note, Problem, ScanResult, read_note, read_text, walk

if TYPE_CHECKING:
    import networkx as nx

# How many note texts Vault.text keeps (a few MB): enough for every story, question and
# course page of a real vault, bounded for a 10,000-note site build.
TEXT_CACHE = 512
# Below this many notes to parse, starting worker processes costs more than it saves.
PARALLEL_MIN = 300


class VaultError(Exception):
    """The vault cannot be read at all (missing folder, not a folder)."""


def find_vault(start: Path | None = None) -> Path:
    """The nearest folder upward holding ``starvault.toml`` or ``.obsidian/``, else start."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file() or (folder / ".obsidian").is_dir():
            return folder
    return here


def _parse_chunk(root: str, paths: list[tuple[str, str | None]], limit: int) -> list[Note]:
    return [read_note(root, rel, limit, on_disk) for rel, on_disk in paths]


def _parse_chunk_rows(root: str, paths: list[tuple[str, str | None]], limit: int) -> bytes:
    """A worker's answer: its notes as cache rows in one marshal blob, which crosses the
    process boundary and becomes the cache file without being encoded twice."""
    import marshal

    return marshal.dumps([_cache.encode_note(n) for n in _parse_chunk(root, paths, limit)])


def _parse_all(
    root: Path,
    paths: list[tuple[str, str | None]],
    jobs: int | None,
    into: _cache.Cached,
    limit: int,
) -> None:
    """Parse ``paths`` (vault path, path on disk when it differs) into ``into.notes``
    (and, from workers, ``into.rows``)."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(paths) < PARALLEL_MIN:
        for note in _parse_chunk(str(root), paths, limit):
            into.notes[note.path] = note
        return
    import marshal
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from . import markdown  # noqa: F401 - imported before the fork, shared by the workers

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    # Interleave so both workers get a similar mix of large and small folders.
    n_chunks = workers * 8
    chunks = [c for c in (paths[i::n_chunks] for i in range(n_chunks)) if c]
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        n = len(chunks)
        for blob in pool.map(_parse_chunk_rows, [str(root)] * n, chunks, [limit] * n):
            for row in marshal.loads(blob):
                note = _cache.decode_note(row)
                into.notes[note.path] = note
                into.rows[note.path] = (row, None)


class Vault:
    """A loaded vault. Everything derived from the notes is computed once, on first use."""

    def __init__(
        self,
        root: Path,
        config: Config,
        notes: dict[str, Note],
        attachments: list[str],
        problems: list[tuple[str, Problem]],
        outcomes: dict[str, Outcome] | None = None,
        *,
        disk: dict[str, str] | None = None,
        canvases: dict[str, Note] | None = None,
    ) -> None:
        self.root = root
        self.config = config
        self.notes = notes
        self.attachments = attachments
        self.problems = problems  # findings about paths that are not notes
        # Paths whose name on disk differs from their NFC vault path (see scan.walk).
        self.disk = disk or {}
        # Canvases (also attachments) as sources of links: see canvas.py.
        self.canvases = canvases or {}
        self._resolved: dict[str, list[Resolved]] = {}
        self._texts: dict[str, str] = {}
        self._lookups: dict[tuple[str, str], Note | None] = {}
        self._outcomes: dict[str, Outcome] = dict(outcomes or {})
        # Set by load(): whether per-note results may be read from and kept in the cache,
        # and the notes read from their files in this run (the rest came from the cache).
        self.use_cache = False
        self.reparsed: frozenset[str] = frozenset(notes)

    def __repr__(self) -> str:
        return f"<Vault {str(self.root)!r}: {len(self.notes)} notes>"

    @cached_property
    def fingerprint(self) -> str:
        """The vault's set of files and the notes' aliases: what where links lead (and
        every cache entry that depends on it) is keyed on. Set by :func:`load`."""
        return _fingerprint(self.notes, self.attachments)

    # -- lookups ----------------------------------------------------------------------
    @cached_property
    def resolver(self) -> Resolver:
        return Resolver([*self.notes, *self.attachments])

    @cached_property
    def suggester(self) -> Suggester:
        return Suggester(self.notes.values())

    def lookup(self, target: str, source: Note | None = None) -> Note | None:
        """The note a wiki-link target means from ``source`` (or from the vault root)."""
        folder = source.folder if source else ""
        key = (target, folder)
        if key in self._lookups:  # navigation and coverage ask for the same few targets
            return self._lookups[key]
        where, cands = self.resolver.candidates(target.strip(), folder)
        found = self.notes.get(cands[0]) if where == "ok" and cands else None
        self._lookups[key] = found
        return found

    def is_template(self, note: Note | str) -> bool:
        """A blank in the note-template folder (config ``note_templates``), used by
        ``starvault new``: its ``type`` does not make it a story, a course page, ..."""
        path = note.path if isinstance(note, Note) else note
        folder = self.config.note_templates.strip().strip("/").casefold()
        return bool(folder) and path.casefold().startswith(folder + "/")

    def notes_of_type(self, type_: str) -> list[Note]:
        """Notes whose front matter ``type`` is ``type_``, in path order, templates left out."""
        return list(self._by_type.get(type_, ()))

    @cached_property
    def _by_type(self) -> dict[str, list[Note]]:
        out: dict[str, list[Note]] = defaultdict(list)
        for note in self.notes.values():
            t = note.type
            if t is not None and not self.is_template(note):
                out[t].append(note)
        return out

    def file(self, path: str) -> Path:
        """The file of a note or attachment on disk (its name there may be NFD)."""
        return self.root / self.disk.get(path, path)

    def text(self, note: Note | str) -> str:
        """The note's text as stored (decoded, LF line ends).

        Several rules read the same story or front matter; the last texts read are kept
        so a check reads each file once.
        """
        path = note.path if isinstance(note, Note) else note
        texts = self._texts
        hit = texts.pop(path, None)
        if hit is None:
            hit = read_text(self.root, self.disk.get(path, path), self.config.max_note_kb * 1024)
            if len(texts) >= TEXT_CACHE:
                del texts[next(iter(texts))]  # the least recently used
        texts[path] = hit
        return hit

    # -- links ------------------------------------------------------------------------
    def links_from(self, note: Note | str) -> list[Resolved]:
        """The links of one note, resolved (computed once per note)."""
        path = note.path if isinstance(note, Note) else note
        hit = self._resolved.get(path)
        if hit is None:
            source = self.notes.get(path) or self.canvases.get(path)
            if source is None:
                return []
            resolver, notes = self.resolver, self.notes
            hit = [resolve_link(source, link, resolver, notes) for link in source.links]
            self._resolved[path] = hit
        return hit

    @cached_property
    def links(self) -> list[Resolved]:
        """Every link of every note and canvas, resolved, in path and line order."""
        return [r for path in sorted([*self.notes, *self.canvases]) for r in self.links_from(path)]

    @property
    def outcomes(self) -> dict[str, Outcome]:
        """Per note and canvas: link count, problem links, targets (reused from the cache
        when valid)."""
        if len(self._outcomes) != len(self.notes) + len(self.canvases):
            for sources in (self.notes, self.canvases):
                for path, source in sources.items():
                    if path not in self._outcomes:
                        self._outcomes[path] = note_outcome(
                            source, self.resolver, self.notes, self.suggester
                        )
        return self._outcomes

    @cached_property
    def link_problems(self) -> list[Resolved]:
        """Links that do not resolve cleanly (broken, ambiguous, bad subpath, ...)."""
        out = [r for o in self.outcomes.values() for r in o.problems]
        out.sort(key=lambda r: (r.source, r.link.line, r.link.column))
        return out

    @property
    def link_count(self) -> int:
        return sum(o.count for o in self.outcomes.values())

    @cached_property
    def linked(self) -> frozenset[str]:
        """Paths that at least one other note links to."""
        return frozenset(t for o in self.outcomes.values() for t in o.targets)

    @cached_property
    def backlinks(self) -> dict[str, list[Resolved]]:
        """Target path -> the links from other notes that resolve to it."""
        out: dict[str, list[Resolved]] = defaultdict(list)
        for r in self.links:
            if r.path is not None and r.path != r.source:
                out[r.path].append(r)
        return dict(out)

    @cached_property
    def orphans(self) -> list[str]:
        """Notes no other note links to (the table of contents and index notes excepted)."""
        linked = self.linked
        return [
            path
            for path, note in sorted(self.notes.items())
            if path not in linked
            and not self.is_template(note)
            and not _is_index(note, self.config)
        ]

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        from .graph import build_graph

        return build_graph(self)


_INDEX_NAMES = {"index", "readme", "home", "start here", "moc"}
# Notes that are leaves by nature: a practice session links to its story and question,
# and the dashboards and coverage list every one of them.
_LEAF_TYPES = {"toc", "practice"}


def _is_index(note: Note, config: Config) -> bool:
    """Exempt from LK007: the table of contents, index notes and practice logs."""
    if note.type in _LEAF_TYPES or note.name.lower() in _INDEX_NAMES:
        return True
    return note.name.lower() == config.toc.lower().rsplit("/", 1)[-1]


def load(
    path: str | os.PathLike[str] = ".",
    *,
    config: Config | None = None,
    use_cache: bool = True,
    jobs: int | None = None,
) -> Vault:
    """Read a vault folder into a :class:`Vault`.

    Raises :class:`VaultError` when the folder does not exist and
    :class:`~starvault.config.ConfigError` when its ``starvault.toml`` is wrong.
    """
    root = Path(path)
    if not root.exists():
        raise VaultError(f"no vault at '{path}': the folder does not exist")
    if not root.is_dir():
        raise VaultError(f"'{path}' is not a folder; a vault is a folder of Markdown notes")
    root = root.resolve()
    if config is None:
        config = load_config(root)
    started_ns = time.time_ns()
    # A site built inside the vault is skipped by the walk itself (scan.SITE_MANIFEST).
    scan = walk(root, config.exclude)
    cached = _cache.load(root) if use_cache else _cache.Cached()
    notes: dict[str, Note] = {}
    todo: list[str] = []
    for rel in scan.notes:
        hit = cached.notes.get(rel)
        if hit is not None and _cache.reusable(hit, scan.stats.get(rel), cached.started_ns):
            notes[rel] = hit
        else:
            todo.append(rel)
    fresh = _cache.Cached()
    limit = config.max_note_kb * 1024
    _parse_all(root, [(rel, scan.disk.get(rel)) for rel in todo], jobs, fresh, limit)
    canvases = _read_canvases(root, scan, limit)
    notes.update(fresh.notes)
    ordered = {rel: notes[rel] for rel in scan.notes}
    fingerprint = _fingerprint(ordered, scan.attachments)
    # Link outcomes stay valid while the set of files is the same, the note is unchanged
    # and no note whose headings or blocks it links into has changed.
    outcomes: dict[str, Outcome] = {}
    if cached.fingerprint == fingerprint:
        changed = set(todo)
        for rel, outcome in cached.outcomes.items():
            if rel in ordered and rel not in changed and changed.isdisjoint(outcome.deps):
                outcomes[rel] = outcome
    vault = Vault(
        root,
        config,
        ordered,
        scan.attachments,
        scan.problems,
        outcomes,
        disk=scan.disk,
        canvases=canvases,
    )
    vault.use_cache = use_cache
    vault.reparsed = frozenset(todo)
    vault.fingerprint = fingerprint  # computed above: not again on first use
    if use_cache and (todo or len(outcomes) != len(ordered) or len(cached.notes) != len(ordered)):
        # Rows already encoded (from the cache, or by the workers) are written as they are.
        for path in fresh.notes:
            cached.rows.pop(path, None)  # the old row of a re-parsed note is stale
        cached.notes.update(fresh.notes)
        cached.rows.update(fresh.rows)
        _cache.save(root, ordered, vault.outcomes, fingerprint, cached, started_ns)
    return vault


def _read_canvases(root: Path, scan: ScanResult, limit: int) -> dict[str, Note]:
    """Every canvas's links; what stops reading one is a finding about that file."""
    if not scan.canvases:
        return {}
    from .canvas import read_canvas

    out: dict[str, Note] = {}
    for rel in scan.canvases:
        canvas = read_canvas(str(root), rel, limit, scan.disk.get(rel))
        scan.problems.extend((rel, p) for p in canvas.problems)
        out[rel] = canvas
    return out


def _fingerprint(notes: dict[str, Note], attachments: list[str]) -> str:
    """Identifies what every note's link outcome depends on besides the note itself:
    the set of files (resolution) and the aliases (suggestions in messages)."""
    import hashlib

    digest = hashlib.blake2b(digest_size=16)
    for path, note in notes.items():
        digest.update(path.encode("utf-8", "surrogateescape") + b"\0")
        aliases = note.aliases
        if aliases:
            digest.update("\0".join(aliases).encode("utf-8", "surrogateescape") + b"\2")
    digest.update(b"\1")
    digest.update("\0".join(attachments).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()
