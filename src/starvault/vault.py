"""The vault model: its notes, attachments, resolved links, backlinks and graph.

``load(path)`` is the library's entry point. Reading is parallel on a cold scan (one
process per core) and incremental on a warm one (unchanged notes come from the cache).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache as _cache
from .config import CONFIG_NAME, Config, load_config
from .links import Resolved, Resolver, Status, Suggester, resolve_link
from .scan import Note, Problem, read_note, read_text, walk

if TYPE_CHECKING:
    import networkx as nx

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


def _parse_chunk(root: str, paths: list[str]) -> list[Note]:
    return [read_note(root, rel) for rel in paths]


def _parse_all(root: Path, paths: list[str], jobs: int | None) -> list[Note]:
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(paths) < PARALLEL_MIN:
        return _parse_chunk(str(root), paths)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork shares the already-imported parser with the workers; elsewhere use the default.
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    # Interleave so both workers get a similar mix of large and small folders.
    n_chunks = workers * 8
    chunks = [paths[i::n_chunks] for i in range(n_chunks)]
    chunks = [c for c in chunks if c]
    out: list[Note] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        for notes in pool.map(_parse_chunk, [str(root)] * len(chunks), chunks):
            out.extend(notes)
    return out


class Vault:
    """A loaded vault. Everything derived from the notes is computed once, on first use."""

    def __init__(
        self,
        root: Path,
        config: Config,
        notes: dict[str, Note],
        attachments: list[str],
        problems: list[tuple[str, Problem]],
    ) -> None:
        self.root = root
        self.config = config
        self.notes = notes
        self.attachments = attachments
        self.problems = problems  # findings about paths that are not notes

    def __repr__(self) -> str:
        return f"<Vault {str(self.root)!r}: {len(self.notes)} notes>"

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
        where, cands = self.resolver.candidates(target.strip(), folder)
        if where != "ok" or not cands:
            return None
        return self.notes.get(cands[0])

    def notes_of_type(self, type_: str) -> list[Note]:
        return [n for n in self.notes.values() if n.type == type_]

    def text(self, note: Note | str) -> str:
        """The note's text as stored (decoded, LF line ends)."""
        path = note.path if isinstance(note, Note) else note
        return read_text(self.root, path)

    # -- links ------------------------------------------------------------------------
    @cached_property
    def links(self) -> list[Resolved]:
        """Every link of every note, resolved, in note and line order."""
        out: list[Resolved] = []
        resolver, notes = self.resolver, self.notes
        for path in sorted(notes):
            note = notes[path]
            for link in note.links:
                out.append(resolve_link(note, link, resolver, notes))
        return out

    def links_from(self, note: Note | str) -> list[Resolved]:
        path = note.path if isinstance(note, Note) else note
        return self._by_source.get(path, [])

    @cached_property
    def _by_source(self) -> dict[str, list[Resolved]]:
        out: dict[str, list[Resolved]] = defaultdict(list)
        for r in self.links:
            out[r.source].append(r)
        return out

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
        back = self.backlinks
        return [
            path
            for path, note in sorted(self.notes.items())
            if path not in back and not _is_index(note, self.config)
        ]

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        from .graph import build_graph

        return build_graph(self)

    def broken(self) -> Iterable[Resolved]:
        return (r for r in self.links if r.status not in (Status.OK, Status.AMBIGUOUS))


_INDEX_NAMES = {"index", "readme", "home", "start here", "moc"}


def _is_index(note: Note, config: Config) -> bool:
    if note.type == "toc" or note.name.lower() in _INDEX_NAMES:
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
    scan = walk(root, config.exclude)
    cached = _cache.load(root) if use_cache else {}
    notes: dict[str, Note] = {}
    todo: list[str] = []
    if cached:
        for rel in scan.notes:
            hit = cached.get(rel)
            if hit is not None and scan.stats.get(rel) == (hit.size, hit.mtime_ns):
                notes[rel] = hit
            else:
                todo.append(rel)
    else:
        todo = scan.notes
    for note in _parse_all(root, todo, jobs):
        notes[note.path] = note
    ordered = {rel: notes[rel] for rel in scan.notes}
    if use_cache and (todo or len(cached) != len(ordered)):
        _cache.save(root, ordered)
    return Vault(root, config, ordered, scan.attachments, scan.problems)
