"""Block ids: ``text ^id`` at the end of a paragraph or list item, or ``^id`` alone on the
line after a block, names that block (``[[Note#^id]]`` links to it).

A core rule (after the inline pass) removes the id from the text and sets the ``id``
attribute of the block it names to :func:`block_anchor` of it. The id itself is found by
:func:`.syntax.block_id_at_end`, as the checker finds it.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .syntax import block_id_at_end


def block_anchor(block_id: str) -> str:
    """The HTML id of a block id (case-insensitive, as Obsidian matches them)."""
    return "^" + block_id.lower()


def block_id_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("block_id", _block_ids)


def _block_ids(state: StateCore) -> None:
    tokens = state.tokens
    for i, t in enumerate(tokens):
        if t.type != "inline" or "^" not in t.content or not t.children:
            continue
        found = block_id_at_end(t.content.rsplit("\n", 1)[-1])
        if found is None:
            continue
        block_id, at = found
        mark = t.content.rsplit("\n", 1)[-1][at:].rstrip()
        last = t.children[-1]
        if last.type != "text" or not last.content.rstrip().endswith(mark):
            continue
        last.content = last.content.rstrip()[: -len(mark)].rstrip()
        while t.children and (
            t.children[-1].type in ("softbreak", "hardbreak")
            or (t.children[-1].type == "text" and not t.children[-1].content)
        ):
            t.children.pop()
        if i == 0:
            continue
        _name_block(tokens, i, block_anchor(block_id))


def _name_block(tokens: list[Token], i: int, anchor: str) -> None:
    opener = tokens[i - 1]
    t = tokens[i]
    if not t.children and opener.type == "paragraph_open":
        # "^id" alone on its line: it names the block before it.
        opener.hidden = True
        tokens[i + 1].hidden = True
        j = i - 2
        if j >= 0 and tokens[j].nesting == -1:
            tokens[_open_of(tokens, j)].attrSet("id", anchor)
        elif j >= 0 and tokens[j].nesting == 0 and tokens[j].block:
            tokens[j].attrSet("id", anchor)
        return
    target = opener
    if opener.type == "paragraph_open" and i >= 2 and tokens[i - 2].type == "list_item_open":
        target = tokens[i - 2]
    target.attrSet("id", anchor)


def _open_of(tokens: list[Token], idx: int) -> int:
    level = tokens[idx].level
    for j in range(idx - 1, -1, -1):
        if tokens[j].level == level and tokens[j].nesting == 1:
            return j
    return idx
