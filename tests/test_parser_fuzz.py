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
