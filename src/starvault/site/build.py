"""``starvault build``: the pipeline from a loaded vault to a static site.

1. OUT is checked (never the vault, a folder holding it, ``/`` or home) and the last
   build's manifest is read from it.
2. Every page gets a key: a hash of what its HTML depends on (its source, the outcome of
   each of its links, its backlinks, what it embeds, the table of contents for course
   pages, the templates). Pages whose key is unchanged are kept from the last build; the
   rest are rendered, in worker processes when there are many.
3. Attachments are copied, dashboards and the search index written, all into a folder
   beside OUT. Only then does OUT change: a first (or incompatible) build replaces OUT in
   one rename; a rebuild moves its new files in one by one (each move atomic) and writes
   the manifest last. Either way a failed build leaves the last good site.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from .. import cache as _cache
from ..atomic import clean_stale, die_with_parent, temp_prefix
from ..resources import templates_dir
from ..scan import SITE_MANIFEST, Note, inside
from ..vault import Vault
from .pages import PageBuilder, SiteContext, page_problems
from .safety import BuildError, check_output
from .urls import SEARCH_PART_STEMS

# Bump when the HTML the code produces changes, so old manifests re-render everything.
BUILD_VERSION = "3"
MANIFEST = SITE_MANIFEST  # the walk skips a folder holding one (scan.py)
# Below this many pages to render, starting worker processes costs more than it saves.
PARALLEL_MIN = 200

Progress = Callable[[int], None]


@dataclass
class BuildResult:
    out: Path
    pages: int  # note pages in the site
    rendered: list[str] = field(default_factory=list)  # note paths rendered this time
    reused: int = 0  # pages taken unchanged from the last build
    dashboards: list[str] = field(default_factory=list)  # dashboard pages written
    tags: list[str] = field(default_factory=list)  # tag pages written
    attachments: int = 0
    seconds: float = 0.0
    # "path:line: message" for every published note that could not be read or whose front
    # matter is invalid: its page shows a banner, the build says so.
    problems: list[str] = field(default_factory=list)


def default_output(vault: Vault) -> Path:
    """OUT when none is given: ``site.output`` from the vault's folder (build and serve)."""
    return vault.config.site.output_dir(vault.root)


def build(
    vault: Vault,
    out: str | os.PathLike[str] | None = None,
    *,
    live_reload: bool = False,
    jobs: int | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> BuildResult:
    """Build the site of ``vault`` into ``out`` (default: config ``site.output``).

    ``progress(done, total)`` is called as pages are rendered. Raises :class:`BuildError`
    for an unsafe or foreign OUT; any other failure leaves the previous site in place.
    """
    started = time.perf_counter()
    _REAL.clear()
    target = check_output(vault.root, Path(out) if out is not None else default_output(vault))
    old = _read_manifest(target)
    ctx = SiteContext.create(
        vault,
        live_reload=live_reload,
        exclude_out=target,
        previous_embeds=old.get("embeds") if isinstance(old.get("embeds"), dict) else None,
    )
    old_pages: dict[str, Any] = old.get("pages", {}) if old.get("global") == ctx.global_key else {}
    # With a compatible last build in place, only what changed is written beside OUT and
    # moved in file by file at the end; otherwise a whole new site replaces OUT.
    update = bool(old_pages) and target.is_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(target.parent)  # what a killed build left beside OUT
    tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(f".{target.name}.tmp-"), dir=target.parent))
    dashboards: _Dashboards | None = None
    try:
        # The link outcomes first: the dashboards' process shares them (fork), and so the
        # coverage model and schedule behind the story pages, when there are stories.
        _ = ctx.backlink_sources
        # The dashboards read the whole vault (coverage, check, the clock): with the same
        # notes, files, settings and day as the last build, its pages are kept as they are.
        dash_key = _dashboards_key(ctx)
        kept_dashboards = _kept_dashboards(old, target, dash_key) if update else None
        if vault.notes_of_type("story") and kept_dashboards is None:
            _ = ctx.progress
        # A dashboard or tag page whose data is that of the last build is kept as it is.
        old_keys = _old_page_keys(old) if old_pages else {}
        target_s, tmp_s = str(target), str(tmp)

        def keep(page: str, key: str) -> bool:
            if old_keys.get(page) != key:
                return False
            old_file = _kept_file(target_s, page)
            if old_file is None:
                return False
            return update or _reuse(old_file, os.path.join(tmp_s, page))

        if kept_dashboards is None:
            dashboards = _Dashboards(ctx, tmp, keep, parallel=_can_fork(jobs))
        keys = _page_keys(ctx)
        result = BuildResult(target, len(ctx.site.pages))
        entries: dict[str, dict[str, Any]] = {}
        todo: list[str] = []
        for path, key in keys.items():
            prev = old_pages.get(path)
            out_rel = ctx.site.pages[path]
            if prev and prev.get("key") == key and prev.get("out") == out_rel:
                old_file = _kept_file(target_s, out_rel)
                kept = old_file is not None and (
                    update or _reuse(old_file, os.path.join(tmp_s, out_rel))
                )
                if kept:
                    entries[path] = prev["search"]
                    result.reused += 1
                    continue
            todo.append(path)
        result.rendered = todo
        old_attachments: dict[str, list[int]] = old.get("attachments", {})
        new_attachments: dict[str, list[int]] = {}

        def meanwhile() -> None:
            """Work for this process while the workers render pages."""
            new_attachments.update(
                _copy_attachments(ctx, target, tmp, old_attachments, update=update)
            )
            result.attachments = len(new_attachments)
            _copy_static(ctx, tmp)

        # The manifest keeps each page's search entry without its text (a hash instead):
        # the text is a tenth of a page and the manifest is read and written every build.
        texts: dict[str, str] = {}
        for path, entry in _render_pages(ctx, tmp, todo, jobs, progress, meanwhile):
            entries[path], texts[path] = _slim(entry)
        if dashboards is not None:
            result.dashboards, dashboard_keys = dashboards.finish()
        else:
            result.dashboards = list(kept_dashboards or [])
            dashboard_keys = {p: old_keys[p] for p in result.dashboards if p in old_keys}
        # Tag pages come from every page's search entry (kept ones too), like the index.
        try:
            result.tags, tag_keys = PageBuilder(ctx).write_tag_pages(tmp, entries, keep)
        except jinja2.TemplateError as exc:
            raise template_error(exc) from None
        # The index changes only with the set of pages or a rendered page's entry (an edit
        # below a note's first lines leaves it as it was); a large site's index is in parts,
        # and only the parts holding such a page are written again.
        index = _SearchIndex(target, entries, texts, old if update else {})
        dirty = {p for p in todo if entries[p] != old_pages.get(p, {}).get("search")}
        dirty |= entries.keys() ^ old_pages.keys()
        again = index.write(tmp, dirty)
        if again:
            for path, entry in _render_pages(ctx, tmp, again, jobs, None, lambda: None):
                entries[path], texts[path] = _slim(entry)
            result.rendered = [*todo, *again]
            index.write(tmp, dirty, final=True)
        manifest = {
            "version": BUILD_VERSION,
            "global": ctx.global_key,
            "pages": {
                p: {"key": keys[p], "out": ctx.site.pages[p], "search": entries[p]}
                for p in sorted(entries)
            },
            "attachments": new_attachments,
            "embeds": ctx.embeds_state(),
            "tags": result.tags,
            "dashboards": result.dashboards,
            "dashboards_key": dash_key,
            "index_files": index.files,
            "page_keys": {**dashboard_keys, **tag_keys},
        }
        # Unchanged (nothing rendered, moved or removed): the manifest in OUT stays.
        same_manifest = update and manifest == old
        if not same_manifest:
            (tmp / MANIFEST).write_text(json.dumps(manifest, separators=(",", ":")), "utf-8")
        if update:
            outs = set(ctx.site.pages.values()) | set(new_attachments)
            outs |= set(result.tags)
            stale = {e["out"] for e in old.get("pages", {}).values()} | set(old_attachments)
            stale |= set(old.get("tags", []))
            stale |= set(_old_dashboards(old)) - set(result.dashboards)
            stale |= set(_old_index_files(old)) - set(index.files)
            outs |= set(index.files)
            _merge(tmp, target, sorted(stale - outs))
        else:
            _swap(tmp, target)
    except BaseException:
        if dashboards is not None:
            dashboards.abort()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    result.problems = [
        f"{path}:{p.line}: {p.message} ({p.code})"
        for path in sorted(ctx.site.pages)
        for p in page_problems(vault.notes[path])
    ]
    result.seconds = time.perf_counter() - started
    return result


# -- keys ------------------------------------------------------------------------------------
def _fingerprint(note: Note) -> str:
    return f"{note.path}\0{note.file_key}\0"


def _page_keys(ctx: SiteContext) -> dict[str, str]:
    """What each page's HTML depends on, hashed.

    A note's links enter through the vault's link outcome (the links that do not resolve
    cleanly, the files they reach, the notes whose headings or block ids decided an
    anchor), which the parse cache keeps between runs: no link is resolved again here.
    """
    vault = ctx.vault
    notes = vault.notes
    outcomes = vault.outcomes
    titles = {p: n.title for p, n in notes.items()}
    link_parts: dict[str, str] = {}

    def links_of(path: str) -> str:
        hit = link_parts.get(path)
        if hit is None:
            o = outcomes.get(path)
            if o is None:
                return ""
            hit = f"{o.count}\n" + "".join(
                f"{r.link.kind}|{r.link.target}|{r.link.subpath}|{r.status.value}|{r.path}\n"
                for r in o.problems
            )
            hit += "|".join(o.targets) + "\n"
            hit += "".join(_fingerprint(notes[d]) for d in o.deps if d in notes and d != path)
            link_parts[path] = hit
        return hit

    def embeds_of(path: str) -> Iterable[str]:
        """Every note ``path`` transcludes, depth first, each once (a loop, not recursion:
        a chain of a thousand embeds must not exhaust the stack)."""
        seen = {path}
        stack = [iter(ctx.embeds.get(path, ()))]
        while stack:
            target = next(stack[-1], None)
            if target is None:
                stack.pop()
            elif target not in seen:
                seen.add(target)
                yield _fingerprint(notes[target]) + links_of(target)
                stack.append(iter(ctx.embeds.get(target, ())))

    toc_part = ""
    if ctx.toc is not None:
        toc_part = _fingerprint(ctx.toc) + links_of(ctx.toc.path)
        toc_part += "".join(f"{p}\0{titles[p]}\n" for p in ctx.course_order)
        # Hashed once: every course page's key holds it, and a long course's titles hashed
        # per page grew with the square of the course.
        toc_part = hashlib.blake2b(toc_part.encode(), digest_size=16).hexdigest()
    sources_of = ctx.backlink_sources
    keys: dict[str, str] = {}
    base = ctx.global_key.encode()
    for path in ctx.site.pages:
        note = notes[path]
        h = hashlib.blake2b(base, digest_size=16)
        h.update(_fingerprint(note).encode())
        h.update(links_of(path).encode())
        sources = sorted(set(sources_of.get(path, ())))
        h.update("".join(f"<{s}\0{titles[s]}\0" for s in sources if s in titles).encode())
        if path in ctx.embeds:
            h.update("".join(embeds_of(path)).encode())
        if note.type == "course" or (ctx.toc is not None and path == ctx.toc.path):
            h.update(toc_part.encode())
        if note.type == "story":  # its practice history, schedule and speaking time
            h.update(ctx.progress.key(path).encode())
        keys[path] = h.hexdigest()
    return keys


# -- rendering -------------------------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def worker_init(parent: int) -> None:
    """Start a forked render worker: its garbage collector leaves inherited objects alone.

    Rendering allocates millions of short-lived tokens; with the default thresholds the
    collector runs thousands of times, and its full passes walk (and so copy) the parent's
    whole heap. Frozen inherited objects and a larger first generation render a sixth
    faster; the few cycles are still collected.
    """
    import gc

    die_with_parent(parent)
    gc.freeze()
    gc.set_threshold(20_000, 20, 100)


def _render_chunk(paths: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Render some pages in a worker (the context came with fork) or in this process."""
    builder: PageBuilder = _WORKER["builder"]
    tmp: Path = _WORKER["tmp"]
    out = []
    for path in paths:
        try:
            out.append((path, builder.write_note_page(tmp, path)))
        except jinja2.TemplateError as exc:
            raise template_error(exc) from None
        except RecursionError:
            raise BuildError(f"{path}: nesting too deep to render; simplify the note") from None
    return out


def template_error(exc: jinja2.TemplateError) -> BuildError:
    """A clear message for a broken (usually overridden) template."""
    where = ""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = f"{exc.filename or exc.name}:{exc.lineno}: "
    elif isinstance(exc, jinja2.TemplateNotFound):
        return BuildError(f"template '{exc.name}' not found in the template folders")
    return BuildError(f"{where}template error: {exc.message or exc}")


def _render_pages(
    ctx: SiteContext,
    tmp: Path,
    todo: list[str],
    jobs: int | None,
    progress: Callable[[int, int], Any] | None,
    meanwhile: Callable[[], None],
) -> Iterable[tuple[str, dict[str, Any]]]:
    builder = PageBuilder(ctx)
    _WORKER.update(builder=builder, tmp=tmp)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    total = len(todo)
    done = 0
    try:
        import multiprocessing

        can_fork = "fork" in multiprocessing.get_all_start_methods()
        if workers <= 1 or total < PARALLEL_MIN or not can_fork:
            meanwhile()
            # One chunk at a time, so progress moves.
            step = max(1, total // 50)
            for i in range(0, total, step):
                chunk = _render_chunk(todo[i : i + step])
                yield from chunk
                done += len(chunk)
                if progress:
                    progress(done, total)
            return
        from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

        # Warm the shared state before fork so workers do not each compute it, and keep
        # the collector off it (its visits would copy every shared page into each worker).
        ctx.warm()
        if _cache.FREEZE:
            gc.freeze()
        # Contiguous chunks keep a folder's pages together (they share embed caches);
        # many of them keep both workers busy to the end.
        size = max(1, min(100, total // (workers * 8)))
        chunks = [todo[i : i + size] for i in range(0, total, size)]
        mp = multiprocessing.get_context("fork")
        # This process renders too, beside workers - 1 others: a process that would only
        # wait holds as much memory as a worker.
        helpers = workers - 1
        pool = ProcessPoolExecutor(
            max_workers=helpers,
            mp_context=mp,
            initializer=worker_init,
            initargs=(os.getpid(),),
        )
        pending = deque(c for c in chunks if c)
        inflight: set[Future[list[tuple[str, dict[str, Any]]]]] = set()

        def refill() -> None:
            while pending and len(inflight) < 2 * helpers:
                inflight.add(pool.submit(_render_chunk, pending.popleft()))

        try:
            refill()
            meanwhile()  # attachments and static files first
            while pending or inflight:
                finished = [f for f in inflight if f.done()]
                if not finished and not pending:
                    finished = list(wait(inflight, return_when=FIRST_COMPLETED).done)
                results = [f.result() for f in finished]
                inflight.difference_update(finished)
                refill()
                if pending:
                    results.append(_render_chunk(pending.popleft()))
                for chunk in results:
                    yield from chunk
                    done += len(chunk)
                    if progress:
                        progress(done, total)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    finally:
        _WORKER.clear()


# -- dashboards ----------------------------------------------------------------------------
def _dashboards_key(ctx: SiteContext) -> str:
    """What the dashboards depend on: every note and file (by path and file key), the
    settings, the templates, starvault's version and the day (schedule, days left)."""
    from .. import __version__
    from ..coverage import today

    vault = ctx.vault
    h = hashlib.blake2b(digest_size=16)
    head = f"{__version__}\0{ctx.global_key}\0{vault.config!r}\0{today().isoformat()}\0"
    h.update(head.encode("utf-8", "surrogateescape"))
    for path, note in vault.notes.items():
        h.update(f"{path}\0{note.file_key}\n".encode("utf-8", "surrogateescape"))
    h.update("\0".join(vault.attachments).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def _old_dashboards(old: dict[str, Any]) -> list[str]:
    pages = old.get("dashboards")
    if not isinstance(pages, list) or not all(isinstance(p, str) for p in pages):
        return []
    return pages


def _old_page_keys(old: dict[str, Any]) -> dict[str, str]:
    """The key of each dashboard and tag page of the last build (see ``keep``)."""
    keys = old.get("page_keys")
    if not isinstance(keys, dict):
        return {}
    return {p: k for p, k in keys.items() if _safe_rel(p) and isinstance(k, str)}


def _kept_dashboards(old: dict[str, Any], target: Path, key: str) -> list[str] | None:
    """The last build's dashboard pages, when they were built from the same inputs and
    are all still in OUT; else None (they are built again)."""
    pages = _old_dashboards(old)
    if old.get("dashboards_key") != key or not pages:
        return None
    target_s = str(target)
    for page in pages:
        where = _inside(target_s, page)
        if where is None or not os.path.isfile(where):
            return None
    return pages


def _can_fork(jobs: int | None) -> bool:
    import multiprocessing

    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    return workers > 1 and "fork" in multiprocessing.get_all_start_methods()


Keep = Callable[[str, str], bool]


def _write_dashboards(ctx: SiteContext, tmp: Path, keep: Keep) -> tuple[list[str], dict]:
    try:
        return PageBuilder(ctx).write_dashboards(tmp, keep)
    except jinja2.TemplateError as exc:
        raise template_error(exc) from None


class _Dashboards:
    """The dashboards (coverage model, check, their pages), in a forked process when
    there is a spare core: they need the whole vault but nothing the pages produce."""

    def __init__(self, ctx: SiteContext, tmp: Path, keep: Keep, *, parallel: bool) -> None:
        self.result: tuple[list[str], dict[str, str]] = ([], {})
        self.proc: Any = None
        if not parallel:
            self.result = _write_dashboards(ctx, tmp, keep)
            return
        import multiprocessing

        mp = multiprocessing.get_context("fork")
        self.recv, send = mp.Pipe(duplex=False)
        self.proc = mp.Process(
            target=_dashboards_child,
            args=(ctx, tmp, keep, send, os.getpid()),
            name="starvault-dashboards",
        )
        self.proc.start()
        send.close()

    def finish(self) -> tuple[list[str], dict[str, str]]:
        if self.proc is None:
            return self.result
        try:
            kind, value = self.recv.recv()
        except EOFError:
            kind, value = "crash", "the dashboards process ended without a result"
        self.proc.join()
        self.proc = None
        if kind == "error":
            raise BuildError(value)
        if kind == "crash":
            raise RuntimeError(f"building the dashboards failed:\n{value}")
        pages, keys = value
        return list(pages), dict(keys)

    def abort(self) -> None:
        if self.proc is not None and self.proc.is_alive():
            self.proc.terminate()
            self.proc.join()


def _dashboards_child(ctx: SiteContext, tmp: Path, keep: Keep, send: Any, parent: int) -> None:
    import traceback

    worker_init(parent)
    try:
        send.send(("ok", _write_dashboards(ctx, tmp, keep)))
    except BuildError as exc:
        send.send(("error", str(exc)))
    except BaseException:
        send.send(("crash", traceback.format_exc()))
    finally:
        send.close()


# -- files -----------------------------------------------------------------------------------
def _reuse(old: str | Path, new: str | Path) -> bool:
    """Put last build's file at ``new``: a hard link when possible, else a copy."""
    try:
        os.makedirs(os.path.dirname(new), exist_ok=True)
        try:
            os.link(old, new)
        except OSError:
            shutil.copy2(old, new)
    except OSError:
        return False
    return True


def _copy_attachments(
    ctx: SiteContext, target: Path, tmp: Path, old: dict[str, list[int]], *, update: bool
) -> dict[str, list[int]]:
    """Copy new and changed attachments into ``tmp`` (all of them unless ``update``)."""
    out: dict[str, list[int]] = {}
    for rel in ctx.site.attachments:
        src = ctx.vault.file(rel)
        try:
            st = src.stat()
        except OSError:
            continue
        stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns]
        dest = tmp / rel
        kept = _kept_file(str(target), rel) if old.get(rel) == stamp else None
        if kept is not None and (update or _reuse(kept, dest)):
            out[rel] = stamp
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
        out[rel] = stamp
    return out


# What a vault's own static folder may publish: styles, images and fonts. Never a script
# or a page (a shared vault's JavaScript would run in every page of the site).
VAULT_STATIC_SUFFIXES = frozenset(
    {".css", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico", ".woff", ".woff2"}
    | {".ttf", ".otf"}
)


def static_files(folder: Path, *, packaged: bool) -> Iterable[tuple[str, Path]]:
    """(relative name, path) of the files a template folder's ``static/`` publishes.

    The packaged folder is ours. In the vault's, only regular files of the allowed kinds
    that really lie inside the folder count: no symbolic link out of it, no script.
    """
    static = folder / "static"
    if not static.is_dir() or (not packaged and static.is_symlink()):
        return
    for path in sorted(static.rglob("*")):
        if packaged:
            if path.is_file():
                yield path.relative_to(static).as_posix(), path
            continue
        if path.is_symlink() or not path.is_file() or not inside(static, path):
            continue
        if path.suffix.lower() in VAULT_STATIC_SUFFIXES:
            yield path.relative_to(static).as_posix(), path


def _copy_static(ctx: SiteContext, tmp: Path) -> None:
    dest = tmp / "static"
    packaged = templates_dir()
    for folder in ctx.template_dirs[::-1]:  # packaged first, the vault's overrides last
        for rel, path in static_files(folder, packaged=folder == packaged):
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    if not ctx.live_reload:
        (dest / "reload.js").unlink(missing_ok=True)


def _text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()


def _slim(entry: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """A page's search entry as the manifest keeps it (its text hashed), and its text."""
    text = str(entry.get("b", ""))
    slim = {k: v for k, v in entry.items() if k != "b"}
    slim["bh"] = _text_hash(text)
    return slim, text


def _old_texts(
    target: Path, name: str, entries: dict[str, dict[str, Any]], have: dict[str, str]
) -> dict[str, str]:
    """The text of each kept page's search entry, from the last build's index file
    ``name`` in OUT, where it is the one the manifest's hash names."""
    path = _kept_file(str(target), name)
    try:
        data = json.loads(Path(path).read_text("utf-8")) if path else []
    except (OSError, ValueError):
        return {}
    out: dict[str, str] = {}
    for item in data if isinstance(data, list) else []:
        if not isinstance(item, dict):
            continue
        p, text = item.get("p"), item.get("b")
        if not isinstance(p, str) or not isinstance(text, str) or p in have:
            continue
        slim = entries.get(p)
        if slim is not None and slim.get("bh") == _text_hash(text):
            out[p] = text
    return out


# From this many pages on, the search index is written in SEARCH_PARTS parts.
SEARCH_PARTS_MIN = 2000


def _part_of(path: str) -> int:
    digest = hashlib.blake2b(path.encode(), digest_size=4).digest()
    return int.from_bytes(digest) % len(SEARCH_PART_STEMS)


class _SearchIndex:
    """``search-index.json`` and ``search-index.js`` (the same data as a script: browsers
    do not fetch() JSON from file:// pages). A site of SEARCH_PARTS_MIN pages or more has
    its entries in parts, ``search-index-NN.json``/``.js`` by a hash of the note's path,
    which the two files list: an edit writes one part again, not an index of the size of
    the whole vault's text."""

    def __init__(
        self,
        target: Path,
        entries: dict[str, dict[str, Any]],
        texts: dict[str, str],
        old: dict[str, Any],
    ) -> None:
        self.target, self.entries, self.texts = target, entries, texts
        self.parted = len(entries) >= SEARCH_PARTS_MIN
        old_files = set(_old_index_files(old))
        self.files = ["search-index.json", "search-index.js"]
        if self.parted:
            self.files += [f"{stem}.{ext}" for stem in SEARCH_PART_STEMS for ext in ("json", "js")]
        # Files in OUT that can stay: written by the last build in this same layout.
        self.kept_ok = bool(old) and old_files == set(self.files)

    def _stem(self, path: str) -> str:
        return SEARCH_PART_STEMS[_part_of(path)] if self.parted else "search-index"

    def _groups(self) -> dict[str, list[str]]:
        """Index file stem -> the note paths whose entries it holds."""
        groups: dict[str, list[str]] = {}
        if self.parted:
            groups = {stem: [] for stem in SEARCH_PART_STEMS}
        for p in sorted(self.entries):
            groups.setdefault(self._stem(p), []).append(p)
        return groups

    def _current(self, stem: str) -> bool:
        """Whether OUT holds the last build's file pair ``stem`` in this layout."""
        target = str(self.target)
        return self.kept_ok and all(_kept_file(target, f"{stem}.{e}") for e in ("json", "js"))

    def write(self, tmp: Path, dirty: set[str], *, final: bool = False) -> list[str]:
        """Write the files that changed into ``tmp``; returns the pages whose text is
        neither fresh nor in the old index (to render again, then ``final``)."""
        groups = self._groups()
        touched = {self._stem(p) for p in dirty}
        todo = {s: ps for s, ps in groups.items() if s in touched or not self._current(s)}
        need = [p for paths in todo.values() for p in paths if p not in self.texts]
        if need and not final:
            for stem in sorted({self._stem(p) for p in need}):
                self.texts.update(_old_texts(self.target, f"{stem}.json", self.entries, self.texts))
            missing = [p for p in need if p not in self.texts]
            if missing:
                return missing
        for stem, paths in todo.items():
            rows = [
                {**{k: v for k, v in self.entries[p].items() if k != "bh"}, "b": self.texts[p]}
                | {"p": p}
                for p in paths
            ]
            data = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
            safe = data.replace("</", "<\\/")
            (tmp / f"{stem}.json").write_text(data, "utf-8")
            if self.parted:
                script = f"window.STARVAULT_INDEX=(window.STARVAULT_INDEX||[]).concat({safe});\n"
            else:
                script = f"window.STARVAULT_INDEX={safe};\n"
            (tmp / f"{stem}.js").write_text(script, "utf-8")
        if self.parted and not self._current("search-index"):  # the list of parts
            stems = sorted(groups)
            (tmp / "search-index.json").write_text(
                json.dumps({"parts": [f"{s}.json" for s in stems]}), "utf-8"
            )
            listed = json.dumps([f"{s}.js" for s in stems])
            (tmp / "search-index.js").write_text(
                f"window.STARVAULT_INDEX_PARTS={listed};\n", "utf-8"
            )
        return []


def _old_index_files(old: dict[str, Any]) -> list[str]:
    files = old.get("index_files")
    if not isinstance(files, list) or not all(_safe_rel(f) for f in files):
        return []
    return files


def _read_manifest(target: Path) -> dict[str, Any]:
    """The last build's manifest; refuses a non-empty OUT that starvault did not build.

    OUT may be someone else's folder, so the manifest is untrusted input: one that is not
    exactly of the shape this version writes (or names a path that leaves OUT) counts as
    no manifest at all, and the build renders everything anew.
    """
    if not target.exists():
        return {}
    manifest = target / MANIFEST
    if not manifest.is_file() or manifest.is_symlink():
        if any(target.iterdir()):
            raise BuildError(
                f"refusing to replace '{target}': it is not empty and was not built by "
                "starvault (no build manifest); choose another folder with -o"
            )
        return {}
    try:
        data = json.loads(manifest.read_text("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {"built": True}
    return data if _valid_manifest(data) else {"built": True}


def _safe_rel(rel: Any) -> bool:
    """A plain relative path inside OUT: no absolute path, no "..", no odd characters."""
    if not isinstance(rel, str) or not rel or "\0" in rel or "\\" in rel:
        return False
    if rel.startswith("/") or rel == MANIFEST:
        return False
    parts = rel.split("/")
    return all(p not in ("", ".", "..") for p in parts)


def _valid_manifest(data: Any) -> bool:
    if not isinstance(data, dict) or data.get("version") != BUILD_VERSION:
        return False
    if not isinstance(data.get("global"), str):
        return False
    pages, files, embeds = data.get("pages"), data.get("attachments"), data.get("embeds")
    if not (isinstance(pages, dict) and isinstance(files, dict) and isinstance(embeds, dict)):
        return False
    for entry in pages.values():
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("key"), str)
            and _safe_rel(entry.get("out"))
            and isinstance(entry.get("search"), dict)
        ):
            return False
    for rel, stamp in files.items():
        if not (_safe_rel(rel) and _ints(stamp, 3)):
            return False
    tags = data.get("tags", [])
    if not (isinstance(tags, list) and all(_safe_rel(t) for t in tags)):
        return False
    notes = embeds.get("notes")
    if not (isinstance(embeds.get("files"), str) and isinstance(notes, dict)):
        return False
    return all(
        isinstance(v, list)
        and len(v) == 2
        and _ints(v[0], 4)
        and isinstance(v[1], list)
        and all(isinstance(p, str) for p in v[1])
        for v in notes.values()
    )


def _ints(value: Any, n: int) -> bool:
    return (
        isinstance(value, list)
        and len(value) == n
        and all(isinstance(x, int) and not isinstance(x, bool) for x in value)
    )


def _inside(target: str, rel: str) -> str | None:
    """``target/rel`` when its folder really lies inside OUT (no symbolic link out)."""
    if not _safe_rel(rel):
        return None
    path = os.path.join(target, rel)
    folder = os.path.dirname(path)
    # One realpath per folder, not per file: a site has thousands of pages in a few folders.
    parent = _REAL.get(folder)
    if parent is None:
        parent = _REAL[folder] = os.path.realpath(folder)
    if parent != target and not parent.startswith(target + os.sep):
        return None
    return path


# Folders of OUT resolved in this run (cleared at each build: links may change between).
_REAL: dict[str, str] = {}


def _kept_file(target: str, rel: str) -> str | None:
    """Last build's file ``rel``, if it is a regular file inside OUT (never a link)."""
    path = _inside(target, rel)
    if path is None:
        return None
    try:
        return path if stat.S_ISREG(os.lstat(path).st_mode) else None
    except OSError:
        return None


def _real_dir(path: Path) -> None:
    """Make ``path`` a real folder: a symbolic link or file in its place inside OUT is
    removed first, so nothing is ever written through it to somewhere else."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        path.mkdir()
        return
    if not stat.S_ISDIR(st.st_mode):
        path.unlink()
        path.mkdir()


def _merge(tmp: Path, target: Path, stale: list[str]) -> None:
    """Move the files of ``tmp`` into ``target`` one by one (each move atomic), drop the
    pages and files that no longer exist, and put the manifest in last."""
    for dirpath, _dirs, files in os.walk(tmp):  # top-down: parents are made real first
        rel = os.path.relpath(dirpath, tmp)
        dest = target if rel == "." else target / rel
        if rel != ".":
            _real_dir(dest)
        for name in files:
            if rel == "." and name == MANIFEST:
                continue
            os.replace(os.path.join(dirpath, name), dest / name)
    _REAL.clear()  # folders were made real above
    target_s = str(target)
    for rel in stale:
        inside = _inside(target_s, rel)
        if inside is None:
            continue  # never remove anything outside OUT
        path = Path(inside)
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                path.unlink()
        except OSError:
            continue
        parent = path.parent
        while parent != target and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    if (tmp / MANIFEST).exists():  # else the one in OUT describes the site as it is
        os.replace(tmp / MANIFEST, target / MANIFEST)
    shutil.rmtree(tmp, ignore_errors=True)


def _swap(tmp: Path, target: Path) -> None:
    """Replace ``target`` by ``tmp``: two renames, the old site removed afterwards."""
    if target.exists():
        trash = Path(
            tempfile.mkdtemp(prefix=temp_prefix(f".{target.name}.old-"), dir=target.parent)
        )
        os.replace(target, trash / "site")
        os.replace(tmp, target)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(tmp, target)
    # mkdtemp makes the folder private (0700); a site is meant to be read.
    os.chmod(target, 0o755)


def template_files(dirs: list[Path]) -> Iterable[Path]:
    """Every file a build reads from the template folders (what its pages depend on)."""
    packaged = templates_dir()
    for folder in dirs:
        if not folder.is_dir():
            continue
        # Page templates, in subfolders too (dashboards/*.html); not the note templates.
        yield from sorted(
            p
            for p in folder.rglob("*.html")
            if p.is_file()
            and inside(folder, p)
            and not p.relative_to(folder).as_posix().startswith("static/")
        )
        for _rel, path in static_files(folder, packaged=folder == packaged):
            yield path


__all__ = ["BuildError", "BuildResult", "build", "templates_dir"]
