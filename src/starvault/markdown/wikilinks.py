"""Wiki-links and embeds: ``[[Note#Heading|shown]]`` and ``![[file.png|200]]``.

An inline rule emits one ``wikilink`` token per link: ``content`` is the inner text,
``markup`` the link as written, ``meta`` holds ``pos`` (its offset in the inline source)
and ``embed``. The text itself is read by :func:`.syntax.match_wikilink`, the same
function every other module uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from .syntax import WikiMatch, match_wikilink


def wikilink_plugin(md: MarkdownIt) -> None:
    """Add ``[[...]]`` and ``![[...]]``."""
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.add_render_rule("wikilink", _render_wikilink)


def lone_embed_plugin(md: MarkdownIt) -> None:
    """A paragraph holding only embeds loses its ``<p>``: Obsidian shows a transcluded
    note as a block of its own."""
    md.core.ruler.push("lone_embeds", _lone_embeds)


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    found = match_wikilink(state.src, state.pos, state.posMax)
    if found is None:
        return False
    after, inner, embed = found
    if not silent:
        token = state.push("wikilink", "", 0)
        token.content = inner
        token.markup = state.src[state.pos : after]
        token.meta = {"pos": state.pos, "embed": embed}
    state.pos = after
    return True


def _render_wikilink(self: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any) -> str:
    """Without a vault to resolve it: the text Obsidian shows for the link."""
    token = tokens[idx]
    shown = WikiMatch(0, 0, token.content, bool(token.meta.get("embed"))).shown
    return escapeHtml(shown)


def _lone_embeds(state: StateCore) -> None:
    tokens = state.tokens
    for i, t in enumerate(tokens):
        if t.type != "inline" or i == 0 or not t.content.lstrip().startswith("![["):
            continue
        if not t.children:
            continue
        kids = [c for c in t.children if not (c.type == "text" and not c.content.strip())]
        kids = [c for c in kids if c.type != "softbreak"]
        lone = kids and all(c.type == "wikilink" and c.meta.get("embed") for c in kids)
        if lone and tokens[i - 1].type == "paragraph_open" and not tokens[i - 1].attrGet("id"):
            tokens[i - 1].hidden = True
            tokens[i + 1].hidden = True
