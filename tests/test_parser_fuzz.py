"""Property tests: arbitrary text never crashes the parser, and every link it reports
lies inside the file, at a place where the link's syntax really starts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from starvault.scan import parse_text

# Text biased toward the syntax that matters: brackets, pipes, hashes, comments, code,
# math, tables, front matter fences, escapes and line ends.
TOKENS = [
    "[[",
    "]]",
    "![[",
    "[",
    "]",
    "(",
    ")",
    "|",
    "\\|",
    "#",
    "^",
    "%%",
    "`",
    "```",
    "$",
    "$$",
    "<!--",
    "-->",
    "---",
    "\n",
    "\n\n",
    "| a | b |\n|---|---|\n",
    "> ",
    "- ",
    "    ",
    "\\",
    "Note",
    "é",
    "x.png",
    "../",
    "/",
    " ",
    "\t",
    "\r\n",
    ":",
    "title: x",
    "[^1]",
    "[^1]: ",
    "^[",
    "[label](url)",
]
markdownish = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=5)), max_size=60).map(
    "".join
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish)
def test_parser_never_crashes_and_links_lie_inside_the_file(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    note = parse_text("fuzz.md", text)
    lines = text.split("\n")
    for link in note.links:
        assert 1 <= link.line <= len(lines), link
        line = lines[link.line - 1]
        assert 1 <= link.column <= max(len(line), 1), link
        if link.kind in ("link", "embed"):
            # The column points at the opening brackets of the wiki-link.
            assert line[link.column - 1 :].startswith(("[[", "![[")), (link, line)
        elif link.kind == "markdown":
            assert line[link.column - 1 :].startswith(("[", "![")), (link, line)
    for heading in note.headings:
        assert 1 <= heading.line <= len(lines)
    for line_no in note.blocks.values():
        assert 1 <= line_no <= len(lines)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_are_read_or_reported(tmp_path_factory, data):
    from starvault.scan import read_note

    root = tmp_path_factory.mktemp("bytes")
    (root / "n.md").write_bytes(data)
    note = read_note(str(root), "n.md")
    assert all(p.code in ("VA001", "VA002") and p.line >= 1 for p in note.problems)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish)
def test_fast_wikilink_path_equals_the_inline_parser(text):
    """Blocks that cannot hold a link, or where nothing can hide a wiki-link, skip
    markdown-it's inline pass; the links found must be exactly those of the full parse."""
    from unittest import mock

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fast = parse_text("fuzz.md", text)
    with mock.patch("starvault.scan.SHORTCUTS", False):
        slow = parse_text("fuzz.md", text)
    assert fast.links == slow.links
    assert fast.suppressions == slow.suppressions


# -- The rule dispatchers (markdown.block_dispatch_plugin, inline_dispatch_plugin) change
# which rules are tried, never the tokens: parse with and without them and compare.

DISPATCH_TOKENS = [
    *TOKENS,
    "* ",
    "+ ",
    "1. ",
    "2) ",
    "***",
    "___",
    "~~~",
    "~~",
    "=",
    "===",
    "*em*",
    "_u_",
    "&amp;",
    "&#35;",
    "<div>",
    "</div>",
    "<a href='x'>",
    "<http://example.com>",
    "[x]: /url 'title'",
    "[x]",
    "[a](b)",
    "![i](p.png)",
    "[a [b] c](d)",
    "`code`",
    "$x$",
    "# ",
    "### ",
    "  ",
    "%% c %%",
    "\x00",
    "==",
    "==hi==",
    "#tag",
    " #t/x",
    "> [!note] ",
    "> [!tip]- ",
    "[^a]: x",
    "^[n]",
]
dispatch_text = st.lists(
    st.one_of(st.sampled_from(DISPATCH_TOKENS), st.text(max_size=4)), max_size=80
).map("".join)


def _token_tree(tokens):
    return [
        (
            t.type,
            t.tag,
            t.nesting,
            t.map,
            t.content,
            t.markup,
            t.info,
            t.attrs,
            t.meta,
            t.block,
            t.hidden,
            _token_tree(t.children or []),
        )
        for t in tokens
    ]


def _checker_tokens(md, text):
    """Block tokens, and each inline token's inline parse (the checker runs it per block)."""
    env: dict = {}
    out = []
    for token in md.parse(text, env):
        children: list = []
        if token.type == "inline":
            md.inline.parse(token.content, md, env, children)
        out.append((_token_tree([token]), _token_tree(children)))
    # The footnote rules set up their (empty) store on first call, wherever they are tried.
    if env.get("footnotes") == {"refs": {}, "list": {}}:
        del env["footnotes"]
    return out, env


_PARSERS: dict = {}


def _parsers():
    from starvault.markdown import checker_markdown, make_markdown

    if not _PARSERS:
        _PARSERS.update(
            site=(make_markdown(), make_markdown(fast=False)),
            checker=(checker_markdown(), checker_markdown(fast=False)),
        )
    return _PARSERS


def assert_same_tokens(text: str) -> None:
    parsers = _parsers()
    fast, stock = parsers["site"]
    assert _token_tree(fast.parse(text)) == _token_tree(stock.parse(text))
    assert fast.render(text) == stock.render(text)
    fast, stock = parsers["checker"]
    assert _checker_tokens(fast, text) == _checker_tokens(stock, text)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dispatch_text)
def test_rule_dispatch_gives_the_same_tokens(text):
    assert_same_tokens(text)


def test_rule_dispatch_gives_the_same_tokens_on_the_sample_vault():
    from conftest import SAMPLE_VAULT

    notes = sorted(SAMPLE_VAULT.rglob("*.md"))
    assert len(notes) > 50
    for path in notes:
        assert_same_tokens(path.read_text(encoding="utf-8"))


def test_rule_dispatch_is_really_installed():
    """The comparison above means something only if the fast parsers differ."""
    fast, stock = _parsers()["checker"]
    assert fast.block.ruler.get_active_rules()[0] == "dispatch"
    assert "dispatch" not in stock.block.ruler.get_active_rules()
    assert fast.inline.ruler.get_active_rules()[0] == "dispatch"
    assert fast.inline.ruler.get_active_rules() == ["dispatch"]  # tried once, not twice
    if hasattr(fast.inline, "terminator_re"):  # markdown-it-py 4 and later
        # The checker's text rule stops only where one of its inline rules can start.
        assert not fast.inline.terminator_re.search("plain: text - with * punctuation_ & # ~")
        assert fast.inline.terminator_re.search("a ] b")


def test_link_labels_still_end_at_the_first_bracket():
    """The link rule's label scan relies on the text rule stopping at "]"."""
    from starvault.scan import parse_text

    note = parse_text("n.md", "see [label](Other%20Note.md) and [x] y](z.md)\n")
    assert [(link.target, link.column) for link in note.links] == [("Other Note.md", 5)]


def _blocks_line_by_line(text: str) -> dict[str, list[int]]:
    """Every line holding each block id, read line by line as the SPEC words it: "text ^id"
    or "^id" alone at the end of a line."""
    import re

    from starvault.scan import split_front_matter

    _, body_line = split_front_matter(text)
    body = text.split("\n", body_line - 1)[-1] if body_line > 1 else text
    pattern = re.compile(r"(?:^|\s)\^([A-Za-z0-9-]+)[ \t]*$")
    found: dict[str, list[int]] = {}
    for i, line in enumerate(body.split("\n")):
        m = pattern.search(line)
        if m:
            found.setdefault(m.group(1).lower(), []).append(i + body_line)
    return found


BLOCK_TOKENS = [*TOKENS, " ^id-1", "^blk", " ^A9", "x^y", "\u2028^u", "\t^t", " ^a ^b"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(BLOCK_TOKENS), max_size=40).map("".join))
def test_block_ids_are_those_at_line_ends(text):
    """The whole-text scan for block ids finds what a line-by-line reading finds: exactly,
    when nothing can hide an id; otherwise a subset, each at one of its lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    note = parse_text("x.md", text)
    reference = _blocks_line_by_line(text)
    for block_id, line in note.blocks.items():
        assert line in reference.get(block_id, []), (block_id, line)
    if not any(mark in text for mark in ("`", "$$", "%%", "    ", "\t", "<!--")):
        assert note.blocks == {k: lines[0] for k, lines in reference.items()}
