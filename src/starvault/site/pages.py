"""Pages of the site: the shared build context, note and course pages, dashboards.

:class:`SiteContext` holds what every page needs (vault, site map, jinja environment, the
course order); :class:`PageBuilder` turns one note, or one dashboard, into an HTML file.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from ..cache import user_secret
from ..config import CONFIG_NAME
from ..links import Status, resolve_link
from ..markdown import find_wikilinks, replace_wikilinks
from ..navigation import course_order, course_positions, course_sections, toc_note
from ..resources import templates_dir
from ..scan import Heading, Link, Note, inside, nfc
from ..vault import Vault
from .graph import local_graph
from .progress import Progress
from .render import NoteRenderer, tag_page
from .safety import protect, publishable
from .urls import SiteMap, root_of

# A course longer than this gets a windowed sidebar (every section by name, the pages near
# the current one) instead of the whole table of contents on every page.
SIDEBAR_PAGES = 150
SIDEBAR_NEAR = 10
# Front matter keys shown elsewhere on the page (or not meant for readers).
_HIDDEN_KEYS = {"title", "type", "starvault", "tags", "tag", "aliases", "alias", "cssclasses"}


def _hash_files(paths: list[Path]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for path in paths:
        h.update(str(path.name).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@dataclass
class SiteContext:
    vault: Vault
    site: SiteMap
    template_dirs: list[Path]
    live_reload: bool
    toc: Note | None
    course_order: list[str]
    global_key: str
    nav: list[tuple[str, str]] = field(default_factory=list)  # (label, output path)
    # The last build's embeds per note (see ``embeds``): {"files": hash, "notes": {...}}.
    previous_embeds: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        vault: Vault,
        *,
        live_reload: bool = False,
        exclude_out: Path | None = None,
        previous_embeds: dict[str, Any] | None = None,
    ) -> SiteContext:
        from .build import BUILD_VERSION, template_files

        config = vault.config
        folder = config.site.templates.strip("/")
        skip = [folder + "/"] if folder else []
        if exclude_out is not None:
            try:
                rel = exclude_out.resolve().relative_to(vault.root.resolve()).as_posix()
                skip.append(rel + "/")
            except ValueError:
                pass  # OUT is outside the vault (the usual case)
        prefixes = tuple(skip)
        notes = [p for p in vault.notes if not (prefixes and p.startswith(prefixes))]
        files = [
            p
            for p in vault.attachments
            if not (prefixes and p.startswith(prefixes))
            and p != CONFIG_NAME
            and publishable(vault.root, vault.disk.get(p, p))
        ]
        site = SiteMap(notes, files)
        # The vault's template folder only where it really lies inside the vault.
        own = vault.root / folder if folder else None
        if own is not None and not inside(vault.root, own):
            own = None
        dirs = [d for d in (own, templates_dir()) if d is not None and d.is_dir()]
        # The course as the checker reads it (navigation owns the order).
        toc = toc_note(vault)
        order = course_order(vault)
        h = hashlib.blake2b(digest_size=16)
        for part in (BUILD_VERSION, config.site.title, config.toc, str(live_reload)):
            h.update(part.encode() + b"\0")
        h.update(_hash_files(list(template_files(dirs))).encode())
        nav = [("Home", "index.html")]
        if toc is not None and toc.path in site.pages:
            nav.append(("Course", site.pages[toc.path]))
        from .dashboards import DASHBOARDS

        nav += [(d.nav, d.page) for d in DASHBOARDS]
        return cls(
            vault, site, dirs, live_reload, toc, order, h.hexdigest(), nav, previous_embeds or {}
        )

    def warm(self) -> None:
        """Compute the vault's shared indexes once, before worker processes fork."""
        _ = self.vault.resolver, self.backlink_sources, self.embeds
        _ = self.env, self.embed_targets

    @property
    def course_position(self) -> dict[str, int]:
        """Each course page's index in ``course_order``."""
        return course_positions(self.vault)

    @cached_property
    def env(self) -> jinja2.Environment:
        # Templates may come from a shared vault: the sandbox gives them no way to reach
        # Python (no attributes that lead to modules, no calls that change state), and
        # the loader reads no file through a link that leaves its folder. starvault's own
        # templates alone need no sandbox (its checks were half the dashboards' time).
        trusted = self.template_dirs == [templates_dir()]
        kind = jinja2.Environment if trusted else ImmutableSandboxedEnvironment
        env = kind(
            loader=ContainedLoader([str(d) for d in self.template_dirs]),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.ChainableUndefined,
        )
        env.filters["duration"] = format_duration
        return env

    @cached_property
    def nonce_key(self) -> bytes:
        """Keys each page's script nonce: this user's secret (pages stay byte-identical
        between builds), or a random one where there is none."""
        return user_secret() or os.urandom(32)

    def finish(self, page: str, html: str) -> str:
        """The page as written: the template's HTML behind a Content-Security-Policy that
        lets only the site's own scripts run (see :func:`.safety.protect`)."""
        scripts = ["static/search.js"]  # it loads the search library on first use
        if self.live_reload:
            scripts.append("static/reload.js")
        nonce = hashlib.blake2b(page.encode(), key=self.nonce_key, digest_size=18).hexdigest()
        return protect(html, root_of(page), nonce, scripts)

    @cached_property
    def backlink_sources(self) -> dict[str, list[str]]:
        """Note path -> the notes that link to it, from the vault's per-note link outcomes
        (kept in the parse cache, so a rebuild does not resolve every link again)."""
        out: dict[str, list[str]] = defaultdict(list)
        for source, outcome in self.vault.outcomes.items():
            for target in outcome.targets:
                out[target].append(source)
        return dict(out)

    @cached_property
    def embeds(self) -> dict[str, list[str]]:
        """Note path -> the notes it embeds, in order (only embed links are resolved).

        Taken from the last build for notes that did not change while the file set stayed
        the same, so a rebuild does not decode every note's links.
        """
        vault = self.vault
        prev = self.previous_embeds
        known = prev.get("notes", {}) if prev.get("files") == self.vault.fingerprint else {}
        out: dict[str, list[str]] = {}
        for path, note in vault.notes.items():
            hit = known.get(path)
            if hit is not None and hit[0] == list(note.file_key):
                found = hit[1]
            else:
                found = [
                    r.path
                    for link in note.links
                    if link.kind == "embed"
                    and (r := resolve_link(note, link, vault.resolver, vault.notes)).path
                    in vault.notes
                ]
            if found:
                out[path] = found
        return out

    def embeds_state(self) -> dict[str, Any]:
        """What ``embeds`` needs from this build to skip work in the next one."""
        embeds = self.embeds
        return {
            "files": self.vault.fingerprint,
            "notes": {
                p: [list(n.file_key), embeds.get(p, [])] for p, n in self.vault.notes.items()
            },
        }

    @cached_property
    def progress(self) -> Progress:
        """Practice history and schedule for the story pages (see site/progress.py)."""
        from .progress import Progress

        return Progress.of(self.vault)

    @cached_property
    def embed_targets(self) -> set[str]:
        return {p for paths in self.embeds.values() for p in paths}


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


class PageBuilder:
    """Writes pages; one per process (it owns a renderer with its caches)."""

    def __init__(self, ctx: SiteContext) -> None:
        self.ctx = ctx
        self._renderer: NoteRenderer | None = None
        # The table of contents as HTML per output folder: its links are relative, so pages
        # in one folder share it (rendering it once per course page grew with the square of
        # the course).
        self._toc_html: dict[str, str] = {}

    @property
    def renderer(self) -> NoteRenderer:
        if self._renderer is None:
            self._renderer = NoteRenderer(self.ctx.vault, self.ctx.site, self.ctx.embed_targets)
        return self._renderer

    def base_context(self, page: str, title: str) -> dict[str, Any]:
        root = root_of(page)
        return {
            "site_title": self.ctx.vault.config.site.title,
            "title": title,
            "root": root,
            "page": page,
            "nav": [(label, root + out, out == page) for label, out in self.ctx.nav],
            "live_reload": self.ctx.live_reload,
        }

    def link(self, page: str, path: str | None) -> str | None:
        """Relative URL from ``page`` to the page of note ``path``."""
        if path is None:
            return None
        out = self.ctx.site.url_of(path)
        return self.ctx.site.rel(page, out) if out else None

    # -- note pages ------------------------------------------------------------------------
    def write_note_page(self, tmp: Path, path: str) -> dict[str, Any]:
        """Render one note's page into ``tmp``; returns its search index entry."""
        ctx = self.ctx
        vault = ctx.vault
        note = vault.notes[path]
        page = ctx.site.pages[path]
        rendered = self.renderer.render(note, page)
        data = self.base_context(page, note.title)
        backlinks = []
        seen: set[str] = set()
        for source in ctx.backlink_sources.get(path, ()):
            if source in seen or source not in ctx.site.pages or source == path:
                continue
            seen.add(source)
            src = vault.notes[source]
            backlinks.append({"title": src.title, "url": self.link(page, source), "type": src.type})
        backlinks.sort(key=lambda b: str(b["title"]).casefold())
        tags = _tags(note.meta)
        # Front matter tags, then the body's (Obsidian lists both under the note's tags).
        all_tags = list({t.lower(): t for t in [*rendered.tags[::-1], *tags[::-1]]}.values())
        all_tags.reverse()
        heading, rest = _split_title(rendered.html)
        data.update(
            note=note,
            type=note.type,
            body=Markup(rendered.html),  # the whole note
            heading=Markup(heading) if heading else None,  # its leading <h1>, if any
            body_after_title=Markup(rest),  # the rest, for templates that show heading first
            properties=self.properties(note, page),
            tags=tags,
            tag_links=[(t, ctx.site.rel(page, tag_page(t))) for t in tags],
            aliases=note.aliases,
            backlinks=backlinks,
            graph=local_graph(ctx, page, path),
            outline=[h for h in rendered.headings if 2 <= h[0] <= 3],
            source_path=path,
            problems=[
                {
                    "title": BANNER_CODES[p.code],
                    "message": p.message,
                    "line": p.line,
                    "code": p.code,
                }
                for p in page_problems(note)
            ],
        )
        template = "note.html"
        if note.type == "story":
            template = "story.html"
            from .progress import story_history

            data["history"] = story_history(self, page, ctx.progress, path)
        if note.type == "course" or (ctx.toc is not None and path == ctx.toc.path):
            template = "course.html" if note.type == "course" else "note.html"
            data.update(self.course_context(note, page))
        html = ctx.finish(page, ctx.env.get_template(template).render(data))
        dest = tmp / page
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(html, "utf-8")
        return {
            "t": note.title,
            "u": page,
            "k": note.type or "",
            "x": rendered.excerpt,
            "h": [h[1] for h in rendered.headings if h[0] <= 3][:12],
            "a": note.aliases,
            "g": all_tags,
            "f": self.properties_text(note),  # front matter ("p" is the source path)
            "b": rendered.text,
        }

    def properties_text(self, note: Note) -> str:
        """The note's shown properties as words, for full-text search."""
        words: list[str] = []
        for key, value in note.meta.items():
            if str(key).lower() in _HIDDEN_KEYS or value in (None, "", []):
                continue
            items = value if isinstance(value, list) else [value]
            words += [replace_wikilinks(str(v), lambda m: m.target.path) for v in items]
        return " ".join(words)[:2000]

    # -- tag pages -------------------------------------------------------------------------
    def write_tag_pages(
        self,
        tmp: Path,
        entries: dict[str, dict[str, Any]],
        keep: Callable[[str, str], bool] | None = None,
    ) -> tuple[list[str], dict[str, str]]:
        """One page per tag, listing the notes that carry it (front matter or body); a page
        whose data is unchanged is kept (see :meth:`write_keyed`)."""
        by_tag: dict[str, list[dict[str, Any]]] = defaultdict(list)
        shown: dict[str, str] = {}
        for path in sorted(entries):
            entry = entries[path]
            for tag in entry.get("g") or []:
                key = str(tag).lower()
                shown.setdefault(key, str(tag))
                by_tag[key].append(entry)
        written: list[str] = []
        keys: dict[str, str] = {}
        for key in sorted(by_tag):
            page = tag_page(key)
            notes = sorted(by_tag[key], key=lambda e: (str(e["t"]).casefold(), e["u"]))
            data = {
                "tag": shown[key],
                "notes": [
                    {
                        "title": e["t"],
                        "url": self.ctx.site.rel(page, e["u"]),
                        "type": e["k"],
                        "excerpt": e.get("x", ""),
                    }
                    for e in notes
                ],
            }
            keys[page] = self.write_keyed(tmp, page, "tag.html", "#" + shown[key], data, keep)
            written.append(page)
        return written, keys

    def write_keyed(
        self,
        tmp: Path,
        page: str,
        template: str,
        title: str,
        data: dict[str, Any],
        keep: Callable[[str, str], bool] | None,
    ) -> str:
        """Write a dashboard or tag page into ``tmp`` unless ``keep(page, key)`` keeps the
        last build's; returns its key.

        The key hashes the page's view data (plain values and dataclasses, whose repr shows
        every field) with the site's global key, so an edit renders only the pages whose
        data it changed; a value without a faithful repr only costs a render.
        """
        seen = repr((self.ctx.global_key, template, title, data))
        key = hashlib.blake2b(seen.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
        if keep is not None and keep(page, key):
            return key
        context = self.base_context(page, title)
        context.update(data)
        html = self.ctx.finish(page, self.ctx.env.get_template(template).render(context))
        dest = tmp / page
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(html, "utf-8")
        return key

    def course_context(self, note: Note, page: str) -> dict[str, Any]:
        ctx = self.ctx
        out: dict[str, Any] = {"toc_html": None, "prev": None, "next": None, "module": None}
        if ctx.toc is None:
            return out
        toc_page = ctx.site.pages.get(ctx.toc.path)
        if len(ctx.course_order) > SIDEBAR_PAGES:
            out["toc_html"] = self.toc_window(note, page, toc_page is not None)
        else:
            folder = page.rsplit("/", 1)[0] if "/" in page else ""
            html = self._toc_html.get(folder)
            if html is None:
                html = self.renderer.render(ctx.toc, page, heading_ids=False).html
                self._toc_html[folder] = html
            own = self.ctx.site.rel(page, page)
            html = html.replace(
                f'class="internal-link" href="{own}"',
                f'class="internal-link current" aria-current="page" href="{own}"',
            )
            out["toc_html"] = Markup(html)
        out["toc_title"] = ctx.toc.title
        out["toc_url"] = self.link(page, ctx.toc.path) if toc_page else None
        order = ctx.course_order
        i = ctx.course_position.get(note.path)
        if i is not None:
            if i > 0:
                prev = ctx.vault.notes[order[i - 1]]
                out["prev"] = {"title": prev.title, "url": self.link(page, prev.path)}
            if i + 1 < len(order):
                nxt = ctx.vault.notes[order[i + 1]]
                out["next"] = {"title": nxt.title, "url": self.link(page, nxt.path)}
            out["position"] = (i + 1, len(order))
        module = note.meta.get("module")
        out["module"] = str(module) if module else None
        return out

    def toc_window(self, note: Note, page: str, toc_linked: bool) -> Markup:
        """The sidebar of a long course: every section of the table of contents by name,
        and only the current section's pages near this one, so a page's size does not grow
        with the course (the table of contents page lists them all)."""
        ctx = self.ctx
        toc = ctx.toc
        assert toc is not None
        notes = ctx.vault.notes
        toc_url = self.link(page, toc.path) if toc_linked else None
        sections = course_sections(ctx.vault)
        here = next((i for i, (_, paths) in enumerate(sections) if note.path in paths), -1)
        parts: list[Markup] = [Markup('<ul class="toc-sections">')]
        # With many sections, only those near the current one (the rest are a link away).
        lo, hi = (max(0, here - 5), here + 6) if here >= 0 else (0, 2 * 5 + 1)

        def to_toc(head: Heading | None, label: str) -> Markup:
            if toc_url is None:
                return Markup("<span>{}</span>").format(label)
            anchor = self.renderer.anchor(toc, "#" + head.text) if head is not None else ""
            url = toc_url + ("#" + anchor if anchor else "")
            return Markup('<a class="internal-link" href="{}">{}</a>').format(url, label)

        if lo > 0:
            parts.append(Markup("<li>{}</li>").format(to_toc(None, f"… {lo} more sections")))
        for i, (head, paths) in enumerate(sections[lo:hi], lo):
            title = head.text if head is not None else toc.title
            label = f"{title} ({len(paths)})"
            if i != here:
                parts.append(Markup("<li>{}</li>").format(to_toc(head, label)))
                continue
            j = paths.index(note.path)
            start, end = max(0, j - SIDEBAR_NEAR), min(len(paths), j + SIDEBAR_NEAR + 1)
            items: list[Markup] = []
            if start > 0:
                items.append(Markup("<li>{}</li>").format(to_toc(head, f"… {start} before")))
            for path in paths[start:end]:
                mark = Markup(' current" aria-current="page') if path == note.path else ""
                items.append(
                    Markup('<li><a class="internal-link{}" href="{}">{}</a></li>').format(
                        mark, self.link(page, path), notes[path].title
                    )
                )
            if end < len(paths):
                after = len(paths) - end
                items.append(Markup("<li>{}</li>").format(to_toc(head, f"… {after} after")))
            parts.append(
                Markup('<li><strong>{}</strong><ol start="{}">{}</ol></li>').format(
                    label, start + 1, Markup("").join(items)
                )
            )
        if hi < len(sections):
            more = len(sections) - hi
            parts.append(Markup("<li>{}</li>").format(to_toc(None, f"… {more} more sections")))
        parts.append(Markup("</ul>"))
        return Markup("").join(parts)

    def properties(self, note: Note, page: str) -> list[tuple[str, Markup]]:
        rows = []
        for key, value in note.meta.items():
            if str(key).lower() in _HIDDEN_KEYS or value in (None, "", []):
                continue
            rows.append((str(key).replace("_", " "), self.value_html(note, page, value)))
        return rows

    def value_html(self, note: Note, page: str, value: Any) -> Markup:
        """A front matter value as HTML: escaped, wiki-links resolved like in the body."""
        if isinstance(value, list):
            items = [self.value_html(note, page, v) for v in value]
            return Markup(", ").join(items)
        if isinstance(value, bool):
            return Markup("yes" if value else "no")
        if isinstance(value, (datetime.date, int, float)):
            return escape(str(value))
        if isinstance(value, dict):
            return escape(", ".join(f"{k}: {v}" for k, v in value.items()))
        return self.text_with_links(note, page, str(value))

    def text_with_links(self, note: Note, page: str, text: str) -> Markup:
        out: list[Markup | str] = []
        last = 0
        for m in find_wikilinks(text):
            out.append(escape(text[last : m.start]))
            parts = m.target
            link = Link("property", nfc(parts.path), parts.subpath, parts.display, 0, 0)
            r = resolve_link(note, link, self.ctx.vault.resolver, self.ctx.vault.notes)
            shown = parts.display or parts.path
            url = self.link(page, r.path) if r.path else None
            if url is None or r.status not in (Status.OK, Status.AMBIGUOUS):
                out.append(
                    Markup('<span class="broken-link" title="{}">{}</span>').format(
                        f"no note named '{parts.path}'", shown
                    )
                )
            else:
                anchor = (
                    self.renderer.anchor(self.ctx.vault.notes[r.path], parts.subpath)
                    if r.path in self.ctx.vault.notes
                    else ""
                )
                out.append(
                    Markup('<a class="internal-link" href="{}">{}</a>').format(
                        url + ("#" + anchor if anchor else ""), shown
                    )
                )
            last = m.end
        out.append(escape(text[last:]))
        return Markup("").join(out)

    # -- dashboards ------------------------------------------------------------------------
    def write_dashboards(
        self, tmp: Path, keep: Callable[[str, str], bool] | None = None
    ) -> tuple[list[str], dict[str, str]]:
        """Write every dashboard page into ``tmp`` (see :meth:`write_keyed`); returns the
        pages and each one's key."""
        from .dashboards import dashboard_pages

        written: list[str] = []
        keys: dict[str, str] = {}
        for page, template, title, data in dashboard_pages(self):
            keys[page] = self.write_keyed(tmp, page, template, title, data, keep)
            written.append(page)
        return written, keys


# Problems that change what a page can show: the note was not read (VA001, VA003) or its
# front matter was dropped (VA002). The page carries a banner; the build prints a line.
BANNER_CODES = {
    "VA001": "This note could not be read",
    "VA002": "This note's front matter is not valid YAML, so its properties are ignored",
    "VA003": "This note is too large to read",
}


def page_problems(note: Note) -> list[Any]:
    return [p for p in note.problems if p.code in BANNER_CODES]


def _split_title(html: str) -> tuple[str | None, str]:
    """Lift a leading ``<h1>`` out of the body so the page header can show it first."""
    if not html.startswith("<h1"):
        return None, html
    end = html.find("</h1>")
    if end < 0:
        return None, html
    return html[: end + 5], html[end + 5 :].lstrip("\n")


def _tags(meta: dict[str, Any]) -> list[str]:
    value = meta.get("tags", meta.get("tag"))
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    if not isinstance(value, list):
        return []
    return [str(v).lstrip("#") for v in value if v]


class ContainedLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that reads only files really inside its folders: a template that
    is a symbolic link to ``/etc/passwd`` is passed over (the next folder's is used)."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            path = Path(folder, *pieces)
            if not path.is_file() or not inside(Path(folder), path):
                continue
            source = path.read_text(encoding=self.encoding)
            mtime = path.stat().st_mtime
            return source, str(path), lambda p=path, m=mtime: _unchanged(p, m)
        raise jinja2.TemplateNotFound(template)


def _unchanged(path: Path, mtime: float) -> bool:
    try:
        return path.stat().st_mtime == mtime
    except OSError:
        return False
