"""Markdown to HTML for the site, with the checker's own parser and link resolver.

The parser is :func:`starvault.markdown.make_markdown`, the site's profile of the
package that also holds the checker's (callouts, block ids, tags, highlights and
footnotes are its plugins); this module adds what only a vault can tell:

- render rules for wiki-links, links, images and headings, so that every link is
  resolved by :func:`starvault.links.resolve_link` exactly as ``check`` resolves it;
- transclusion of embeds (whole note, heading section, block) with cycle and depth limits;
- tags (``#tag``, the profile's ``obsidian_tag`` tokens) as links to their tag page, and
  dollar math as MathML (latex2mathml: the browser draws it, nothing comes from the
  network).

The final HTML of every note, embeds included, is passed through nh3 (see
:mod:`starvault.site.safety`), whatever produced it; markdown-it escapes text as well.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from ..links import HeadingIndex, Resolved, Status, heading_key, resolve_link
from ..markdown import make_markdown, split_wikilink
from ..markdown.blockids import block_anchor
from ..markdown.syntax import WikiMatch, replace_wikilinks
from ..scan import Link, Note, markdown_destination, nfc, split_front_matter
from ..vault import Vault
from .safety import sanitize
from .urls import SiteMap, fragment, root_of

# Transclusion stops this deep (Obsidian stops at a similar depth).
MAX_EMBED_DEPTH = 4
# What one page may transclude in all, nested embeds included: past either bound the
# embed shows as a link with a notice (20 notes embedding each other all-to-all would
# otherwise make pages of hundreds of megabytes).
MAX_PAGE_EMBEDS = 200
MAX_PAGE_EMBED_BYTES = 4_000_000
# Per-process caches of parsed embed targets and rendered embeds; bounded for large vaults.
MAX_CACHED_NOTES = 400
MAX_CACHED_EMBEDS = 4000
IMAGE_EXTENSIONS = frozenset(["png", "jpg", "jpeg", "gif", "bmp", "svg", "webp", "avif", "ico"])
AUDIO_EXTENSIONS = frozenset(["mp3", "wav", "m4a", "ogg", "flac"])
VIDEO_EXTENSIONS = frozenset(["mp4", "webm", "ogv", "mov"])

_HTML_COMMENT = re.compile(r"\s*<!--(?:(?!-->).)*-->\s*", re.DOTALL)
# Embedded HTML is rendered once for every page: its URLs start from the site root, marked
# with NUL (markdown-it turns NUL in notes into U+FFFD), replaced per page by "../" * depth.
ROOT_MARK = "\x00"
_SIZE = re.compile(r"^\s*(\d+)(?:\s*x\s*(\d+))?\s*$")
_BROKEN_TIPS = {
    Status.BROKEN: "no note named '{t}'",
    Status.URLISH: "'{t}' is a note name that looks like a URL; use [text](url) for web links",
    Status.MISSING_ATTACHMENT: "no file named '{t}' in the vault",
    Status.OUTSIDE: "'{t}' points outside the vault",
    Status.EMPTY: "empty link",
}


def heading_slug(text: str) -> str:
    """The id of a heading: Obsidian's heading matching key, spaces as dashes."""
    return heading_key(text).replace(" ", "-") or "section"


def heading_ids(headings: Sequence[Any]) -> list[str]:
    """Unique ids for a note's headings in order (``a``, ``a-1``, ...), as rendered."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for h in headings:
        base = heading_slug(h.text if hasattr(h, "text") else h)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(base if n == 0 else f"{base}-{n}")
    return out


# How much of a note's text the search index holds: the whole of a typical note (a story
# is 2,000-5,000 characters), bounded so an index of 10,000 notes stays tens of megabytes.
SEARCH_TEXT_LIMIT = 6000


def tag_page(tag: str) -> str:
    """The output path of a tag's page: ``#Team/Growth`` -> ``tags/team/growth.html``
    (Obsidian matches tags without regard to case)."""
    return "tags/" + tag.lower() + ".html"


@dataclass
class Rendered:
    """One note's body as HTML, with what the page and the search index need."""

    html: str
    excerpt: str
    headings: list[tuple[int, str, str]]  # (level, text, id)
    text: str = ""  # the body as plain text (bounded), for full-text search
    tags: list[str] = field(default_factory=list)  # inline #tags, first spelling, in order


@dataclass
class _Ctx:
    """Rendering context: the note whose links are resolved, the page being written."""

    note: Note
    page: str  # output path of the page the HTML goes into (URLs are relative to it)
    stack: tuple[str, ...]  # notes being transcluded, outermost first
    shared: dict[str, Any] = field(default_factory=dict)  # heading ids, embed log and counts

    @property
    def depth(self) -> int:
        return len(self.stack) - 1


class NoteRenderer:
    """Renders notes of one vault to HTML fragments. One per process; not thread-safe."""

    def __init__(self, vault: Vault, site: SiteMap, embed_targets: set[str] | None = None) -> None:
        self.vault = vault
        self.site = site
        self.md = self._make_parser()
        self._ids: dict[str, list[str]] = {}
        # Parsed notes that others embed, most recently used last (bounded: memory).
        self._tokens: OrderedDict[str, list[Token]] = OrderedDict()
        # (html, notes it transcludes, embeds in it, bytes of their sources)
        self._embeds: dict[tuple[Any, ...], tuple[str, frozenset[str], int, int]] = {}
        self.embed_targets = embed_targets if embed_targets is not None else set()

    # -- the parser ------------------------------------------------------------------------
    def _make_parser(self) -> MarkdownIt:
        md = make_markdown()
        # Obsidian shows a single newline as a line break ("strict line breaks" is off).
        md.options["breaks"] = True
        rules = md.renderer.rules
        rules["math_inline"] = _render_math
        rules["math_inline_double"] = _render_math
        rules["math_block"] = _render_math
        rules["math_block_label"] = _render_math
        rules["wikilink"] = self._render_wikilink
        rules["link_open"] = self._render_link_open
        rules["image"] = self._render_image
        rules["heading_open"] = self._render_heading_open
        rules["html_block"] = _render_raw_html
        rules["html_inline"] = _render_raw_html
        rules["obsidian_tag"] = self._render_tag
        return md

    def _render_tag(self, tokens: Sequence[Token], idx: int, _o: Any, env: Any) -> str:
        """``#tag`` as a link to its tag page; the note's own tags (not those of notes it
        embeds) are kept for its page and the tag pages."""
        tag = tokens[idx].content
        ctx: _Ctx = env["ctx"]
        if ctx.depth == 0:
            ctx.shared.setdefault("tags", {}).setdefault(tag.lower(), tag)
        href = escapeHtml(self.url(ctx, tag_page(tag)))
        return f'<a class="tag" href="{href}">#{escapeHtml(tag)}</a>'

    # -- public API ------------------------------------------------------------------------
    def body_tokens(self, note: Note) -> list[Token]:
        """The parsed body (front matter stripped); kept when other notes embed it."""
        hit = self._tokens.get(note.path)
        if hit is not None:
            self._tokens.move_to_end(note.path)
            return hit
        text = self.vault.text(note)
        _, body_line = split_front_matter(text)
        body = text.split("\n", body_line - 1)[-1] if body_line > 1 else text
        tokens = self.md.parse(body, {})
        if note.path in self.embed_targets:
            self._tokens[note.path] = tokens
            if len(self._tokens) > MAX_CACHED_NOTES:
                self._tokens.popitem(last=False)
        return tokens

    def render(self, note: Note, page: str, *, heading_ids: bool = True) -> Rendered:
        """The note's body as sanitised HTML for the page at output path ``page``.

        ``heading_ids=False`` renders a fragment for another page (the course sidebar),
        where the note's heading ids would clash with the page's own.
        """
        tokens = self.body_tokens(note)
        ctx = _Ctx(note, page, (note.path,))
        ids = self.ids_of(note)
        ctx.shared["ids"] = iter(ids) if heading_ids else None
        html = self.md.renderer.render(tokens, self.md.options, {"ctx": ctx})
        tags: dict[str, str] = ctx.shared.get("tags", {})
        if ROOT_MARK in html:
            html = html.replace(ROOT_MARK, root_of(page))
        # Every page's note HTML goes through the sanitiser, whatever path built it: a flag
        # set by one render path and lost on another must never decide what runs.
        html = sanitize(html)
        headings = [(h.level, h.text, i) for h, i in zip(note.headings, ids, strict=False)]
        return Rendered(html, _excerpt(tokens), headings, _plain_text(tokens), list(tags.values()))

    def ids_of(self, note: Note) -> list[str]:
        hit = self._ids.get(note.path)
        if hit is None:
            hit = self._ids[note.path] = heading_ids(note.headings)
        return hit

    def anchor(self, note: Note, subpath: str | None) -> str:
        """The fragment id a ``#Heading#Sub`` or ``#^block`` subpath points to in ``note``."""
        sub = (subpath or "").strip()
        if not sub:
            return ""
        if sub.startswith("^"):
            block = sub[1:].strip().lower()
            return block_anchor(block) if block in note.blocks else ""
        parts = [p for p in sub.split("#") if p.strip()]
        found = self.vault.resolver.headings(note).find(parts) if parts else None
        if found is None:
            return ""
        return self.ids_of(note)[found]

    def resolve(self, ctx: _Ctx, kind: str, target: str, subpath: str | None) -> Resolved:
        link = Link(kind, nfc(target), subpath, None, 0, 0)
        return resolve_link(ctx.note, link, self.vault.resolver, self.vault.notes)

    def href(self, ctx: _Ctx, r: Resolved, subpath: str | None) -> str | None:
        """Relative URL of a resolved link from the page being written; None if unpublished."""
        assert r.path is not None
        target = self.vault.notes.get(r.path)
        out = self.site.url_of(r.path)
        if out is None:
            return None
        anchor = self.anchor(target, subpath) if target is not None else ""
        if r.path == ctx.note.path and ctx.depth == 0 and anchor:
            return fragment(anchor)
        return self.url(ctx, out) + fragment(anchor)

    def url(self, ctx: _Ctx, out: str) -> str:
        """URL of the output file ``out`` from the page being written (see ROOT_MARK)."""
        if ctx.depth > 0:
            return ROOT_MARK + self.site.quoted(out)
        return self.site.rel(ctx.page, out)

    # -- render rules ------------------------------------------------------------------------
    def _render_wikilink(self, tokens: Sequence[Token], idx: int, _o: Any, env: Any) -> str:
        token = tokens[idx]
        ctx: _Ctx = env["ctx"]
        parts = split_wikilink(token.content)
        r = self.resolve(
            ctx, "embed" if token.meta.get("embed") else "link", parts.path, parts.subpath
        )
        if token.meta.get("embed"):
            return self._embed(ctx, r, parts.path, parts.subpath, parts.display)
        shown = parts.display
        if not shown:
            shown = parts.path
            if parts.subpath:
                pieces = [p.strip() for p in parts.subpath.split("#") if p.strip()]
                shown = " > ".join([parts.path, *pieces] if parts.path else pieces)
        return self._link_html(ctx, r, parts.subpath, escapeHtml(shown or token.content))

    def _link_html(self, ctx: _Ctx, r: Resolved, subpath: str | None, inner: str) -> str:
        if r.path is None:
            tip = _BROKEN_TIPS.get(r.status, "broken link").format(t=r.link.target)
            return (
                f'<span class="broken-link" title="{escapeHtml(tip)}"'
                f' data-target="{escapeHtml(r.link.target)}">{inner}</span>'
            )
        href = self.href(ctx, r, subpath)
        if href is None:
            return f'<span class="unpublished-link" title="not published">{inner}</span>'
        cls = "internal-link"
        title = ""
        if r.status in (Status.BAD_HEADING, Status.BAD_BLOCK):
            cls += " broken-anchor"
            what = "heading" if r.status is Status.BAD_HEADING else "block"
            title = f' title="{escapeHtml(f"no {what} {subpath!r} in this note")}"'
        elif r.status is Status.AMBIGUOUS:
            title = f' title="{escapeHtml("several notes match; this is " + r.path)}"'
        return f'<a class="{cls}" href="{escapeHtml(href)}"{title}>{inner}</a>'

    def _embed(
        self, ctx: _Ctx, r: Resolved, target: str, subpath: str | None, display: str | None
    ) -> str:
        if r.path is None:
            return self._link_html(ctx, r, subpath, escapeHtml("![[" + target + "]]"))
        note = self.vault.notes.get(r.path)
        if note is None:
            return self._embed_file(ctx, r.path, display)
        if r.path in ctx.stack or ctx.depth + 1 >= MAX_EMBED_DEPTH:
            ctx.shared["stops"] = ctx.shared.get("stops", 0) + 1
            why = "embeds itself" if r.path in ctx.stack else "is embedded too deeply"
            inner = escapeHtml(f"{note.title} ({why}; not shown again)")
            return self._link_html(ctx, r, subpath, inner).replace(
                "internal-link", "internal-link embed-stopped", 1
            )
        # The same embed renders the same on every page (URLs from the root): keep it,
        # unless it stopped on a cycle (that depends on the embedding chain).
        key = (note.path, subpath, ctx.depth)
        shared = ctx.shared
        count, size = shared.get("embeds", 0), shared.get("embed_bytes", 0)
        if count >= MAX_PAGE_EMBEDS or size + note.size > MAX_PAGE_EMBED_BYTES:
            shared["stops"] = shared.get("stops", 0) + 1
            inner = escapeHtml(f"{note.title} (this page transcludes too much; not shown)")
            return self._link_html(ctx, r, subpath, inner).replace(
                "internal-link", "internal-link embed-stopped", 1
            )
        hit = self._embeds.get(key)
        # A kept embed is used only where rendering it afresh would not hit the page's
        # bounds, so a page's HTML never depends on what this process rendered before.
        if (
            hit is not None
            and not (hit[1] & set(ctx.stack))
            and count + hit[2] <= MAX_PAGE_EMBEDS
            and size + hit[3] <= MAX_PAGE_EMBED_BYTES
        ):
            shared["embeds"], shared["embed_bytes"] = count + hit[2], size + hit[3]
            return hit[0]
        shared["embeds"], shared["embed_bytes"] = count + 1, size + note.size
        log: list[str] = shared.setdefault("embedded", [])
        start, stops = len(log), shared.get("stops", 0)
        log.append(note.path)
        anchor = self.anchor(note, subpath)
        if subpath and subpath.strip() and not anchor:
            # Obsidian shows nothing of a section it cannot find; say so, link the note.
            return self._link_html(ctx, r, subpath, escapeHtml(f"{note.title} › {subpath}"))
        tokens = self.body_tokens(note)
        sliced = _slice(tokens, anchor, self.vault.resolver.headings(note), subpath)
        sub = _Ctx(note, ctx.page, (*ctx.stack, note.path), shared)
        inner = self.md.renderer.render(sliced, self.md.options, {"ctx": sub})
        # From inside the embed, so the link is root-relative like the rest of the cached HTML.
        href = self.href(sub, r, subpath)
        title = note.title
        if subpath:
            title += " › " + subpath.strip().lstrip("^")
        head = escapeHtml(title)
        if href is not None:
            head = f'<a class="internal-link" href="{escapeHtml(href)}">{head}</a>'
        html = (
            f'<div class="embed" data-path="{escapeHtml(note.path)}">'
            f'<div class="embed-title">{head}</div>{inner}</div>'
        )
        if shared.get("stops", 0) == stops:
            if len(self._embeds) > MAX_CACHED_EMBEDS:
                self._embeds.clear()
            self._embeds[key] = (
                html,
                frozenset(log[start:]),
                shared["embeds"] - count,
                shared["embed_bytes"] - size,
            )
        return html

    def _embed_file(self, ctx: _Ctx, path: str, display: str | None) -> str:
        out = self.site.url_of(path)
        if out is None:
            return ""
        src = escapeHtml(self.url(ctx, out))
        ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        name = escapeHtml(path.rsplit("/", 1)[-1])
        if ext in IMAGE_EXTENSIONS:
            size = ""
            m = _SIZE.match(display or "")
            if m:
                size = f' width="{m.group(1)}"' + (f' height="{m.group(2)}"' if m.group(2) else "")
            alt = name if not display or m else escapeHtml(display)
            return f'<img class="embed-image" src="{src}" alt="{alt}"{size} loading="lazy">'
        if ext in AUDIO_EXTENSIONS:
            return f'<audio controls src="{src}"></audio>'
        if ext in VIDEO_EXTENSIONS:
            return f'<video controls src="{src}"></video>'
        return f'<a class="attachment-link" href="{src}">{name}</a>'

    def _render_link_open(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        renderer = self.md.renderer
        token = tokens[idx]
        close = _matching_close(tokens, idx)
        href = token.attrGet("href") or ""
        parsed = (
            markdown_destination(str(href)) if token.markup not in ("autolink", "linkify") else None
        )
        if parsed is None:
            if close is not None:
                close.tag = "a"
            token.attrSet("class", "external-link")
            token.attrSet("rel", "noopener")
            return renderer.renderToken(tokens, idx, options, env)
        ctx: _Ctx = env["ctx"]
        path, subpath = parsed
        r = self.resolve(ctx, "markdown", path, subpath)
        new_href = self.href(ctx, r, subpath) if r.path is not None else None
        if new_href is None:
            if close is not None:
                close.tag = "span"
            tip = _BROKEN_TIPS.get(r.status, "broken link").format(t=path)
            return f'<span class="broken-link" title="{escapeHtml(tip)}">'
        if close is not None:
            close.tag = "a"
        title = token.attrGet("title")
        extra = f' title="{escapeHtml(str(title))}"' if title else ""
        return f'<a class="internal-link" href="{escapeHtml(new_href)}"{extra}>'

    def _render_image(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        renderer = self.md.renderer
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        parsed = markdown_destination(src)
        if parsed is not None and parsed[0]:
            ctx: _Ctx = env["ctx"]
            r = self.resolve(ctx, "markdown", parsed[0], None)
            out = self.site.url_of(r.path) if r.path is not None else None
            if out is None:
                tip = _BROKEN_TIPS.get(r.status, "broken link").format(t=parsed[0])
                return (
                    f'<span class="broken-link" title="{escapeHtml(tip)}">{escapeHtml(src)}</span>'
                )
            token.attrSet("src", self.url(ctx, out))
        token.attrSet("loading", "lazy")
        return renderer.image(tokens, idx, options, env)

    def _render_heading_open(
        self, tokens: Sequence[Token], idx: int, options: Any, env: Any
    ) -> str:
        renderer = self.md.renderer
        ctx: _Ctx = env["ctx"]
        token = tokens[idx]
        ids = ctx.shared.get("ids")
        if ctx.depth == 0 and ids is not None:
            hid = next(ids, None)
            if hid is None:
                inline = tokens[idx + 1] if idx + 1 < len(tokens) else None
                hid = heading_slug(inline.content if inline is not None else "")
            token.attrSet("id", hid)
        elif token.attrGet("id") is not None and not str(token.attrGet("id")).startswith("^"):
            token.attrs.pop("id", None)
        return renderer.renderToken(tokens, idx, options, env)


def _render_raw_html(tokens: Sequence[Token], idx: int, _o: Any, env: Any) -> str:
    content = tokens[idx].content
    if _HTML_COMMENT.fullmatch(content):
        return ""  # Obsidian hides HTML comments too
    return content  # the page's HTML is sanitised as a whole (NoteRenderer.render)


def _render_math(tokens: Sequence[Token], idx: int, _o: Any, _e: Any) -> str:
    """Dollar math as MathML, which browsers draw natively (nothing from the network). TeX
    latex2mathml cannot read is shown as its source. The page's HTML is sanitised after:
    latex2mathml copies ``\\text{...}`` through unescaped."""
    token = tokens[idx]
    block = token.type.startswith("math_block") or token.type == "math_inline_double"
    return math_html(token.content, block=block)


def math_html(tex: str, *, block: bool) -> str:
    from latex2mathml.converter import convert

    try:
        mathml = convert(tex.strip(), display="block" if block else "inline")
    except Exception:  # any TeX it cannot read: show the source, as Obsidian does
        cls = "math math-error block" if block else "math math-error"
        return f'<code class="{cls}" title="TeX not rendered">{escapeHtml(tex)}</code>'
    return f'<div class="math block">{mathml}</div>\n' if block else mathml


def _matching_close(tokens: Sequence[Token], idx: int) -> Token | None:
    level = tokens[idx].level
    for j in range(idx + 1, len(tokens)):
        if tokens[j].level == level and tokens[j].nesting == -1:
            return tokens[j]
    return None


def _block_end(tokens: Sequence[Token], start: int) -> int:
    """Index after the close of the block opened at ``start`` (or after a single token)."""
    token = tokens[start]
    if token.nesting != 1:
        return start + 1
    for j in range(start + 1, len(tokens)):
        if tokens[j].level == token.level and tokens[j].nesting == -1:
            return j + 1
    return len(tokens)


def _slice(
    tokens: list[Token], anchor: str, index: HeadingIndex, subpath: str | None
) -> list[Token]:
    """The tokens a ``![[Note#Heading]]`` or ``![[Note#^id]]`` embed shows."""
    sub = (subpath or "").strip()
    if not sub or not anchor:
        return tokens
    if sub.startswith("^"):
        for i, t in enumerate(tokens):
            if t.attrGet("id") == anchor:
                return tokens[i : _block_end(tokens, i)]
        return tokens
    wanted = index.find([p for p in sub.split("#") if p.strip()])
    if wanted is None:
        return tokens
    # The n-th heading_open at any depth matches note.headings[n].
    n = -1
    for i, t in enumerate(tokens):
        if t.type == "heading_open":
            n += 1
            if n == wanted:
                level = int(t.tag[1])
                for j in range(i + 3, len(tokens)):
                    u = tokens[j]
                    if u.type == "heading_open" and u.level == t.level and int(u.tag[1]) <= level:
                        return tokens[i:j]
                return tokens[i:]
    return tokens


def _excerpt(tokens: Sequence[Token], limit: int = 240) -> str:
    """The first words of the note's prose (paragraphs, not headings or navigation)."""
    parts: list[str] = []
    size = 0
    for i, t in enumerate(tokens):
        if t.type != "inline" or not t.content or i == 0:
            continue
        if tokens[i - 1].type != "paragraph_open" or _NAV_LINE.search(t.content):
            continue
        # A bounded piece of each paragraph: the excerpt needs only its first words.
        parts.append(t.content[: limit * 4])
        size += len(parts[-1])
        if size >= limit:
            break
    text = replace_wikilinks(" ".join(parts), _shown)
    text = " ".join(_MARKUP.sub("", text).split())
    return text[:limit]


def _plain_text(tokens: Sequence[Token], limit: int = SEARCH_TEXT_LIMIT) -> str:
    """The note's words for full-text search: inline text, code and math, markup left out."""
    parts: list[str] = []
    size = 0
    for t in tokens:
        if t.type in ("inline", "fence", "code_block", "math_block") and t.content:
            parts.append(t.content[: limit * 2])
            size += len(parts[-1])
            if size >= limit * 2:
                break
    text = replace_wikilinks(" ".join(parts), _shown)
    text = " ".join(_MARKUP.sub(" ", text).split())
    return text[:limit]


_NAV_LINE = re.compile(r"\*\*(?:Module|Previous|Next):\*\*")


def _shown(m: WikiMatch) -> str:
    """A wiki-link in an excerpt: its display text, else its target as written."""
    parts = m.target
    return parts.display or parts.path


_MARKUP = re.compile(r"[*_`>]+|%%.*?%%")
