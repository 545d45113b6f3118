"""`starvault mv`: moves and renames that keep every link working, written atomically."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE_VAULT
from starvault.rules import check
from starvault.vault import load


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".starvault-cache" not in p.parts
    }


def broken(root: Path) -> list[tuple[str, str]]:
    report = check(load(root, use_cache=False))
    return [(d.rule, d.path) for d in report.diagnostics if d.rule in ("LK001", "LK002", "LK005")]


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    shutil.copytree(SAMPLE_VAULT, root, ignore=shutil.ignore_patterns(".starvault-cache"))
    return root


def test_mv_on_the_sample_vault_keeps_it_clean_and_changes_only_links(sample, run_cli) -> None:
    before = tree(sample)
    old, new = "Stories/RAG Support Search.md", "Stories/Archive/Support Search RAG.md"
    result = run_cli("mv", "--vault", str(sample), str(sample / old), str(sample / new))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"moved {old} -> {new}; updated links in ")
    assert run_cli("check", str(sample)).exit_code == 0
    after = tree(sample)
    assert old not in after and after[new] == before[old]
    changed = [p for p in before if p != old and after[p] != before[p]]
    assert changed  # the story is linked from many notes
    for path in changed:
        # Exactly the link targets changed: put the old name back and the bytes are equal.
        restored = after[path].replace(b"Support Search RAG", b"RAG Support Search")
        assert restored == before[path], path
    # Display text, subpaths and property links kept their form.
    acme = after["Companies/Acme AI.md"].decode()
    assert "[[Support Search RAG\\|RAG Support Search]]" in acme


def test_dry_run_prints_a_diff_and_writes_nothing(sample, run_cli) -> None:
    before = tree(sample)
    result = run_cli(
        "mv", "--dry-run", "--vault", str(sample), str(sample / "Principles/Ownership.md"),
        str(sample / "Principles/Owning It.md"),
    )  # fmt: skip
    assert result.exit_code == 0
    out = result.output
    assert "rename from Principles/Ownership.md\nrename to Principles/Owning It.md" in out
    assert '-principles: ["[[Ownership]]"' in out or "-principles:" in out
    assert "+" in out and "[[Owning It]]" in out
    assert tree(sample) == before


def test_folder_move_with_relative_links_and_attachments(make_vault, run_cli) -> None:
    root = make_vault(
        {
            "Home.md": "[[Projects/Plan]] and ![[diagram.png|300]] and [[Plan#Goals]]\n",
            "Projects/Plan.md": "# Plan\n\n## Goals\n\nSee [[../Home]] and [[./Sub/Deep]].\n",
            "Projects/Sub/Deep.md": "# Deep\n\nUp: [[../Plan#Goals|goals]], ![[../diagram.png]]\n",
            "Projects/diagram.png": b"\x89PNG\r\n\x1a\n",
        }
    )
    result = run_cli("mv", "--vault", str(root), str(root / "Projects"), str(root / "Archive/P"))
    assert result.exit_code == 0, result.output
    assert not (root / "Projects").exists()
    assert (root / "Home.md").read_text() == (
        "[[Archive/P/Plan]] and ![[diagram.png|300]] and [[Plan#Goals]]\n"
    )
    # Links inside the moved folder are relative to it: they still point to the same files.
    assert "See [[../../Home]] and [[./Sub/Deep]]." in (root / "Archive/P/Plan.md").read_text()
    assert (
        "[[../Plan#Goals|goals]], ![[../diagram.png]]"
        in (root / "Archive/P/Sub/Deep.md").read_text()
    )
    assert broken(root) == []


def test_markdown_links_property_links_and_embeds_keep_their_form(make_vault, run_cli) -> None:
    root = make_vault(
        {
            "Old Name.md": "# Old\n\n## Part One\n\nText ^b1\n",
            "Linker.md": (
                '---\nrelated: ["[[Old Name]]", "[[Old Name#Part One|one]]"]\n---\n'
                "[a](Old%20Name.md#Part%20One) [b](<Old Name.md>) ![[Old Name#^b1]] "
                "[[old name|shown]] [[Old Name.md]]\r\n"
            ),
        }
    )
    result = run_cli("mv", "--vault", str(root), str(root / "Old Name.md"), str(root / "New (x)"))
    assert result.exit_code == 0, result.output
    assert (root / "New (x).md").is_file()
    text = (root / "Linker.md").read_bytes().decode()
    assert text == (
        '---\nrelated: ["[[New (x)]]", "[[New (x)#Part One|one]]"]\n---\n'
        "[a](New%20%28x%29.md#Part%20One) [b](<New (x).md>) ![[New (x)#^b1]] "
        "[[New (x)|shown]] [[New (x).md]]\r\n"
    )
    assert broken(root) == []


def test_a_name_that_would_become_ambiguous_is_written_with_its_folder(make_vault, run_cli):
    root = make_vault(
        {
            "a/Topic.md": "# Topic A\n",
            "b/Draft.md": "# Draft\n",
            "Index.md": "[[Topic]] and [[Draft]]\n",
        }
    )
    result = run_cli("mv", "--vault", str(root), str(root / "b/Draft.md"), str(root / "b/Topic.md"))
    assert result.exit_code == 0, result.output
    # [[Topic]] now matches two notes: both links name their folder.
    assert (root / "Index.md").read_text() == "[[a/Topic]] and [[b/Topic]]\n"
    report = check(load(root, use_cache=False))
    assert not [d for d in report.diagnostics if d.rule in ("LK001", "LK004")]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("Missing.md", "Other.md", "'{root}/Missing.md' does not exist"),
        ("A.md", "B.md", "'B.md' already exists; starvault does not overwrite"),
        ("A.md", "../outside.md", "is outside the vault"),
        ("A.md", "Bad#Name.md", "links cannot reach a name with # | [ ] or ^"),
        ("sub", "sub/inner", "cannot move the folder 'sub' into itself"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(make_vault, run_cli, old, new, message):
    root = make_vault({"A.md": "[[B]]\n", "B.md": "[[A]]\n", "sub/C.md": "[[A]]\n"})
    before = tree(root)
    result = run_cli("mv", "--vault", str(root), str(root / old), str(root / new))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("starvault mv: ")
    assert message.format(root=root) in lines[0]
    assert tree(root) == before


def test_moving_into_an_existing_folder_keeps_the_name(make_vault, run_cli) -> None:
    root = make_vault({"A.md": "# A\n", "Home.md": "[[A]] [[/A]]\n", "Archive/x.md": "[[Home]]\n"})
    result = run_cli("mv", "--vault", str(root), str(root / "A.md"), str(root / "Archive"))
    assert result.exit_code == 0, result.output
    assert (root / "Archive/A.md").is_file()
    assert (root / "Home.md").read_text() == "[[A]] [[/Archive/A]]\n"
