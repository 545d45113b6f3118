"""The parser configurations, side by side: what the checker reads and what the site shows.

Both start from :func:`obsidian_markdown`: CommonMark with raw HTML, GFM tables and
strikethrough, dollar math, footnotes (mdit-py-plugins), wiki-links and embeds, ``%%``
comments and token positions. The site adds what only *showing* a note needs: callouts,
block ids moved onto their blocks, lone embeds out of their paragraph, tags,
highlights and task lists (``- [x]``, mdit-py-plugins). The checker takes away what
never decides where a link is, to parse less.
Each profile then gets the speed layer (:mod:`.speed`) unless ``fast=False``.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from . import speed
from .blockids import block_id_plugin
from .callouts import callout_plugin
from .comments import comment_plugin
from .highlights import highlight_plugin
from .positions import position_plugin
from .tags import tag_plugin
from .wikilinks import lone_embed_plugin, wikilink_plugin


def obsidian_markdown(*, fast: bool | None = None, footnotes_at_end: bool = True) -> MarkdownIt:
    """Obsidian's Markdown as text to read: every construct that decides what a note
    says and links to (stories count its words with this one)."""
    md = _obsidian(footnotes_at_end=footnotes_at_end)
    return _finish(md, fast)


def _obsidian(*, footnotes_at_end: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    # Obsidian's math: "$5 and $10" is not math: no space inside the fences. (allow_digits
    # stays on: with it off, mdit-py-plugins reads src[-1] at offset 0 and rejects "$x$"
    # at the start of any block that ends in a digit.)
    dollarmath_plugin(md, allow_space=False, allow_digits=True, double_inline=True)
    # "[^1]: text" is a footnote, never a link reference definition (whatever its text),
    # "[^1]" and "^[text]" are footnotes, never links.
    footnote_plugin(md, inline=True, move_to_end=footnotes_at_end)
    wikilink_plugin(md)
    comment_plugin(md)
    position_plugin(md)
    return md


def make_markdown(*, fast: bool | None = None) -> MarkdownIt:
    """The site's parser: everything Obsidian shows (the renderer adds link resolution)."""
    md = _obsidian(footnotes_at_end=True)
    callout_plugin(md)
    block_id_plugin(md)
    lone_embed_plugin(md)
    tag_plugin(md)
    highlight_plugin(md)
    tasklists_plugin(md)
    return _finish(md, fast)


def checker_markdown(*, fast: bool | None = None) -> MarkdownIt:
    """The checker's parser: block structure only; inline runs per block on demand.

    Tables are parsed as paragraphs here: cells never change which wiki-links a row
    holds (``[[Note\\|shown]]`` is split by split_wikilink), and the table rule, tried at
    every line, costs a fifth of a block parse. Footnote definitions stay where they are
    written (their lines are what a finding points at).
    """
    md = _obsidian(footnotes_at_end=False)
    md.block.ruler.disable(["table"])
    md.core.ruler.disable(["inline", "text_join"])
    # Emphasis, entities and line breaks never decide whether "[[" starts a link; without
    # them the on-demand inline pass does a tenth less work.
    md.inline.ruler.disable(["emphasis", "strikethrough", "entity", "newline"])
    md.inline.ruler2.disable(["balance_pairs", "strikethrough", "emphasis", "fragments_join"])
    return _finish(md, fast)


def _finish(md: MarkdownIt, fast: bool | None) -> MarkdownIt:
    return speed.speed_plugin(md) if (speed.FAST if fast is None else fast) else md


@lru_cache(maxsize=1)
def block_parser() -> MarkdownIt:
    """The checker's parser (one per process): see :func:`checker_markdown`."""
    return checker_markdown()
