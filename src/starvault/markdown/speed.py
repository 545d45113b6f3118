"""The speed layer: what makes markdown-it-py fast enough to check 10,000 notes, kept
apart from what the parser understands, behind one switch.

Nothing here changes a token. ``tests/test_parser_fuzz.py`` is the contract: it parses
arbitrary text with and without this layer (``fast=False``) and compares every token and
the rendered HTML. Three tricks:

- ``normalize`` skips its two regex passes when the text has no CR and no NUL;
- ``block_dispatch_plugin`` tries each block rule only on lines whose first character can
  start it (markdown-it otherwise tries every rule on every line of a paragraph);
- ``inline_dispatch_plugin`` does the same for inline rules, and lets plain text run on
  to the next character that some active rule can start at.

The dispatchers read the ruler's rule list (``Ruler.__rules__``: name, function, chains),
the one place markdown-it-py keeps it; markdown-it-py 3.0, the lower bound in
pyproject.toml, has it (CI runs the parser tests against that version: .ci/lower-bounds).
And ``needs_inline_parser`` tells the checker when a block's wiki-links can be read by
:func:`.syntax.find_wikilinks` alone, without the inline pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_core import normalize as _core_normalize
from markdown_it.rules_inline import StateInline

# The one switch: parsers are made with the speed layer unless asked otherwise.
FAST = True

# Characters that let other inline syntax hide or reshape a wiki-link: code spans, math,
# raw HTML and escapes. A block without any of them, and without "%%" comments or
# Markdown links ("](", "]["), yields exactly the wiki-links that find_wikilinks finds.
INLINE_SYNTAX = frozenset("`$<\\")
_NEEDS_INLINE = re.compile("[" + re.escape("".join(sorted(INLINE_SYNTAX))) + r"]|\]\(|\]\[|%%")


def needs_inline_parser(content: str) -> bool:
    """Whether a block holding ``[[`` needs the inline pass to find its links exactly:
    it has inline syntax that may hide a wiki-link, a Markdown link or a comment."""
    return _NEEDS_INLINE.search(content) is not None


def speed_plugin(md: MarkdownIt) -> MarkdownIt:
    """All three tricks. Apply it last: the dispatchers snapshot the active rules."""
    md.core.ruler.at("normalize", _normalize)
    return inline_dispatch_plugin(block_dispatch_plugin(md))


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
    "footnote_def": "[",
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
    "footnote_inline": "^",
    "footnote_ref": "[",
    "obsidian_tag": "#",
    "highlight": "=",
}
# Characters a rule needs plain text to stop at besides its start: the link label scan
# (skipToken, used by links and images) looks for the closing "]" one token at a time.
INLINE_STOPS = {"link": "]", "image": "]", "footnote_inline": "]"}

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
    # The dispatcher has tried every rule that can match here: when none did, the chain
    # must not try them again (that doubled the work at every "[" that opens no link,
    # and made a paragraph of brackets several times slower). The rules leave the chain
    # and are reached through the dispatcher only.
    ruler.disable([name for name, _ in rules])
    return md
