"""Progress you can see: practice picks what is due, STAR laps, the story pages' practice
history, the company loop pages and where the answer time goes."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pexpect
import pytest

from conftest import REPO
from starvault.authoring import lap_times, parse_laps, situation_share
from starvault.rules import check
from starvault.scan import parse_text
from starvault.site.build import build
from starvault.vault import load
from test_coverage import story

STARVAULT = str(REPO / ".venv" / "bin" / "starvault")
TODAY = "2026-11-28"


def session(date: str, name: str, duration: float = 100, scores=(5, 5, 5), extra: str = "") -> str:
    lines = "".join(
        f"{k}: {v}\n" for k, v in zip(("structure", "timing", "clarity"), scores, strict=False)
    )
    return (
        f'---\ntype: practice\ndate: {date}\nstory: "[[{name}]]"\nquestion: "[[Lead]]"\n'
        f"duration_s: {duration}\nmode: self\n{lines}{extra}---\n"
    )


def question(name: str, key: str) -> str:
    return f"---\ntype: question\nquestion_type: {key}\nprompt: {name} prompt?\n---\n"


def files() -> dict[str, str]:
    return {
        "Stories/Fresh.md": story("Fresh", ["leadership", "conflict"]),
        "Stories/Rusty.md": story("Rusty", ["failure", "ambiguity"], failure=True),
        "Questions/Lead.md": question("Lead", "leadership"),
        "Questions/Fail.md": question("Fail", "failure"),
        # Fresh: practised well two days ago; Rusty: badly, weeks ago.
        "Practice/f1.md": session("2026-11-20", "Fresh"),
        "Practice/f2.md": session("2026-11-26", "Fresh"),
        "Practice/r1.md": session(
            "2026-10-10",
            "Rusty",
            duration=200,
            scores=(2, 3, 2),
            extra="laps: {situation: 90, task: 20, action: 60, result: 30}\n",
        ),
        "Companies/Acme.md": (
            "---\ntype: company\nname: Acme\nrole: Staff engineer\ninterview_date: 2026-12-08\n"
            "rounds:\n  - name: Hiring manager\n    focus: [leadership]\n"
            "  - name: Safety\n    focus: [failure]\n  - name: Bar raiser\n    focus: [conflict]\n"
            "---\n# Acme\n"
        ),
    }


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("STARVAULT_TODAY", TODAY)
    return TODAY


# ---------------------------------------------------------------------------------------
# Practice picks from what is due


def test_practice_starts_with_the_weakest_due_story(make_vault, run_cli, today) -> None:
    root = make_vault(files())
    for seed in ("1", "2", "3"):
        # Without a terminal; the input ends after the story choice (nothing is written).
        result = run_cli("practice", str(root), "--seed", seed, input="\n")
        out = result.output
        assert '"Fail prompt?"' in out, out  # a question the due story answers
        assert re.search(r"1\. Rusty  \(practised once, 0 at the bar; due today\)", out), out


def test_practice_lists_stories_by_next_due(make_vault, run_cli, today) -> None:
    f = files()
    f["Practice/r2.md"] = session("2026-11-27", "Rusty")  # nothing is due now
    f["Questions/Both.md"] = question("Both", "leadership").replace(
        "---\n", '---\nstories: ["[[Rusty]]"]\n', 1
    )
    root = make_vault(f)
    result = run_cli("practice", str(root), "--question", "Both", input="\n")
    listed = re.findall(r"\d\. (\w+)  \(practised [^;]*; due ([\d-]+)\)", result.output)
    assert len(listed) == 2, result.output
    assert [d for _, d in listed] == sorted(d for _, d in listed)
    assert all(d > TODAY for _, d in listed)


# ---------------------------------------------------------------------------------------
# Laps


def test_lap_times() -> None:
    assert lap_times([], 100) == {}
    # t, a, r pressed: the Situation runs from the start.
    assert lap_times([("task", 30), ("action", 40), ("result", 90)], 100) == {
        "situation": 30, "task": 10, "action": 50, "result": 10,
    }  # fmt: skip
    # A key pressed twice keeps its last mark; an s mark starts the Situation late.
    assert lap_times([("situation", 5), ("task", 20), ("task", 25), ("action", 60)], 70.5) == {
        "situation": 20, "task": 35, "action": 10.5,
    }  # fmt: skip
    assert situation_share({"situation": 40, "task": 10, "action": 30, "result": 20}) == 0.4
    assert situation_share({}) is None
    assert parse_laps(["Situation=25", "task=12.5"]) == {"situation": 25, "task": 12.5}


@pytest.mark.parametrize(
    ("lap", "message"),
    [("intro=5", "PART one of situation"), ("task=x", "a number"), ("task=-3", "0-3600")],
)
def test_bad_lap_is_a_usage_error(make_vault, run_cli, lap, message) -> None:
    root = make_vault(files())
    result = run_cli(
        "practice", str(root), "--question", "Lead", "--story", "Fresh",
        "--duration", "90", "--lap", lap,
    )  # fmt: skip
    assert result.exit_code == 2 and message in result.output


def test_scripted_laps_are_recorded(make_vault, run_cli, today) -> None:
    root = make_vault(files())
    result = run_cli(
        "practice", str(root), "--question", "Lead", "--story", "Fresh", "--duration", "95",
        "--lap", "situation=20", "--lap", "task=10", "--lap", "action=45", "--lap", "result=20",
        "--score", "structure=4",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rel = f"Practice/{TODAY} Fresh (self).md"
    text = (root / rel).read_text(encoding="utf-8")
    assert parse_text(rel, text).meta["laps"] == {
        "situation": 20, "task": 10, "action": 45, "result": 20,
    }  # fmt: skip
    assert "Laps: Situation 20 s, Task 10 s, Action 45 s, Result 20 s." in text
    assert check(load(root, use_cache=False), select=["FM"]).diagnostics == []


def test_laps_in_a_pseudo_terminal(make_vault, today) -> None:
    root = make_vault(files())
    child = pexpect.spawn(
        STARVAULT,
        ["practice", str(root), "--question", "Lead", "--story", "Fresh"],
        encoding="utf-8",
        timeout=20,
        env={**os.environ, "TERM": "xterm"},
        dimensions=(40, 120),
    )
    child.expect("press t, a, r as you reach Task, Action, Result")
    child.sendline("")
    child.expect("00:00")
    child.expect("Situation")
    time.sleep(2.2)
    for key, label in (("t", "Task"), ("a", "Action"), ("r", "Result")):
        child.send(key)  # one key, no Enter
        child.expect(label)
        time.sleep(0.3)
    child.send("\r")
    child.expect(r"Answer time: \d+ s\r\n")
    child.expect(r"Laps: Situation (\d+) s, Task \d+ s, Action \d+ s, Result \d+ s")
    warned = child.expect([r"The Situation took \d+% of the answer", r"Alone or with a partner \("])
    if warned == 0:
        child.expect(r"Alone or with a partner \(")
    child.sendline("self")
    for _ in range(6):
        child.expect(r"\(1-5\): ")
        child.sendline("4")
    for _ in range(5):
        child.expect(r"\? \[y/N\]: ")
        child.sendline("n")
    child.expect(r"Notes \(optional\): ")
    child.sendline("")
    child.expect(r"Logged (.+\.md)\r\n")
    written = Path(child.match.group(1))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    meta = parse_text("p.md", written.read_text(encoding="utf-8")).meta
    laps = meta["laps"]
    assert list(laps) == ["situation", "task", "action", "result"]
    assert laps["situation"] >= 2
    assert abs(sum(laps.values()) - meta["duration_s"]) < 0.5
    # The warning appears exactly when the recorded Situation is over a third.
    assert (warned == 0) == (laps["situation"] / sum(laps.values()) > 0.33)
    assert check(load(root, use_cache=False), select=["FM"]).diagnostics == []


# ---------------------------------------------------------------------------------------
# The site


def built(root: Path) -> Path:
    out = root.parent / "site"
    build(load(root, use_cache=False), out, jobs=1)
    return out


def test_story_page_shows_its_practice_history(make_vault, today) -> None:
    site = built(make_vault(files()))
    rusty = (site / "Stories/Rusty.html").read_text(encoding="utf-8")
    history = rusty.split('<section class="practice-history"', 1)[1].split("</section>", 1)[0]
    assert "1 <span" in history and "(0 meet the bar)" in history
    assert "today" in history  # next due
    assert "3:20" in history and "/ 2:00" in history  # duration against the target
    assert "again" in history  # the rating it got
    assert history.count('<circle class="point missed"') == 1  # the score trend
    assert "1:00 to say" in history  # 150 words at 150 per minute
    fresh = (site / "Stories/Fresh.html").read_text(encoding="utf-8")
    assert fresh.count('<circle class="point counted"') == 2
    assert re.search(r"Next due</dt><dd class=\"\">2026-12-\d\d", fresh)


def test_company_page_has_the_plan_and_days_left(make_vault, today) -> None:
    site = built(make_vault(files()))
    html = (site / "dashboards/company-acme.html").read_text(encoding="utf-8")
    assert "10 days left" in html and "2026-12-08" in html
    rows = re.findall(r'<tr class="(gap)?"><th scope="row">([^<]+)</th>', html)
    assert [name for _, name in rows] == ["Hiring manager", "Safety", "Bar raiser"]
    assert [bool(gap) for gap, _ in rows] == [False, False, True]  # two stories, three rounds
    assert "Gaps: Bar raiser." in html and "due today" in html  # Rusty is due
    loops = (site / "dashboards/loops.html").read_text(encoding="utf-8")
    assert 'href="company-acme.html"' in loops and "1 without a story" in loops
    home = (site / "index.html").read_text(encoding="utf-8")
    due = home.split('id="due-title"', 1)[1].split("</section>", 1)[0]
    assert "Rusty" in due and "Fresh" not in due
    assert 'href="dashboards/loops.html"' in home  # in the navigation


def test_practice_dashboard_shows_where_the_time_goes(make_vault, today) -> None:
    site = built(make_vault(files()))
    html = (site / "dashboards/practice.html").read_text(encoding="utf-8")
    laps = html.split('id="laps-title"', 1)[1]
    assert "1 of 1 timed answers spent more than 33%" in laps
    assert 'class="long-situation"' in laps and "45%" in laps  # 90 of 200 s
    assert 'style="width: 45.0%"' in laps


def test_a_changed_practice_note_rebuilds_its_story_page(make_vault, today) -> None:
    root = make_vault(files())
    out = root.parent / "site"
    build(load(root, use_cache=False), out, jobs=1)
    again = build(load(root, use_cache=False), out, jobs=1)
    assert again.rendered == []
    note = root / "Practice/f2.md"
    note.write_text(session("2026-11-26", "Fresh", scores=(1, 1, 1)), encoding="utf-8")
    result = build(load(root, use_cache=False), out, jobs=1)
    assert "Stories/Fresh.md" in result.rendered and "Stories/Rusty.md" not in result.rendered
    assert "rating-again" in (out / "Stories/Fresh.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------
# In the browser

from test_browser import browser, page  # noqa: E402, F401  (the shared Playwright fixtures)


@pytest.mark.browser
def test_story_history_in_the_browser(make_vault, today, page) -> None:  # noqa: F811
    site = built(make_vault(files()))
    page.goto((site / "dashboards/company-acme.html").as_uri())
    assert page.locator(".days-left").first.inner_text() == "10 days left"
    page.get_by_role("link", name="Rusty").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("Stories/Rusty.html")
    history = page.locator("section.practice-history")
    history.scroll_into_view_if_needed()
    assert history.is_visible()
    assert page.locator("svg.score-chart circle").count() == 1
    assert page.locator("svg.score-chart").bounding_box()["width"] > 100
    assert "today" in history.locator(".history-facts").inner_text()
    history.get_by_role("link", name="2026-10-10").click()
    page.wait_for_load_state()
    assert page.url.endswith("Practice/r1.html")
