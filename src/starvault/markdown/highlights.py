"""Obsidian highlights: ``==text==`` (the text may hold other inline syntax but must not
start or end with a space). Tokens ``mark_open`` / ``mark_close`` (``<mark>``)."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline


def highlight_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("emphasis", "highlight", _highlight)


def _highlight(state: StateInline, silent: bool) -> bool:
    src, pos, end = state.src, state.pos, state.posMax
    if not src.startswith("==", pos) or src.startswith("===", pos):
        return False
    close = src.find("==", pos + 2, end)
    if close <= pos + 2 or src[pos + 2].isspace() or src[close - 1].isspace():
        return False
    if src.find("\n\n", pos, close) >= 0:
        return False
    if not silent:
        old_max = state.posMax
        state.pos, state.posMax = pos + 2, close
        state.push("mark_open", "mark", 1).markup = "=="
        state.md.inline.tokenize(state)
        state.push("mark_close", "mark", -1).markup = "=="
        state.posMax = old_max
    state.pos = close + 2
    return True
