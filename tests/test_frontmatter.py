"""FM001-FM004: front matter checked against the schema of its note type."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import starvault
from conftest import REPO, SAMPLE_VAULT
from starvault import schema
from starvault.scan import field_lines

QT = "---\ntype: question-type\nkey: {key}\ntitle: {title}\n---\n# {title}\n"

STORY = """\
---
type: story
title: RAG Support Search
project: Support search
role: Tech lead
impact: "Search time -60%"
question_types: [leadership, conflict]
principles: ["[[Ownership]]"]
failure: false
---
# RAG Support Search
"""


def _base() -> dict[str, str]:
    return {
        "Question Types/Leadership.md": QT.format(key="leadership", title="Leadership"),
        "Question Types/Conflict.md": QT.format(key="conflict", title="Conflict"),
        "Principles/Ownership.md": "---\ntype: principle\ntitle: Ownership\n---\n# Ownership\n",
    }


def _fm(root: Path) -> list[tuple[str, str, int, int, str]]:
    report = starvault.check(starvault.load(root, use_cache=False), select=["FM"])
    return [(d.rule, d.path, d.line, d.column, d.message) for d in report.diagnostics]


def test_sample_vault_passes_fm_rules() -> None:
    assert _fm(SAMPLE_VAULT) == []


def test_valid_notes_and_plain_notes_pass(make_vault) -> None:
    root = make_vault(
        {
            **_base(),
            "Stories/RAG.md": STORY,
            "Plain.md": "# No front matter\n",
            "Props.md": "---\ntitle: 12\nfoo: [[x]]\n---\nplain note, not checked\n",
            "Practice/P.md": (
                '---\ntype: practice\ndate: "2026-11-02"\nquestion: "[[Q]]"\n'
                'story: "[[RAG]]"\nduration_s: 118.5\nmode: partner\nstructure: 5\n---\n'
            ),
        }
    )
    assert _fm(root) == []


def test_fm001_unknown_type_with_suggestion_and_line(make_vault) -> None:
    root = make_vault({"A.md": "---\ntitle: A\ntype: stroy\n---\n# A\n"})
    [(code, path, line, col, msg)] = _fm(root)
    assert (code, path, line, col) == ("FM001", "A.md", 3, 7)
    assert "'stroy'" in msg and "did you mean 'story'?" in msg and "question-type" in msg


def test_fm001_type_that_is_not_text(make_vault) -> None:
    root = make_vault({"A.md": "---\ntype: [story]\n---\n"})
    [(code, *_rest, msg)] = _fm(root)
    assert code == "FM001" and "a list" in msg


def test_fm002_missing_and_empty_required_fields(make_vault) -> None:
    story = STORY.replace('impact: "Search time -60%"\n', "").replace(
        "project: Support search", 'project: ""'
    )
    root = make_vault({**_base(), "Stories/RAG.md": story})
    found = [(c, line, m) for c, _p, line, _col, m in _fm(root)]
    assert [c for c, _, _ in found] == ["FM002", "FM002"]
    by_field = {m.split("'")[1]: (line, m) for _, line, m in found}
    assert by_field["project"][1].startswith("'project' is empty")
    assert by_field["project"][0] == 4  # the field's own line
    assert by_field["impact"][1].startswith("'impact' is missing")
    assert "headline metric" in by_field["impact"][1]
    assert by_field["impact"][0] == 2  # missing: the type line


def test_fm003_unquoted_link_says_quote_it(make_vault) -> None:
    text = (
        '---\ntype: practice\ndate: 2026-11-02\nquestion: [[Q]]\nstory: "[[S]]"\n'
        "duration_s: 100\nmode: self\n---\n"
    )
    root = make_vault({"P.md": text})
    [(code, _path, line, col, msg)] = _fm(root)
    assert (code, line, col) == ("FM003", 4, 11)
    assert "'question'" in msg and 'quote it: "[[Q]]"' in msg


def test_fm003_shapes(make_vault) -> None:
    story = (
        STORY.replace('principles: ["[[Ownership]]"]', "principles: [[Ownership]]")
        .replace("failure: false", "failure: maybe")
        .replace("question_types: [leadership, conflict]", "question_types: leadership")
        .replace("role: Tech lead", "role: 42")
    )
    practice = (
        '---\ntype: practice\ndate: next tuesday\nquestion: "Q"\nstory: "[[S]]"\n'
        'duration_s: "118"\nmode: self\nclarity: 3.5\n---\n'
    )
    root = make_vault({**_base(), "Stories/RAG.md": story, "P.md": practice})
    msgs = {(p, m.split("'")[1]): (c, m) for c, p, _l, _c, m in _fm(root)}
    assert all(c == "FM003" for c, _ in msgs.values()), msgs
    assert "quote each link" in msgs[("Stories/RAG.md", "principles")][1]
    assert "true or false" in msgs[("Stories/RAG.md", "failure")][1]
    assert "expected a list: [leadership]" in msgs[("Stories/RAG.md", "question_types")][1]
    assert "quote it" in msgs[("Stories/RAG.md", "role")][1]
    assert "a date like" in msgs[("P.md", "date")][1]
    assert '"[[Q]]"' in msgs[("P.md", "question")][1]
    assert "without quotes" in msgs[("P.md", "duration_s")][1]
    assert "whole number" in msgs[("P.md", "clarity")][1]


def test_fm004_unknown_question_type_suggests_and_lists(make_vault) -> None:
    story = STORY.replace("[leadership, conflict]", "[leadership, conflicts]")
    root = make_vault({**_base(), "Stories/RAG.md": story})
    [(code, _p, line, _c, msg)] = _fm(root)
    assert (code, line) == ("FM004", 7)
    assert "item 2" in msg and "'conflicts'" in msg and "did you mean 'conflict'?" in msg
    assert "known: conflict, leadership" in msg


def test_fm004_question_types_from_config(make_vault) -> None:
    story = STORY.replace("[leadership, conflict]", "[leadership, mentoring]")
    files = {**_base(), "Stories/RAG.md": story}
    assert [c for c, *_ in _fm(make_vault(files, name="a"))] == ["FM004"]
    files["starvault.toml"] = 'question_types = ["mentoring"]\n'
    assert _fm(make_vault(files, name="b")) == []


def test_fm004_fixed_sets_and_ranges(make_vault) -> None:
    practice = (
        '---\ntype: practice\ndate: 2026-11-02\nquestion: "[[Q]]"\nstory: "[[S]]"\n'
        "duration_s: 0\nmode: Partner\nstructure: 6\ntiming: 0\n---\n"
    )
    ask = "---\ntype: ask\ncategory: salary\n---\n"
    root = make_vault({"P.md": practice, "A.md": ask})
    found = {(p, m.split("'")[1]): m for c, p, _l, _c, m in _fm(root) if c == "FM004"}
    assert len(found) == 5, found
    assert "did you mean 'partner'?" in found[("P.md", "mode")]
    assert "expected 1-5" in found[("P.md", "structure")]
    assert "expected 1-5" in found[("P.md", "timing")]
    assert "expected > 0" in found[("P.md", "duration_s")]
    assert "culture, growth, team" in found[("A.md", "category")]


def test_broken_yaml_is_left_to_va002(make_vault) -> None:
    root = make_vault({"A.md": "---\ntype: story\ntitle: [oops\n---\n"})
    assert _fm(root) == []


def test_suppression_in_front_matter(make_vault) -> None:
    root = make_vault({"A.md": "---\ntype: stroy\nstarvault: {ignore: [FM001]}\n---\n"})
    assert _fm(root) == []


def test_cli_json_reports_fm_findings(make_vault, run_cli) -> None:
    root = make_vault({"A.md": "---\ntype: ask\ncategory: team\ntitle: [x]\n---\n"})
    result = run_cli("check", str(root), "--select", "FM", "--format", "json", "--no-cache")
    assert result.exit_code == 1
    [d] = json.loads(result.output)["diagnostics"]
    assert (d["rule"], d["name"], d["line"]) == ("FM003", "wrong-field-type", 4)


def test_crlf_note_lines(make_vault) -> None:
    root = make_vault({"A.md": "---\r\ntype: ask\r\n\r\ncategory: teams\r\n---\r\n"})
    [(code, _p, line, col, _m)] = _fm(root)
    assert (code, line, col) == ("FM004", 4, 11)


def test_field_lines_ignores_nested_keys() -> None:
    text = "---\ntype: story\nstarvault:\n  ignore: [X]\n'title': a\n---\nbody\n"
    lines = field_lines(text, 7)
    assert lines["type"] == (2, 7)
    assert lines["title"][0] == 5
    assert "ignore" not in lines


@pytest.mark.parametrize("name", schema.type_names())
def test_every_type_documents_its_fields(name: str) -> None:
    t = schema.TYPES[name]
    assert all(f.description for f in t.fields), name


def test_docs_match_the_schema() -> None:
    doc = (REPO / "docs" / "note-types.md").read_text(encoding="utf-8")
    assert doc == schema.docs_markdown(), "run: python -m starvault.schema > docs/note-types.md"


def test_a_new_field_is_one_edit(make_vault, monkeypatch) -> None:
    t = schema.TYPES["principle"]
    extra = schema.Field("rank", schema.Kind.NUMBER, required=True, description="rank")
    monkeypatch.setitem(
        schema.TYPES, "principle", schema.NoteType(t.name, t.description, (*t.fields, extra))
    )
    root = make_vault({"P.md": "---\ntype: principle\n---\n"})
    assert [c for c, *_ in _fm(root)] == ["FM002"]
    assert "| `rank` | number | yes |" in schema.docs_markdown()


def test_sample_vault_copy_with_a_bad_key_is_caught(tmp_path: Path) -> None:
    root = tmp_path / "v"
    shutil.copytree(SAMPLE_VAULT, root)
    qt = root / "Question Types" / "Conflict Resolution.md"
    qt.write_text(qt.read_text(encoding="utf-8").replace("key: conflict", "key: conflicts"))
    codes = {(c, p) for c, p, *_ in _fm(root)}
    assert ("FM004", "Stories/Model Launch Disagreement.md") in codes


def test_without_question_type_notes_the_seed_types_apply(make_vault) -> None:
    story = STORY.replace("[leadership, conflict]", "[leadership, cross-functional, mentor]")
    [(code, *_r, msg)] = _fm(make_vault({"Stories/RAG.md": story}))
    assert code == "FM004" and "'mentor'" in msg and "ambiguity" in msg


def test_note_templates_folder_is_not_checked(make_vault) -> None:
    blank = '---\ntype: story\ntitle: "{{title}}"\nimpact: ""\n---\n'
    root = make_vault(
        {"_templates/notes/story.md": blank, "_templates/notes/x.md": "---\ntype: x\n---\n"}
    )
    assert _fm(root) == []
    moved = make_vault({"Stories/Blank.md": blank}, name="other")
    assert {c for c, *_ in _fm(moved)} == {"FM002"}
