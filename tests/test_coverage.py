"""The coverage model, CV001-CV008 and ``starvault coverage``."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from starvault.coverage import CHECKLIST, compute
from starvault.rules import check
from starvault.vault import load

SAMPLE_VAULT = Path(__file__).resolve().parents[1] / "vault"

TYPES = ["leadership", "conflict", "failure", "ambiguity", "cross-functional"]


SIGNALS = ["org-impact", "ambiguity", "technical-leadership", "cross-functional"]

STORY_BODY = """
## Situation

Support agents at a 40-person SaaS company spent 9 minutes per ticket searching fifty
scattered documents; three teams owned parts of the knowledge base.

## Task

I owned the search project end to end and had to get three teams to agree on one plan.

## Action

I interviewed twelve agents, wrote the evaluation set myself and proposed a narrow MVP.
I ran a design review with the three team leads and I set the launch criteria.

## Result

Search time fell by 60% and CSAT rose from 72% to 85% within two months.

## Learnings

I now start with a narrow evaluation set before choosing a model.
"""

APPLIED = """
## Applied

On the next project I built the evaluation set in week one; it cut review time by half.
"""

FOLLOW_UPS = """
## Follow-ups

### What would you do differently?

I would involve the support leads in week one.

### How did you measure success?

Search time per ticket and CSAT, before and after.

### What was the hardest part?

Getting three teams to share one evaluation set.
"""


def story(
    title: str,
    types: list[str],
    failure: bool = False,
    principles=(),
    signals=SIGNALS,
    short_words: int = 150,
) -> str:
    """A story with every part written: ready (no error-level ST or FM finding)."""
    links = ", ".join(f'"[[{p}]]"' for p in principles)
    return (
        f"---\ntype: story\ntitle: {title}\nproject: Support search\nrole: Tech lead\n"
        f"impact: Search time -60%\nquestion_types: [{', '.join(types)}]\n"
        f"principles: [{links}]\nfailure: {str(failure).lower()}\nscope: multi-team\n"
        f"signals: [{', '.join(signals)}]\n---\n\n# {title}\n"
        + STORY_BODY
        + (APPLIED if failure else "")
        + "\n## Short version\n\nI "
        + " ".join(["word"] * (short_words - 1))
        + "\n"
        + FOLLOW_UPS
    )


def template_story(title: str) -> str:
    """What 'starvault new story' writes: the sections, nothing in them."""
    return (
        f'---\ntype: story\ntitle: {title}\nproject: ""\nrole: ""\nimpact: ""\n'
        "question_types: [leadership, conflict]\nfailure: false\n---\n\n"
        f"# {title}\n\n## Situation\n\n%% The context. %%\n\n## Task\n\n## Action\n\n"
        "## Result\n\n## Learnings\n\n## Short version\n\n## Follow-ups\n"
    )


def practice(
    day: int,
    story_name: str,
    mode: str = "self",
    duration: float = 110,
    scores: tuple[int, ...] = (4, 5),
    red_flags: str = "[]",
    month: int = 11,
) -> str:
    score_lines = "".join(
        f"{k}: {v}\n" for k, v in zip(("structure", "timing", "clarity"), scores, strict=False)
    )
    return (
        f'---\ntype: practice\ndate: 2026-{month:02d}-{day:02d}\nstory: "[[{story_name}]]"\n'
        f'question: "[[Q1]]"\nduration_s: {duration}\nmode: {mode}\n{score_lines}'
        f"red_flags: {red_flags}\n---\n"
    )


def ready_vault(n_stories: int = 5, failures: int = 2, practised: int = 3) -> dict[str, str]:
    """A prep vault that passes every CV rule and checklist item (with the defaults)."""
    files: dict[str, str] = {}
    for key in TYPES:
        files[f"Types/{key}.md"] = f"---\ntype: question-type\nkey: {key}\ntitle: {key}\n---\n"
    for i in range(n_stories):
        types = [TYPES[i % 5], TYPES[(i + 1) % 5]]
        name = f"Story {i}"
        files[f"Stories/{name}.md"] = story(name, types, i < failures, principles=["Ownership"])
        for k in range(practised):
            files[f"Practice/{name} {k}.md"] = practice(1 + k + i, name)
    files["Principles/Ownership.md"] = "---\ntype: principle\ntitle: Ownership\n---\n"
    for cat in ("team", "culture", "growth"):
        files[f"Asks/{cat}.md"] = (
            f"---\ntype: ask\ncategory: {cat}\ntitle: How does {cat} work?\n---\n"
        )
    files["Questions/Q1.md"] = (
        "---\ntype: question\nquestion_type: conflict\nprompt: Describe a disagreement\n"
        'stories: ["[[Story 0]]"]\n---\n'
    )
    files["Companies/Acme.md"] = company()
    return files


RESEARCH = (
    "Acme builds an assistant platform for support teams, about 400 people, moving "
    "customers from fine-tuned models to retrieval over their own knowledge bases."
)


IN_30_DAYS = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()


def company(
    date: str = IN_30_DAYS, company: str = RESEARCH, team: str = RESEARCH, extra: str = ""
) -> str:
    return (
        f"---\ntype: company\nname: Acme\nrole: Staff\ninterview_date: {date}\n{extra}---\n"
        f"# Acme\n\n## The company\n\n{company}\n\n## The team\n\n{team}\n"
    )


def run(root: Path, code: str = "CV") -> list[tuple[str, str, int, str]]:
    report = check(load(root, use_cache=False), select=[code])
    return [(d.rule, d.path, d.line, d.severity) for d in report.diagnostics]


def cov(root: Path):
    return compute(load(root, use_cache=False))


def test_ready_vault_has_no_cv_findings_and_passes_checklist(make_vault):
    root = make_vault(ready_vault())
    assert run(root) == []
    c = cov(root)
    assert [i.item for i in c.checklist] == list(CHECKLIST)
    assert all(i.passed for i in c.checklist), c.checklist
    assert c.next_action == (
        "Everything on the checklist is done: run a mock interview with a partner. "
        f"30 days left until the Acme interview on {IN_30_DAYS}."
    )


def test_model_contents(make_vault):
    root = make_vault(ready_vault())
    c = cov(root)
    s0 = c.story("Stories/Story 0.md")
    assert s0 is not None
    assert s0.question_types == ["leadership", "conflict"]
    assert s0.principles == ["Principles/Ownership.md"]
    assert s0.failure is True
    assert s0.speaking_seconds == 60.0  # 150 words at 150 a minute
    assert s0.practice_count == 3
    assert s0.last_practice == datetime.date(2026, 11, 3)
    assert s0.learnings == "I now start with a narrow evaluation set before choosing a model."
    assert s0.ready and s0.not_ready == [] and s0.sessions_counted == 3
    assert s0.signals == SIGNALS
    assert c.matrix["Stories/Story 0.md"] == {
        "leadership": True,
        "conflict": True,
        "failure": False,
        "ambiguity": False,
        "cross-functional": False,
    }
    assert [qt.key for qt in c.question_types] == TYPES
    assert c.failure_stories == ["Stories/Story 0.md", "Stories/Story 1.md"]
    assert list(c.asks) == ["team", "culture", "growth"]
    assert c.principles[0].stories == [f"Stories/Story {i}.md" for i in range(5)]
    assert c.questions[0].stories == ["Stories/Story 0.md"]
    dates = [p.date for p in c.practice]
    assert dates == sorted(dates, reverse=True)
    assert c.practice[0].scores == {"structure": 4, "timing": 5}
    assert c.practice[0].question == "Questions/Q1.md"


def test_to_dict_is_json_with_the_same_content(make_vault):
    c = cov(make_vault(ready_vault()))
    data = json.loads(json.dumps(c.to_dict()))
    assert data["stories"][0]["last_practice"] == c.stories[0].last_practice.isoformat()
    assert data["matrix"] == c.matrix
    assert set(data) >= {
        "stories",
        "question_types",
        "matrix",
        "principles",
        "failure_stories",
        "asks",
        "questions",
        "practice",
        "checklist",
        "next_action",
    }
    assert len(data["checklist"]) == 7


def test_asks_always_have_the_three_categories(make_vault):
    c = cov(make_vault({"S.md": story("S", ["conflict"])}))
    assert {k: v for k, v in c.asks.items()} == {"team": [], "culture": [], "growth": []}


def test_default_question_types_without_notes(make_vault):
    c = cov(make_vault({"S.md": story("S", ["conflict"])}))
    assert [qt.key for qt in c.question_types] == TYPES
    assert all(qt.path is None for qt in c.question_types)


# -- CV001 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "found"),
    [(3, [("CV001", "error")]), (5, []), (7, []), (8, [("CV009", "warning")])],
)
def test_cv001_too_few_cv009_too_many(make_vault, n, found):
    got = [d for d in run(make_vault(ready_vault(n_stories=n))) if d[0] in ("CV001", "CV009")]
    assert got == [(code, ".", 1, severity) for code, severity in found]


def test_cv_rules_skip_vaults_without_prep_notes(make_vault):
    assert run(make_vault({"Notes.md": "# Notes\n"})) == []


# -- CV002 / CV003 ---------------------------------------------------------------------


def test_cv002_story_breadth_at_the_story(make_vault):
    files = ready_vault()
    files["Stories/Story 4.md"] = story("Story 4", ["ambiguity"])
    got = [d for d in run(make_vault(files)) if d[0] == "CV002"]
    assert got == [("CV002", "Stories/Story 4.md", 7, "warning")]  # the question_types line


def test_cv003_uncovered_type_at_its_note(make_vault):
    files = ready_vault()
    files["Types/ethics.md"] = "---\ntype: question-type\nkey: ethics\ntitle: Ethics\n---\n"
    root = make_vault(files)
    assert [d for d in run(root) if d[0] == "CV003"] == [("CV003", "Types/ethics.md", 3, "error")]
    assert cov(root).next_action.startswith(
        "No story covers ethics: add one, or tag a story that fits. 30 days left"
    )


def test_cv003_configured_type_without_note_at_vault(make_vault):
    files = ready_vault()
    files["starvault.toml"] = 'question_types = ["ethics"]\n'
    assert [d for d in run(make_vault(files)) if d[0] == "CV003"] == [("CV003", ".", 1, "error")]


# -- CV004 -----------------------------------------------------------------------------


@pytest.mark.parametrize(("failures", "severity"), [(0, "error"), (1, "warning"), (2, None)])
def test_cv004_failure_stories(make_vault, failures, severity):
    got = [d for d in run(make_vault(ready_vault(failures=failures))) if d[0] == "CV004"]
    assert got == ([("CV004", ".", 1, severity)] if severity else [])


# -- CV005 -----------------------------------------------------------------------------


def test_cv005_too_few_and_missing_category(make_vault):
    files = ready_vault()
    del files["Asks/growth.md"]
    got = [d for d in run(make_vault(files)) if d[0] == "CV005"]
    assert got == [("CV005", ".", 1, "error"), ("CV005", ".", 1, "warning")]


def test_cv005_topic_to_avoid_at_the_ask(make_vault):
    files = ready_vault()
    files["Asks/pay.md"] = (
        "---\ntype: ask\ncategory: growth\ntitle: What is the Salary range?\n---\n"
    )
    files["Asks/ok.md"] = "---\ntype: ask\ncategory: team\ntitle: Is it salaryless?\n---\n"
    root = make_vault(files)
    assert [d for d in run(root) if d[0] == "CV005"] == [("CV005", "Asks/pay.md", 4, "warning")]


def test_cv005_configured_avoid_topics(make_vault):
    files = ready_vault()
    files["starvault.toml"] = 'avoid_topics = ["culture"]\n'
    got = [d for d in run(make_vault(files)) if d[0] == "CV005"]
    assert got == [("CV005", "Asks/culture.md", 4, "warning")]


# -- CV006 / CV007 / CV008 -------------------------------------------------------------


def test_cv006_uncovered_principle(make_vault):
    files = ready_vault()
    files["Principles/Deliver Results.md"] = "---\ntype: principle\ntitle: Deliver Results\n---\n"
    got = [d for d in run(make_vault(files)) if d[0] == "CV006"]
    assert got == [("CV006", "Principles/Deliver Results.md", 1, "warning")]


def test_cv007_under_practised(make_vault):
    files = ready_vault()
    del files["Practice/Story 2 0.md"]
    root = make_vault(files)
    assert [d for d in run(root) if d[0] == "CV007"] == [
        ("CV007", "Stories/Story 2.md", 1, "warning")
    ]
    assert cov(root).next_action.startswith(
        "Practise 'Story 2' out loud: 2 of 3 sessions meet the bar (within 2 min, no red "
        "flag, average score 4+); run starvault practice. 30 days left"
    )


def test_cv008_unanswered_question(make_vault):
    files = ready_vault()
    files["Questions/Q2.md"] = "---\ntype: question\nquestion_type: failure\nstories: []\n---\n"
    got = [d for d in run(make_vault(files)) if d[0] == "CV008"]
    assert got == [("CV008", "Questions/Q2.md", 4, "warning")]


def test_broken_links_in_fields_do_not_count(make_vault):
    files = ready_vault()
    files["Questions/Q1.md"] = files["Questions/Q1.md"].replace("[[Story 0]]", "[[Nope]]")
    assert [d for d in run(make_vault(files)) if d[0] == "CV008"] == [
        ("CV008", "Questions/Q1.md", 5, "warning")
    ]


# -- checklist and next action ---------------------------------------------------------


def test_checklist_explains_failures(make_vault):
    c = cov(make_vault({"S.md": story("S", ["conflict"])}))
    by_item = {i.item: i for i in c.checklist}
    first = by_item["Five to seven prepared stories with variations"]
    assert not first.passed and first.why == "1 ready story (5-7 wanted)"
    assert not by_item["Research on the company and team"].passed
    assert c.next_action == "No story covers leadership: add one, or tag a story that fits."


def test_next_action_for_an_empty_prep_vault(make_vault):
    c = cov(make_vault({"P.md": "---\ntype: principle\n---\n"}))
    assert c.next_action == "Write your first STAR story: starvault new story 'Title'."


# -- CLI -------------------------------------------------------------------------------


def test_cli_text(make_vault, run_cli):
    files = ready_vault()
    del files["Practice/Story 2 0.md"]
    result = run_cli("coverage", str(make_vault(files)))
    assert result.exit_code == 0
    out = result.output
    assert "leadership  conflict  failure  ambiguity  cross-functional" in out
    assert "stories per type" in out
    assert (
        "[FAIL] Practiced out loud at least three times: fewer than 3 sessions that meet the "
        "bar (within 2 min, no red flag, average score 4+): 'Story 2' 2 of 3" in out
    )
    assert "[pass] Five to seven prepared stories with variations: 5 ready stories" in out
    assert "Ownership: Story 0, Story 1" in out
    assert "Next: Practise 'Story 2' out loud" in out


def test_cli_json_matches_model(make_vault, run_cli):
    root = make_vault(ready_vault())
    result = run_cli("coverage", str(root), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    expected = cov(root).to_dict()
    assert {k: data[k] for k in expected} == expected


def test_cli_no_vault(run_cli, tmp_path):
    result = run_cli("coverage", str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.skipif(not (SAMPLE_VAULT / "Stories").is_dir(), reason="no sample vault")
def test_sample_vault_is_clean_for_nv_st_cv():
    report = check(load(SAMPLE_VAULT, use_cache=False), select=["NV", "ST", "CV"])
    assert [(d.rule, d.path, d.message) for d in report.diagnostics] == []


# -- readiness counts only what is ready -----------------------------------------------


def by_item(c) -> dict[str, object]:
    return {i.item: i for i in c.checklist}


def test_empty_templates_and_one_minute_sessions_are_not_ready(make_vault):
    """The issue's case: six template stories, eighteen one-minute sessions, "7 of 7"."""
    files = {k: v for k, v in ready_vault().items() if not k.startswith(("Stories/", "Practice/"))}
    for i in range(6):
        files[f"Stories/Draft {i}.md"] = template_story(f"Draft {i}")
        for k in range(3):
            files[f"Practice/D{i} {k}.md"] = practice(1 + k, f"Draft {i}", duration=60, scores=())
    root = make_vault(files)
    c = cov(root)
    assert c.ready_stories == [] and len(c.stories) == 6 and len(c.practice) == 18
    items = by_item(c)
    for item in (CHECKLIST[0], CHECKLIST[2], CHECKLIST[3], CHECKLIST[5]):
        assert not items[item].passed, item
    assert sum(i.passed for i in c.checklist) <= 3
    assert items[CHECKLIST[0]].why.startswith(
        "0 ready stories (5-7 wanted); not counted: 'Draft 0' (FM002 missing-field, "
        "ST001 missing-star-part, "
    )
    assert items[CHECKLIST[0]].why.endswith("; and 3 more")
    assert all(not p.counted and "no self-scores" in p.not_counted for p in c.practice)
    assert ("CV001", ".", 1, "error") in run(root)
    assert c.next_action.startswith(
        "Fix 'Draft 0' (Stories/Draft 0.md), FM002 missing-field (line 4): 'project' is empty"
    )
    assert "(5 other stories also have errors)." in c.next_action


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"duration": 121}, "2 min 01 s, over the 2 min target"),
        ({"scores": (4, 3)}, "average self-score 3.5, below 4"),
        ({"scores": ()}, "no self-scores"),
        ({"red_flags": "[no-numbers]"}, "red flag ticked: no-numbers"),
        ({"duration": '""'}, "no answer time (duration_s)"),
        ({"duration": -5}, "no answer time (duration_s)"),
        ({"scores": (9, 3)}, "average self-score 3, below 4"),  # 9 is out of range
        ({"scores": ("five", "high")}, "no self-scores"),
    ],
)
def test_sessions_below_the_bar_do_not_count(make_vault, kwargs, why):
    files = ready_vault()
    files["Practice/Story 2 0.md"] = practice(3, "Story 2", **kwargs)
    root = make_vault(files)
    c = cov(root)
    session = next(p for p in c.practice if p.path == "Practice/Story 2 0.md")
    assert not session.counted and session.not_counted == [why]
    s2 = c.story("Stories/Story 2.md")
    assert s2.practice_count == 3 and s2.sessions_counted == 2
    assert ("CV007", "Stories/Story 2.md", 1, "warning") in run(root)
    assert not by_item(c)[CHECKLIST[5]].passed
    assert "'Story 2' 2 of 3" in by_item(c)[CHECKLIST[5]].why


def test_a_session_exactly_at_the_bar_counts_and_the_bar_is_configurable(make_vault):
    files = ready_vault()
    files["Practice/Story 2 0.md"] = practice(3, "Story 2", duration=120, scores=(4, 4))
    files["Practice/Story 3 0.md"] = practice(4, "Story 3", scores=(3, 4))
    c = cov(make_vault(files))
    assert c.story("Stories/Story 2.md").sessions_counted == 3
    assert c.story("Stories/Story 3.md").sessions_counted == 2
    files["starvault.toml"] = "[thresholds]\npractice_score_min = 3.5\nshort_version_warn_s = 100\n"
    c = cov(make_vault(files))
    assert c.story("Stories/Story 3.md").sessions_counted == 0  # every session took 110 s
    files["starvault.toml"] = "[thresholds]\npractice_score_min = 3.5\n"
    c = cov(make_vault(files))
    assert c.story("Stories/Story 3.md").sessions_counted == 3


def test_a_ticked_red_flag_box_in_the_body_stops_a_session_counting(make_vault):
    files = ready_vault()
    files["Practice/Story 2 0.md"] = practice(3, "Story 2") + (
        "\n## Red flags\n\n- [ ] Blaming others\n- [x] No specific numbers\n"
        "\n## Notes\n\n- [x] done\n"
    )
    c = cov(make_vault(files))
    session = next(p for p in c.practice if p.path == "Practice/Story 2 0.md")
    assert session.not_counted == ["red flag ticked: No specific numbers"]


def test_a_story_with_an_error_finding_does_not_count(make_vault):
    files = ready_vault(n_stories=5)
    files["Stories/Story 4.md"] = files["Stories/Story 4.md"].replace("## Action", "## Notes")
    root = make_vault(files)
    c = cov(root)
    s4 = c.story("Stories/Story 4.md")
    assert not s4.ready and s4.not_ready[0].startswith("ST001 missing-star-part (line ")
    assert len(c.ready_stories) == 4
    first = by_item(c)[CHECKLIST[0]]
    assert not first.passed and first.why.endswith(
        "not counted: 'Story 4' (ST001 missing-star-part)"
    )
    cv001 = [d for d in check(load(root, use_cache=False), select=["CV001"]).diagnostics]
    assert len(cv001) == 1 and "'Story 4' (ST001 missing-star-part (line" in cv001[0].message
    # Its sessions still count for it; the story is what has to be fixed.
    assert s4.sessions_counted == 3


@pytest.mark.parametrize(
    "setting",
    [
        '[severity]\nST001 = "warning"\n',
        'ignore = ["ST001"]\n',
    ],
)
def test_readiness_follows_the_configured_rules(make_vault, setting):
    files = ready_vault()
    files["Stories/Story 4.md"] = files["Stories/Story 4.md"].replace("## Action", "## Notes")
    files["starvault.toml"] = setting
    assert cov(make_vault(files)).story("Stories/Story 4.md").ready


def test_a_suppressed_finding_does_not_stop_a_story_counting(make_vault):
    files = ready_vault()
    files["Stories/Story 4.md"] = (
        files["Stories/Story 4.md"]
        .replace("## Action", "## Notes")
        .replace("type: story\n", "type: story\nstarvault: {ignore: [ST001]}\n", 1)
    )
    assert cov(make_vault(files)).story("Stories/Story 4.md").ready


def test_a_failure_story_needs_a_real_applied_part(make_vault):
    files = ready_vault(failures=2)
    files["Stories/Story 1.md"] = files["Stories/Story 1.md"].replace("## Applied", "## Later")
    files["starvault.toml"] = '[severity]\nST007 = "warning"\n'
    root = make_vault(files)
    c = cov(root)
    s1 = c.story("Stories/Story 1.md")
    assert not s1.ready and s1.not_ready[0].startswith("ST007 failure-without-application")
    assert c.failure_stories == ["Stories/Story 0.md"]
    assert ("CV004", ".", 1, "warning") in run(root)


def test_metrics_need_st004_clean_on_every_ready_story(make_vault):
    files = ready_vault()
    files["Stories/Story 3.md"] = files["Stories/Story 3.md"].replace(
        "Search time fell by 60% and CSAT rose from 72% to 85% within two months.",
        "Search got much better and the support team was happy.",
    )
    c = cov(make_vault(files))
    s3 = c.story("Stories/Story 3.md")
    assert s3.ready and s3.metrics and s3.metrics[0].startswith("ST004 result-without-numbers")
    item = by_item(c)[CHECKLIST[2]]
    assert not item.passed and item.why.startswith("'Story 3': ST004 result-without-numbers")
    assert c.next_action.startswith("Put figures in 'Story 3' (Stories/Story 3.md), ST004")


@pytest.mark.parametrize(
    ("note", "passed", "why"),
    [
        (company(), True, "research in 'Acme'"),
        (
            company(company="%% Product, customers. %%", team=""),
            False,
            "'Acme': 'The company' is empty; 'The team' is empty",
        ),
        (company(team="Twelve engineers."), False, "'Acme': 'The team' has 2 words (15+ wanted)"),
        (
            "---\ntype: company\nname: Acme\n---\n# Acme\n",
            False,
            "'Acme': no 'The company' and 'The team' sections and 0 words of research",
        ),
        (
            "---\ntype: company\nname: Acme\n---\n# Acme\n\n" + RESEARCH + " " + RESEARCH + "\n",
            True,
            "research in 'Acme'",
        ),
    ],
)
def test_research_needs_filled_sections(make_vault, note, passed, why):
    files = ready_vault()
    files["Companies/Acme.md"] = note
    item = by_item(cov(make_vault(files)))[CHECKLIST[6]]
    assert (item.passed, item.why) == (passed, why)


def test_more_than_seven_stories_fails_the_first_item(make_vault):
    c = cov(make_vault(ready_vault(n_stories=8)))
    item = by_item(c)[CHECKLIST[0]]
    assert not item.passed and "8 in all, more than 7 to keep fresh" in item.why
    assert c.next_action.startswith("8 stories: more than 7 are hard to keep fresh")


# -- next action -----------------------------------------------------------------------


def in_days(n: int) -> str:
    return (datetime.date.today() + datetime.timedelta(days=n)).isoformat()


def test_next_action_puts_broken_stories_before_practice(make_vault):
    files = ready_vault()
    del files["Practice/Story 2 0.md"]
    files["Stories/Story 3.md"] = files["Stories/Story 3.md"].replace("## Task", "## Other")
    root = make_vault(files)
    c = cov(root)
    st001 = check(load(root, use_cache=False), select=["ST001"]).diagnostics
    assert [d.path for d in st001] == ["Stories/Story 3.md"]
    assert c.next_action.startswith(
        f"Fix 'Story 3' (Stories/Story 3.md), ST001 missing-star-part (line {st001[0].line}): "
        f"{st001[0].message}"
    )
    assert "Practise" not in c.next_action


def test_next_action_days_left_and_whether_the_plan_fits(make_vault):
    files = ready_vault()
    for k in range(3):
        del files[f"Practice/Story 2 {k}.md"]
        del files[f"Practice/Story 3 {k}.md"]
    files["Companies/Acme.md"] = company(date=in_days(10))
    c = cov(make_vault(files))
    assert (c.days_left, c.plan_days) == (10, 2)  # six sessions at three a day
    assert c.next_action.endswith(
        f"10 days left until the Acme interview on {in_days(10)}: the plan needs about 2 "
        "days (a day per story to fix or write, 3 practice sessions a day), so it fits."
    )
    files["Companies/Acme.md"] = company(date=in_days(1))
    c = cov(make_vault(files))
    assert c.next_action.endswith(
        "more than that; fix and practise the stories you lead with first."
    )
    assert f"1 day left until the Acme interview on {in_days(1)}" in c.next_action
    files["Companies/Acme.md"] = company(date=in_days(0))
    assert f"The Acme interview on {in_days(0)} is today" in cov(make_vault(files)).next_action
    files["Companies/Acme.md"] = company(date=in_days(-3))
    assert cov(make_vault(files)).next_action.endswith(
        f"The date of the Acme interview on {in_days(-3)} has passed: update interview_date "
        "for the next one."
    )


def test_next_action_picks_the_next_interview(make_vault):
    files = ready_vault()
    files["Companies/Acme.md"] = company(date=in_days(-5))
    files["Companies/Beta.md"] = company(date=in_days(20)).replace("# Acme", "# Beta")
    files["Companies/Gamma.md"] = company(date=in_days(40)).replace("# Acme", "# Gamma")
    c = cov(make_vault(files))
    assert c.company == "Companies/Beta.md" and c.days_left == 20
    assert "20 days left until the Beta interview" in c.next_action


def test_next_action_is_whole_sentences_even_for_long_titles(make_vault):
    files = ready_vault()
    long_title = "A very long story title " * 12
    files["Stories/Story 4.md"] = story(long_title.strip(), ["leadership", "conflict"]).replace(
        "## Action", "## Other"
    )
    text = cov(make_vault(files)).next_action
    assert long_title.strip() in text
    assert "..." not in text and "…" not in text
    assert text.endswith(".") and text[0].isupper()


# -- Staff+ signals ----------------------------------------------------------------------


def test_cv010_each_look_for_needs_two_ready_stories(make_vault):
    files = ready_vault()
    for i in range(5):
        signals = ["org-impact", "ambiguity", "cross-functional"] if i < 2 else ["ambiguity"]
        if i == 0:
            signals.append("technical-leadership")
        files[f"Stories/Story {i}.md"] = story(
            f"Story {i}", [TYPES[i % 5], TYPES[(i + 1) % 5]], i < 2, ["Ownership"], signals
        )
    root = make_vault(files)
    c = cov(root)
    assert c.target_level == "staff"
    assert c.signals["technical-leadership"] == ["Stories/Story 0.md"]
    assert len(c.signals["ambiguity"]) == 5
    got = check(load(root, use_cache=False), select=["CV010"]).diagnostics
    assert [(d.severity, d.target) for d in got] == [("warning", "technical-leadership")]
    assert "shown by 1 ready story ('Story 0')" in got[0].message
    assert c.next_action.startswith("Only 'Story 0' shows technical-leadership, a Staff+ look-for")


def test_cv010_none_shown_is_an_error_and_senior_level_needs_none(make_vault):
    files = ready_vault()
    for i in range(5):
        files[f"Stories/Story {i}.md"] = story(
            f"Story {i}", [TYPES[i % 5], TYPES[(i + 1) % 5]], i < 2, ["Ownership"], signals=[]
        )
    root = make_vault(files)
    got = check(load(root, use_cache=False), select=["CV010"]).diagnostics
    assert [(d.severity, d.target) for d in got] == [("error", s) for s in SIGNALS]
    files["Companies/Acme.md"] = company(extra="level: senior\n")
    root = make_vault(files)
    assert check(load(root, use_cache=False), select=["CV010"]).diagnostics == []
    assert cov(root).target_level == "senior"


def test_a_story_with_errors_does_not_count_for_signals(make_vault):
    files = ready_vault()
    files["Stories/Story 4.md"] = files["Stories/Story 4.md"].replace("## Action", "## Notes")
    c = cov(make_vault(files))
    assert "Stories/Story 4.md" not in c.signals["org-impact"]
    assert len(c.signals["org-impact"]) == 4


# -- JSON and the CLI --------------------------------------------------------------------


def test_json_says_what_did_not_count(make_vault, run_cli):
    files = ready_vault()
    files["Stories/Story 4.md"] = files["Stories/Story 4.md"].replace("## Action", "## Notes")
    files["Practice/Story 2 0.md"] = practice(3, "Story 2", duration=150)
    result = run_cli("coverage", str(make_vault(files)), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert all(set(i) == {"item", "passed", "why"} for i in data["checklist"])
    s4 = next(s for s in data["stories"] if s["path"] == "Stories/Story 4.md")
    assert s4["ready"] is False and s4["not_ready"][0].startswith("ST001 missing-star-part")
    session = next(p for p in data["practice"] if p["path"] == "Practice/Story 2 0.md")
    assert session["counted"] is False
    assert session["not_counted"] == ["2 min 30 s, over the 2 min target"]
    assert data["days_left"] == 30 and data["interview_date"] == IN_30_DAYS
    assert data["ready_stories"] == [f"Stories/Story {i}.md" for i in range(4)]
    assert set(data["signals"]) == set(SIGNALS) and data["target_level"] == "staff"


def test_cli_text_lists_what_did_not_count(make_vault, run_cli):
    files = ready_vault()
    files["Stories/Story 4.md"] = files["Stories/Story 4.md"].replace("## Action", "## Notes")
    files["Practice/Story 2 0.md"] = practice(3, "Story 2", scores=(2, 3))
    out = run_cli("coverage", str(make_vault(files))).output
    assert "Practice sessions: 15 (14 meet the bar)" in out
    block = out.split("Not counted\n", 1)[1].split("\n\n", 1)[0]
    assert "story 'Story 4' (Stories/Story 4.md):\n    - ST001 missing-star-part" in block
    assert (
        "session 2026-11-03 Story 2 (Practice/Story 2 0.md): average self-score 2.5, below 4"
        in block
    )
    assert "org-impact: Story 0, Story 1, Story 2, Story 3" in out


def test_the_st_and_fm_rules_run_once_per_check(make_vault, monkeypatch):
    """The coverage model reads the ST and FM findings of the same run, not a second one."""
    from starvault.rules import REGISTRY, Rule

    calls = []
    original = REGISTRY["ST001"]

    def counted(vault):
        calls.append(1)
        return original.check(vault)

    monkeypatch.setitem(REGISTRY, "ST001", Rule("ST001", original.name, original.severity, counted))
    report = check(load(make_vault(ready_vault()), use_cache=False))
    assert calls == [1]
    assert not [d for d in report.diagnostics if d.rule in ("ST001", "CV001")]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("practice_score_min = 6", "thresholds.practice_score_min must be 1-5"),
        ("practice_per_day = 0", "thresholds.practice_per_day must be above 0"),
        ('research_words_min = "many"', "'thresholds.research_words_min' must be a whole number"),
    ],
)
def test_bad_readiness_thresholds_are_config_errors(make_vault, run_cli, setting, message):
    files = ready_vault()
    files["starvault.toml"] = f"[thresholds]\n{setting}\n"
    result = run_cli("coverage", str(make_vault(files)))
    assert result.exit_code == 2 and message in result.output
