"""Where inline tokens start: markdown-it keeps line maps for blocks, no columns.

Our own inline rules record ``meta["pos"]`` (the offset in the inline source) as they
push; this plugin does the same for the rules of markdown-it and mdit-py-plugins that
open a link, an image or an inline footnote, by wrapping them in place (``Ruler.at``).
Apply it after the plugins whose rules it wraps.
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

_InlineRule = Callable[[StateInline, bool], bool]


def position_plugin(md: MarkdownIt) -> None:
    from markdown_it.rules_inline import image, link
    from mdit_py_plugins.footnote.index import footnote_inline

    # rule name -> (the stock rule, the token type it pushes first)
    wrapped = {
        "link": (link, "link_open"),
        "image": (image, "image"),
        "footnote_inline": (footnote_inline, "footnote_ref"),
    }
    present = set(md.inline.ruler.get_all_rules())
    for name, (rule, token_type) in wrapped.items():
        if name in present:
            md.inline.ruler.at(name, _positioned(rule, token_type))


def _positioned(rule: _InlineRule, token_type: str) -> _InlineRule:
    def positioned(state: StateInline, silent: bool) -> bool:
        start = state.pos
        before = len(state.tokens)
        ok = rule(state, silent)
        if ok and not silent:
            # Pending text is flushed into a token first, so look for ours after it.
            for token in state.tokens[before:]:
                if token.type == token_type:
                    token.meta = {**(token.meta or {}), "pos": start}
                    break
        return ok

    positioned.__name__ = f"positioned_{getattr(rule, '__name__', 'rule')}"
    return positioned
