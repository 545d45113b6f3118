"""The built site in a real browser: Playwright driving Debian's chromium, from file://.

Skipped only when /usr/bin/chromium is missing on a developer machine; with CI=true a
missing browser is a failure (CI installs it). Playwright never downloads a browser here.
"""

from __future__ import annotations

import base64
import importlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import start_serve
from starvault.site import build
from starvault.vault import load

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SAMPLE = Path(__file__).resolve().parents[1] / "vault"


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing; CI must install chromium for the browser tests")
    pytest.skip(f"{CHROMIUM} is not installed")


def _course(title: str, prev: str | None, nxt: str | None) -> str:
    nav = ["## Navigation", "", "**Module:** [[Contents|Course Contents]] → Prep"]
    if prev:
        nav.append(f"**Previous:** [[{prev}]]")
    if nxt:
        nav.append(f"**Next:** [[{nxt}]]")
    block = "\n".join(nav)
    return (
        f"---\ntype: course\ntitle: {title}\nmodule: Prep\n---\n\n# {title}\n\n{block}\n\n"
        f"---\n\nThe {title} lesson. It uses [[RAG Support Search]] as its example.\n\n"
        f"> [!tip] Remember\n> Say what *you* did.\n\n---\n\n{block}\n"
    )


def _story(title: str, types: str) -> str:
    return (
        f"---\ntype: story\ntitle: {title}\nproject: {title} project\nrole: Tech Lead\n"
        f"impact: Search time -60%\nchallenge: Scattered documents\noutcome: Shipped\n"
        f'question_types: {types}\nprinciples: ["[[Ownership]]"]\n---\n\n# {title}\n\n'
        "## Situation\n\nAgents lost 40% of their time searching.\n\n## Task\n\nI led it.\n\n"
        "## Action\n\nI ran discovery and I built an evaluation set.\n\n"
        "## Result\n\nSearch time fell by 60%.\n\n## Learnings\n\nStart narrow.\n\n"
        "## Short version\n\nI cut search time by sixty percent.\n"
    )


PAGES = ["Basics", "STAR Method", "Staff Signals", "Closing"]


def browser_vault() -> dict[str, str]:
    files = {
        "Contents.md": (
            "---\ntype: toc\ntitle: Course Contents\n---\n\n# Course Contents\n\n"
            + "".join(f"{i}. [[{p}]]\n" for i, p in enumerate(PAGES, 1))
        ),
        "Stories/RAG Support Search.md": _story("RAG Support Search", "[leadership, conflict]"),
        "Stories/Pricing Rollback.md": _story("Pricing Rollback", "[failure, ambiguity]"),
        "Types/Leadership.md": "---\ntype: question-type\nkey: leadership\ntitle: Lead\n---\n",
        "Types/Conflict.md": "---\ntype: question-type\nkey: conflict\ntitle: Conflict\n---\n",
        "Types/Failure.md": "---\ntype: question-type\nkey: failure\ntitle: Failure\n---\n",
        "Principles/Ownership.md": "---\ntype: principle\ntitle: Ownership\n---\n\n# Ownership\n",
        "Broken.md": "# Broken\n\nThis points at [[Nowhere To Be Found]].\n",
        "Evil.md": (
            "# Evil\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
            '[x](javascript:alert(1)) and <a id="evil" href="javascript:alert(2)">click me</a>\n'
        ),
    }
    for i, name in enumerate(PAGES):
        prev = PAGES[i - 1] if i else None
        nxt = PAGES[i + 1] if i + 1 < len(PAGES) else None
        files[f"Course/{name}.md"] = _course(name, prev, nxt)
    return files


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    _require_browser()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - part of the test extra
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser") / "vault"
    for rel, text in browser_vault().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    out = root.parent / "site"
    build(load(root), out)
    return out


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.requests = requests
    yield pg
    # Nothing the site loads comes from the network.
    assert [u for u in requests if not u.startswith(("file://", "data:"))] == []
    context.close()


def url(site: Path, rel: str) -> str:
    return (site / rel).as_uri()


def distinct_colours(page, png: bytes) -> int:  # type: ignore[no-untyped-def]
    """Count the colours of a screenshot by drawing it on a canvas in the browser."""
    data = base64.b64encode(png).decode()
    return page.evaluate(
        """async (data) => {
            const img = new Image();
            img.src = "data:image/png;base64," + data;
            await img.decode();
            const c = document.createElement("canvas");
            c.width = img.width; c.height = img.height;
            const g = c.getContext("2d");
            g.drawImage(img, 0, 0);
            const px = g.getImageData(0, 0, c.width, c.height).data;
            const seen = new Set();
            for (let i = 0; i < px.length; i += 28) {
                seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
            }
            return seen.size;
        }""",
        data,
    )


def test_walk_the_course_by_next_and_back_by_previous(site, page):
    page.goto(url(site, "Course/Basics.html"))
    seen = [page.locator("main h1").first.inner_text()]
    while page.locator("a[rel=next]").count():
        page.locator("a[rel=next]").click()
        page.wait_for_load_state()
        seen.append(page.locator("main h1").first.inner_text())
    assert seen == PAGES
    # The table of contents sidebar marks where we are.
    assert page.locator(".toc a[aria-current=page]").inner_text() == "Closing"
    back = [seen[-1]]
    while page.locator("a[rel=prev]").count():
        page.locator("a[rel=prev]").click()
        page.wait_for_load_state()
        back.append(page.locator("main h1").first.inner_text())
    assert back == PAGES[::-1]
    # The note's own Navigation block works too.
    page.get_by_role("link", name="STAR Method").first.click()
    assert page.locator("main h1").first.inner_text() == "STAR Method"


def test_search_finds_a_story_and_opens_it(site, page):
    page.goto(url(site, "index.html"))
    page.fill("#search-input", "rag support")
    first = page.locator("#search-results a").first
    first.wait_for()
    assert "RAG Support Search" in first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert page.url.endswith("Stories/RAG%20Support%20Search.html")
    assert page.locator("main h1").first.inner_text() == "RAG Support Search"


def test_search_from_a_nested_page_uses_relative_links(site, page):
    page.goto(url(site, "Course/Closing.html"))
    page.fill("#search-input", "pricing")
    page.keyboard.press("Enter")
    page.wait_for_url("**/Stories/Pricing%20Rollback.html")
    assert page.locator("main h1").first.inner_text() == "Pricing Rollback"


def test_search_over_an_index_in_parts(tmp_path, page, monkeypatch):
    """A large site's index is in parts (lowered here to three pages): search loads them
    all, from file://."""
    site_build = importlib.import_module("starvault.site.build")
    monkeypatch.setattr(site_build, "SEARCH_PARTS_MIN", 3)
    root = tmp_path / "vault"
    root.mkdir()
    for i in range(12):
        (root / f"Note {i}.md").write_text(f"# Note {i}\n\nWord{i} text.\n", "utf-8")
    out = tmp_path / "site"
    build(load(root), out)
    assert (out / "search-index-00.js").is_file()
    for query, title in (("word3", "Note 3"), ("word11", "Note 11")):
        page.goto(url(out, "index.html"))
        page.fill("#search-input", query)
        first = page.locator("#search-results a").first
        first.wait_for()
        assert first.locator(".r-title").inner_text() == title


def test_open_a_story_from_the_matrix(site, page):
    page.goto(url(site, "dashboards/matrix.html"))
    cell = page.locator("a.cell-link").first
    label = cell.get_attribute("aria-label") or ""
    cell.click()
    page.wait_for_load_state()
    title = page.locator("main h1").first.inner_text()
    assert title in label and title in ("Pricing Rollback", "RAG Support Search")


def test_broken_link_is_visibly_marked(site, page):
    page.goto(url(site, "Broken.html"))
    broken = page.locator(".broken-link")
    assert broken.count() == 1
    assert broken.is_visible()
    assert "Nowhere To Be Found" in (broken.get_attribute("title") or "")
    colour = broken.evaluate("e => getComputedStyle(e).color")
    body = page.evaluate("() => getComputedStyle(document.body).color")
    assert colour != body


def test_hostile_note_opens_no_dialog(site, page):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url(site, "Evil.html"))
    page.wait_for_load_state("load")
    if page.locator("a#evil").count():
        page.locator("a#evil").click()
    page.locator("img").evaluate_all(
        "imgs => imgs.forEach(i => i.dispatchEvent(new Event('error')))"
    )
    page.wait_for_timeout(300)
    assert dialogs == []
    assert "click me" in page.inner_text("main")
    # Control: the listener does see a dialog when a script really opens one.
    page.evaluate("() => setTimeout(() => alert('control'), 0)")
    page.wait_for_timeout(300)
    assert dialogs == ["control"]


@pytest.mark.parametrize(
    "name,rel",
    [
        ("home", "index.html"),
        ("course", "Course/STAR Method.html"),
        ("matrix", "dashboards/matrix.html"),
    ],
)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_are_not_blank(site, browser, tmp_path, name, rel, scheme):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    pg = context.new_page()
    pg.goto(url(site, rel))
    shot = tmp_path / f"{name}-{scheme}.png"
    png = pg.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5_000
    assert distinct_colours(pg, png) > 20
    assert len(pg.inner_text("main").split()) > 10
    context.close()


def test_phone_width_has_no_horizontal_scroll(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = context.new_page()
    for rel in ("index.html", "Course/Basics.html", "Stories/RAG Support Search.html"):
        pg.goto(url(site, rel))
        overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, rel
    context.close()


def test_serve_reloads_the_open_page_after_a_save(browser, tmp_path):
    import signal
    import subprocess

    root = tmp_path / "vault"
    root.mkdir()
    (root / "Live.md").write_text("# Live\n\nfirst words\n", "utf-8")
    proc, base = start_serve(root, tmp_path / "site")
    try:
        assert base
        context = browser.new_context()
        pg = context.new_page()
        pg.goto(base + "Live.html")
        assert "first words" in pg.inner_text("main")
        (root / "Live.md").write_text("# Live\n\nsecond words\n", "utf-8")
        # No reload from the test: the page's own script notices the rebuild.
        pg.wait_for_function(
            "() => document.body.innerText.includes('second words')", timeout=30_000
        )
        context.close()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0


@pytest.mark.skipif(not (SAMPLE / "Table_of_Contents.md").is_file(), reason="no sample vault")
def test_sample_vault_course_walk_and_search(browser, tmp_path):
    out = tmp_path / "sample-site"
    build(load(SAMPLE, use_cache=False), out)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto(url(out, "index.html"))
    assert pg.locator(".checklist li").count() >= 5
    pg.locator("a.button").first.click()  # start the course
    visited = 1
    while pg.locator("a[rel=next]").count():
        pg.locator("a[rel=next]").click()
        pg.wait_for_load_state()
        visited += 1
        assert visited < 50
    assert visited >= 2
    pg.fill("#search-input", "RAG Support")
    pg.locator("#search-results a").first.click()
    pg.wait_for_load_state()
    assert "RAG Support Search" in pg.locator("main h1").first.inner_text()
    assert pg.locator(".broken-link").count() == 0
    context.close()


# -- full-text search, math, phones, the banner (issue 13) ----------------------------------
WIDE_TABLE = "| " + " | ".join(f"column number {i}" for i in range(14)) + " |\n"
WIDE_TABLE += "|" + "---|" * 14 + "\n" + "| " + " | ".join("x" * 12 for _ in range(14)) + " |\n"


def rich_vault() -> dict[str, str]:
    files = browser_vault()
    files["Questions/Disagreement With a Colleague.md"] = (
        "---\ntype: question\nquestion_type: conflict\nprompt: Describe a disagreement\n---\n\n"
        "# Disagreement With a Colleague\n\nTell it neutrally.\n"
    )
    files["Stories/Support Bot.md"] = (
        "# Support Bot\n\nAgents were slow.\n\n## Result\n\nThe CSAT score rose to 85%.\n"
    )
    files["Math.md"] = (
        "# Math\n\nEnergy $E = mc^2$ and a ==highlight== with #growth tag.\n\n"
        "$$\n\\frac{a}{b}\n$$\n\n- [x] done\n- [ ] open\n\n" + WIDE_TABLE
    )
    files["Bad Front Matter.md"] = "---\ntitle: [unclosed\n---\n\n# Bad\n\nText.\n"
    return files


@pytest.fixture(scope="module")
def rich_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rich") / "vault"
    for rel, text in rich_vault().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    out = root.parent / "site"
    result = build(load(root, use_cache=False), out)
    assert any(line.startswith("Bad Front Matter.md:") for line in result.problems)
    return out


def _results(page, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    page.fill("#search-input", query)
    page.locator("#search-results li").first.wait_for()
    return page.locator("#search-results .r-title").all_inner_texts()


def test_search_is_full_text_typo_and_prefix_tolerant(rich_site, page):
    page.goto(url(rich_site, "Course/Closing.html"))  # a nested page, from file://
    assert _results(page, "disagrement")[0] == "Disagreement With a Colleague"  # a typo
    assert _results(page, "CSAT") == ["Support Bot"]  # a word deep in the body
    assert _results(page, "disag")[0] == "Disagreement With a Colleague"  # a prefix
    # Titles rank first: "pricing" is the title of one story and in no other note's title.
    assert _results(page, "pricing")[0] == "Pricing Rollback"
    page.locator("#search-results a").first.click()
    page.wait_for_load_state()
    assert page.locator("main h1").first.inner_text() == "Pricing Rollback"


def test_math_highlights_tasks_and_tags_render(rich_site, page):
    page.goto(url(rich_site, "Math.html"))
    assert page.locator("main math").count() == 2
    assert page.locator('main math[display="block"] mfrac').count() == 1
    # MathML is laid out by the browser: the fraction has height, not a line of TeX.
    box = page.locator('main math[display="block"]').bounding_box()
    assert box is not None and box["height"] > 20
    assert page.locator("main mark").inner_text() == "highlight"
    assert page.locator("main input[type=checkbox]:checked").count() == 1
    tag = page.locator("main a.tag", has_text="#growth")
    tag.click()
    page.wait_for_load_state()
    assert page.url.endswith("tags/growth.html")
    assert "Math" in page.locator("main").inner_text()


def test_phone_width_scrolls_wide_tables_in_their_box(rich_site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = context.new_page()
    for rel in (
        "Math.html",
        "index.html",
        "dashboards/matrix.html",
        "dashboards/stories.html",
        "dashboards/practice.html",
        "Course/Basics.html",
    ):
        pg.goto(url(rich_site, rel))
        overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, rel
        # Every navigation entry is on screen (the bar wraps; nothing hides off to the side).
        for link in pg.locator(".mainnav a").all():
            b = link.bounding_box()
            assert b is not None and b["x"] >= 0 and b["x"] + b["width"] <= 391, rel
    pg.goto(url(rich_site, "Math.html"))
    table = pg.locator("main table")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")  # it scrolls in its box
    context.close()


def test_unreadable_front_matter_shows_a_banner(rich_site, page):
    page.goto(url(rich_site, "Bad Front Matter.html"))
    banner = page.locator(".banner[role=alert]")
    assert banner.is_visible()
    assert "front matter" in banner.inner_text()


def test_course_page_has_an_outline_and_a_local_graph(rich_site, page):
    page.goto(url(rich_site, "Course/STAR Method.html"))
    assert page.locator("aside.outline").is_visible()
    graph = page.locator(".local-graph svg")
    assert graph.is_visible()
    assert graph.locator("a").count() >= 2  # neighbours link to their pages


def test_heat_map_key_reads_in_dark_mode(rich_site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    pg = context.new_page()
    pg.goto(url(rich_site, "dashboards/matrix.html"))
    legend = pg.locator(".heat-legend")
    assert legend.is_visible() and "session" in legend.inner_text()
    colours = pg.evaluate(
        """() => [...document.querySelectorAll('.heat-legend .swatch')]
              .map(s => getComputedStyle(s).backgroundColor)"""
    )
    assert len(set(colours)) == len(colours) >= 2  # each level tells apart
    text = pg.evaluate("() => getComputedStyle(document.querySelector('.heat-legend')).color")
    assert text not in ("rgb(0, 0, 0)", "rgb(31, 35, 40)")  # light text on the dark page
    context.close()
