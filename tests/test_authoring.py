"""`starvault new` and `starvault practice`: notes that pass the FM rules, as a user makes them."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import sys
from pathlib import Path

import pexpect
import pytest

import starvault
from conftest import REPO, SAMPLE_VAULT
from starvault import authoring, schema
from starvault.authoring import safe_filename
from starvault.coverage import compute
from starvault.resources import templates_dir
from starvault.scan import parse_text

STARVAULT = str(REPO / ".venv" / "bin" / "starvault")

# What `new` needs per type beyond TYPE and TITLE when there is no terminal to ask.
REQUIRED_SETS: dict[str, list[str]] = {
    "story": ["project=Search", "role=Tech lead", "impact=Search time -60%"],
    "question": ["question_type=conflict"],
    "ask": ["category=growth"],
    "practice": [
        "question=Influence Without Authority",
        "story=RAG Support Search",
        "duration_s=110",
    ],
}


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A private copy of the sample vault (tests never write to vault/)."""
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE_VAULT, root, ignore=shutil.ignore_patterns(".starvault-cache"))
    return root


def _findings(root: Path, select: str = "FM") -> list[str]:
    report = starvault.check(starvault.load(root, use_cache=False), select=[select])
    return [f"{d.path}:{d.line}: {d.rule} {d.message}" for d in report.diagnostics]


def _notes(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*.md")}


# ---------------------------------------------------------------------------------------
# file names


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("RAG Support Search", "RAG Support Search"),
        ("A/B test: 12% lift?", "A-B test 12% lift"),
        ("[[Link]] #tag ^block | pipe", "Link tag block pipe"),
        ('Say "hi" <now> *', "Say hi now"),
        ("...hidden", "hidden"),
        ("trailing dots. . ", "trailing dots"),
        ("CON", "CON_"),
        ("lpt1.txt", "lpt1.txt_"),
        ("tab\there\x07", "tab here"),
        ("???", "Untitled"),
        ("Café ünïcode", "Café ünïcode"),
    ],
)
def test_safe_filename(title: str, name: str) -> None:
    assert safe_filename(title) == name


def test_safe_filename_is_bounded() -> None:
    assert len(safe_filename("x" * 1000)) <= 180


# ---------------------------------------------------------------------------------------
# starvault new


@pytest.mark.parametrize("type_name", schema.type_names())
def test_new_note_of_every_type_passes_fm_rules(sample: Path, run_cli, type_name: str) -> None:
    before = _notes(sample)
    args = ["new", type_name, f"My {type_name}: draft", "--vault", str(sample)]
    for item in REQUIRED_SETS.get(type_name, []):
        args += ["--set", item]
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    [created] = _notes(sample) - before
    folder = schema.TYPES[type_name].folder
    assert created == (f"{folder}/" if folder else "") + f"My {type_name} draft.md"
    assert result.stdout.strip() == f"{sample}/{created}"
    assert [f for f in _findings(sample) if f.startswith(created)] == []
    note = parse_text(created, (sample / created).read_text(encoding="utf-8"))
    assert note.meta["type"] == type_name
    assert "{{" not in (sample / created).read_text(encoding="utf-8")
    if type_name != "company":
        assert note.meta["title"] == f"My {type_name}: draft"
    headings = [h.text for h in note.headings]
    for section in schema.TYPES[type_name].sections:
        assert section in headings, (type_name, section)


def test_new_fills_derived_fields(sample: Path, run_cli) -> None:
    run_cli("new", "question-type", "Technical Vision", "--vault", str(sample))
    run_cli("new", "company", 'Beta "AI": Labs', "--vault", str(sample))
    run_cli("new", "course", "Intro", "--vault", str(sample), "--folder", "Interview_Preparation")
    qt = parse_text("x.md", (sample / "Question Types/Technical Vision.md").read_text())
    assert qt.meta["key"] == "technical-vision"
    company = parse_text("x.md", (sample / "Companies/Beta AI Labs.md").read_text())
    assert company.meta["name"] == 'Beta "AI": Labs'
    course = parse_text("x.md", (sample / "Interview_Preparation/Intro.md").read_text())
    assert course.meta["module"] == "Interview Preparation"


def test_new_story_with_lists_and_links(sample: Path, run_cli) -> None:
    result = run_cli(
        "new", "story", "Latency Win", "--vault", str(sample),
        *("--set", "project=Search", "--set", "role=Lead", "--set", "impact=p95 -40%"),
        *("--set", "question_types=leadership, conflict"),
        *("--set", "principles=Ownership,[[Deliver Results]]", "--set", "failure=yes"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    meta = parse_text("x.md", (sample / "Stories/Latency Win.md").read_text()).meta
    assert meta["question_types"] == ["leadership", "conflict"]
    assert meta["principles"] == ["[[Ownership]]", "[[Deliver Results]]"]
    assert meta["failure"] is True
    assert [f for f in _findings(sample, "LK001") if "Latency Win" in f] == []


def test_new_refuses_to_overwrite(sample: Path, run_cli) -> None:
    path = sample / "Principles" / "Ownership.md"
    before = path.read_bytes()
    result = run_cli("new", "principle", "Ownership", "--vault", str(sample))
    assert result.exit_code == 1
    assert "already exists" in result.output and "Principles/Ownership.md" in result.output
    assert path.read_bytes() == before


def test_new_unknown_type_lists_the_types(sample: Path, run_cli) -> None:
    result = run_cli("new", "stroy", "X", "--vault", str(sample))
    assert result.exit_code == 2
    assert "'story'" in result.output and "'question-type'" in result.output


def test_new_without_required_values_says_how(sample: Path, run_cli) -> None:
    before = _notes(sample)
    result = run_cli("new", "story", "Half", "--vault", str(sample))
    assert result.exit_code == 2
    assert "--set project=... --set role=... --set impact=..." in result.output
    assert _notes(sample) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["question", "Q", "--set", "question_type=conflicts"], "did you mean 'conflict'?"),
        (["question", "Q", "--set", "question_type"], "FIELD=VALUE"),
        (["ask", "A", "--set", "colour=blue"], "no field 'colour'"),
        (["ask", "A", "--set", "category=salary"], "culture, growth, team"),
        (["practice", "P", "--set", "duration_s=abc"], "must be a number"),
        (["principle", "P", "--folder", "../outside"], "inside the vault"),
        (["principle", "  "], "title is empty"),
    ],
)
def test_new_bad_input_is_a_usage_error(sample: Path, run_cli, args, message) -> None:
    before = _notes(sample)
    result = run_cli("new", *args, "--vault", str(sample))
    assert result.exit_code == 2
    assert message in result.output
    assert _notes(sample) == before


def test_new_uses_the_vaults_template_override(sample: Path, run_cli) -> None:
    override = sample / "_templates" / "notes" / "principle.md"
    override.parent.mkdir(parents=True)
    override.write_text('---\ntype: principle\ntitle: "{{title}}"\n---\n# {{title}}\n\nMINE\n')
    assert run_cli("new", "principle", "Frugality", "--vault", str(sample)).exit_code == 0
    text = (sample / "Principles" / "Frugality.md").read_text()
    assert "MINE" in text and "# Frugality" in text
    assert _findings(sample) == []  # the template folder itself is not checked


def test_a_type_without_template_is_built_from_the_schema(
    sample: Path, run_cli, monkeypatch
) -> None:
    extra = schema.NoteType(
        "mentee",
        "someone I mentor",
        (schema.Field("title", schema.Kind.TEXT, True, description="name"),),
        folder="Mentees",
        sections=("Goals", "Progress"),
    )
    monkeypatch.setitem(schema.TYPES, "mentee", extra)
    monkeypatch.setattr(authoring, "templates_dir", lambda: sample / "nowhere")
    from starvault.cli import authoring as cli_authoring

    cmd = cli_authoring.new_command
    monkeypatch.setattr(cmd.params[0].type, "choices", [*schema.TYPES])
    result = run_cli("new", "mentee", "Alex", "--vault", str(sample))
    assert result.exit_code == 0, result.output
    note = parse_text("x.md", (sample / "Mentees/Alex.md").read_text())
    assert note.meta == {"type": "mentee", "title": "Alex"}
    assert [h.text for h in note.headings] == ["Alex", "Goals", "Progress"]


def test_new_open_runs_editor_without_a_shell(sample: Path, run_cli, monkeypatch, tmp_path) -> None:
    log = tmp_path / "argv.txt"
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\npathlib.Path(sys.argv[1]).write_text('\\n'.join(sys.argv[2:]))\n"
    )
    monkeypatch.setenv("EDITOR", f'"{sys.executable}" {script} {log} --wait')
    result = run_cli("new", "principle", "Think Big; rm -rf x", "--open", "--vault", str(sample))
    assert result.exit_code == 0, result.output
    assert log.read_text().split("\n") == ["--wait", f"{sample}/Principles/Think Big; rm -rf x.md"]


def test_new_open_with_a_missing_editor(sample: Path, run_cli, monkeypatch) -> None:
    monkeypatch.setenv("EDITOR", "/no/such/editor")
    result = run_cli("new", "principle", "Frugality", "--open", "--vault", str(sample))
    assert result.exit_code == 1 and "cannot start the editor" in result.output
    assert (sample / "Principles" / "Frugality.md").exists()


def test_new_warns_about_a_name_taken_elsewhere(sample: Path, run_cli) -> None:
    result = run_cli("new", "principle", "Ownership", "--folder", "Other", "--vault", str(sample))
    assert result.exit_code == 0
    assert "Principles/Ownership.md" in result.output and "ambiguous" in result.output


@pytest.mark.parametrize("type_name", schema.type_names())
def test_packaged_templates_lay_out_the_schema_sections(type_name: str) -> None:
    text = (templates_dir() / "notes" / f"{type_name}.md").read_text(encoding="utf-8")
    note = parse_text(f"{type_name}.md", text)
    assert note.meta["type"] == type_name
    headings = [h.text for h in note.headings]
    for section in schema.TYPES[type_name].sections:
        assert section in headings


def test_new_in_a_terminal_asks_for_required_fields(sample: Path) -> None:
    child = pexpect.spawn(
        STARVAULT,
        ["new", "question", "Mentoring someone", "--vault", str(sample)],
        encoding="utf-8",
        timeout=20,
        env={**os.environ, "NO_COLOR": "1"},
    )
    child.expect(r"Question type .*\((ambiguity, conflict.*)\)")
    child.sendline("nope")
    child.expect("not one of|invalid choice|Error")
    child.sendline("leadership")
    child.expect(r"Questions/Mentoring someone\.md")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    meta = parse_text("x.md", (sample / "Questions/Mentoring someone.md").read_text()).meta
    assert meta["question_type"] == "leadership"


# ---------------------------------------------------------------------------------------
# starvault practice: scripted

SCRIPTED = [
    "--question", "Influence Without Authority", "--story", "[[RAG Support Search]]",
    "--duration", "118", "--mode", "partner", "--date", "2026-12-01",
]  # fmt: skip


def test_scripted_practice_writes_a_counted_note(sample: Path, run_cli) -> None:
    count = compute(starvault.load(sample, use_cache=False)).story("Stories/RAG Support Search.md")
    assert count is not None
    result = run_cli(
        "practice", str(sample), *SCRIPTED,
        *("--score", "structure=4", "--score", "Timing=5", "--red-flag", "no-numbers"),
        "--notes", "Cut the architecture part.",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rel = "Practice/2026-12-01 RAG Support Search (partner).md"
    assert result.output.strip() == f"Logged {sample}/{rel}"
    text = (sample / rel).read_text(encoding="utf-8")
    meta = parse_text(rel, text).meta
    assert meta == {
        "type": "practice",
        "date": dt.date(2026, 12, 1),
        "question": "[[Influence Without Authority]]",
        "story": "[[RAG Support Search]]",
        "duration_s": 118,
        "mode": "partner",
        "structure": 4,
        "timing": 5,
        "red_flags": ["no-numbers"],
    }
    assert "- [x] No specific numbers" in text and "- [ ] Blaming others" in text
    assert "Cut the architecture part." in text
    assert _findings(sample) == []
    vault = starvault.load(sample, use_cache=False)
    cov = compute(vault)
    story = cov.story("Stories/RAG Support Search.md")
    assert story is not None and story.practice_count == count.practice_count + 1
    assert story.last_practice == dt.date(2026, 12, 1)
    assert cov.practice[0].path == rel and cov.practice[0].scores == {"structure": 4, "timing": 5}


def test_scripted_practice_deduplicates_file_names(sample: Path, run_cli) -> None:
    for _ in range(3):
        assert run_cli("practice", str(sample), *SCRIPTED).exit_code == 0
    names = sorted(p.name for p in (sample / "Practice").glob("2026-12-01*"))
    assert names == [
        "2026-12-01 RAG Support Search (partner) 2.md",
        "2026-12-01 RAG Support Search (partner) 3.md",
        "2026-12-01 RAG Support Search (partner).md",
    ]
    assert _findings(sample) == []


def test_practice_counts_toward_cv007(make_vault, run_cli) -> None:
    root = make_vault(
        {
            "Questions/Q.md": "---\ntype: question\nquestion_type: conflict\nprompt: Why?\n---\n",
            "Stories/S.md": "---\ntype: story\ntitle: S\n---\n# S\n",
        }
    )

    def cv007() -> list[str]:
        return [f for f in _findings(root, "CV007") if f.startswith("Stories/S.md")]

    assert cv007()
    # Sessions below the bar (no self-scores; over the two-minute target) do not count.
    for duration in ("9", "9", "9", "125"):
        args = ["--duration", duration] + (["--score", "structure=5"] if duration == "125" else [])
        result = run_cli("practice", str(root), "--question", "Q", "--story", "S", *args)
        assert result.exit_code == 0, result.output
    assert cv007()
    for _ in range(3):
        result = run_cli(
            "practice",
            str(root),
            "--question",
            "Q",
            "--story",
            "S",
            "--duration",
            "9",
            "--score",
            "structure=4",
            "--score",
            "timing=5",
        )
        assert result.exit_code == 0, result.output
    assert cv007() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--question", "Influence Without Authorit"],
            "did you mean 'Influence Without Authority'",
        ),
        (["--question", "Ownership"], "'Ownership' is a principle note, not a question note"),
        (["--story", "Nope"], "no story note named 'Nope'"),
        (["--score", "timing=7"], "score timing must be 1-5, got 7"),
        (["--score", "poise=3"], "unknown score 'poise'"),
        (["--score", "timing"], "NAME=N"),
        (["--score", "timing=high"], "whole number 1-5"),
        (["--duration", "0"], "0"),
        (["--mode", "group"], "'group' is not one of"),
    ],
)
def test_scripted_practice_bad_input(sample: Path, run_cli, args, message) -> None:
    merged = list(SCRIPTED)
    for i in range(0, len(args), 2):
        if args[i] in merged:
            merged[merged.index(args[i]) + 1] = args[i + 1]
        else:
            merged += args[i : i + 2]
    before = _notes(sample)
    result = run_cli("practice", str(sample), *merged)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert _notes(sample) == before


def test_scripted_practice_needs_question_and_story(sample: Path, run_cli) -> None:
    result = run_cli("practice", str(sample), "--duration", "100", "--story", "RAG Support Search")
    assert result.exit_code == 2 and "needs --question and --story" in result.output


# ---------------------------------------------------------------------------------------
# starvault practice: choosing the question


def test_the_choice_is_repeatable_and_leans_to_weak_coverage(make_vault) -> None:
    qt = "---\ntype: question-type\nkey: {k}\ntitle: {k}\n---\n"
    story = "---\ntype: story\ntitle: {n}\nquestion_types: [covered]\n---\n"
    question = "---\ntype: question\nquestion_type: {k}\nprompt: {k}?\n---\n"
    practice = (
        '---\ntype: practice\ndate: 2026-11-0{i}\nquestion: "[[Q covered]]"\n'
        'story: "[[Busy]]"\nduration_s: 100\nmode: self\n---\n'
    )
    root = make_vault(
        {
            "QT/covered.md": qt.format(k="covered"),
            "QT/lonely.md": qt.format(k="lonely"),
            "Stories/Busy.md": story.format(n="Busy"),
            "Questions/Q covered.md": question.format(k="covered"),
            "Questions/Q lonely.md": question.format(k="lonely"),
            **{f"Practice/{i}.md": practice.format(i=i) for i in range(1, 6)},
        }
    )
    cov = compute(starvault.load(root, use_cache=False))
    weights = dict(
        zip([q.title for q in cov.questions], authoring.question_weights(cov), strict=True)
    )
    assert weights["Q lonely"] > weights["Q covered"]
    picks = [authoring.pick_question(cov, random.Random(s)).title for s in range(200)]
    assert picks.count("Q lonely") > picks.count("Q covered")
    again = [authoring.pick_question(cov, random.Random(s)).title for s in range(200)]
    assert picks == again


def test_no_questions_is_a_clear_error(make_vault, run_cli) -> None:
    root = make_vault({"Stories/S.md": "---\ntype: story\ntitle: S\n---\n"})
    result = run_cli("practice", str(root), "--seed", "1")
    assert result.exit_code == 2 and "no question notes" in result.output


def test_clock_colours() -> None:
    from starvault.cli.authoring import _clock
    from starvault.config import Thresholds

    t = Thresholds()

    def colour(seconds: float, t: Thresholds = t) -> str:
        return _clock(seconds, t).split("m", 1)[0]

    assert "32" in colour(119.9) and "33" in colour(120) and "33" in colour(179)
    assert "31" in colour(180) and "31" in colour(600)
    assert "01:59" in _clock(119.9, t) and "03:00" in _clock(180, t)
    # The configured target and limit, not fixed minutes.
    short = Thresholds(short_version_warn_s=90, short_version_error_s=150)
    assert "33" in colour(90, short) and "31" in colour(150, short)


# ---------------------------------------------------------------------------------------
# starvault practice: interactive, in a pseudo-terminal


def _spawn(root: Path) -> pexpect.spawn:
    return pexpect.spawn(
        STARVAULT,
        ["practice", str(root), "--seed", "1"],
        encoding="utf-8",
        timeout=20,
        env={**os.environ, "TERM": "xterm"},
        dimensions=(40, 120),
    )


def test_interactive_practice_session(sample: Path) -> None:
    before = _notes(sample)
    child = _spawn(sample)
    child.expect(r'"(.+?)"(?:\x1b\[0m)?\r\n')
    prompt = child.match.group(1)
    child.expect("Stories that answer it:")
    child.expect(r"1\. (.+?)  \(practised")
    first_story = child.match.group(1)
    child.expect(r"Which story will you tell \(its number\) \[1\]: ")
    child.sendline("")
    child.expect("Press Enter to start the timer")
    child.sendline("")
    child.expect(r"\x1b\[32m\x1b\[1m  00:00  ")  # the clock, in green, on a terminal
    child.sendline("")
    child.expect(r"Answer time: \d+ s")
    child.expect(r"Alone or with a partner \(self, partner\) \[self\]: ")
    child.sendline("partner")
    for name, score in zip(schema.SCORES, "453453", strict=True):
        child.expect(rf"{name.capitalize()} \(1-5\): ")
        child.sendline(score)
    flags = iter("nynnn")
    for _ in range(5):
        child.expect(r"\? \[y/N\]: ")
        child.sendline(next(flags))
    child.expect(r"Notes \(optional\): ")
    child.sendline("Too much context up front.")
    child.expect(r"Logged (.+\.md)\r\n")
    written = child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    [rel] = _notes(sample) - before
    assert written == f"{sample}/{rel}"
    assert rel == f"Practice/{dt.date.today().isoformat()} {first_story} (partner).md"
    text = (sample / rel).read_text(encoding="utf-8")
    meta = parse_text(rel, text).meta
    assert meta["story"] == f"[[{first_story}]]"
    assert meta["mode"] == "partner"
    assert [meta[s] for s in schema.SCORES] == [4, 5, 3, 4, 5, 3]
    assert meta["red_flags"] == ["no-numbers"] and meta["duration_s"] >= 1
    assert "- [x] No specific numbers" in text and "Too much context up front." in text
    question = starvault.load(sample, use_cache=False).lookup(meta["question"][2:-2])
    assert question is not None and question.meta["prompt"] == prompt
    assert _findings(sample) == []


def test_same_seed_same_question(sample: Path) -> None:
    seen = []
    for _ in range(2):
        child = _spawn(sample)
        child.expect(r'"(.+?)"(?:\x1b\[0m)?\r\n')
        seen.append(child.match.group(1))
        child.close(force=True)
    assert seen[0] == seen[1]


def test_ctrl_c_during_the_timer_writes_nothing(sample: Path) -> None:
    before = _notes(sample)
    child = _spawn(sample)
    child.expect(r"Which story will you tell \(its number\) \[1\]: ")
    child.sendline("2")
    child.expect("Press Enter to start the timer")
    child.sendline("")
    child.expect("00:00")
    child.sendcontrol("c")
    child.expect("Stopped: no practice note written.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert _notes(sample) == before
    assert not list((sample / "Practice").glob(".starvault-*"))


def test_practice_reads_answers_from_a_pipe(sample: Path, run_cli) -> None:
    """Without a terminal the same questions are read line by line (no live clock)."""
    answers = ["", "", "", "self", *"344455", "y", "n", "n", "n", "n", "piped"]
    result = run_cli(
        "practice", str(sample), "--story", "Model Launch Disagreement",
        "--question", "Disagreement With a Colleague", "--date", "2026-12-02",
        input="\n".join(answers[1:]) + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Stories that answer it" not in result.output  # --story given: no choice asked
    rel = "Practice/2026-12-02 Model Launch Disagreement (self).md"
    meta = parse_text(rel, (sample / rel).read_text(encoding="utf-8")).meta
    assert [meta[s] for s in schema.SCORES] == [3, 4, 4, 4, 5, 5]
    assert meta["red_flags"] == ["we-without-i"] and meta["duration_s"] == 1
    assert _findings(sample) == []
