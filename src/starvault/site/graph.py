"""The local graph on each note page: the note, the notes it links to and the notes that
link to it, as an SVG drawn at build time (no script, nothing from the network).

It reads only what the build has already computed once for every page (each note's link
targets from the vault's link outcomes, and the backlink index), and labels nodes with
note names, which come from paths: everything it shows is in the page's key, so a page
that is kept from the last build still shows the right graph.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from .pages import SiteContext

# More neighbours than this make an unreadable hairball at this size: the rest is counted.
MAX_NEIGHBOURS = 16
SIZE = 320
_LABEL_CHARS = 18


def _name(path: str) -> str:
    base = path.rsplit("/", 1)[-1]
    return base[:-3] if base.lower().endswith(".md") else base


def _label(text: str) -> str:
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1] + "…"


def neighbours(ctx: SiteContext, path: str) -> list[tuple[str, str]]:
    """(note path, "out" | "in" | "both") of the published notes linked with ``path``."""
    pages = ctx.site.pages
    outcome = ctx.vault.outcomes.get(path)
    out = {t for t in (outcome.targets if outcome else ()) if t in pages and t != path}
    inc = {s for s in ctx.backlink_sources.get(path, ()) if s in pages and s != path}
    both = out & inc
    found = [(p, "both" if p in both else "out" if p in out else "in") for p in out | inc]
    return sorted(found, key=lambda x: (_name(x[0]).casefold(), x[0]))


def local_graph(ctx: SiteContext, page: str, path: str) -> Markup | None:
    """The SVG of ``path``'s links, or None when it has none."""
    found = neighbours(ctx, path)
    if not found:
        return None
    shown, more = found[:MAX_NEIGHBOURS], len(found) - MAX_NEIGHBOURS
    c = SIZE / 2
    radius = SIZE / 2 - 46
    title = f"Links of {_name(path)}: {len(found)} note{'s' if len(found) != 1 else ''}"
    parts = [
        f'<svg class="local-graph-svg" viewBox="0 0 {SIZE} {SIZE}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    nodes = []
    for i, (other, kind) in enumerate(shown):
        angle = -math.pi / 2 + 2 * math.pi * i / len(shown)
        x, y = c + radius * math.cos(angle), c + radius * math.sin(angle)
        parts.append(
            f'<line class="edge edge-{kind}" x1="{c:.1f}" y1="{c:.1f}" x2="{x:.1f}" y2="{y:.1f}"/>'
        )
        anchor = "middle" if abs(math.cos(angle)) < 0.3 else "start" if x > c else "end"
        lx = x + (8 if anchor == "start" else -8 if anchor == "end" else 0)
        ly = y + (18 if y > c and anchor == "middle" else -10 if anchor == "middle" else 4)
        url = ctx.site.rel(page, ctx.site.pages[other])
        name = _name(other)
        what = {"out": "linked from this note", "in": "links here", "both": "linked both ways"}
        nodes.append(
            f'<a href="{escape(url)}"><title>{escape(name)} ({what[kind]})</title>'
            f'<circle class="node node-{kind}" cx="{x:.1f}" cy="{y:.1f}" r="6"/>'
            f'<text class="label" x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}">'
            f"{escape(_label(name))}</text></a>"
        )
    parts += nodes
    parts.append(
        f'<circle class="node node-self" cx="{c:.1f}" cy="{c:.1f}" r="9"/>'
        f'<text class="label label-self" x="{c:.1f}" y="{c + 24:.1f}" text-anchor="middle">'
        f"{escape(_label(_name(path)))}</text>"
    )
    if more > 0:
        parts.append(
            f'<text class="label more" x="{SIZE - 6}" y="{SIZE - 6}" text-anchor="end">'
            f"+{more} more</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
