"""Obsidian tags: ``#tag`` and ``#nested/tag`` after a space, a bracket or the start of
the text; a name of digits only (``#123``) is not a tag. Token ``obsidian_tag`` with the
name (without ``#``) as ``content``; rendered as ``<span class="tag">#name</span>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

TAG_NAME = re.compile(r"[0-9_/-]*[^\W\d_][\w/-]*")


def tag_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.push("obsidian_tag", _tag)
    md.add_render_rule("obsidian_tag", _render_tag)


def _tag(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "#" or (pos and not (src[pos - 1].isspace() or src[pos - 1] in "([")):
        return False
    m = TAG_NAME.match(src, pos + 1, state.posMax)
    if m is None:
        return False
    if not silent:
        token = state.push("obsidian_tag", "", 0)
        token.content = m.group(0)
        token.markup = "#"
    state.pos = m.end()
    return True


def _render_tag(self: Any, tokens: Sequence[Token], idx: int, _o: Any, _e: Any) -> str:
    return f'<span class="tag">#{escapeHtml(tokens[idx].content)}</span>'
