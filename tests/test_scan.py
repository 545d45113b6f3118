"""Reading notes: encodings, line ends, front matter offsets, and bad input that must not
stop the run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import starvault
from starvault.scan import parse_text


def findings(root: Path, *codes: str) -> list[tuple[str, str, int, int]]:
    report = starvault.check(starvault.load(root, use_cache=False))
    return [
        (d.rule, d.path, d.line, d.column)
        for d in report.diagnostics
        if not codes or d.rule in codes
    ]


def test_front_matter_lines_count_in_positions(make_vault):
    root = make_vault({"N.md": "---\ntitle: T\ntags: [a]\n---\n# H\n\nText [[Nope]]\n"})
    assert findings(root, "LK001") == [("LK001", "N.md", 7, 6)]
    note = starvault.load(root, use_cache=False).notes["N.md"]
    assert note.body_line == 5
    assert note.headings[0].line == 5
    assert note.meta == {"title": "T", "tags": ["a"]}


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf---\r\ntitle: T\r\n---\r\n\r\n[[Nope]]\r\n",  # BOM + CRLF
        b"---\ntitle: T\n---\n\n[[Nope]]\n",
        b"---\rtitle: T\r---\r\r[[Nope]]\r",  # old Mac line ends
    ],
)
def test_bom_and_line_endings(make_vault, raw):
    root = make_vault({"N.md": raw})
    assert findings(root, "LK001") == [("LK001", "N.md", 5, 1)]
    assert starvault.load(root, use_cache=False).notes["N.md"].meta == {"title": "T"}


def test_invalid_yaml_is_va002_with_its_line_and_run_goes_on(make_vault):
    root = make_vault(
        {
            "Bad.md": "---\ntitle: ok\nlist: [a, b\nother: 1\n---\n[[Nope]]\n",
            "Good.md": "[[Nope too]]\n",
        }
    )
    got = findings(root, "VA002", "LK001")
    assert ("LK001", "Good.md", 1, 1) in got
    va = [g for g in got if g[0] == "VA002"]
    assert len(va) == 1 and va[0][1] == "Bad.md" and va[0][2] in (3, 4)
    # The body of a note with broken front matter is still checked.
    assert ("LK001", "Bad.md", 6, 1) in got


@pytest.mark.parametrize("fm", ["- a\n- b\n", "just a string\n", "42\n"])
def test_front_matter_not_a_mapping(make_vault, fm):
    root = make_vault({"N.md": f"---\n{fm}---\nbody\n"})
    report = starvault.check(starvault.load(root, use_cache=False), select=["VA002"])
    (d,) = report.diagnostics
    assert (d.path, d.line) == ("N.md", 2)
    assert "not a mapping" in d.message


def test_binary_latin1_empty_and_huge_notes(make_vault):
    big = ("lorem ipsum dolor " * 60 + "[[Target]]\n\n") * 9_500  # about 10 MB
    root = make_vault(
        {
            "Binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR",
            "Latin.md": "line one\nCaf\u00e9 [[X]]\n".encode("latin-1"),
            "Empty.md": b"",
            "Big.md": big,
            "Target.md": "t\n",
            # Above the default limit of notes (VA003); this vault raises it.
            "starvault.toml": "max_note_kb = 12000\n",
        }
    )
    got = findings(root)
    assert ("VA001", "Binary.md", 1, 1) in got
    assert ("VA001", "Latin.md", 2, 4) in got  # the byte 0xE9, line 2, column 4
    assert not [g for g in got if g[1] in ("Empty.md", "Big.md") and g[0] != "LK007"]
    vault = starvault.load(root, use_cache=False)
    assert len(vault.notes["Big.md"].links) == 9_500


def test_unreadable_file_and_dangling_symlink(make_vault, monkeypatch):
    root = make_vault({"Ok.md": "x\n"})
    os.symlink(root / "nowhere.md", root / "Dangling.md")
    got = findings(root, "VA001")
    assert ("VA001", "Dangling.md", 1, 1) in got


def test_permission_denied_is_a_finding(make_vault, monkeypatch):
    root = make_vault({"Secret.md": "x\n", "Ok.md": "[[Secret]]\n"})
    real_open = open

    def deny(path, *args, **kwargs):  # root ignores chmod, so fail the open itself
        if str(path).endswith("Secret.md"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", deny)
    report = starvault.check(starvault.load(root, use_cache=False), select=["VA001"])
    (d,) = report.diagnostics
    assert d.path == "Secret.md" and "Permission denied" in d.message


def test_symlink_loop_and_symlink_leaving_the_vault(make_vault, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Private.md").write_text("secret [[Nope]]\n")
    root = make_vault({"sub/N.md": "x\n"})
    os.symlink(root, root / "sub" / "loop")
    os.symlink(outside, root / "escape")
    os.symlink(outside / "Private.md", root / "Private.md")
    vault = starvault.load(root, use_cache=False)
    assert sorted(vault.notes) == ["sub/N.md"]  # nothing outside the vault is read
    got = findings(root, "VA001")
    assert ("VA001", "sub/loop", 1, 1) in got
    assert ("VA001", "escape", 1, 1) in got
    assert ("VA001", "Private.md", 1, 1) in got


def test_fifo_is_never_opened(make_vault):
    root = make_vault({"Ok.md": "x\n"})
    os.mkfifo(root / "Pipe.md")
    assert ("VA001", "Pipe.md", 1, 1) in findings(root, "VA001")


def test_dot_folders_and_excludes_are_skipped(make_vault):
    root = make_vault(
        {
            ".obsidian/workspace.md": "[[Nope]]\n",
            ".trash/Old.md": "[[Nope]]\n",
            "drafts/Draft.md": "[[Nope]]\n",
            "archive/2020/Old.md": "[[Nope]]\n",
            "Keep.md": "x\n",
            "starvault.toml": 'exclude = ["drafts/", "archive/**"]\n',
        }
    )
    assert sorted(starvault.load(root, use_cache=False).notes) == ["Keep.md"]


def test_block_ids_and_headings_extracted():
    note = parse_text(
        "N.md",
        "# One\n\nTwo\n---\n\ntext ^abc\n\n```\n# not a heading ^no\n```\n",
    )
    assert [(h.level, h.text, h.line) for h in note.headings] == [(1, "One", 1), (2, "Two", 3)]
    assert note.blocks == {"abc": 6}


def test_suppression_comments_parsed():
    note = parse_text("N.md", "a\n%% starvault-ignore LK001, LK002 %%\n[[x]]\n")
    assert note.suppressions == {2: ("LK001", "LK002")}


def test_an_edit_writes_a_small_delta_over_the_notes_cache(make_vault) -> None:
    """One changed note writes the delta file, not the whole cache; what loads from the
    two is what a cold read gives, through edits, deletions and a cache swapped under it."""
    import shutil
    import time

    from starvault import cache
    from starvault.vault import load

    files = {f"N{i:03d}.md": f"# N{i}\n\n[[N{(i + 1) % 120:03d}]]\n" for i in range(120)}
    root = make_vault(files)
    folder = root / cache.CACHE_DIR
    time.sleep(0.05)  # files written in the same instant as a run are read again (racy)
    load(root)
    base_inode = (folder / cache.FILE).stat().st_ino
    shutil.copy(folder / cache.FILE, root.parent / "old-base")

    def same_as_cold() -> None:
        warm, cold = load(root), load(root, use_cache=False)
        assert warm.notes == cold.notes
        assert [(r.source, r.link, r.status, r.path) for r in warm.link_problems] == [
            (r.source, r.link, r.status, r.path) for r in cold.link_problems
        ]

    time.sleep(0.05)
    (root / "N005.md").write_text("# N5\n\n[[Nowhere]] ## and more\n", "utf-8")
    (root / "N006.md").unlink()  # N005 links nowhere; N004 links to a deleted note
    time.sleep(0.05)
    same_as_cold()
    assert (folder / cache.DELTA).is_file()
    assert (folder / cache.FILE).stat().st_ino == base_inode  # not written again
    same_as_cold()

    # Many changes: FILE is written anew and the delta goes.
    time.sleep(0.05)
    for i in range(20, 100):  # more than the delta holds (64 notes or 5%)
        (root / f"N{i:03d}.md").write_text(f"# N{i} again\n", "utf-8")
    time.sleep(0.05)  # else read again by the next run too (racy), however slow the machine
    same_as_cold()
    assert not (folder / cache.DELTA).exists()
    assert (folder / cache.FILE).stat().st_ino != base_inode
    same_as_cold()

    # A delta written over another FILE is never applied to it: the old FILE comes back
    # (a restored backup) under the new delta; what loads is still what a cold read gives.
    time.sleep(0.05)
    (root / "N007.md").write_text("# N7 changed\n", "utf-8")
    time.sleep(0.05)
    same_as_cold()
    assert (folder / cache.DELTA).is_file()
    shutil.copy(root.parent / "old-base", folder / cache.FILE)
    same_as_cold()
