"""STAR stories: ST001-ST009 and how parts are read (sections or front matter fields)."""

from __future__ import annotations

from pathlib import Path

import pytest

from starvault.rules import check
from starvault.stories import first_person, has_figure, read_story, speaking_seconds
from starvault.vault import load

PARTS = {
    "Situation": "Support agents spent 40% of their time searching fifty documents.",
    "Task": "As tech lead I was responsible for cutting search time.",
    "Action": "I ran discovery with ten agents and designed a hybrid search. I convinced "
    "stakeholders to start with an MVP; we built it in six weeks.",
    "Result": "Search time fell by 60% and CSAT rose from 72% to 85%.",
    "Learnings": "I scoped too wide at first; I now start ML projects with one narrow slice.",
    "Short version": "At company X agents spent forty percent of their time searching. "
    "I led a narrow RAG MVP; search time fell by sixty percent.",
    "Follow-ups": "### What would you do differently?\n\nStart the evaluation set earlier.",
}


def story(
    overrides: dict[str, str | None] | None = None,
    front: str = "",
    failure: bool = False,
) -> str:
    parts = {**PARTS, **(overrides or {})}
    if failure and "Applied" not in parts:
        parts["Applied"] = "On the next project I defined guardrail metrics first."
    fm = "---\ntype: story\ntitle: RAG Support Search\n"
    fm += f"failure: {'true' if failure else 'false'}\n{front}---\n\n# RAG Support Search\n"
    body = "".join(f"\n## {name}\n\n{text}\n" for name, text in parts.items() if text is not None)
    return fm + body


def run(root: Path, code: str) -> list[tuple[str, int, int, str, str]]:
    report = check(load(root, use_cache=False), select=[code])
    return [(d.rule, d.line, d.column, d.severity, d.message) for d in report.diagnostics]


def test_complete_story_has_no_star_findings(make_vault):
    assert run(make_vault({"S.md": story()}), "ST") == []


# -- ST001 / ST002 ---------------------------------------------------------------------


def test_st001_missing_part_at_title(make_vault):
    got = run(make_vault({"S.md": story({"Action": None})}), "ST001")
    assert [(c, line) for c, line, *_ in got] == [("ST001", 7)]
    assert "no Action: add a '## Action' section (or a 'action:' field)" in got[0][4]


def test_st001_empty_section_at_its_heading(make_vault):
    text = story({"Task": "<!-- todo -->"})
    got = run(make_vault({"S.md": text}), "ST001")
    line = text.split("\n").index("## Task") + 1
    assert [(c, n) for c, n, *_ in got] == [("ST001", line)]
    assert "the Task section is empty" in got[0][4]


def test_st001_parts_from_front_matter_fields(make_vault):
    text = story(
        {"Situation": None, "Task": None},
        front="situation: Agents searched fifty documents.\ntask: |\n  Cut search time.\n",
    )
    root = make_vault({"S.md": text})
    assert run(root, "ST001") == []
    vault = load(root, use_cache=False)
    s = read_story(vault, vault.notes["S.md"])
    assert s.parts["Situation"].source == "field"
    assert s.parts["Situation"].line == 5
    assert s.parts["Action"].source == "section"


def test_st001_headings_match_loosely_but_not_h3(make_vault):
    text = story().replace("## Result", "## RESULTS:").replace("## Task", "### Task")
    assert [c for c, *_ in run(make_vault({"S.md": text}), "ST001")] == ["ST001"]


def test_st001_section_inside_code_is_not_a_section(make_vault):
    text = story({"Action": None}) + "\n```\n## Action\nI did it.\n```\n"
    assert [c for c, *_ in run(make_vault({"S.md": text}), "ST001")] == ["ST001"]


def test_st002_missing_learnings(make_vault):
    assert [c for c, *_ in run(make_vault({"S.md": story({"Learnings": None})}), "ST002")] == [
        "ST002"
    ]
    assert run(make_vault({"S.md": story()}, name="ok"), "ST002") == []


# -- ST003 -----------------------------------------------------------------------------


def test_st003_we_and_never_i(make_vault):
    action = "We ran discovery. We designed the search, and our team shipped it for us."
    text = story({"Action": action})
    got = run(make_vault({"S.md": text}), "ST003")
    assert len(got) == 1
    assert got[0][3] == "warning"
    assert got[0][1] == text.split("\n").index(action) + 1  # the first "we" sentence
    assert "the Action tells 2 actions as the team's ('We ran') and 0 as yours" in got[0][4]
    assert "say what you did yourself" in got[0][4]


WE_MOSTLY = "I asked. We ran it. We built it. We shipped it. We measured it."


def test_st003_share_under_threshold(make_vault):
    got = run(make_vault({"S.md": story({"Action": WE_MOSTLY})}), "ST003")
    assert len(got) == 1 and "4 actions as the team's" in got[0][4] and "1 as yours" in got[0][4]


def test_st003_threshold_is_configurable(make_vault):
    root = make_vault(
        {
            "S.md": story({"Action": WE_MOSTLY}),
            "starvault.toml": "[thresholds]\nfirst_person_min_share = 0.1\n",
        }
    )
    assert run(root, "ST003") == []


@pytest.mark.parametrize(
    "action",
    [
        "I ran discovery and we shipped.",  # 50% singular
        "Designed the search, convinced stakeholders.",  # no first person at all
        "I grew revenue in the US market.",  # "US" is not "us"
    ],
)
def test_st003_does_not_fire(make_vault, action):
    assert run(make_vault({"S.md": story({"Action": action})}), "ST003") == []


def test_first_person_counts():
    assert first_person("I'm sure **we** did; my team and I. We’re done, ourselves.") == (3, 3)
    assert first_person("[[Us|I]] `we`") == (1, 1)  # shown text and code count as spoken


# -- ST004 -----------------------------------------------------------------------------


def test_st004_result_without_figure(make_vault):
    text = story({"Result": "Search got much faster and agents were happier."})
    got = run(make_vault({"S.md": text}), "ST004")
    assert [(c, line) for c, line, *_ in got] == [
        ("ST004", text.split("\n").index("## Result") + 3)  # the sentence, after a blank
    ]
    assert "'much' in 'Search got much faster" in got[0][4]
    assert "add a measured outcome" in got[0][4]


@pytest.mark.parametrize(
    "result",
    [
        "Search time fell by 60%.",
        "Search time fell by sixty percent.",
        "We saved $2M a year.",
        "Throughput went up 3x.",
        "Latency halved.",
        "It ran twice as fast.",
        "Two hundred test questions now guard releases.",
        "Cost dropped tenfold.",
        "Churn fell by a third.",
    ],
)
def test_st004_figures(result):
    assert has_figure(result)


@pytest.mark.parametrize("result", ["It went well.", "No one complained.", "Users were happier."])
def test_st004_no_figure(result):
    assert not has_figure(result)


# -- ST005 -----------------------------------------------------------------------------


def _words(n: int) -> str:
    return " ".join(["word"] * n)


@pytest.mark.parametrize(
    ("words", "severity"), [(300, None), (301, "warning"), (450, "warning"), (451, "error")]
)
def test_st005_speaking_time(make_vault, words, severity):
    got = run(make_vault({"S.md": story({"Short version": _words(words)})}), "ST005")
    assert [s for _, _, _, s, _ in got] == ([severity] if severity else [])


def test_st005_message_and_configured_pace(make_vault):
    got = run(make_vault({"S.md": story({"Short version": _words(301)})}), "ST005")
    assert "takes 2 min 00 s to say at 150 words a minute: cut it to about 300 words" in got[0][4]
    root = make_vault(
        {
            "S.md": story({"Short version": _words(301)}),
            "starvault.toml": "words_per_minute = 200\n",
        },
        name="fast",
    )
    assert run(root, "ST005") == []


def test_speaking_seconds_ignores_markup():
    assert speaking_seconds("**Five** [[Note|two words]] `x` <!-- hidden -->", 60) == 4


# -- ST006 -----------------------------------------------------------------------------


def test_st006_each_occurrence_with_position(make_vault):
    text = story({"Situation": "It was NOT my fault.\nThey were wrong, and they  were\nwrong."})
    lines = text.split("\n")
    got = run(make_vault({"S.md": text}), "ST006")
    first = lines.index("It was NOT my fault.") + 1
    assert [(line, col) for _, line, col, _, _ in got] == [(first, 8), (first + 1, 1)]
    assert "'NOT my fault' puts the fault on others" in got[0][4]


def test_st006_whole_words_and_custom_list(make_vault):
    text = story({"Result": "A blameless review cut incidents by 30%; scapegoat avoided."})
    assert run(make_vault({"S.md": text}), "ST006") == []
    root = make_vault(
        {"S.md": text, "starvault.toml": 'blame_phrases = ["scapegoat"]\n'}, name="custom"
    )
    assert [c for c, *_ in run(root, "ST006")] == ["ST006"]


# -- ST007 / ST008 / ST009 -------------------------------------------------------------


def test_st007_failure_without_applied(make_vault):
    root = make_vault({"S.md": story({"Applied": None}, failure=True)})
    got = run(root, "ST007")
    assert len(got) == 1 and got[0][3] == "error"
    assert "how you used the lesson later" in got[0][4]


def test_st007_not_for_success_or_applied_stories(make_vault):
    root = make_vault({"A.md": story(failure=True), "B.md": story()})
    assert run(root, "ST007") == []


def test_st007_failure_flag_as_string(make_vault):
    text = story({"Applied": None}).replace("failure: false", 'failure: "yes"')
    assert [c for c, *_ in run(make_vault({"S.md": text}), "ST007")] == ["ST007"]


@pytest.mark.parametrize(("part", "code"), [("Follow-ups", "ST008"), ("Short version", "ST009")])
def test_st008_st009_missing(make_vault, part, code):
    assert [c for c, *_ in run(make_vault({"S.md": story({part: None})}), code)] == [code]
    assert run(make_vault({"S.md": story()}, name="ok"), code) == []


def test_follow_ups_heading_variants(make_vault):
    text = story().replace("## Follow-ups", "## Follow ups")
    assert run(make_vault({"S.md": text}), "ST008") == []


# -- robustness and CLI ----------------------------------------------------------------


def test_odd_front_matter_does_not_crash(make_vault):
    files = {
        "A.md": "---\ntype: story\naction: [1, 2]\nfailure: [x]\n---\n# A\n",
        "B.md": "---\ntype: story\n: bad: yaml\n---\n",
        "C.md": b"---\ntype: story\n---\n\xff\xfe",
        "D.md": "---\ntype: story\n---\n",
    }
    root = make_vault(files)
    got = run(root, "ST")
    assert {c for c, *_ in got} >= {"ST001", "ST002", "ST009"}


def test_cli_select_st_exit_codes(make_vault, run_cli):
    root = make_vault({"S.md": story({"Action": None})})
    result = run_cli("check", str(root), "--select", "ST")
    assert result.exit_code == 1
    assert "S.md:7:1: ST001 no Action" in result.output
    ok = run_cli("check", str(make_vault({"S.md": story()}, name="ok")), "--select", "ST")
    assert ok.exit_code == 0, ok.output


def test_rules_documents_every_st_rule(run_cli):
    for code in ("ST001", "ST003", "ST005", "ST009"):
        result = run_cli("rules", code)
        assert "Anti-pattern:" in result.output and "Best practice:" in result.output


def test_note_templates_are_not_stories(make_vault):
    blank = "---\ntype: story\ntitle: \nfailure: true\n---\n\n# {{title}}\n\n## Situation\n"
    root = make_vault({"_templates/notes/story.md": blank, "S.md": story()})
    assert run(root, "ST") == []
    from starvault.coverage import compute

    assert [s.path for s in compute(load(root, use_cache=False)).stories] == ["S.md"]
