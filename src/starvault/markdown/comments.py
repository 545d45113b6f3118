"""Obsidian comments: ``%%hidden%%`` inline, and ``%%`` ... ``%%`` blocks over lines.

Nothing inside a comment is a link. Tokens: ``obsidian_comment`` (inline) and
``obsidian_comment_block``; ``content`` is the text inside, which the checker reads for
``%% starvault-ignore CODE %%``. Both render as nothing, as Obsidian hides them.
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline


def comment_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", "obsidian_comment", _comment_inline)
    md.block.ruler.before(
        "fence",
        "obsidian_comment_block",
        _comment_block,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.add_render_rule("obsidian_comment", _render_nothing)
    md.add_render_rule("obsidian_comment_block", _render_nothing)


def _render_nothing(*_args: Any) -> str:
    return ""


def _comment_inline(state: StateInline, silent: bool) -> bool:
    src = state.src
    pos = state.pos
    if not src.startswith("%%", pos):
        return False
    end = src.find("%%", pos + 2)
    # An unclosed comment runs to the end of the block, as Obsidian hides the rest.
    stop = state.posMax if end < 0 else end + 2
    if not silent:
        token = state.push("obsidian_comment", "", 0)
        token.content = src[pos + 2 : end if end >= 0 else state.posMax]
        token.meta = {"pos": pos}
    state.pos = stop
    return True


def _comment_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """``%%`` at the start of a line opens a comment that may span lines and blank lines."""
    first = state.bMarks[start] + state.tShift[start]
    line_end = state.eMarks[start]
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    if not state.src.startswith("%%", first):
        return False
    rest = state.src[first + 2 : line_end]
    close = rest.find("%%")
    if close >= 0:
        # "%% ... %%" is a block only when nothing follows on the line.
        if rest[close + 2 :].strip():
            return False
        if silent:
            return True
        last = start
        content = rest[:close]
    else:
        if silent:
            return True
        last = start + 1
        parts = [rest]
        while last < end:
            lb = state.bMarks[last] + state.tShift[last]
            le = state.eMarks[last]
            text = state.src[lb:le]
            idx = text.find("%%")
            if idx >= 0:
                parts.append(text[:idx])
                break
            parts.append(state.src[state.bMarks[last] : le])
            last += 1
        else:
            last = end - 1  # unclosed: the rest of the note is a comment
        content = "\n".join(parts)
    token = state.push("obsidian_comment_block", "", 0)
    token.content = content
    token.map = [start, last + 1]
    state.line = last + 1
    return True
