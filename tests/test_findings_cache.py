"""Per-note findings kept in the cache: a warm check reports exactly what a cold one does."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

import starvault.rules as rules_mod
from starvault import findings_cache
from starvault.rules import all_rules, check
from starvault.vault import load

QT = "---\ntype: question-type\nkey: {key}\ntitle: {title}\n---\n\n# {title}\n"
STORY = """---
type: story
title: {title}
project: Search
role: Tech Lead
impact: "search time -60%"
question_types: [{types}]
---

# {title}

## Situation

Support agents spent 40% of their time searching documents.

## Task

I owned the search relevance work.
{action}
## Result

Search time fell by 60% for 300 agents.
"""
ACTION = "\n## Action\n\n- I profiled the queries and rebuilt the index.\n"
BLAME = "\n## Action\n\n- We waited because the other team blocked us and it was their fault.\n"


def _files() -> dict[str, str]:
    return {
        "Question Types/Conflict.md": QT.format(key="conflict", title="Conflict"),
        "Question Types/Failure.md": QT.format(key="failure", title="Failure"),
        "Stories/Search.md": STORY.format(title="Search", types="conflict, failure", action=ACTION),
        "Stories/Blame.md": STORY.format(title="Blame", types="conflict, teamwork", action=BLAME),
        "Stories/Bare.md": STORY.format(title="Bare", types="failure", action=""),
        "Questions/Q.md": "---\ntype: question\nquestion_type: leadership\n---\n\n# Q\n",
        "Plain.md": "# Plain\n\n[[Search]] [[Blame]] [[Bare]] [[Q]]\n",
    }


def _settle() -> None:
    # A note changed in the same instant as the run that cached it is re-read anyway
    # (cache.RACY_NS): let the file clock move on so the cached rows are really reused.
    time.sleep(0.05)


def _json(run_cli, root: Path, *extra: str) -> list[dict]:  # type: ignore[no-untyped-def]
    result = run_cli("check", str(root), "--format", "json", *extra)
    return json.loads(result.output)["diagnostics"]


def _same_warm_and_cold(run_cli, root: Path) -> list[dict]:  # type: ignore[no-untyped-def]
    warm = _json(run_cli, root)
    cold = _json(run_cli, root, "--no-cache")
    assert warm == cold
    return warm


def test_warm_equals_cold_after_edit_rename_delete(make_vault, run_cli) -> None:
    root = make_vault(_files())
    _settle()
    first = _json(run_cli, root)  # fills the cache
    assert {"ST001", "FM004"} <= {d["rule"] for d in first}
    _settle()
    assert _same_warm_and_cold(run_cli, root) == first

    # Edit: Bare gets its Action, Search loses its own.
    bare = root / "Stories/Bare.md"
    bare.write_text(STORY.format(title="Bare", types="failure", action=ACTION), "utf-8")
    search = root / "Stories/Search.md"
    search.write_text(STORY.format(title="Search", types="conflict", action=""), "utf-8")
    after_edit = _same_warm_and_cold(run_cli, root)
    assert not [d for d in after_edit if d["path"] == "Stories/Bare.md" and d["rule"] == "ST001"]
    assert [d for d in after_edit if d["path"] == "Stories/Search.md" and d["rule"] == "ST001"]
    _settle()

    # Rename: the findings move with the note; none stay under the old path.
    os.replace(root / "Stories/Blame.md", root / "Stories/Blamed.md")
    after_rename = _same_warm_and_cold(run_cli, root)
    assert not [d for d in after_rename if d["path"] == "Stories/Blame.md"]
    assert [d for d in after_rename if d["path"] == "Stories/Blamed.md"]
    _settle()

    # Delete.
    (root / "Stories/Search.md").unlink()
    after_delete = _same_warm_and_cold(run_cli, root)
    assert not [d for d in after_delete if d["path"] == "Stories/Search.md"]


def test_warm_run_checks_only_the_changed_note(make_vault, monkeypatch) -> None:
    root = make_vault(_files())
    _settle()
    check(load(root))
    _settle()
    (root / "Stories/Bare.md").write_text(
        STORY.format(title="Bare", types="failure", action=BLAME), "utf-8"
    )
    seen: dict[str, set[str]] = {}
    real = rules_mod.run_on

    def spy(vault, r, paths):  # type: ignore[no-untyped-def]
        seen[r.code] = set(paths)
        return real(vault, r, paths)

    monkeypatch.setattr(rules_mod, "run_on", spy)
    report = check(load(root))
    assert seen["ST001"] == {"Stories/Bare.md"}
    assert seen["FM002"] == {"Stories/Bare.md"}
    cold = check(load(root, use_cache=False))
    assert report.diagnostics == cold.diagnostics


def test_a_vault_wide_fact_invalidates_the_rules_that_read_it(make_vault, run_cli) -> None:
    root = make_vault(_files())
    _settle()
    before = _json(run_cli, root)
    assert any(d["rule"] == "FM004" and d["path"] == "Questions/Q.md" for d in before)
    _settle()
    # A new question type makes 'leadership' a known key: FM004 on the unchanged question
    # must see it, though the question itself did not change.
    (root / "Question Types/Leadership.md").write_text(
        QT.format(key="leadership", title="Leadership"), "utf-8"
    )
    after = _same_warm_and_cold(run_cli, root)
    assert not any(d["rule"] == "FM004" and d["path"] == "Questions/Q.md" for d in after)


def test_configuration_change_is_seen(make_vault, run_cli) -> None:
    root = make_vault(_files())
    _settle()
    before = _json(run_cli, root)
    _settle()
    # The stories are now blanks for `starvault new`: no ST findings about them.
    (root / "starvault.toml").write_text('note_templates = "Stories"\n', "utf-8")
    after = _same_warm_and_cold(run_cli, root)
    assert any(d["rule"].startswith("ST") for d in before)
    assert not any(d["rule"].startswith("ST") for d in after)


@pytest.mark.parametrize("content", [b"", b"garbage", b"starvault-cache\n" + b"\0" * 64])
def test_a_foreign_or_corrupt_findings_file_is_ignored(make_vault, run_cli, content) -> None:
    root = make_vault(_files())
    cold = _json(run_cli, root, "--no-cache")
    _json(run_cli, root)
    (root / ".starvault-cache" / findings_cache.FILE).write_bytes(content)
    assert _json(run_cli, root) == cold


def test_forged_findings_are_never_read(make_vault, run_cli) -> None:
    """A findings file with a valid shape but not this user's keyed hash is a cold start."""
    import marshal

    root = make_vault(_files())
    cold = _json(run_cli, root, "--no-cache")
    _json(run_cli, root)
    path = root / ".starvault-cache" / findings_cache.FILE
    payload = marshal.dumps({"key": findings_cache._KEY, "rules": {}})
    path.write_bytes(b"starvault-cache\n" + b"\0" * 32 + payload)
    assert _json(run_cli, root) == cold


def test_scope_in_the_registry_drives_the_language_servers_focus() -> None:
    local = {r.code for r in all_rules() if r.local}
    # One note alone (and its links): checked right after an edit.
    assert {"FM001", "FM002", "ST001", "LK001", "VA002"} <= local
    # Counts across notes, or reads vault-wide facts: waits for the full pass.
    assert not {"CV001", "NV002", "LK007", "FM004", "ST012"} & local
    for r in all_rules():
        if r.scope == "note":
            assert r.check.__module__.endswith(("star", "frontmatter")), r.code


def test_json_output_has_one_finding_per_line(make_vault, run_cli) -> None:
    """--format json is the report's data, laid out as SPEC section 6 shows it."""
    from starvault.report import format_json, to_json_data

    files = _files()
    files['Stories/Ünïcode "q".md'] = STORY.format(title='Tab\\there "é"', types="x", action="")
    root = make_vault(files)
    report = check(load(root, use_cache=False))
    assert report.diagnostics
    text = format_json(report, "vault\u2028")
    assert json.loads(text) == to_json_data(report, "vault\u2028")
    lines = text.split("\n")
    assert lines[0] == "{" and lines[1] == '  "version": 1,' and lines[-1] == "}"
    rows = [line for line in lines if line.startswith('    {"rule": ')]
    assert len(rows) == len(report.diagnostics)
    assert "Ünïcode" in text  # not escaped
    empty = format_json(type(report)(report.vault, []), "v")
    assert '"diagnostics": [],' in empty and json.loads(empty)["diagnostics"] == []


def test_a_rule_left_out_while_a_note_changed_is_not_trusted_later(make_vault, run_cli) -> None:
    root = make_vault(_files())
    _settle()
    _json(run_cli, root)
    _settle()
    (root / "Stories/Bare.md").write_text(
        STORY.format(title="Bare", types="failure", action=ACTION), "utf-8"
    )
    _settle()
    _json(run_cli, root, "--select", "FM")  # the ST rules do not run on the new version
    _settle()
    after = _same_warm_and_cold(run_cli, root)
    assert not [d for d in after if d["path"] == "Stories/Bare.md" and d["rule"] == "ST001"]


def _course(name: str, prev: str | None, nxt: str | None) -> str:
    nav = "## Navigation\n\n**Module:** [[Contents]] → Basics\n"
    nav += f"**Previous:** [[{prev}]]\n" if prev else "**Previous:** —\n"
    nav += f"**Next:** [[{nxt}]]\n" if nxt else "**Next:** —\n"
    return (
        f"---\ntype: course\ntitle: {name}\nmodule: Basics\n---\n\n# {name}\n\n{nav}\n---\n\n"
        f"## Introduction\n\nText of {name}.\n\n---\n\n{nav}"
    )


def test_navigation_read_from_the_cache_equals_a_cold_read(make_vault, run_cli) -> None:
    files = {
        "Contents.md": "---\ntype: toc\n---\n\n# Contents\n\n1. [[A]]\n2. [[B]]\n3. [[C]]\n",
        "A.md": _course("A", None, "B"),
        "B.md": _course("B", "A", "C"),
        "C.md": _course("C", "B", None),
    }
    root = make_vault(files)
    _settle()
    assert not [d for d in _json(run_cli, root) if d["rule"].startswith("NV")]
    _settle()
    # The table of contents changes the order: unchanged pages are now wrong.
    (root / "Contents.md").write_text(
        "---\ntype: toc\n---\n\n# Contents\n\n1. [[A]]\n2. [[C]]\n3. [[B]]\n", "utf-8"
    )
    after = _same_warm_and_cold(run_cli, root)
    assert {d["path"] for d in after if d["rule"] == "NV003"} == {"A.md", "B.md", "C.md"}
    _settle()
    (root / "B.md").write_text(_course("B", "C", None).replace("## Navigation", "## Nav"), "utf-8")
    after = _same_warm_and_cold(run_cli, root)
    assert [d for d in after if d["path"] == "B.md" and d["rule"] == "NV001"]


def _ran_rules(monkeypatch, root: Path) -> tuple[set[str], list]:  # type: ignore[no-untyped-def]
    """The vault-scope rules with inputs that really ran in a cached check of ``root``."""
    ran: set[str] = set()
    real = findings_cache.vault_findings

    def spy(vault, r):  # type: ignore[no-untyped-def]
        entry = findings_cache._state(vault).rules.get(r.code)
        if entry is None or entry[0] != findings_cache.inputs_key(vault, r):
            ran.add(r.code)
        return real(vault, r)

    monkeypatch.setattr(findings_cache, "vault_findings", spy)
    report = check(load(root))
    cold = check(load(root, use_cache=False))
    assert report.diagnostics == cold.diagnostics
    return ran, report.diagnostics


def test_vault_rules_run_again_only_when_their_inputs_change(make_vault, monkeypatch) -> None:
    files = {
        **_files(),
        "Contents.md": "---\ntype: toc\n---\n\n# Contents\n\n1. [[A]]\n2. [[B]]\n",
        "A.md": _course("A", None, "B"),
        "B.md": _course("B", "A", None),
    }
    root = make_vault(files)
    monkeypatch.setenv("STARVAULT_TODAY", "2026-03-01")
    _settle()
    ran, _ = _ran_rules(monkeypatch, root)
    assert {"NV001", "CV001"} <= ran  # a cold cache runs them all
    _settle()
    ran, _ = _ran_rules(monkeypatch, root)
    assert not ran

    # A note neither reads: both families are reused.
    (root / "Plain.md").write_text("# Plain\n\nEdited.\n", "utf-8")
    ran, _ = _ran_rules(monkeypatch, root)
    assert not ran
    _settle()

    # A story: coverage runs again, navigation does not.
    (root / "Stories/Bare.md").write_text(
        STORY.format(title="Bare", types="failure", action=ACTION), "utf-8"
    )
    ran, found = _ran_rules(monkeypatch, root)
    assert "CV001" in ran and not {r for r in ran if r.startswith("NV")}
    _settle()

    # A course page: navigation runs again, and sees the page's broken block.
    (root / "B.md").write_text(_course("B", "A", None).replace("## Navigation", "## Nav"), "utf-8")
    ran, found = _ran_rules(monkeypatch, root)
    assert "NV001" in ran and "CV001" not in ran
    assert [d for d in found if d.path == "B.md" and d.rule == "NV001"]
    _settle()

    # A new file anywhere changes where links lead: both run again.
    (root / "New.md").write_text("# New\n", "utf-8")
    ran, _ = _ran_rules(monkeypatch, root)
    assert {"NV001", "CV001"} <= ran
    _settle()

    # Another day: readiness and days left may change, so coverage runs again.
    monkeypatch.setenv("STARVAULT_TODAY", "2026-03-02")
    ran, _ = _ran_rules(monkeypatch, root)
    assert "CV001" in ran and "NV001" not in ran


def test_note_facts_outlive_a_run_that_did_not_need_them(make_vault, monkeypatch) -> None:
    """A check after an edit the coverage rules did not need keeps the stories' cached
    facts: the next story edit reads that story alone, not every story again."""
    from starvault import coverage

    root = make_vault(_files())
    _settle()
    check(load(root))
    _settle()
    (root / "Plain.md").write_text("# Plain\n\nEdited.\n", "utf-8")  # coverage reused
    check(load(root))
    _settle()
    (root / "Stories/Bare.md").write_text(
        STORY.format(title="Bare", types="failure", action=ACTION), "utf-8"
    )
    read: list[str] = []
    real = coverage._story_facts

    def spy(vault, note):  # type: ignore[no-untyped-def]
        read.append(note.path)
        return real(vault, note)

    monkeypatch.setattr(coverage, "_story_facts", spy)
    report = check(load(root))
    assert read == ["Stories/Bare.md"]
    assert report.diagnostics == check(load(root, use_cache=False)).diagnostics
