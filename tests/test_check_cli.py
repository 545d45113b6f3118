"""`starvault check` as a user runs it: output, selection, suppression, config, exit codes,
the cache; plus `rules` and `graph`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import starvault
from starvault.rules import all_rules

BROKEN = {"A.md": "# A\n\n[[Missing]] and [[B#Nope]]\n", "B.md": "# B\n[[A]]\n"}


def test_text_output_and_exit_code(make_vault, run_cli):
    root = make_vault(BROKEN)
    result = run_cli("check", str(root))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert (
        lines[0]
        == f"{root}/A.md:3:1: LK001 no note named 'Missing'; create the note or fix the link"
    )
    assert lines[1].startswith(f"{root}/A.md:3:17: LK002 'B' has no heading 'Nope'")
    assert lines[-1] == "Found 2 errors, 0 warnings, 0 info in 2 notes, 3 links."
    assert "\x1b[" not in result.output  # no colour when not on a terminal


def test_clean_vault_exits_zero(make_vault, run_cli):
    root = make_vault({"A.md": "[[B]]\n", "B.md": "[[A]]\n"})
    result = run_cli("check", str(root))
    assert result.exit_code == 0
    assert result.output.startswith("All checks passed (2 notes, 2 links).")


def test_strict_fails_on_warnings_and_info(make_vault, run_cli):
    root = make_vault({"A.md": "x\n"})  # an orphan: info
    assert run_cli("check", str(root)).exit_code == 0
    assert run_cli("check", str(root), "--strict").exit_code == 1


def test_select_and_ignore_by_code_prefix_and_name(make_vault, run_cli):
    root = make_vault(BROKEN)

    def rules(*args: str) -> list[str]:
        out = run_cli("check", str(root), "--format", "json", *args).output
        return [d["rule"] for d in json.loads(out)["diagnostics"]]

    assert rules("--select", "LK002") == ["LK002"]
    assert rules("--select", "LK00") == ["LK001", "LK002"]
    assert rules("--ignore", "LK001") == ["LK002"]
    assert rules("--select", "broken-heading") == ["LK002"]
    assert rules("--select", "LK001,LK002", "--ignore", "LK002") == ["LK001"]


def test_unknown_selector_is_a_usage_error(make_vault, run_cli):
    root = make_vault(BROKEN)
    result = CliRunnerStderr.invoke("check", str(root), "--select", "LK999")
    assert result.returncode == 2
    assert "no rule matches LK999" in result.stderr


class CliRunnerStderr:
    """The installed console script in a subprocess: real exit codes and stderr."""

    @staticmethod
    def invoke(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "starvault.cli", *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            check=False,
        )


def test_missing_vault_exits_2_with_message():
    result = CliRunnerStderr.invoke("check", "/no/such/vault")
    assert result.returncode == 2
    assert "no vault at '/no/such/vault'" in result.stderr
    assert "Traceback" not in result.stderr


def test_vault_found_upward_from_current_folder(make_vault):
    root = make_vault({"starvault.toml": "", "A.md": "[[Missing]]\n", "deep/er/B.md": "[[A]]\n"})
    result = CliRunnerStderr.invoke("check", "--format", "json", cwd=root / "deep" / "er")
    data = json.loads(result.stdout)
    assert data["notes"] == 2
    assert [d["path"] for d in data["diagnostics"] if d["rule"] == "LK001"] == ["A.md"]


def test_config_severity_select_and_bad_config(make_vault, run_cli):
    root = make_vault(
        {
            **BROKEN,
            "starvault.toml": '[severity]\nLK001 = "warning"\nLK002 = "off"\n',
        }
    )
    result = run_cli("check", str(root), "--format", "json")
    data = json.loads(result.output)
    assert [(d["rule"], d["severity"]) for d in data["diagnostics"]] == [("LK001", "warning")]
    assert result.exit_code == 0

    bad = make_vault({"A.md": "x\n", "starvault.toml": "tresholds = 3\n"}, name="bad")
    out = CliRunnerStderr.invoke("check", str(bad))
    assert out.returncode == 2
    assert "unknown key 'tresholds'" in out.stderr

    worse = make_vault(
        {"A.md": "x\n", "starvault.toml": '[thresholds]\nstories_min = "five"\n'}, "w"
    )
    out = CliRunnerStderr.invoke("check", str(worse))
    assert out.returncode == 2 and "'thresholds.stories_min' must be a whole number" in out.stderr


def test_config_select_is_replaced_by_cli_select(make_vault, run_cli):
    root = make_vault({**BROKEN, "starvault.toml": 'select = ["LK002"]\n'})
    data = json.loads(run_cli("check", str(root), "--format", "json").output)
    assert [d["rule"] for d in data["diagnostics"]] == ["LK002"]
    data = json.loads(run_cli("check", str(root), "--format", "json", "--select", "LK001").output)
    assert [d["rule"] for d in data["diagnostics"]] == ["LK001"]


def test_suppression_by_comment_on_line_or_line_above_and_front_matter(make_vault):
    root = make_vault(
        {
            "A.md": (
                "[[Gone1]] %% starvault-ignore LK001 %%\n"
                "%% starvault-ignore LK001 %%\n"
                "[[Gone2]]\n"
                "\n"
                "[[Gone3]]\n"
                "%% starvault-ignore LK002 %%\n"
                "[[Gone4]]\n"
            ),
            "B.md": "---\nstarvault:\n  ignore: [LK]\n---\n[[Gone5]]\n",
        }
    )
    report = starvault.check(starvault.load(root, use_cache=False), select=["LK001"])
    assert [(d.path, d.line) for d in report.diagnostics] == [("A.md", 5), ("A.md", 7)]


def test_rules_command_lists_and_explains(run_cli):
    listing = run_cli("rules").output
    for code in ("VA001", "VA002", "LK001", "LK008"):
        assert code in listing
    one = run_cli("rules", "LK001")
    assert one.exit_code == 0
    assert "broken-link" in one.output and "Anti-pattern" in one.output
    assert run_cli("rules", "broken-link").output == one.output
    # Plain text for a terminal: no reStructuredText literals, no Markdown bold.
    for code in ("LK001", "NV006", "ST001"):
        text = run_cli("rules", code).output
        assert "``" not in text and "**Anti-pattern**" not in text, text
    missing = CliRunnerStderr.invoke("rules", "LK01")
    assert missing.returncode == 2 and "did you mean" in missing.stderr


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_every_rule_is_documented(rule):
    assert rule.code[:2].isalpha() and rule.code[2:].isdigit() and len(rule.code) == 5
    assert rule.name == rule.name.lower() and " " not in rule.name
    assert rule.severity in ("error", "warning", "info")
    assert rule.summary.endswith(".") and len(rule.summary) > 15
    assert "**Anti-pattern**" in rule.doc and "**Best practice**" in rule.doc
    bad = rule.doc.split("**Anti-pattern**", 1)[1].split("**Best practice**", 1)
    assert bad[0].strip() and bad[1].strip(), "both examples must have content"


def test_rule_names_are_unique():
    names = [r.name for r in all_rules()]
    assert len(names) == len(set(names))


def test_graph_exports(make_vault, run_cli):
    root = make_vault(
        {
            "A.md": "[[B]] ![[pic.png]] [[Missing]] [[B#H]]\n",
            "B.md": "# H\n",
            "pic.png": b"x",
        }
    )
    data = json.loads(run_cli("graph", str(root)).output)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["A.md"]["kind"] == "note" and nodes["pic.png"]["kind"] == "attachment"
    assert nodes["?Missing"]["unresolved"] is True
    edges = [(e["source"], e["target"], e["kind"], e["line"]) for e in data["links"]]
    assert ("A.md", "B.md", "link", 1) in edges
    assert ("A.md", "pic.png", "embed", 1) in edges
    assert sum(1 for e in edges if e[:2] == ("A.md", "B.md")) == 2  # a multigraph

    graphml = run_cli("graph", str(root), "--format", "graphml").output
    ET.fromstring(graphml)
    gexf = run_cli("graph", str(root), "--format", "gexf").output
    ET.fromstring(gexf)
    dot = run_cli("graph", str(root), "--format", "dot").output
    assert dot.startswith("digraph vault {") and '"A.md" -> "B.md"' in dot


def test_library_api_backlinks_and_orphans(make_vault):
    root = make_vault(
        {"A.md": "[[B]]\n", "B.md": "[[B#x]]\n", "C.md": "alone\n", "Home.md": "[[A]]\n"}
    )
    vault = starvault.load(root, use_cache=False)
    assert [r.source for r in vault.backlinks["B.md"]] == ["A.md"]  # self-links excluded
    assert vault.orphans == ["C.md"]  # Home is an index note
    assert vault.graph.number_of_nodes() == 4
    assert vault.lookup("b").path == "B.md"


def test_practice_notes_and_templates_are_not_orphans(make_vault):
    root = make_vault(
        {
            "S.md": "story\n",
            "Home.md": "[[S]]\n",
            "Practice/P1.md": '---\ntype: practice\nstory: "[[S]]"\n---\n',
            "_templates/notes/story.md": "---\ntype: story\n---\n",
            "Lonely.md": "x\n",
        }
    )
    assert starvault.load(root, use_cache=False).orphans == ["Lonely.md"]


def test_cache_is_reused_invalidated_and_survives_corruption(make_vault):
    root = make_vault({"A.md": "[[B]]\n", "B.md": "x\n"})
    first = starvault.load(root)
    cache_dir = root / ".starvault-cache"
    assert (cache_dir / ".gitignore").read_text().strip().endswith("*")
    second = starvault.load(root)
    assert second.notes["A.md"].links == first.notes["A.md"].links
    # Changing a note re-parses it (size and mtime differ).
    (root / "A.md").write_text("[[C]] and more\n")
    third = starvault.load(root)
    assert [link.target for link in third.notes["A.md"].links] == ["C"]
    # A corrupt cache is ignored and rewritten, never fatal.
    for f in cache_dir.iterdir():
        if f.name.startswith("notes"):
            f.write_bytes(b"garbage")
    fourth = starvault.load(root)
    assert [link.target for link in fourth.notes["A.md"].links] == ["C"]
    # --no-cache neither reads nor writes it.
    for f in list(cache_dir.iterdir()):
        f.unlink()
    starvault.load(root, use_cache=False)
    assert list(cache_dir.iterdir()) == []


def test_unwritable_cache_is_not_fatal(make_vault, monkeypatch):
    root = make_vault({"A.md": "[[Missing]]\n"})

    def deny(*args, **kwargs):  # root can write anywhere, so refuse the write itself
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr("starvault.cache.tempfile.mkstemp", deny)
    report = starvault.check(starvault.load(root), select=["LK001"])
    assert [d.rule for d in report.diagnostics] == ["LK001"]
    assert not any(p.name.startswith("notes") for p in (root / ".starvault-cache").iterdir())


def test_parallel_scan_matches_serial(make_vault):
    files = {
        f"f{i // 50}/N{i}.md": f"# N{i}\n\n[[N{(i + 1) % 400}]] [[Gone{i}]]\n" for i in range(400)
    }
    root = make_vault(files)
    serial = starvault.load(root, use_cache=False, jobs=1)
    parallel = starvault.load(root, use_cache=False, jobs=2)
    assert serial.notes == parallel.notes
    report = starvault.check(parallel, select=["LK001"])
    assert len(report.diagnostics) == 400


def test_warm_check_sees_changes_in_other_notes(make_vault):
    """Cached link outcomes must not hide what a change elsewhere does to a note."""
    root = make_vault({"A.md": "[[B#Part]] [[C]] [[Artificial]]\n", "B.md": "# Part\n"})

    def lk(select: str) -> list[tuple[str, int, int]]:
        report = starvault.check(starvault.load(root), select=[select])
        return [(d.path, d.line, d.column) for d in report.diagnostics]

    assert lk("LK001") == [("A.md", 1, 12), ("A.md", 1, 18)]
    assert lk("LK002") == []
    # B loses its heading: A did not change, but its link into B is now broken.
    (root / "B.md").write_text("# Other heading\n")
    assert lk("LK002") == [("A.md", 1, 1)]
    # A new note C makes A's link resolve without touching A.
    (root / "C.md").write_text("c\n")
    assert lk("LK001") == [("A.md", 1, 18)]
    # An alias added elsewhere changes A's message.
    (root / "AI.md").write_text("---\naliases: [Artificial]\n---\n")
    report = starvault.check(starvault.load(root), select=["LK001"])
    assert "[[AI|Artificial]]" in report.diagnostics[0].message
    # And the cold result is the same as the warm one.
    cold = starvault.check(starvault.load(root, use_cache=False))
    warm = starvault.check(starvault.load(root))
    assert cold.diagnostics == warm.diagnostics


def test_readme_documents_every_rule():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for r in all_rules():
        assert f"| {r.code} | {r.name} | {r.severity} |" in readme, r.code
    assert f"{len(all_rules())} rules" in readme


def test_readme_config_example_is_valid(make_vault):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    root = make_vault({"starvault.toml": example, "A.md": "x\n"})
    config = starvault.load(root, use_cache=False).config
    assert config.severity == {"LK004": "error", "CV007": "info"}
    assert config.thresholds.failure_stories_warn == 2


def test_output_is_the_same_whatever_the_hash_seed(make_vault):
    """Suggestions must not depend on set order, which varies between processes."""
    # Many names share as many trigrams with the target: a shortlist cut among them by
    # set order would pick a different suggestion in each process.
    words = [f"{a}{b}" for a in "bcdfghjklm" for b in ("ax", "ex", "ix", "ox", "ux", "yx")]
    files = {f"{w} Notes.md": "x\n" for w in words}
    files["Src.md"] = "[[Nope Notes]] [[Notes Bax]] [[Zzx Notes]]\n"
    root = make_vault(files)
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-m", "starvault.cli", "check", str(root), "--no-cache"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        outputs.add(out.stdout)
    assert len(outputs) == 1, outputs
