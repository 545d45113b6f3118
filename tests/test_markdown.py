"""The parser package: Obsidian's syntax read from text, its markdown-it plugins and the
two profiles. (.ci/lower-bounds runs this file against the lowest markdown-it-py and
mdit-py-plugins that pyproject.toml allows.)"""

from __future__ import annotations

import subprocess
import sys

from starvault.markdown import (
    block_id_at_end,
    checker_markdown,
    find_block_ids,
    find_wikilinks,
    make_markdown,
    replace_wikilinks,
    section_lines,
    whole_wikilink,
)
from starvault.scan import Heading, markdown_destination, parse_text


def test_find_wikilinks_reads_links_and_embeds_as_obsidian_does():
    text = "a [[B#H|shown]] ![[img.png|200]] [[x [[y]] [[unclosed\n]] [[a]b]]"
    found = [(m.start, m.inner, m.embed) for m in find_wikilinks(text)]
    last = (text.index("[[a]b"), "a]b", False)
    assert found == [(2, "B#H|shown", False), (16, "img.png|200", True), (37, "y", False), last]
    assert [m.target.path for m in find_wikilinks(text)] == ["B", "img.png", "y", "a]b"]


def test_whole_wikilink_and_replace():
    assert whole_wikilink("  [[Note|x]] ") is not None
    assert whole_wikilink("[[A]] and [[B]]") is None
    assert whole_wikilink("Note") is None
    assert replace_wikilinks("see [[Folder/Note]] and [[X|the x]]") == "see Note and the x"


def test_block_ids_are_found_once_for_everyone():
    assert block_id_at_end("text ^abc-1") == ("abc-1", 5)
    assert block_id_at_end("^alone") == ("alone", 0)
    assert block_id_at_end("x^glued") is None
    assert list(find_block_ids("a ^one\nb\n^two\nc^no\n")) == [(0, "one"), (2, "two")]


def test_section_lines_end_at_the_same_or_a_higher_rank():
    lines = ["# T", "## A", "a1", "### A.1", "a2", "## B", "b1"]
    heads = [Heading(1, "T", 1), Heading(2, "A", 2), Heading(3, "A.1", 4), Heading(2, "B", 6)]
    assert section_lines(heads, 1, lines) == ["a1", "### A.1", "a2"]
    assert section_lines(heads, 3, lines) == ["b1"]


def test_the_checker_reads_footnotes_not_link_references():
    md = checker_markdown()
    env: dict = {}
    md.parse("x[^1]\n\n[^1]: Adorable\n[^2]: [label](url)\n", env)
    assert not env.get("references")  # "[^1]: Adorable" is no link reference definition
    note = parse_text("n.md", "x[^1] ^[see [[A]]]\n\n[^1]: Adorable [[B]]\n")
    assert [(k.target, k.line, k.column) for k in note.links] == [("A", 1, 13), ("B", 3, 16)]


def test_the_site_profile_renders_obsidian_constructs():
    html = make_markdown().render(
        "> [!tip]- Fold\n> body ^blk\n\n#tag and ==mark== and 1[^n]\n\n[^n]: note\n\n- [x] done\n"
    )
    assert '<li class="task-list-item"><input class="task-list-item-checkbox" checked' in html
    assert '<details class="callout" data-callout="tip"' in html
    assert 'id="^blk"' in html and "^blk" not in html.replace('id="^blk"', "")
    assert '<span class="tag">#tag</span>' in html and "<mark>mark</mark>" in html
    assert 'class="footnotes' in html


def test_markdown_destinations():
    assert markdown_destination("") is None  # [text]()
    assert markdown_destination("(https://example.com/x#y)") is None
    assert markdown_destination("mailto:me@example.com") is None
    assert markdown_destination("../Up:x.md") == ("../Up:x.md", None)
    assert markdown_destination("Note%20One.md#Part") == ("Note One.md", "Part")
    assert markdown_destination("#Part") == ("", "Part")


def test_reading_syntax_from_text_needs_no_parser():
    code = (
        "import sys; from starvault.markdown import find_wikilinks, split_wikilink;"
        "list(find_wikilinks('[[a]]')); print('markdown_it' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_logging_is_patched():
    """markdown-it's loggers are left as they are: a library user's DEBUG output works."""
    import logging

    checker_markdown().parse("# x\n\ntext\n")
    for name in ("markdown_it.rules_block.heading", "markdown_it.rules_block.paragraph"):
        module = sys.modules.get(name)
        logger = getattr(module, "LOGGER", None)
        if isinstance(logger, logging.Logger):
            assert "debug" not in vars(logger)
