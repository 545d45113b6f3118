"""The parser: Obsidian's Markdown for the checker, the site and the language server.

One package knows Obsidian's syntax. Its parts:

- :mod:`.syntax`: the syntax read from plain text, with no parser (wiki-links, block ids,
  heading sections); what every module that holds text calls;
- one markdown-it plugin per construct, written as mdit-py-plugins writes them:
  :mod:`.wikilinks` (links and embeds), :mod:`.comments` (``%%``), :mod:`.callouts`,
  :mod:`.blockids`, :mod:`.tags`, :mod:`.highlights`, :mod:`.positions` (columns for
  inline tokens); footnotes and math come from mdit-py-plugins;
- :mod:`.profiles`: the checker's and the site's configurations, side by side;
- :mod:`.speed`: the rule dispatchers, behind one switch, with the property test as their
  contract.

Names are imported lazily: ``from starvault.markdown import split_wikilink`` costs no
markdown-it import, so a warm check that reads no note stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "MAX_WIKILINK": "syntax",
    "WikiTarget": "syntax",
    "WikiMatch": "syntax",
    "split_wikilink": "syntax",
    "match_wikilink": "syntax",
    "find_wikilinks": "syntax",
    "whole_wikilink": "syntax",
    "replace_wikilinks": "syntax",
    "block_id_at_end": "syntax",
    "find_block_ids": "syntax",
    "section_end": "syntax",
    "section_lines": "syntax",
    "INLINE_SYNTAX": "speed",
    "needs_inline_parser": "speed",
    "block_dispatch_plugin": "speed",
    "inline_dispatch_plugin": "speed",
    "speed_plugin": "speed",
    "BLOCK_STARTS": "speed",
    "INLINE_STARTS": "speed",
    "make_markdown": "profiles",
    "checker_markdown": "profiles",
    "obsidian_markdown": "profiles",
    "block_parser": "profiles",
    "wikilink_plugin": "wikilinks",
    "lone_embed_plugin": "wikilinks",
    "comment_plugin": "comments",
    "callout_plugin": "callouts",
    "block_id_plugin": "blockids",
    "block_anchor": "blockids",
    "tag_plugin": "tags",
    "highlight_plugin": "highlights",
    "position_plugin": "positions",
}

__all__ = sorted(_WHERE)


def obsidian_plugin(md: Any) -> None:
    """Wiki-links, embeds, ``%%`` comments and token positions (the pre-package name)."""
    from .comments import comment_plugin
    from .positions import position_plugin
    from .wikilinks import wikilink_plugin

    wikilink_plugin(md)
    comment_plugin(md)
    position_plugin(md)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
