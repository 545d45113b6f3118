"""The one Markdown parser starvault uses, for checking and for the site.

markdown-it-py in CommonMark mode with tables and raw HTML, dollar math from mdit-py-plugins,
and three small plugins of our own, written as plain functions the way markdown-it-py's
own rules are:

- ``wikilink``: an inline rule for ``[[...]]`` and ``![[...]]`` (token type ``wikilink``);
- ``obsidian_comment``: ``%%...%%`` as an inline rule and as a block rule
  (token type ``obsidian_comment``); nothing inside a comment is a link;
- position tracking: the core ``link`` and ``image`` rules are wrapped so that each token
  they emit records where it started, because markdown-it keeps no columns for inline tokens.

Every token we add carries ``meta["pos"]``: its offset in the inline content it came from.

Two more plugins change speed, not tokens: ``block_dispatch_plugin`` and
``inline_dispatch_plugin`` try each rule only where the character under the cursor can
start it (markdown-it otherwise tries every rule everywhere), and the inline text rule
stops only at characters an active rule reacts to. A property test parses with and
without them and compares every token.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_core import normalize as _core_normalize
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline import image as _core_image
from markdown_it.rules_inline import link as _core_link
from mdit_py_plugins.dollarmath import dollarmath_plugin

# A wiki-link never spans lines; past this length an unclosed ``[[`` is plain text (keeps
# pathological input such as a megabyte of ``[[`` linear).
MAX_WIKILINK = 2048


@dataclass(frozen=True, slots=True)
class WikiTarget:
    """The parts of a wiki-link's inner text ``path#subpath|display``."""

    path: str
    subpath: str | None
    display: str | None


def split_wikilink(inner: str) -> WikiTarget:
    """Split ``Note#Heading|shown`` (also ``Note\\|shown`` from tables) into its parts."""
    display: str | None = None
    bar = inner.find("|")
    if bar >= 0:
        display = inner[bar + 1 :]
        inner = inner[:bar]
        if inner.endswith("\\"):  # the table escape ``[[Note\|shown]]``
            inner = inner[:-1]
    subpath: str | None = None
    hash_ = inner.find("#")
    if hash_ >= 0:
        subpath = inner[hash_ + 1 :].strip()
        inner = inner[:hash_]
    return WikiTarget(inner.strip(), subpath, display)


def match_wikilink(src: str, pos: int, pos_max: int) -> tuple[int, str, bool] | None:
    """``[[...]]`` or ``![[...]]`` at ``pos``: (offset after it, inner text, is embed)."""
    if src.startswith("![[", pos):
        inner_start = pos + 3
        embed = True
    elif src.startswith("[[", pos):
        inner_start = pos + 2
        embed = False
    else:
        return None
    limit = src.find("\n", inner_start)
    if limit < 0:
        limit = pos_max
    limit = min(limit, inner_start + MAX_WIKILINK)
    # The first "]]" closes the link, so a single "]" inside is part of the target.
    end = src.find("]]", inner_start, limit)
    if end < 0:
        return None
    inner = src[inner_start:end]
    if "[[" in inner:
        return None  # "[[a [[b]]": the inner "[[" starts the link
    return end + 2, inner, embed


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


# Characters that let other inline syntax hide or reshape a wiki-link: code spans, math,
# raw HTML and escapes. A block without any of them, and without "%%" comments or
# Markdown links ("](", "]["), yields exactly the wiki-links that a scan with
# match_wikilink finds (see scan.py).
INLINE_SYNTAX = frozenset("`$<\\")
_NEEDS_INLINE = re.compile("[" + re.escape("".join(sorted(INLINE_SYNTAX))) + r"]|\]\(|\]\[|%%")


def needs_inline_parser(content: str) -> bool:
    """Whether a block holding ``[[`` needs the inline pass to find its links exactly:
    it has inline syntax that may hide a wiki-link, a Markdown link or a comment."""
    return _NEEDS_INLINE.search(content) is not None


def _comment_inline_rule(state: StateInline, silent: bool) -> bool:
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


def _comment_block_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
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


def _positioned(rule):  # type: ignore[no-untyped-def]
    """Wrap a core inline rule so the first token it pushes records its start offset."""

    def wrapped(state: StateInline, silent: bool) -> bool:
        start = state.pos
        before = len(state.tokens)
        ok = rule(state, silent)
        if ok and not silent:
            # Pending text is flushed into a token first, so look for ours after it.
            for token in state.tokens[before:]:
                if token.type in ("link_open", "image"):
                    token.meta = {**(token.meta or {}), "pos": start}
                    break
        return ok

    return wrapped


def obsidian_plugin(md: MarkdownIt) -> None:
    """Add wiki-links, embeds and ``%%`` comments to a MarkdownIt instance."""
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.inline.ruler.before("wikilink", "obsidian_comment", _comment_inline_rule)
    md.inline.ruler.at("link", _positioned(_core_link))
    md.inline.ruler.at("image", _positioned(_core_image))
    md.block.ruler.before(
        "fence",
        "obsidian_comment_block",
        _comment_block_rule,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )


def make_markdown(*, fast: bool = True) -> MarkdownIt:
    """A fresh parser with everything starvault understands (used by checker and site).

    ``fast=False`` leaves out the rule dispatchers, which change speed, not tokens (the
    tests compare the two)."""
    md = _configured()
    return _dispatched(md) if fast else md


def _dispatched(md: MarkdownIt) -> MarkdownIt:
    return inline_dispatch_plugin(block_dispatch_plugin(md))


def _configured() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    # Obsidian's math: "$5 and $10" is not math: no space inside the fences. (allow_digits
    # stays on: with it off, mdit-py-plugins reads src[-1] at offset 0 and rejects "$x$"
    # at the start of any block that ends in a digit.)
    dollarmath_plugin(md, allow_space=False, allow_digits=True, double_inline=True)
    obsidian_plugin(md)
    md.core.ruler.at("normalize", _normalize)
    _silence_debug_logging()
    return md


def _normalize(state: StateCore) -> None:
    """markdown-it's ``normalize`` (CRLF and CR to LF, NUL to U+FFFD), skipped when there
    is nothing to change: its two regex passes cost as much as the rest of a small parse."""
    if "\r" in state.src or "\0" in state.src:
        _core_normalize(state)


# The characters a line must start with (after indentation) for each block rule to match;
# rules not listed (paragraph, lheading, table, code, and any plugin's) are always tried.
# Each listed rule returns False at once for a line not starting with one of its characters.
BLOCK_STARTS = {
    "math_block": "$",
    "obsidian_comment_block": "%",
    "fence": "`~",
    "blockquote": ">",
    "hr": "*-_",
    "list": "*-+0123456789",
    "reference": "[",
    "html_block": "<",
    "heading": "#",
}

# A table may start with any line, but its second line (the delimiter row) must start
# with one of these: the table rule is tried only where it does.
NEXT_LINE_STARTS = {"table": "|-:"}

_BlockRule = Callable[[StateBlock, int, int, bool], bool]


def _next_line_gate(rule: _BlockRule, chars: str) -> _BlockRule:
    def gated(state: StateBlock, line: int, end: int, silent: bool) -> bool:
        nxt = line + 1
        if nxt >= end:
            return False
        pos = state.bMarks[nxt] + state.tShift[nxt]
        if pos >= state.eMarks[nxt] or state.src[pos] not in chars:
            return False
        return rule(state, line, end, silent)

    return gated


def _dispatch_table(rules: list[tuple[str, _BlockRule]]) -> dict[str, list[_BlockRule]]:
    """First character -> the rules that can match a line starting with it, in chain order
    ("" holds the rules that any line can start)."""
    rules = [
        (name, _next_line_gate(fn, NEXT_LINE_STARTS[name]) if name in NEXT_LINE_STARTS else fn)
        for name, fn in rules
    ]
    chars = {c for name, _ in rules for c in BLOCK_STARTS.get(name, "")}
    table = {c: [fn for name, fn in rules if c in BLOCK_STARTS.get(name, c)] for c in chars}
    table[""] = [fn for name, fn in rules if name not in BLOCK_STARTS]
    return table


def _first_char_rule(table: dict[str, list[_BlockRule]], main: bool) -> _BlockRule:
    anywhere = table[""]

    def dispatch(state: StateBlock, line: int, end: int, silent: bool) -> bool:
        if silent == main:
            return False  # the main chain calls with silent=False, the others with True
        pos = state.bMarks[line] + state.tShift[line]
        rules = table.get(state.src[pos], anywhere) if pos < state.eMarks[line] else anywhere
        for rule in rules:  # noqa: SIM110 - any() with a generator is slower on this hot path
            if rule(state, line, end, silent):
                return True
        return False

    return dispatch


def block_dispatch_plugin(md: MarkdownIt) -> MarkdownIt:
    """Try each block rule only on lines that can start it.

    markdown-it tries every block rule at every block start, and every terminator rule at
    every line of a paragraph (twice: ``lheading`` scans ahead first): about 500 calls a
    note, most of them rejecting a line by its first character. This installs one rule per
    chain that looks at the first character and calls, in the original order, only the
    rules that can start with it; the rules themselves are unchanged, so the tokens are the
    same (a test parses with and without it). Apply it last: it snapshots the active rules.
    """
    ruler = md.block.ruler
    active = [r for r in ruler.__rules__ if r.enabled]
    if not active or any(r.name.startswith("dispatch") for r in active):
        return md
    chains = sorted({chain for r in active for chain in r.alt})
    main_table = _dispatch_table([(r.name, r.fn) for r in active])
    # Each chain's table is taken before the rules leave the chains below.
    alt_tables = {
        chain: _dispatch_table([(r.name, r.fn) for r in active if chain in r.alt])
        for chain in chains
    }
    for r in active:
        if r.alt:
            ruler.at(r.name, r.fn, {"alt": []})  # now reached through the dispatchers only
    first = active[0].name
    # The main dispatcher ends every main-chain attempt (paragraph always matches), so the
    # rules after it run only from the dispatchers.
    ruler.before(first, "dispatch", _first_char_rule(main_table, main=True))
    for chain, table in alt_tables.items():
        rule = _first_char_rule(table, main=False)
        ruler.before(first, f"dispatch_{chain}", rule, {"alt": [chain]})
    return md


# The same for inline rules: the character at the position where each rule can match.
INLINE_STARTS = {
    "newline": "\n",
    "escape": "\\",
    "backticks": "`",
    "strikethrough": "~",
    "emphasis": "*_",
    "link": "[",
    "image": "!",
    "autolink": "<",
    "html_inline": "<",
    "entity": "&",
    "math_inline": "$",
    "wikilink": "[!",
    "obsidian_comment": "%",
}
# Characters a rule needs plain text to stop at besides its start: the link label scan
# (skipToken, used by links and images) looks for the closing "]" one token at a time.
INLINE_STOPS = {"link": "]", "image": "]"}

_InlineRule = Callable[[StateInline, bool], bool]


def inline_dispatch_plugin(md: MarkdownIt) -> MarkdownIt:
    """Try each inline rule only where the character under the cursor can start it.

    At every character that stops plain text (``-``, ``:``, ``*``, ``[`` ...) markdown-it
    tries every inline rule in turn; this one rule, first in the chain, calls only those
    that can match there, in their original order. The tokens are the same (tested).
    Apply it last: it snapshots the active rules.
    """
    ruler = md.inline.ruler
    active = [r for r in ruler.__rules__ if r.enabled]
    if not active or active[0].name == "dispatch":
        return md
    rules = [(r.name, r.fn) for r in active]
    chars = {c for name, _ in rules for c in INLINE_STARTS.get(name, "")}
    table = {c: [fn for name, fn in rules if c in INLINE_STARTS.get(name, c)] for c in chars}
    anywhere = [fn for name, fn in rules if name not in INLINE_STARTS]

    def dispatch(state: StateInline, silent: bool) -> bool:
        for rule in table.get(state.src[state.pos], anywhere):  # noqa: SIM110 - hot path
            if rule(state, silent):
                return True
        return False

    ruler.before(active[0].name, "dispatch", dispatch)
    # The text rule stops at characters some rule may react to. When every active rule is
    # known, only their start characters need to stop it: longer runs of plain text, the
    # same tokens (characters no rule takes become text either way).
    if [name for name, _ in rules if name not in INLINE_STARTS] == ["text"] and hasattr(
        md.inline, "terminator_re"
    ):
        stops = "".join(sorted(chars.union(*(INLINE_STOPS.get(name, "") for name, _ in rules))))
        md.inline.terminator_re = re.compile("[" + re.escape(stops) + "]")
    # The dispatcher answers for every position, so the rules after it are never reached
    # from the chain; they stay enabled for anyone who lists or calls them by name.
    return md


@lru_cache(maxsize=1)
def _silence_debug_logging() -> None:
    """markdown-it-py logs every block rule it tries at DEBUG level: about 500 calls per
    note, a sixth of a block parse. Unless someone asked for DEBUG output, make those
    calls no-ops on markdown-it's own loggers (only theirs: logging is shared).
    Runs once per process, whichever parser is made first."""
    import logging
    import sys

    if logging.getLogger("markdown_it").isEnabledFor(logging.DEBUG):
        return
    for name, module in list(sys.modules.items()):
        if name.startswith("markdown_it") and isinstance(
            getattr(module, "LOGGER", None), logging.Logger
        ):
            module.LOGGER.debug = _no_debug  # type: ignore[method-assign]


def _no_debug(*args: object, **kwargs: object) -> None:
    return None


@lru_cache(maxsize=1)
def block_parser() -> MarkdownIt:
    """The checker's parser (one per process): see :func:`checker_markdown`."""
    return checker_markdown()


def checker_markdown(*, fast: bool = True) -> MarkdownIt:
    """The checker's parser: block structure only; inline runs per block on demand.

    Tables are parsed as paragraphs here: cells never change which wiki-links a row
    holds (``[[Note\\|shown]]`` is split by split_wikilink), and the table rule, tried at
    every line, costs a fifth of a block parse. The site's renderer keeps it.
    """
    md = _configured()
    md.block.ruler.disable(["table"])
    md.core.ruler.disable(["inline", "text_join"])
    # Emphasis, entities and line breaks never decide whether "[[" starts a link; without
    # them the on-demand inline pass does a tenth less work.
    md.inline.ruler.disable(["emphasis", "strikethrough", "entity", "newline"])
    md.inline.ruler2.disable(["balance_pairs", "strikethrough", "emphasis", "fragments_join"])
    return _dispatched(md) if fast else md
