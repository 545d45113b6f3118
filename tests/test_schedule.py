"""Spaced repetition rebuilt from the practice log: starvault.schedule and ``schedule``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from starvault.config import Thresholds
from starvault.coverage import PracticeInfo, compute
from starvault.schedule import build, rate, schedule
from starvault.vault import load
from test_coverage import story

TODAY = dt.date(2026, 11, 28)


def session(
    date: str,
    story_name: str,
    duration: float = 100,
    scores: tuple[int, ...] = (5, 5, 5),
    red_flags: str = "[]",
) -> str:
    score_lines = "".join(
        f"{k}: {v}\n" for k, v in zip(("structure", "timing", "clarity"), scores, strict=False)
    )
    return (
        f'---\ntype: practice\ndate: {date}\nstory: "[[{story_name}]]"\nquestion: "[[Q1]]"\n'
        f"duration_s: {duration}\nmode: self\n{score_lines}red_flags: {red_flags}\n---\n"
    )


def company(date: str, extra: str = "") -> str:
    return f"---\ntype: company\nname: Acme\ninterview_date: {date}\n{extra}---\n# Acme\n"


def base() -> dict[str, str]:
    return {
        "Stories/Good.md": story("Good", ["leadership", "conflict"]),
        "Stories/Bad.md": story("Bad", ["failure", "ambiguity"]),
        "Questions/Q1.md": "---\ntype: question\nquestion_type: conflict\nprompt: Why?\n---\n",
    }


def load_vault(root: Path):
    return load(root, use_cache=False)


def items(root: Path, today: dt.date = TODAY) -> dict[str, object]:
    return {i.title: i for i in schedule(load_vault(root), today).items}


def test_practised_well_recently_is_due_later_than_badly_long_ago(make_vault) -> None:
    files = base()
    files["Practice/g1.md"] = session("2026-11-20", "Good")
    files["Practice/g2.md"] = session("2026-11-26", "Good")
    # Over the three-minute limit with a red flag ticked, six weeks ago.
    files["Practice/b1.md"] = session(
        "2026-10-15", "Bad", duration=200, scores=(2, 2, 3), red_flags="[no-numbers]"
    )
    s = schedule(load_vault(make_vault(files)), TODAY)
    good, bad = s.item("Stories/Good.md"), s.item("Stories/Bad.md")
    assert good is not None and bad is not None
    assert good.due > TODAY >= bad.due
    assert good.recall > bad.recall
    assert [r.rating for r in bad.reviews] == [1] and [r.rating for r in good.reviews] == [4, 4]
    assert [i.story for i in s.due] == ["Stories/Bad.md"]
    assert s.items[0].story == "Stories/Bad.md"  # most due first


def test_each_worse_session_brings_the_story_back_sooner(make_vault) -> None:
    """The same history but for the last session: easy, good, hard, again."""
    last = {
        "easy": session("2026-11-26", "Good"),
        "good": session("2026-11-26", "Good", scores=(4, 4, 4)),
        "hard": session("2026-11-26", "Good", duration=130, scores=(4, 4, 4)),
        "again": session("2026-11-26", "Good", scores=(4, 4, 4), red_flags="[blaming-others]"),
    }
    dues = []
    for name, text in last.items():
        files = {**base(), "Practice/a.md": session("2026-11-12", "Good"), "Practice/b.md": text}
        item = items(make_vault(files, name=name))["Good"]
        assert item.reviews[-1].rating == 4 - len(dues)
        dues.append(item.due)
    assert dues == sorted(dues, reverse=True) and len(set(dues)) == 4
    hard = items(make_vault({**base(), "Practice/b.md": last["hard"]}, name="h1"))["Good"]
    assert hard.reviews[-1].why == "2 min 10 s, over the 2 min target"


def test_a_story_never_practised_is_due_today(make_vault) -> None:
    s = schedule(load_vault(make_vault(base())), TODAY)
    assert [(i.due, i.recall, i.sessions, i.last) for i in s.items] == [(TODAY, 0.0, 0, None)] * 2
    assert {i.story for i in s.due} == {"Stories/Good.md", "Stories/Bad.md"}


def test_nothing_is_due_after_the_interview(make_vault) -> None:
    files = base()
    for day in (1, 8, 15, 22, 27):
        files[f"Practice/g{day}.md"] = session(f"2026-11-{day:02d}", "Good")
        files[f"Practice/b{day}.md"] = session(f"2026-11-{day:02d}", "Bad", scores=(4, 4, 4))
    free = items(make_vault(files, name="free"))
    assert max(i.due for i in free.values()) > dt.date(2026, 12, 3)  # the cap below matters
    files["Companies/Acme.md"] = company("2026-12-03")
    root = make_vault(files, name="capped")
    s = schedule(load_vault(root), TODAY)
    assert s.interview_date == dt.date(2026, 12, 3)
    assert all(i.due <= dt.date(2026, 12, 2) for i in s.items)  # the eve at the latest
    assert all(r.due <= dt.date(2026, 12, 3) for i in s.items for r in i.reviews)
    # Within the short window the retention rises, as configured.
    assert s.retention == Thresholds().review_retention_short
    far = make_vault({**files, "Companies/Acme.md": company("2027-06-01")}, name="far")
    assert schedule(load_vault(far), TODAY).retention == Thresholds().review_retention


def test_a_past_interview_caps_nothing(make_vault) -> None:
    files = base()
    files["Practice/g1.md"] = session("2026-11-20", "Good")
    files["Practice/g2.md"] = session("2026-11-26", "Good")
    files["Companies/Acme.md"] = company("2026-11-27")
    s = schedule(load_vault(make_vault(files)), TODAY)
    assert s.interview_date is None
    good = s.item("Stories/Good.md")
    assert good is not None and good.due > dt.date(2026, 12, 1)


def test_retention_and_intervals_come_from_the_config(make_vault) -> None:
    files = base()
    files["Practice/g1.md"] = session("2026-11-01", "Good", scores=(4, 4, 4))
    files["Practice/g2.md"] = session("2026-11-10", "Good", scores=(4, 4, 4))
    default = items(make_vault(files, name="default"))["Good"]
    files["starvault.toml"] = "[thresholds]\nreview_max_interval_days = 3\n"
    short = items(make_vault(files, name="short"))["Good"]
    assert short.due == dt.date(2026, 11, 13) < default.due
    files["starvault.toml"] = "[thresholds]\nreview_retention = 0.97\n"
    strict = items(make_vault(files, name="strict"))["Good"]
    assert dt.date(2026, 11, 10) < strict.due < default.due
    files["starvault.toml"] = "[thresholds]\nreview_retention = 1.5\n"
    from starvault.config import ConfigError

    with pytest.raises(ConfigError, match="review_retention"):
        load_vault(make_vault(files, name="bad"))


def test_replay_is_deterministic_and_ignores_the_future(make_vault) -> None:
    files = base()
    for day in (3, 9, 9, 17, 24):
        files[f"Practice/g{day}-{len(files)}.md"] = session(
            f"2026-11-{day:02d}", "Good", scores=(3 + day % 3, 4, 5)
        )
    root = make_vault(files)
    first = schedule(load_vault(root), TODAY).to_dict()
    assert schedule(load_vault(root), TODAY).to_dict() == first
    # A session dated after today is not replayed (yet).
    (root / "Practice/later.md").write_text(session("2026-12-20", "Good", red_flags="[no-numbers]"))
    assert schedule(load_vault(root), TODAY).to_dict() == first
    later = schedule(load_vault(root), dt.date(2026, 12, 21)).item("Stories/Good.md")
    assert later is not None and later.reviews[-1].rating == 1


def _info(**kw) -> PracticeInfo:
    values = dict(path="p.md", date=TODAY, story="s.md", question=None, duration_s=100.0)
    values.update(mode="self", scores={"structure": 4}, red_flags=[], average=4.0)
    values.update(kw)
    return PracticeInfo(**values)  # type: ignore[arg-type]


def test_ratings_follow_the_configured_bar() -> None:
    t = Thresholds()
    assert rate(_info(), t)[0] == 3
    assert rate(_info(average=4.6), t)[0] == 4
    assert rate(_info(average=4.6, duration_s=130.0), t)[0] == 2
    assert rate(_info(average=3.5), t)[0] == 2
    assert rate(_info(average=2.5), t)[0] == 1
    assert rate(_info(red_flags=["no-numbers"]), t) == (1, "red flag ticked: no-numbers")
    assert rate(_info(duration_s=190.0), t)[0] == 1
    assert rate(_info(average=None, scores={}), t) == (2, "no self-scores")
    # Thresholds from the config, not fixed numbers.
    strict = Thresholds(short_version_warn_s=90, review_easy_from=5.0, review_again_below=4.0)
    assert rate(_info(), strict)[0] == 2
    assert rate(_info(average=4.6, duration_s=80.0), strict)[0] == 3
    assert rate(_info(average=3.9, duration_s=80.0), strict)[0] == 1


def test_schedule_json(make_vault, run_cli, monkeypatch) -> None:
    files = base()
    files["Practice/g1.md"] = session("2026-11-26", "Good")
    files["Companies/Acme.md"] = company("2026-12-10")
    root = make_vault(files)
    monkeypatch.setenv("STARVAULT_TODAY", "2026-11-28")
    result = run_cli("schedule", str(root), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["version", "today", "interview_date", "items"]
    assert data["version"] == 1 and data["today"] == "2026-11-28"
    assert data["interview_date"] == "2026-12-10"
    assert [i["story"] for i in data["items"]] == ["Stories/Bad.md", "Stories/Good.md"]
    bad, good = data["items"]
    assert bad == {"story": "Stories/Bad.md", "due": "2026-11-28", "recall": 0.0,
                   "sessions": 0, "last": None}  # fmt: skip
    assert list(good) == ["story", "due", "recall", "sessions", "last"]
    assert good["sessions"] == 1 and good["last"] == "2026-11-26"
    assert 0 < good["recall"] <= 1 and good["due"] > "2026-11-28"
    text = run_cli("schedule", str(root))
    assert "Due today: Bad" in text.output and "Acme interview on 2026-12-10" in text.output


def test_coverage_shows_due_today(make_vault, run_cli, monkeypatch) -> None:
    files = base()
    files["Practice/g1.md"] = session("2026-11-26", "Good")
    root = make_vault(files)
    monkeypatch.setenv("STARVAULT_TODAY", "2026-11-28")
    assert compute(load_vault(root)).due_today == ["Stories/Bad.md"]
    data = json.loads(run_cli("coverage", str(root), "--format", "json").output)
    assert data["due_today"] == ["Stories/Bad.md"]
    assert "Due today: Bad" in run_cli("coverage", str(root)).output


def test_schedule_of_an_empty_vault(make_vault, run_cli) -> None:
    root = make_vault({"Note.md": "# Just a note\n"})
    result = run_cli("schedule", str(root), "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output)["items"] == []
    assert "no stories yet" in run_cli("schedule", str(root)).output


def test_build_takes_today_explicitly(make_vault) -> None:
    files = base()
    files["Practice/g1.md"] = session("2026-11-20", "Good")
    vault = load_vault(make_vault(files))
    cov = compute(vault)
    one, two = build(vault, cov, TODAY), build(vault, cov, dt.date(2027, 3, 1))
    assert one.today == TODAY and two.today == dt.date(2027, 3, 1)
    good1, good2 = one.item("Stories/Good.md"), two.item("Stories/Good.md")
    assert good1 is not None and good2 is not None
    assert good1.due == good2.due and good2.recall < good1.recall
