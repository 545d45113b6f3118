"""Obsidian callouts: a blockquote whose first line is ``[!kind]``, ``[!kind]+`` or
``[!kind]- Title``.

A core rule (after the inline pass) turns such a blockquote's open and close tokens into
``callout_open`` / ``callout_close``: ``meta`` holds ``kind`` (lower case) and ``fold``
("", "+" or "-"), and the open token's ``children`` are the title's inline tokens. A
folding callout renders as ``<details>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

CALLOUT = re.compile(r"^\[!([A-Za-z0-9_-]+)\]([+-]?)[ \t]*(.*)$")


def callout_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("callout", _callouts)
    md.add_render_rule("callout_open", _render_open)
    md.add_render_rule("callout_close", _render_close)


def _callouts(state: StateCore) -> None:
    tokens = state.tokens
    for i, t in enumerate(tokens):
        if t.type != "blockquote_open" or i + 2 >= len(tokens):
            continue
        para, inline = tokens[i + 1], tokens[i + 2]
        if para.type != "paragraph_open" or inline.type != "inline":
            continue
        m = CALLOUT.match(inline.content.split("\n", 1)[0])
        if not m:
            continue
        children = inline.children or []
        cut = next(
            (k for k, c in enumerate(children) if c.type in ("softbreak", "hardbreak")),
            len(children),
        )
        title, rest = children[:cut], children[cut + 1 :]
        if title and title[0].type == "text":
            first = title[0]
            stripped = CALLOUT.match(first.content)
            if stripped:
                first.content = stripped.group(3)
            else:  # the marker was split over several tokens; drop up to "]"
                first.content = first.content.split("]", 1)[-1].lstrip("+- ")
        close = _close_of(tokens, i)
        t.type = "callout_open"
        t.meta = {"kind": m.group(1).lower(), "fold": m.group(2)}
        t.children = title
        tokens[close].type = "callout_close"
        tokens[close].meta = {"fold": m.group(2)}
        inline.children = rest
        inline.content = inline.content.split("\n", 1)[1] if "\n" in inline.content else ""
        if not rest:
            para.hidden = True
            tokens[i + 3].hidden = True


def _close_of(tokens: list[Token], idx: int) -> int:
    level = tokens[idx].level
    for j in range(idx + 1, len(tokens)):
        if tokens[j].level == level and tokens[j].nesting == -1:
            return j
    return len(tokens) - 1


def _render_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    kind = escapeHtml(token.meta["kind"])
    title_html = self.renderInline(token.children or [], options, env)
    if not title_html.strip():
        title_html = escapeHtml(token.meta["kind"].replace("-", " ").capitalize())
    block_id = token.attrGet("id")
    id_attr = f' id="{escapeHtml(str(block_id))}"' if block_id else ""
    fold = token.meta["fold"]
    if fold:
        opened = " open" if fold == "+" else ""
        return (
            f'<details class="callout" data-callout="{kind}"{id_attr}{opened}>'
            f'<summary class="callout-title">{title_html}</summary>'
            '<div class="callout-content">'
        )
    return (
        f'<div class="callout" data-callout="{kind}"{id_attr}>'
        f'<div class="callout-title">{title_html}</div><div class="callout-content">'
    )


def _render_close(self: Any, tokens: Sequence[Token], idx: int, _o: Any, _e: Any) -> str:
    return "</div></details>\n" if tokens[idx].meta.get("fold") else "</div></div>\n"
