"""What a new user meets first: init, clear one-line failures, colour, plain-text help."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import starvault
from conftest import SAMPLE_VAULT
from starvault.authoring import toc_with_page
from starvault.coverage import question_types
from starvault.site import build

SCRIPTED = [
    "--question", "Influence Without Authority", "--story", "[[RAG Support Search]]",
    "--duration", "118", "--mode", "partner", "--date", "2026-12-01",
]  # fmt: skip


def _cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    """The real console entry in a subprocess: exit code, stdout and stderr apart."""
    import os

    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "starvault.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        check=False,
    )


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE_VAULT, root, ignore=shutil.ignore_patterns(".starvault-cache"))
    return root


# -- init --------------------------------------------------------------------------------
def test_init_makes_a_vault_that_checks_clean_and_builds(tmp_path: Path) -> None:
    root = tmp_path / "prep"
    result = _cli("init", str(root))
    assert result.returncode == 0, result.stderr
    for rel in (
        "starvault.toml",
        "Home.md",
        "Table_of_Contents.md",
        ".gitignore",
        ".pre-commit-config.yaml",
        "_templates/notes/story.md",
        "Question Types/Conflict Resolution.md",
    ):
        assert (root / rel).is_file(), rel
    assert "/site/" in (root / ".gitignore").read_text()
    assert ".starvault-cache/" in (root / ".gitignore").read_text()
    assert "entry: starvault check" in (root / ".pre-commit-config.yaml").read_text()
    vault = starvault.load(root, use_cache=False)
    assert sorted(qt.key for qt in question_types(vault)) == [
        "ambiguity",
        "conflict",
        "cross-functional",
        "failure",
        "leadership",
    ]
    checked = _cli("check", str(root))
    assert checked.returncode == 0, checked.stdout
    assert " 0 errors" in checked.stdout
    result_build = build(vault, tmp_path / "out")
    assert result_build.pages >= 7 and not result_build.problems


def test_init_refuses_a_folder_with_notes(tmp_path: Path) -> None:
    root = tmp_path / "old"
    root.mkdir()
    (root / "Mine.md").write_text("# Mine\n")
    result = _cli("init", str(root))
    assert result.returncode == 2
    assert "already holds" in result.stderr and "Traceback" not in result.stderr
    assert (root / "Mine.md").read_text() == "# Mine\n" and not (root / "Home.md").exists()


def test_new_course_lists_itself_in_the_toc_and_stays_nv_clean(tmp_path: Path) -> None:
    root = tmp_path / "prep"
    assert _cli("init", str(root)).returncode == 0
    for title, module in (("One", "Basics"), ("Two", "Basics"), ("Later", "Advanced")):
        made = _cli("new", "course", title, "--set", f"module={module}", "--vault", str(root))
        assert made.returncode == 0, made.stderr
    made = _cli("new", "course", "Three", "--set", "module=Basics", "--vault", str(root))
    assert "updated navigation" in made.stderr
    toc = (root / "Table_of_Contents.md").read_text()
    assert "## Basics\n\n1. [[One]]\n2. [[Two]]\n3. [[Three]]\n" in toc
    assert "## Advanced\n\n1. [[Later]]" in toc
    nv = _cli("check", str(root), "--select", "NV")
    assert nv.returncode == 0 and "All checks passed" in nv.stdout, nv.stdout
    assert "**Next:** [[Later]]" in (root / "Three.md").read_text()


def test_new_toc_has_no_empty_list_item(tmp_path: Path) -> None:
    root = tmp_path / "v"
    root.mkdir()
    (root / "starvault.toml").write_text('toc = "Contents"\n')
    assert _cli("new", "toc", "Contents", "--vault", str(root)).returncode == 0
    text = (root / "Contents.md").read_text()
    assert not any(line.strip() in ("1.", "1. ") for line in text.splitlines())


def test_toc_with_page_fills_a_placeholder_and_keeps_crlf() -> None:
    text = "# C\r\n\r\n## Basics\r\n\r\n1. \r\n"
    assert toc_with_page(text, "[[A]]", "Basics") == "# C\r\n\r\n## Basics\r\n\r\n1. [[A]]\r\n"
    assert toc_with_page("# C\n", "[[A]]", "") == "# C\n\n1. [[A]]\n"


def test_toc_with_page_finds_the_module_section_as_the_parser_reads_it() -> None:
    # "## Basics" inside a code block is no heading; the section ends at the next "##".
    text = "# C\n\n```\n## Basics\n```\n\n## Basics\n\n1. [[X]]\n\n## Later\n\n1. [[Y]]\n"
    out = toc_with_page(text, "[[A]]", "basics")
    assert out == text.replace("1. [[X]]\n", "1. [[X]]\n2. [[A]]\n")


def test_nv006_promises_a_fix_only_where_fix_rewrites(make_vault, run_cli) -> None:
    page = (
        "---\ntype: course\nmodule: M\n---\n\n# Loose\n\n## Navigation\n\n"
        "**Module:** [[Home]] → M\n**Previous:** —\n**Next:** —\n\n---\n\nText.\n\n---\n\n"
        "## Navigation\n\n**Module:** [[Home]] → M\n**Previous:** —\n**Next:** —\n"
    )
    root = make_vault(
        {"Contents.md": "---\ntype: toc\n---\n\n# Contents\n", "Home.md": "# Home\n", "L.md": page}
    )
    (root / "starvault.toml").write_text('toc = "Contents"\n')
    out = run_cli("check", str(root), "--select", "NV006").output
    assert "NV006" in out and "list the page in the table of contents" in out
    assert "check --fix rewrites it from" not in out


def test_a_new_question_type_says_which_seed_types_it_replaced(make_vault) -> None:
    story = "---\ntype: story\nquestion_types: [conflict]\n---\n\n# S\n"
    mine = "---\ntype: question-type\nkey: negotiation\ntitle: Negotiation\n---\n\n# N\n"
    root = make_vault({"S.md": story, "Types/Negotiation.md": mine})
    vault = starvault.load(root, use_cache=False)
    assert {qt.key for qt in question_types(vault)} == {"negotiation"}
    [d] = starvault.check(vault, select=["FM004"]).diagnostics
    assert d.path == "S.md" and "seed's five question types" in d.message
    assert "add a question-type note with 'key: conflict'" in d.message


# -- failures are one line, exit 2 -------------------------------------------------------
def test_new_into_an_unwritable_folder_is_one_line(sample: Path) -> None:
    (sample / "Blocked").write_text("a file where a folder should be\n")
    result = _cli("new", "principle", "P", "--folder", "Blocked/Sub", "--vault", str(sample))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: cannot write the new note")
    assert len(result.stderr.strip().splitlines()) == 1


def test_practice_that_cannot_be_written_prints_the_session(sample: Path) -> None:
    shutil.rmtree(sample / "Practice")
    (sample / "Practice").write_text("not a folder\n")
    result = _cli("practice", str(sample), *SCRIPTED)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "cannot write the practice note" in result.stderr
    # The session is not lost: the whole note is printed.
    assert "duration_s: 118" in result.stdout and "type: practice" in result.stdout


def test_check_fix_that_cannot_write_is_one_line(make_vault, run_cli, monkeypatch) -> None:
    from starvault import navigation

    def refuse(path, data):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(navigation, "write_atomic", refuse)
    contents = "---\ntype: toc\n---\n\n# Contents\n\n1. [[A]]\n2. [[B]]\n"
    course = "---\ntype: course\n---\n\n# {t}\n\nText.\n"
    root = make_vault(
        {"Contents.md": contents, "A.md": course.format(t="A"), "B.md": course.format(t="B")}
    )
    (root / "starvault.toml").write_text('toc = "Contents"\n')
    result = run_cli("check", str(root), "--fix")
    assert result.exit_code == 2
    assert "cannot write the fixed note" in result.output and "Permission denied" in result.output


# -- output --------------------------------------------------------------------------------
def test_check_on_a_folder_without_notes_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("no notes here\n")
    result = _cli("check", str(empty))
    assert result.returncode == 0
    assert "No notes" in result.stdout and "All checks passed" not in result.stdout


def test_no_color_and_the_color_option(make_vault) -> None:
    root = make_vault({"A.md": "[[Missing]]\n"})
    plain = _cli("check", str(root), "--color", "never")
    forced = _cli("check", str(root), "--color", "always")
    assert "\x1b[" not in plain.stdout and "\x1b[" in forced.stdout
    assert "\x1b[" in _cli("--color", "always", "check", str(root)).stdout
    no_color = _cli("check", str(root), env={"NO_COLOR": "1"})
    assert "\x1b[" not in no_color.stdout
    # An explicit choice beats NO_COLOR.
    assert "\x1b[" in _cli("check", str(root), "--color", "always", env={"NO_COLOR": "1"}).stdout


def test_plurals_in_the_build_summary(make_vault, run_cli, tmp_path: Path) -> None:
    root = make_vault({"A.md": "# A\n"})
    out = run_cli("build", str(root), "-o", str(tmp_path / "site")).output
    assert "Built 1 page into" in out and "1 pages" not in out and "0 attachments" in out


def test_rules_prints_plain_text(run_cli) -> None:
    text = run_cli("rules", "NV006").output
    assert "``" not in text
    assert "\n    **Module:** [[Home]] → Interview Preparation" in text  # the example, indented
    assert "Anti-pattern:" in text


def test_sarif_has_no_placeholder_address(make_vault, run_cli) -> None:
    root = make_vault({"A.md": "[[Missing]]\n"})
    data = json.loads(run_cli("check", str(root), "--format", "sarif").stdout)
    assert "example" not in json.dumps(data["runs"][0]["tool"]["driver"].get("informationUri"))


def test_build_and_serve_default_to_the_vault_folder(tmp_path: Path) -> None:
    """The default OUT is read from the vault's folder, whatever folder the command runs in
    (serve uses the same function, ``default_output``)."""
    from starvault.site.build import default_output

    root = tmp_path / "prep"
    assert _cli("init", str(root)).returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = _cli("build", str(root), cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert (root / "site" / "index.html").is_file() and not (elsewhere / "site").exists()
    vault = starvault.load(root, use_cache=False)
    assert default_output(vault) == root / "site"
    # The built site inside the vault is not read as part of the vault.
    assert not any(a.startswith("site/") for a in vault.attachments)
