"""``starvault build``: pages, links, embeds, safety, dashboards, incremental rebuilds, serve."""

from __future__ import annotations

import importlib
import json
import re
import signal
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import start_serve
from starvault.site import build
from starvault.site.render import heading_slug
from starvault.vault import load

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def nav(prev: str | None, nxt: str | None) -> str:
    lines = ["## Navigation", "", "**Module:** [[Contents]] → Course"]
    if prev:
        lines.append(f"**Previous:** [[{prev}]]")
    if nxt:
        lines.append(f"**Next:** [[{nxt}]]")
    return "\n".join(lines) + "\n"


def course_page(title: str, prev: str | None, nxt: str | None, body: str = "") -> str:
    block = nav(prev, nxt)
    return (
        f"---\ntype: course\ntitle: {title}\nmodule: Course\n---\n\n# {title}\n\n"
        f"{block}\n---\n\n{body}\n\n---\n\n{block}"
    )


def story(title: str, types: str = "[leadership, conflict]", extra: str = "") -> str:
    return (
        f"---\ntype: story\ntitle: {title}\nproject: Project {title}\nrole: Tech Lead\n"
        f"impact: Latency -40%\nchallenge: Scale\noutcome: Shipped\n"
        f'question_types: {types}\nprinciples: ["[[Ownership]]"]\n---\n\n# {title}\n\n'
        "## Situation\n\nThings were slow.\n\n## Task\n\nI owned it.\n\n"
        "## Action\n\nI measured and I fixed it.\n\n## Result\n\nLatency fell by 40%.\n\n"
        "## Learnings\n\nMeasure first.\n\n## Short version\n\nI made it fast.\n"
        f"{extra}"
    )


def small_vault() -> dict[str, str | bytes]:
    return {
        "Contents.md": (
            "---\ntype: toc\ntitle: Course Contents\n---\n\n# Course Contents\n\n"
            "1. [[Intro]]\n2. [[Method]]\n3. [[Wrap-up]]\n"
        ),
        "Course/Intro.md": course_page(
            "Intro", None, "Method", "Start with [[RAG Support Search]]."
        ),
        "Course/Method.md": course_page(
            "Method", "Intro", "Wrap-up", "See [[FAQ#How large is it]]."
        ),
        "Course/Wrap-up.md": course_page("Wrap-up", "Method", None, "Done."),
        "Stories/RAG Support Search.md": story(
            "RAG Support Search", extra="\nA key fact. ^key-fact\n"
        ),
        "Stories/Cost Cutting.md": story("Cost Cutting", "[failure, ambiguity]"),
        "Types/leadership.md": "---\ntype: question-type\nkey: leadership\ntitle: Lead\n---\n",
        "Types/conflict.md": "---\ntype: question-type\nkey: conflict\ntitle: Conflict\n---\n",
        "Principles/Ownership.md": "---\ntype: principle\ntitle: Ownership\n---\n# Ownership\n",
        "FAQ.md": "# FAQ\n\n### How large is it?\n\nQuite large.\n\n### Other\n\nOther text.\n",
        "Notes/Linker.md": (
            "# Linker\n\nTo [[RAG Support Search]], to [[FAQ#How large is it|size]], "
            "to [[RAG Support Search#^key-fact]], broken [[Nowhere Note]], "
            "markdown [faq](../FAQ.md) and [story](<../Stories/Cost Cutting.md>) and "
            "[gone](Missing%20Note.md), web [site](https://example.com).\n\n"
            "![[pic.png|200]]\n"
        ),
        "pic.png": PNG,
    }


def build_site(make_vault, files, tmp_path: Path, **kwargs):
    root = make_vault(files)
    out = tmp_path / "out"
    result = build(load(root), out, **kwargs)
    return root, out, result


def page(out: Path, rel: str) -> str:
    return (out / rel).read_text("utf-8")


# -- pages and links -------------------------------------------------------------------------


def test_build_writes_pages_dashboards_search_and_assets(make_vault, run_cli, tmp_path):
    root = make_vault(small_vault())
    out = tmp_path / "site"
    result = run_cli("build", str(root), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Built 11 pages" in result.output
    assert "Rendering pages" not in result.output  # no progress bar when not on a terminal
    for rel in [
        "index.html",
        "Contents.html",
        "Course/Intro.html",
        "Stories/RAG Support Search.html",
        "dashboards/stories.html",
        "dashboards/matrix.html",
        "dashboards/signals.html",
        "dashboards/principles.html",
        "dashboards/asks.html",
        "dashboards/practice.html",
        "dashboards/findings.html",
        "search-index.json",
        "search-index.js",
        "static/style.css",
        "static/search.js",
        "pic.png",
    ]:
        assert (out / rel).is_file(), rel
    # The live-reload script exists only in serve mode.
    assert not (out / "static/reload.js").exists()
    assert "reload.js" not in page(out, "index.html")
    assert (out / "pic.png").read_bytes() == PNG


@pytest.mark.parametrize(
    "to,folder",
    [
        ("A.html", ""),
        ("A.html", "x/y"),
        ("x/A.html", "x"),
        ("x/y/A.html", "x/z"),
        ("xa/A.html", "x"),
    ],
)
def test_relpath_agrees_with_posixpath(to, folder):
    import posixpath

    from starvault.site.urls import relpath

    assert relpath(to, folder) == posixpath.relpath(to, folder or ".")


def test_links_are_relative_and_resolve_like_the_checker(make_vault, tmp_path):
    _, out, _ = build_site(make_vault, small_vault(), tmp_path)
    html = page(out, "Notes/Linker.html")
    assert 'href="../Stories/RAG%20Support%20Search.html"' in html
    # Obsidian heading matching: "How large is it" finds "### How large is it?".
    anchor = heading_slug("How large is it?")
    assert f'href="../FAQ.html#{anchor}">size</a>' in html
    assert f'id="{anchor}"' in page(out, "FAQ.html")
    # Block reference: the id lands on the block that carries ^key-fact.
    assert 'href="../Stories/RAG%20Support%20Search.html#%5Ekey-fact"' in html
    story_html = page(out, "Stories/RAG Support Search.html")
    assert re.search(r'<p id="\^key-fact">A key fact\.</p>', story_html)
    assert "^key-fact</p>" not in story_html
    # Markdown links to notes become page links; web links stay as they are.
    assert 'href="../FAQ.html">faq</a>' in html
    assert 'href="../Stories/Cost%20Cutting.html">story</a>' in html
    assert 'href="https://example.com"' in html
    # The image is embedded with its size, relative to the page.
    assert '<img class="embed-image" src="../pic.png" alt="pic.png" width="200"' in html
    assert "http://" not in html.replace("http://www.w3.org", "")  # nothing from the network


def test_awkward_names_get_their_own_pages(make_vault, tmp_path):
    files = {
        "index.md": "# My index\n\n[[What? Now]] and [[Café]]\n",
        "What? Now.md": "# What\n\n[[index]]\n",
        "Café.md": "# Café\n",
    }
    _, out, _ = build_site(make_vault, files, tmp_path)
    assert "Readiness checklist" in page(out, "index.html")  # the site's home stays
    own = page(out, "index (note).html")
    assert 'href="What%3F%20Now.html"' in own and 'href="Caf%C3%A9.html"' in own
    assert 'href="index%20%28note%29.html"' in page(out, "What? Now.html")


def test_broken_links_are_marked_with_a_tooltip(make_vault, tmp_path):
    _, out, _ = build_site(make_vault, small_vault(), tmp_path)
    html = page(out, "Notes/Linker.html")
    assert re.search(
        r'<span class="broken-link" title="no note named \'Nowhere Note\'"[^>]*>'
        r"Nowhere Note</span>",
        html,
    )
    assert re.search(r'<span class="broken-link" title="[^"]*Missing Note[^"]*">gone</span>', html)
    assert 'href="Nowhere' not in html


def test_every_page_lists_its_backlinks(make_vault, tmp_path):
    _, out, _ = build_site(make_vault, small_vault(), tmp_path)
    html = page(out, "Stories/RAG Support Search.html")
    section = html.split('id="backlinks-title"', 1)[1]
    assert 'href="../Notes/Linker.html">Linker</a>' in section
    assert 'href="../Course/Intro.html">Intro</a>' in section
    assert "No other note links here yet" in page(out, "Notes/Linker.html")


def test_course_pages_keep_navigation_and_show_the_toc_sidebar(make_vault, tmp_path):
    _, out, _ = build_site(make_vault, small_vault(), tmp_path)
    html = page(out, "Course/Method.html")
    sidebar = html.split('class="sidebar toc"', 1)[1].split("</nav>", 1)[0]
    assert 'href="Intro.html"' in sidebar and 'href="Wrap-up.html"' in sidebar
    assert 'class="internal-link current" aria-current="page" href="Method.html"' in sidebar
    assert 'rel="prev" href="Intro.html"' in html
    assert 'rel="next" href="Wrap-up.html"' in html
    # The note's own Navigation block stays, with its links resolved.
    assert '<strong>Previous:</strong> <a class="internal-link" href="Intro.html">' in html
    first = page(out, "Course/Intro.html")
    assert 'rel="prev"' not in first and 'rel="next" href="Method.html"' in first


def test_callouts_tags_tables_math_and_comments_render(make_vault, tmp_path):
    files = {
        "A.md": (
            "# A\n\n> [!warning] Mind the gap\n> Body with #tag-one here.\n\n"
            "> [!tip]- Folded\n> hidden\n\n"
            "| a | b |\n|---|---|\n| 1 | [[B\\|bee]] |\n\n"
            "Math $x^2<y$ here. %% secret comment %% visible\n\n"
            "%%\nblock comment\n%%\n"
        ),
        "B.md": "# B\n",
    }
    _, out, _ = build_site(make_vault, files, tmp_path)
    html = page(out, "A.html")
    assert '<div class="callout" data-callout="warning">' in html
    assert '<div class="callout-title">Mind the gap</div>' in html
    assert '<a class="tag" href="tags/tag-one.html">#tag-one</a>' in html
    assert "A.html" in page(out, "tags/tag-one.html")
    assert '<details class="callout" data-callout="tip">' in html
    assert "<table>" in html and 'href="B.html">bee</a>' in html
    # Math as MathML (the browser draws it), "<" escaped inside it.
    assert "<math" in html and "<mo>&lt;</mo>" in html and "x^2" not in html
    assert "secret comment" not in html and "block comment" not in html
    assert "visible" in html


# -- embeds --------------------------------------------------------------------------------


def test_embeds_transclude_notes_sections_and_blocks(make_vault, tmp_path):
    files = {
        "Host.md": (
            "# Host\n\n![[Whole]]\n\n![[Parts#Second]]\n\n![[Parts#^blk]]\n\n"
            "![[Parts#No Such Part]]\n"
        ),
        "Whole.md": "# Whole\n\nWhole body text.\n",
        "Parts.md": (
            "# Parts\n\n## First\n\nFirst text.\n\n## Second\n\nSecond text.\n\n"
            "### Deeper\n\nDeeper text.\n\n## Third\n\nThird text.\n\nThe block. ^blk\n"
        ),
    }
    _, out, _ = build_site(make_vault, files, tmp_path)
    html = page(out, "Host.html")
    assert html.count('<div class="embed"') == 3
    assert "Whole body text." in html
    assert "Second text." in html and "Deeper text." in html
    assert "First text." not in html and "Third text." not in html
    assert "The block." in html
    # A section that does not exist is a dashed link, not the whole note.
    assert 'class="internal-link broken-anchor" href="Parts.html"' in html
    # Embedded headings do not add duplicate ids to the host page.
    assert 'id="second"' not in html


def test_embed_cycles_stop(make_vault, tmp_path):
    files = {
        "A.md": "# A\n\nA text.\n\n![[B]]\n",
        "B.md": "# B\n\nB text.\n\n![[A]]\n",
        "Self.md": "# Self\n\n![[Self]]\n",
    }
    _, out, _ = build_site(make_vault, files, tmp_path)
    html = page(out, "A.html")
    assert html.count("B text.") == 1
    assert html.count("A text.") == 1
    assert "embeds itself" in html
    assert "embeds itself" in page(out, "Self.html")


def test_repeated_embeds_render_right_on_every_page(make_vault, tmp_path):
    files = {
        "P0.md": "# P0\n\n![[B]]\n",
        "X/P1.md": "# P1\n\n![[B]]\n",
        "X/P2.md": "# P2\n\n![[B]]\n",
        "B.md": "# B\n\nB body [[Target]]\n\n![[C]]\n",
        "C.md": "# C\n\nC body\n\n![[B]]\n",
        "Target.md": "# Target\n",
    }
    _, out, _ = build_site(make_vault, files, tmp_path)
    assert 'href="Target.html"' in page(out, "P0.html")
    assert '<div class="embed-title"><a class="internal-link" href="B.html">' in page(
        out, "P0.html"
    )
    for rel in ("X/P1.html", "X/P2.html"):
        html = page(out, rel)
        assert 'href="../Target.html"' in html
        assert '<div class="embed-title"><a class="internal-link" href="../B.html">' in html
        assert html.count("B body") == 1 and html.count("C body") == 1
    # On C's own page, B's embed of C stops at once: C is already on the page.
    c_page = page(out, "C.html")
    assert c_page.count("C body") == 1 and c_page.count("B body") == 1
    assert "embeds itself" in c_page


# -- safety ----------------------------------------------------------------------------------


def test_raw_html_is_sanitised(make_vault, tmp_path):
    files = {
        "Evil.md": (
            "# Evil\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
            '[x](javascript:alert(1)) <a href="javascript:alert(2)">y</a> '
            '<b onclick="alert(3)">bold</b> <span class="keep">kept</span>\n\n'
            '<iframe src="https://evil.example"></iframe>\n'
        ),
    }
    _, out, _ = build_site(make_vault, files, tmp_path)
    body = page(out, "Evil.html").split('<div class="markdown">', 1)[1].split("</article>")[0]
    assert "<script" not in body and "alert(1)</script>" not in body
    assert "alert(4)" not in body  # comments around a script do not smuggle it through
    assert "onerror" not in body and "onclick" not in body
    assert not re.search(r"(href|src)=\"?\s*javascript:", body)
    assert "[x](javascript:alert(1))" in body  # markdown-it leaves it as plain text
    assert "<iframe" not in body
    assert "<b>bold</b>" in body and '<span class="keep">kept</span>' in body


def test_front_matter_is_escaped(make_vault, tmp_path):
    files = {
        "Note.md": (
            '---\ntitle: "<script>alert(1)</script>"\nproject: "<img src=x onerror=alert(2)>"\n'
            'aliases: ["<b>x</b>"]\nlinks: ["[[Other]]"]\n---\n\nBody\n'
        ),
        "Other.md": "# Other\n",
    }
    _, out, _ = build_site(make_vault, files, tmp_path)
    html = page(out, "Note.html")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<b>x</b>" not in html
    assert 'href="Other.html">Other</a>' in html  # wiki-links in properties still link
    index = json.loads(page(out, "search-index.json"))
    assert any(e["t"] == "<script>alert(1)</script>" for e in index)
    assert "</script>" not in page(out, "search-index.js").split("\n")[0][:-1].replace(
        "<\\/script>", ""
    )


@pytest.mark.parametrize("where", ["vault", "parent", "root", "home"])
def test_out_may_not_be_the_vault_its_parent_root_or_home(
    make_vault, run_cli, tmp_path, monkeypatch, where
):
    root = make_vault({"A.md": "# A\n"})
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    out = {"vault": root, "parent": root.parent, "root": Path("/"), "home": home}[where]
    result = run_cli("build", str(root), "-o", str(out))
    assert result.exit_code == 2
    assert "refusing to build into" in result.output
    assert (root / "A.md").read_text() == "# A\n"


def test_out_that_starvault_did_not_build_is_not_replaced(make_vault, run_cli, tmp_path):
    root = make_vault({"A.md": "# A\n"})
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work")
    result = run_cli("build", str(root), "-o", str(out))
    assert result.exit_code == 2
    assert "was not built by starvault" in result.output
    assert (out / "thesis.docx").read_text() == "years of work"


def test_out_inside_the_vault_is_left_out_of_the_site(make_vault, run_cli, tmp_path):
    root = make_vault({"A.md": "# A\n", "img.png": PNG})
    for _ in range(2):
        result = run_cli("build", str(root), "-o", str(root / "site"))
        assert result.exit_code == 0, result.output
    assert (root / "site/A.html").is_file()
    assert not (root / "site/site").exists()


def test_failed_build_keeps_the_last_good_site(make_vault, run_cli, tmp_path):
    root = make_vault({"A.md": "# A\n\nfirst\n"})
    out = tmp_path / "out"
    assert run_cli("build", str(root), "-o", str(out)).exit_code == 0
    before = page(out, "A.html")
    (root / "A.md").write_text("# A\n\nsecond\n")
    (root / "_templates").mkdir()
    (root / "_templates/note.html").write_text("{% extends 'base.html' %}{% block content %}")
    result = run_cli("build", str(root), "-o", str(out))
    assert result.exit_code == 2
    assert "note.html:1" in result.output and "template error" in result.output
    assert page(out, "A.html") == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    assert leftovers == []


def test_rebuild_transcludes_a_note_created_after_the_embed(make_vault, tmp_path):
    root, out, _ = build_site(make_vault, {"A.md": "# A\n\n![[Later]]\n"}, tmp_path)
    assert 'class="broken-link"' in page(out, "A.html")
    (root / "Later.md").write_text("# Later\n\nNow here.\n")
    again = build(load(root), out)
    assert sorted(again.rendered) == ["A.md", "Later.md"]
    assert "Now here." in page(out, "A.html")
    (root / "Later.md").write_text("# Later\n\nChanged.\n")
    third = build(load(root), out)
    assert sorted(third.rendered) == ["A.md", "Later.md"]
    assert "Changed." in page(out, "A.html")


def test_rebuild_follows_heading_anchors_into_changed_notes(make_vault, tmp_path):
    files = {"A.md": "# A\n\n[[B#Other#Sub]]\n", "B.md": "# B\n\n## Other\n\n### Sub\n"}
    root, out, _ = build_site(make_vault, files, tmp_path)
    assert 'href="B.html#sub"' in page(out, "A.html")
    (root / "B.md").write_text("# B\n\n## Sub\n\n## Other\n\n### Sub\n")
    again = build(load(root), out)
    assert sorted(again.rendered) == ["A.md", "B.md"]
    assert 'href="B.html#sub-1"' in page(out, "A.html")
    assert 'id="sub-1"' in page(out, "B.html")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_broken_dashboard_template_is_a_clear_error(make_vault, run_cli, tmp_path, jobs):
    root = make_vault({"A.md": "# A\n"})
    out = tmp_path / "out"
    assert run_cli("build", str(root), "-o", str(out)).exit_code == 0
    before = page(out, "index.html")
    (root / "_templates").mkdir()
    (root / "_templates/dashboards.html").write_text("{% if %}")
    result = run_cli("build", str(root), "-o", str(out), "--jobs", jobs)
    assert result.exit_code == 2
    assert "dashboards.html:1" in result.output
    assert page(out, "index.html") == before


def test_failed_rebuild_changes_nothing_in_out(make_vault, tmp_path, monkeypatch):
    from starvault.site.pages import PageBuilder

    root, out, _ = build_site(make_vault, {"A.md": "# A\n\nold A\n", "B.md": "# B\n"}, tmp_path)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (root / "A.md").write_text("# A\n\nnew A\n")
    (root / "B.md").write_text("# B\n\nnew B\n")
    real = PageBuilder.write_note_page

    def failing(self, tmp, path):  # type: ignore[no-untyped-def]
        if path == "B.md":
            raise RuntimeError("disk on fire")
        return real(self, tmp, path)

    monkeypatch.setattr(PageBuilder, "write_note_page", failing)
    with pytest.raises(RuntimeError):
        build(load(root), out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []


def test_template_override_from_the_vault(make_vault, tmp_path):
    files = {
        "A.md": "# A\n\nBody.\n",
        "_templates/note.html": (
            "<!doctype html><title>{{ title }}</title><main class=custom>{{ body }}</main>"
        ),
        "_templates/notes/story.md": "---\ntype: story\n---\n",
    }
    _, out, _ = build_site(make_vault, files, tmp_path)
    assert '<main class=custom><h1 id="a">A</h1>' in page(out, "A.html")
    # The templates folder holds templates, not pages.
    assert not (out / "_templates").exists()
    assert "topbar" in page(out, "index.html")  # other templates still packaged ones


# -- incremental -----------------------------------------------------------------------------


def test_rebuild_renders_only_pages_whose_inputs_changed(make_vault, tmp_path):
    files = {
        "A.md": "# A\n\n![[B]]\n",  # embeds B
        "B.md": "# B\n\nB text one.\n",
        "C.md": "# C\n\nLinks [[B]].\n",  # links B: B's backlinks include C
        "D.md": "# D\n\nLinks [[Future]].\n",  # broken until Future exists
        "E.md": "# E\n\nUnrelated.\n",
    }
    root, out, first = build_site(make_vault, files, tmp_path)
    assert sorted(first.rendered) == ["A.md", "B.md", "C.md", "D.md", "E.md"]
    again = build(load(root), out)
    assert again.rendered == [] and again.reused == 5
    stamp = (out / "E.html").stat().st_ino

    (root / "B.md").write_text("# B\n\nB text two.\n")
    changed = build(load(root), out)
    assert sorted(changed.rendered) == ["A.md", "B.md"]  # B itself and A that embeds it
    assert "B text two." in page(out, "A.html")
    assert (out / "E.html").stat().st_ino == stamp  # reused, not rewritten

    (root / "Future.md").write_text("# Future\n")
    added = build(load(root), out)
    assert sorted(added.rendered) == ["D.md", "Future.md"]  # D's link now resolves
    assert 'href="Future.html"' in page(out, "D.html")

    (root / "C.md").write_text("---\ntitle: See\n---\nLinks [[B]] again.\n")
    retitled = build(load(root), out)
    assert sorted(retitled.rendered) == ["B.md", "C.md"]  # B lists C's new title
    assert ">See</a>" in page(out, "B.html")

    (root / "E.md").unlink()
    removed = build(load(root), out)
    assert removed.rendered == [] and not (out / "E.html").exists()


def test_parallel_build_writes_the_same_site(make_vault, tmp_path, monkeypatch):
    site_build = importlib.import_module("starvault.site.build")  # the module, not build()
    monkeypatch.setattr(site_build, "PARALLEL_MIN", 10)
    files = {
        f"F{i % 3}/N{i}.md": f"# N{i}\n\n[[N{(i + 1) % 40}]] ![[N{(i + 2) % 40}]]\n"
        for i in range(40)
    }
    root = make_vault(files)
    serial = build(load(root), tmp_path / "serial", jobs=1)
    parallel = build(load(root), tmp_path / "parallel", jobs=2)
    assert len(serial.rendered) == len(parallel.rendered) == 40
    for rel in sorted(
        p.relative_to(tmp_path / "serial") for p in (tmp_path / "serial").rglob("*.html")
    ):
        assert (tmp_path / "parallel" / rel).read_bytes() == (
            tmp_path / "serial" / rel
        ).read_bytes()


def test_search_index_follows_titles_and_pages(make_vault, tmp_path):
    # The index holds a bounded start of each note's text (SEARCH_TEXT_LIMIT): an edit
    # past it leaves every entry as it was.
    long_start = "# A\n\n" + "words " * 1200 + "\n"
    root, out, _ = build_site(make_vault, {"A.md": long_start, "B.md": "# B\n"}, tmp_path)
    inode = (out / "search-index.json").stat().st_ino
    (root / "A.md").write_text(long_start + "\nMuch later text.\n")
    build(load(root), out)
    assert (out / "search-index.json").stat().st_ino == inode  # same entries: kept
    (root / "A.md").write_text("---\ntitle: Renamed\n---\n# A\n")
    build(load(root), out)
    titles = {e["t"] for e in json.loads(page(out, "search-index.json"))}
    assert titles == {"Renamed", "B"}
    assert "Renamed" in page(out, "search-index.js")
    (root / "B.md").unlink()
    build(load(root), out)
    assert {e["t"] for e in json.loads(page(out, "search-index.json"))} == {"Renamed"}


def test_search_index_lists_every_page(make_vault, tmp_path):
    _, out, _ = build_site(make_vault, small_vault(), tmp_path)
    index = json.loads(page(out, "search-index.json"))
    by_title = {e["t"]: e for e in index}
    entry = by_title["RAG Support Search"]
    assert entry["u"] == "Stories/RAG Support Search.html"
    assert entry["k"] == "story"
    assert "Situation" in entry["h"]
    script = page(out, "search-index.js")
    assert script.startswith("window.STARVAULT_INDEX=")
    assert json.loads(script[len("window.STARVAULT_INDEX=") :].rstrip().rstrip(";")) == index


# -- dashboards ------------------------------------------------------------------------------


def test_dashboards_show_the_coverage_model_and_findings(make_vault, tmp_path):
    files = dict(small_vault())
    files["Practice/One.md"] = (
        '---\ntype: practice\ndate: 2026-11-02\nstory: "[[RAG Support Search]]"\n'
        'question: "[[Q]]"\nduration_s: 150\nmode: self\nstructure: 4\n---\n'
    )
    files["Practice/Two.md"] = (
        '---\ntype: practice\ndate: 2026-11-03\nstory: "[[Cost Cutting]]"\n'
        'question: "[[Q]]"\nduration_s: 100\nmode: partner\nstructure: 5\n---\n'
    )
    files["Asks/Team.md"] = "---\ntype: ask\ncategory: team\ntitle: How do teams plan?\n---\n"
    _, out, _ = build_site(make_vault, files, tmp_path)

    home = page(out, "index.html")
    assert "Readiness checklist" in home and "Next best action" in home
    assert 'class="checklist"' in home

    stories = page(out, "dashboards/stories.html")
    row = stories.split("RAG Support Search</a>", 1)[1].split("</tr>", 1)[0]
    for value in ("Project RAG Support Search", "Latency -40%", "Scale", "Tech Lead", "Shipped"):
        assert value in row
    assert "Measure first." in row

    matrix = page(out, "dashboards/matrix.html")
    assert 'href="../Stories/RAG%20Support%20Search.html" aria-label="RAG Support Search' in matrix
    assert "heat-" in matrix

    principles = page(out, "dashboards/principles.html")
    assert 'href="../Principles/Ownership.html">Ownership</a>' in principles

    asks = page(out, "dashboards/asks.html")
    assert "How do teams plan?" in asks and "Culture" in asks

    practice = page(out, "dashboards/practice.html")
    assert "<svg" in practice and 'class="target"' in practice
    assert practice.count('<rect class="bar') == 2
    assert '<rect class="bar over"' in practice  # 150 s is over the two-minute mark

    findings = page(out, "dashboards/findings.html")
    lk001 = findings.split('id="LK001"', 1)[1].split("</section>")[0]
    assert 'href="../Notes/Linker.html">Linker</a>' in lk001 and "Nowhere Note" in lk001


def test_signals_dashboard_and_what_did_not_count_on_home(make_vault, tmp_path):
    files = dict(small_vault())
    files["Stories/RAG Support Search.md"] = story("RAG Support Search", extra="\n").replace(
        "---\n\n#", "signals: [org-impact, ambiguity]\n---\n\n#", 1
    )
    files["Stories/Broken.md"] = "---\ntype: story\ntitle: Broken\n---\n\n# Broken\n"
    files["Practice/Long.md"] = (
        '---\ntype: practice\ndate: 2026-11-02\nstory: "[[Cost Cutting]]"\n'
        'question: "[[Q]]"\nduration_s: 150\nmode: self\nstructure: 4\n---\n'
    )
    files["Practice/Good.md"] = (
        '---\ntype: practice\ndate: 2026-11-03\nstory: "[[Cost Cutting]]"\n'
        'question: "[[Q]]"\nduration_s: 100\nmode: self\nstructure: 5\n---\n'
    )
    _, out, _ = build_site(make_vault, files, tmp_path)

    signals = page(out, "dashboards/signals.html")
    assert "Staff+ signals × stories" in signals
    assert 'href="../dashboards/signals.html" aria-current="page">Signals' in signals
    for key in ("org-impact", "ambiguity", "technical-leadership", "cross-functional"):
        assert key in signals
    row = signals.split("RAG Support Search</a>", 1)[1].split("</tr>", 1)[0]
    assert row.count("●") == 2 and "RAG Support Search × org-impact: shown" in row
    broken = signals.split("Broken</a>", 1)[1].split("</tr>", 1)[0]
    assert "not counted" in broken
    footer = signals.split("<tfoot>", 1)[1]
    # one ready story each for two look-fors, none for two: all four below the two wanted
    gaps = [c.split("</td>")[0] for c in footer.split('<td class="num gap">')[1:]]
    assert gaps == ["1", "1", "0", "0"]

    home = page(out, "index.html")
    assert "Not counted yet" in home
    stories = home.split("<h3>Stories</h3>", 1)[1].split("</ul>\n", 1)[0]
    assert "Broken</a>" in stories and "ST001 missing-star-part" in stories
    sessions = home.split("<h3>Practice sessions</h3>", 1)[1]
    assert "2026-11-02</a> · Cost Cutting: 2 min 30 s, over the 2 min target" in sessions
    assert "2026-11-03" not in sessions.split("</section>", 1)[0]

    practice = page(out, "dashboards/practice.html")
    assert "no: 2 min 30 s, over the 2 min target" in practice


def test_answer_time_chart_has_a_bar_per_timed_session():
    import datetime

    from starvault.coverage import PracticeInfo
    from starvault.site.dashboards import answer_time_chart

    sessions = [
        PracticeInfo("P1.md", datetime.date(2026, 1, 1), "S.md", None, 90, "self", {}),
        PracticeInfo("P2.md", datetime.date(2026, 1, 2), "S.md", None, 200, "self", {}),
        PracticeInfo("P3.md", None, None, None, None, "self", {}),
    ]
    svg = str(answer_time_chart(sessions))
    assert svg.count("<rect") == 2
    assert svg.count('class="bar over"') == 1
    assert "2 min target" in svg
    assert "No timed practice" in str(answer_time_chart([]))


def test_answer_time_chart_reads_the_configured_target():
    import datetime

    from starvault.config import Thresholds
    from starvault.coverage import PracticeInfo
    from starvault.site.dashboards import answer_time_chart

    sessions = [PracticeInfo("P1.md", datetime.date(2026, 1, 1), "S.md", None, 100, "self", {})]
    svg = str(answer_time_chart(sessions, Thresholds(short_version_warn_s=90)))
    assert 'class="bar over"' in svg and "1 min 30 s target" in svg


# -- the sample vault ------------------------------------------------------------------------

SAMPLE = Path(__file__).resolve().parents[1] / "vault"


@pytest.mark.skipif(not (SAMPLE / "Table_of_Contents.md").is_file(), reason="no sample vault")
def test_sample_vault_builds_without_broken_links(tmp_path):
    out = tmp_path / "site"
    result = build(load(SAMPLE, use_cache=False), out)
    assert result.pages >= 40
    broken = []
    for html_file in out.rglob("*.html"):
        if 'class="broken-link"' in html_file.read_text("utf-8"):
            broken.append(html_file.relative_to(out).as_posix())
    assert broken == []
    course = page(out, "Interview_Preparation/04_Behavioral_Interview.html")
    assert 'rel="next"' in course and 'rel="prev"' in course


# -- serve -----------------------------------------------------------------------------------


STARVAULT = str(Path(sys.executable).with_name("starvault"))


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def test_serve_rebuilds_on_save_and_stops_on_ctrl_c(make_vault, tmp_path):
    root = make_vault({"A.md": "# A\n\nfirst version\n", "B.md": "# B\n\n[[A]]\n"})
    out = tmp_path / "served"
    proc, url = start_serve(root, out)
    try:
        assert url, "serve did not report its address"
        html = _fetch(url + "A.html")
        assert "first version" in html and "static/reload.js" in html
        assert "location.reload" in _fetch(url + "static/reload.js")
        version = _fetch(url + "_starvault/version")
        (root / "A.md").write_text("# A\n\nsecond version\n")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _fetch(url + "_starvault/version") == version:
            time.sleep(0.2)
        assert _fetch(url + "_starvault/version") != version
        assert "second version" in _fetch(url + "A.html")
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert "Traceback" not in output and "Stopped." in output
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_progress_bar_only_on_a_terminal(make_vault, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    root = make_vault({f"N{i}.md": f"# N{i}\n" for i in range(12)})
    child = pexpect.spawn(
        STARVAULT, ["build", str(root), "-o", str(tmp_path / "tty")], encoding="utf-8"
    )
    child.expect(pexpect.EOF, timeout=60)
    child.close()
    assert child.exitstatus == 0
    assert "Rendering pages" in child.before
    assert "Built 12 pages" in child.before


def test_bad_vault_is_a_usage_error(run_cli, tmp_path):
    result = run_cli("build", str(tmp_path / "missing"), "-o", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_findings_page_groups_by_rule_and_pages_the_rest(make_vault, tmp_path, monkeypatch):
    from starvault.site import dashboards

    monkeypatch.setattr(dashboards, "FINDINGS_SHOWN", 3)
    monkeypatch.setattr(dashboards, "FINDINGS_PAGE", 10)
    files = {f"N{i:02d}.md": f"# N{i:02d}\n\n[[Gone {i:02d}]]\n" for i in range(25)}
    files["Index.md"] = "# Index\n\n" + "".join(f"[[N{i:02d}]]\n" for i in range(25))
    _, out, _ = build_site(make_vault, files, tmp_path)

    findings = page(out, "dashboards/findings.html")
    lk001 = findings.split('id="LK001"', 1)[1].split("</section>")[0]
    assert "25 findings in 25 notes" in lk001
    assert lk001.count("<li ") == 3 and "22 more" in lk001
    for n in (1, 2, 3):
        assert f'href="findings/LK001-{n}.html"' in lk001
    assert not (out / "dashboards/findings/LK001-4.html").exists()
    listed = []
    for n in (1, 2, 3):
        rule_page = page(out, f"dashboards/findings/LK001-{n}.html")
        assert 'href="../findings.html"' in rule_page
        listed += re.findall(r"Gone (\d\d)", rule_page)
    assert sorted(set(listed)) == [f"{i:02d}" for i in range(25)]


def test_dashboards_are_kept_when_nothing_changed_and_rebuilt_when_a_note_did(make_vault, tmp_path):
    files = dict(small_vault())
    files["Companies/Acme.md"] = "---\ntype: company\ntitle: Acme\n---\n\n# Acme\n"
    root, out, first = build_site(make_vault, files, tmp_path)
    assert "dashboards/findings.html" in first.dashboards
    company = [p for p in first.dashboards if "company-" in p]
    assert company
    inode = (out / "dashboards/findings.html").stat().st_ino

    again = build(load(root), out)
    assert again.rendered == [] and again.dashboards == first.dashboards
    assert (out / "dashboards/findings.html").stat().st_ino == inode  # not written again

    # A change anywhere: the dashboards equal those of a build from scratch, and the page
    # of a company that is gone is gone.
    (root / "Notes/Linker.md").write_text("# Linker\n\n[[Another Missing Note]]\n", "utf-8")
    (root / "Companies/Acme.md").unlink()
    third = build(load(root), out)
    assert not [p for p in third.dashboards if "company-" in p]
    assert not (out / company[0]).exists()
    fresh = tmp_path / "fresh"
    build(load(root, use_cache=False), fresh)
    for rel in third.dashboards:
        assert (out / rel).read_bytes() == (fresh / rel).read_bytes(), rel
    assert "Another Missing Note" in page(out, "dashboards/findings.html")


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_edit_renders_only_the_dashboards_whose_data_it_changed(make_vault, tmp_path, jobs):
    root, out, first = build_site(make_vault, small_vault(), tmp_path, jobs=jobs)
    inodes = {rel: (out / rel).stat().st_ino for rel in first.dashboards}
    # Speaking time changes (the stories table shows it); the matrix and the questions to
    # ask do not.
    story_path = root / "Stories/Cost Cutting.md"
    story_path.write_text(
        story("Cost Cutting", "[failure, ambiguity]").replace(
            "I made it fast.", "I made it fast, and I cut the cost by half in one quarter."
        ),
        "utf-8",
    )
    second = build(load(root), out, jobs=jobs)
    assert second.dashboards == first.dashboards
    rewritten = {rel for rel in first.dashboards if (out / rel).stat().st_ino != inodes[rel]}
    assert "dashboards/stories.html" in rewritten
    assert {"dashboards/matrix.html", "dashboards/asks.html"}.isdisjoint(rewritten)
    fresh = tmp_path / "fresh"
    build(load(root, use_cache=False), fresh, jobs=jobs)
    for rel in second.dashboards:
        assert (out / rel).read_bytes() == (fresh / rel).read_bytes(), rel


def test_a_long_course_gets_a_windowed_sidebar(make_vault, tmp_path, monkeypatch):
    pages_mod = importlib.import_module("starvault.site.pages")
    monkeypatch.setattr(pages_mod, "SIDEBAR_PAGES", 10)
    monkeypatch.setattr(pages_mod, "SIDEBAR_NEAR", 2)
    names = [f"P{i:02d}" for i in range(30)]
    toc = "---\ntype: toc\ntitle: Contents\n---\n\n# Contents\n\n## Basics\n\n"
    toc += "".join(f"1. [[{n}]]\n" for n in names[:20]) + "\n## Advanced\n\n"
    toc += "".join(f"1. [[{n}]]\n" for n in names[20:])
    files: dict[str, str | bytes] = {"Contents.md": toc}
    for i, n in enumerate(names):
        prev = names[i - 1] if i else None
        nxt = names[i + 1] if i + 1 < len(names) else None
        files[f"Course/{n}.md"] = course_page(n, prev, nxt, f"Body of {n}.")
    _, out, _ = build_site(make_vault, files, tmp_path)
    html = page(out, "Course/P10.html")
    side = html[html.index('<nav class="sidebar toc"') :]
    side = side[: side.index("</nav>")]
    shown = re.findall(r">(P\d\d)</a>", side)
    assert shown == ["P08", "P09", "P10", "P11", "P12"]  # two each side, in order
    assert 'aria-current="page" href="P10.html">P10<' in side
    assert "Basics (20)" in side and "Advanced (10)" in side
    assert "… 8 before" in side and "… 7 after" in side
    # The other section and the elisions lead to the full table of contents.
    assert re.search(r'href="\.\./Contents\.html#advanced">Advanced \(10\)', side)
    # The table of contents page itself still lists every page.
    assert all(f">{n}</a>" in page(out, "Contents.html") for n in names)


@pytest.mark.parametrize("damage", ["none", "deleted", "edited", "garbage"])
def test_search_index_texts_come_back_whatever_happened_to_the_old_index(
    make_vault, tmp_path, damage
):
    files = {"A.md": "# A\n\nAlpha words.\n", "B.md": "# B\n\nBravo words.\n"}
    root, out, _ = build_site(make_vault, files, tmp_path)
    kept = json.loads(page(out, ".starvault-build.json"))["pages"]
    assert all("b" not in e["search"] and e["search"]["bh"] for e in kept.values())
    index = out / "search-index.json"
    if damage == "deleted":
        index.unlink()
    elif damage == "edited":
        index.write_text(page(out, "search-index.json").replace("Bravo", "Forged"), "utf-8")
    elif damage == "garbage":
        index.write_text("{not json", "utf-8")
    (root / "A.md").write_text("# A\n\nAlpha words, changed.\n", "utf-8")
    result = build(load(root), out)
    texts = {e["p"]: e["b"] for e in json.loads(page(out, "search-index.json"))}
    assert "Alpha words, changed." in texts["A.md"] and "Bravo words." in texts["B.md"]
    assert "Forged" not in page(out, "search-index.js")
    # B is rendered again only where its text could not be taken from the old index.
    assert ("B.md" in result.rendered) == (damage != "none")


def test_a_large_index_is_in_parts_and_an_edit_rewrites_one(make_vault, tmp_path, monkeypatch):
    site_build = importlib.import_module("starvault.site.build")
    monkeypatch.setattr(site_build, "SEARCH_PARTS_MIN", 10)
    files = {f"N{i:02d}.md": f"# N{i:02d}\n\nText {i}.\n" for i in range(40)}
    root, out, _ = build_site(make_vault, files, tmp_path)

    def parts() -> dict[str, dict]:
        listed = json.loads(page(out, "search-index.json"))["parts"]
        assert page(out, "search-index.js").startswith("window.STARVAULT_INDEX_PARTS=")
        return {e["p"]: e for name in listed for e in json.loads(page(out, name))}

    assert sorted(parts()) == sorted(files)
    inodes = {f.name: f.stat().st_ino for f in out.glob("search-index-*.json")}
    (root / "N07.md").write_text("# N07\n\nNew text.\n", "utf-8")
    build(load(root), out)
    changed = {f.name for f in out.glob("search-index-*.json") if f.stat().st_ino != inodes[f.name]}
    assert len(changed) == 1
    assert "New text." in parts()["N07.md"]["b"]
    # Back under the bound: one index again, the parts gone.
    for i in range(35):
        (root / f"N{i:02d}.md").unlink()
    build(load(root), out)
    assert not list(out.glob("search-index-*"))
    assert sorted(e["p"] for e in json.loads(page(out, "search-index.json"))) == [
        f"N{i:02d}.md" for i in range(35, 40)
    ]


@pytest.mark.parametrize("jobs", [1, 2])
def test_warm_site_equals_a_cold_build_after_edits_renames_and_deletions(
    make_vault, tmp_path, monkeypatch, jobs
):
    """Every file of an incremental build is byte for byte what a build from scratch
    writes, through edits, a rename and a deletion (small bounds make the search index
    come in parts, the course sidebar windowed and the build parallel)."""
    site_build = importlib.import_module("starvault.site.build")
    pages_mod = importlib.import_module("starvault.site.pages")
    monkeypatch.setattr(site_build, "SEARCH_PARTS_MIN", 5)
    monkeypatch.setattr(site_build, "PARALLEL_MIN", 4)
    monkeypatch.setattr(pages_mod, "SIDEBAR_PAGES", 2)
    files = dict(small_vault())
    files["Notes/Tagged.md"] = "---\ntags: [prep]\n---\n# Tagged\n\nSee [[Intro]] #extra\n"
    root, out, _ = build_site(make_vault, files, tmp_path, jobs=jobs)

    def same_as_cold(step: str) -> None:
        cold = tmp_path / f"cold-{step}"
        build(load(root, use_cache=False), cold, jobs=jobs)
        warm_files = {p.relative_to(out) for p in out.rglob("*") if p.is_file()}
        cold_files = {p.relative_to(cold) for p in cold.rglob("*") if p.is_file()}
        assert warm_files == cold_files, step
        for rel in sorted(warm_files):
            if rel.name == ".starvault-build.json":
                continue
            assert (out / rel).read_bytes() == (cold / rel).read_bytes(), (step, rel)

    (root / "Stories/Cost Cutting.md").write_text(
        story("Cost Cutting", "[failure, leadership]"), "utf-8"
    )
    (root / "Course/Method.md").write_text(
        course_page("Method", "Intro", "Wrap-up", "Now see [[Tagged]]."), "utf-8"
    )
    build(load(root), out, jobs=jobs)
    same_as_cold("edit")

    (root / "Notes/Tagged.md").rename(root / "Notes/Labelled.md")
    build(load(root), out, jobs=jobs)
    same_as_cold("rename")

    (root / "FAQ.md").unlink()
    (root / "Notes/Linker.md").write_text("# Linker\n\nOnly [[Labelled]] now.\n", "utf-8")
    build(load(root), out, jobs=jobs)
    same_as_cold("delete")
