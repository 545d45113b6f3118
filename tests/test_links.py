"""Link forms and resolution, SPEC §3 rule by rule, with exact lines and columns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import starvault
from starvault.links import Status, heading_key


def diags(vault: Path, *codes: str) -> list[tuple[str, str, int, int, str | None]]:
    """(rule, path, line, column, target) of every finding, optionally only some codes."""
    report = starvault.check(starvault.load(vault, use_cache=False))
    return [
        (d.rule, d.path, d.line, d.column, d.target)
        for d in report.diagnostics
        if not codes or d.rule in codes
    ]


def statuses(vault: Path, source: str) -> list[tuple[str, Status, str | None]]:
    v = starvault.load(vault, use_cache=False)
    return [(r.link.target, r.status, r.path) for r in v.links_from(source)]


def test_every_form_resolves(make_vault):
    root = make_vault(
        {
            "Note.md": "# Heading\n\n## Sub\n\nA paragraph ^block-1\n",
            "folder/Deep.md": "# Deep\n",
            "Other Note.md": "other\n",
            "image.png": b"\x89PNG",
            "doc.pdf": b"%PDF",
            "Source.md": (
                "[[Note]] [[Note|shown]] [[Note#Heading]] [[Note#Heading#Sub]]\n"
                "[[Note#^block-1]] [[#Local]] [[folder/Deep]] [[/Note]]\n"
                "![[Note]] ![[image.png|200]] ![[doc.pdf#page=3]]\n"
                "[text](Other%20Note.md) [text](<Other Note.md>) [[note.MD]]\n"
                "\n## Local\n"
            ),
        }
    )
    got = statuses(root, "Source.md")
    assert all(s is Status.OK for _, s, _ in got), got
    assert [p for _, _, p in got] == [
        "Note.md",
        "Note.md",
        "Note.md",
        "Note.md",
        "Note.md",
        "Source.md",
        "folder/Deep.md",
        "Note.md",
        "Note.md",
        "image.png",
        "doc.pdf",
        "Other Note.md",
        "Other Note.md",
        "Note.md",
    ]
    assert diags(root, "LK001", "LK002", "LK003", "LK005") == []


def test_table_pipe_escape_and_bracket_inside(make_vault):
    root = make_vault(
        {
            "Sq]uare.md": "x\n",
            "Note.md": "x\n",
            "T.md": "| a | b |\n|---|---|\n| [[Note\\|shown]] | [[Nope\\|x]] |\n\n[[Sq]uare]]\n",
        }
    )
    v = starvault.load(root, use_cache=False)
    links = v.links_from("T.md")
    assert [(r.link.target, r.link.display, r.status) for r in links] == [
        ("Note", "shown", Status.OK),
        ("Nope", "x", Status.BROKEN),
        ("Sq]uare", None, Status.OK),
    ]
    # Exact columns inside a table row.
    assert diags(root, "LK001") == [("LK001", "T.md", 3, 21, "Nope")]


def test_relative_paths_are_exact_without_fallback(make_vault):
    root = make_vault(
        {
            "a/Note.md": "x\n",
            "a/b/Src.md": "[[../Note]] [[./Note]] [[../../Note]] [[../../../x]]\n",
            "Note.md": "root\n",
        }
    )
    got = statuses(root, "a/b/Src.md")
    assert got[0] == ("../Note", Status.OK, "a/Note.md")
    # ./Note would be a/b/Note.md: no fallback to the shortest path.
    assert got[1] == ("./Note", Status.BROKEN, None)
    assert got[2] == ("../../Note", Status.OK, "Note.md")
    assert got[3] == ("../../../x", Status.OUTSIDE, None)
    assert ("LK006", "a/b/Src.md", 1, 39, "../../../x") in diags(root)


def test_relative_paths_from_capitalised_folders(make_vault):
    root = make_vault(
        {
            "Areas/Amber Garden.md": "x\n",
            "Areas/Deep/Anchor.md": "[[../Amber Garden]] [[./Sibling]]\n",
            "Areas/Deep/Sibling.md": "x\n",
        }
    )
    got = statuses(root, "Areas/Deep/Anchor.md")
    assert got == [
        ("../Amber Garden", Status.OK, "Areas/Amber Garden.md"),
        ("./Sibling", Status.OK, "Areas/Deep/Sibling.md"),
    ]


def test_leading_slash_is_vault_root(make_vault):
    root = make_vault({"sub/Note.md": "x\n", "Src.md": "[[/Note]] [[/sub/Note]]\n"})
    got = statuses(root, "Src.md")
    assert got[0][1] is Status.BROKEN
    assert got[1] == ("/sub/Note", Status.OK, "sub/Note.md")


def test_root_wins_then_own_folder_then_shortest(make_vault):
    root = make_vault(
        {
            "Note.md": "root\n",
            "x/Note.md": "x\n",
            "Dup.md": "",
            "a/Same.md": "",
            "a/b/c/Same.md": "",
            "z/Same.md": "",
            "a/b/c/Src.md": "[[Note]] [[Same]]\n",
            "Top.md": "[[Same]]\n",
        }
    )
    got = statuses(root, "a/b/c/Src.md")
    assert got[0] == ("Note", Status.OK, "Note.md")  # exact root path: not ambiguous
    # Several candidates: the one under the linking note's folder, flagged ambiguous.
    assert got[1] == ("Same", Status.AMBIGUOUS, "a/b/c/Same.md")
    top = statuses(root, "Top.md")
    assert top[0] == ("Same", Status.AMBIGUOUS, "a/Same.md")  # shortest path first
    lk004 = [d for d in diags(root, "LK004")]
    assert ("LK004", "Top.md", 1, 1, "Same") in lk004


def test_case_insensitive_and_extension_rules(make_vault):
    root = make_vault(
        {
            "Hybrid Search.md": "x\n",
            "img.PNG": b"x",
            "Src.md": "[[hybrid search]] [[HYBRID SEARCH.md]] ![[IMG.png]] ![[img]]\n",
        }
    )
    got = statuses(root, "Src.md")
    assert [s for _, s, _ in got[:3]] == [Status.OK] * 3
    # Attachments need their extension.
    assert got[3][1] is Status.BROKEN


def test_markdown_links_are_percent_decoded_and_urls_skipped(make_vault):
    root = make_vault(
        {
            "My Note.md": "# Part One\n",
            "Src.md": (
                "[a](My%20Note.md) [b](<My Note.md#Part One>) [c](https://example.com/x.md)\n"
                "[d](mailto:a@b.c) [e](Missing%20Note.md) [f](#nowhere)\n"
            ),
        }
    )
    got = statuses(root, "Src.md")
    assert [(t, s) for t, s, _ in got] == [
        ("My Note.md", Status.OK),
        ("My Note.md", Status.OK),
        ("Missing Note.md", Status.BROKEN),
        ("", Status.BAD_HEADING),
    ]
    assert ("LK001", "Src.md", 2, 19, "Missing Note.md") in diags(root)


def test_alias_never_resolves_but_is_suggested(make_vault):
    root = make_vault(
        {
            "Artificial Intelligence.md": "---\naliases: [AI]\n---\nx\n",
            "Src.md": "See [[AI]].\n",
        }
    )
    report = starvault.check(starvault.load(root, use_cache=False), select=["LK001"])
    (d,) = report.diagnostics
    assert (d.line, d.column, d.target) == (1, 5, "AI")
    assert "[[Artificial Intelligence|AI]]" in d.message


def test_broken_link_suggests_closest_name(make_vault):
    root = make_vault({"Hybrid Search.md": "x\n", "Src.md": "\n\n  [[Hybrid Serch]]\n"})
    report = starvault.check(starvault.load(root, use_cache=False), select=["LK001"])
    (d,) = report.diagnostics
    assert (d.path, d.line, d.column) == ("Src.md", 3, 3)
    assert "did you mean 'Hybrid Search'?" in d.message


def test_headings_match_obsidian_normalisation(make_vault):
    root = make_vault(
        {
            "FAQ.md": "# FAQ\n\n### How large is it?\n\nSetext Title\n============\n",
            "Src.md": "[[FAQ#How large is it]] [[FAQ#how LARGE is it?]] [[FAQ#setext title]]\n",
        }
    )
    assert [s for _, s, _ in statuses(root, "Src.md")] == [Status.OK] * 3
    assert heading_key("How *large* is [it]?") == "how large is it"


def test_nested_heading_must_be_inside_section(make_vault):
    root = make_vault(
        {
            "N.md": "# A\n## B\n# C\n## D\n",
            "Src.md": "[[N#A#B]] [[N#C#D]] [[N#A#D]] [[N#Missing]]\n",
        }
    )
    got = [s for _, s, _ in statuses(root, "Src.md")]
    assert got == [Status.OK, Status.OK, Status.BAD_HEADING, Status.BAD_HEADING]
    assert [d[:4] for d in diags(root, "LK002")] == [
        ("LK002", "Src.md", 1, 21),
        ("LK002", "Src.md", 1, 31),
    ]


def test_block_ids(make_vault):
    root = make_vault(
        {
            "N.md": (
                "Para one ^para-1\n\n- item\n- list\n\n^list-id\n\n![[img.png]]^nope\n\n"
                "```\ncode ^in-code\n```\n"
            ),
            "img.png": b"x",
            "Src.md": "[[N#^PARA-1]] [[N#^list-id]] [[N#^nope]] [[N#^in-code]]\n",
        }
    )
    got = [s for _, s, _ in statuses(root, "Src.md")]
    assert got == [Status.OK, Status.OK, Status.BAD_BLOCK, Status.BAD_BLOCK]
    assert [d[:4] for d in diags(root, "LK003")] == [
        ("LK003", "Src.md", 1, 30),
        ("LK003", "Src.md", 1, 42),
    ]


def test_attachment_subpath_not_checked_and_missing_attachment(make_vault):
    root = make_vault(
        {"doc.pdf": b"%PDF", "Src.md": "![[doc.pdf#page=99]]\n![[missing.png|100]]\n"}
    )
    assert diags(root, "LK005", "LK002") == [("LK005", "Src.md", 2, 1, "missing.png")]


def test_url_in_wikilink_is_broken(make_vault):
    root = make_vault({"Src.md": "[[https://example.com]]\n"})
    report = starvault.check(starvault.load(root, use_cache=False), select=["LK001"])
    (d,) = report.diagnostics
    assert "looks like a URL" in d.message


@pytest.mark.parametrize(
    "body",
    [
        "`[[Nope]]`",
        "```\n[[Nope]]\n```",
        "    [[Nope]]",
        "$[[Nope]]$",
        "$M = [[1, 2], [3, 4]]$ and a block ending in a digit ^blk-83",
        "$$\n[[Nope]]\n$$",
        "%% [[Nope]] %%",
        "%%\n[[Nope]]\n\nstill comment [[Nope]]\n%%",
        "<!-- [[Nope]] -->",
        "\\[[Nope]]",
        "~~~md\n[[Nope]]\n~~~",
    ],
)
def test_links_in_code_math_comments_and_escapes_are_not_links(make_vault, body):
    root = make_vault({"Src.md": f"Intro\n\n{body}\n"})
    v = starvault.load(root, use_cache=False)
    assert v.links_from("Src.md") == []


def test_empty_links(make_vault):
    # "[x]()" is no link to Obsidian (Kindle exports write hundreds): not LK008.
    root = make_vault({"Src.md": "[[]] and [[|x]] and [[#]] and [x]() and [y](<>)\n"})
    assert [d[:4] for d in diags(root, "LK008")] == [
        ("LK008", "Src.md", 1, 1),
        ("LK008", "Src.md", 1, 10),
        ("LK008", "Src.md", 1, 21),
    ]


def test_front_matter_links_are_links_with_their_line(make_vault):
    root = make_vault(
        {
            "Ownership.md": "x\n",
            "Src.md": '---\ntitle: S\nprinciples: ["[[Ownership]]", "[[Missing]]"]\n---\nbody\n',
        }
    )
    v = starvault.load(root, use_cache=False)
    kinds = [(r.link.kind, r.link.target, r.status) for r in v.links_from("Src.md")]
    assert kinds == [
        ("property", "Ownership", Status.OK),
        ("property", "Missing", Status.BROKEN),
    ]
    assert diags(root, "LK001") == [("LK001", "Src.md", 3, 32, "Missing")]


def test_nfc_normalised_names(make_vault):
    decomposed = "Cafe\u0301"  # e + combining acute
    root = make_vault({"Caf\u00e9.md": "x\n", "Src.md": f"[[{decomposed}]]\n"})
    assert statuses(root, "Src.md")[0][1] is Status.OK


def test_names_differing_only_in_case_are_ambiguous(make_vault):
    root = make_vault({"Note.md": "a\n", "sub/note.md": "b\n", "x/Src.md": "[[NOTE]]\n"})
    # Root exact path (case-insensitively) wins over the folder copy.
    assert statuses(root, "x/Src.md")[0][1] is Status.OK
    root2 = make_vault({"a/Note.md": "a\n", "a/note.md": "b\n", "Src.md": "[[note]]\n"}, "v2")
    assert statuses(root2, "Src.md")[0][1] is Status.AMBIGUOUS


def test_json_output_matches_spec(make_vault, run_cli):
    root = make_vault(
        {"stories/rag.md": "line\n\n    \n[[Hybrid Serch]]\n", "Hybrid Search.md": ""}
    )
    result = run_cli("check", str(root), "--format", "json", "--select", "LK001")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert set(data) == {"version", "vault", "notes", "links", "diagnostics", "summary"}
    assert data["version"] == 1 and data["notes"] == 2 and data["links"] == 1
    assert data["vault"] == str(root)
    (d,) = data["diagnostics"]
    assert d == {
        "rule": "LK001",
        "name": "broken-link",
        "severity": "error",
        "path": "stories/rag.md",
        "line": 4,
        "column": 1,
        "message": d["message"],
        "target": "Hybrid Serch",
    }
    assert "did you mean 'Hybrid Search'" in d["message"]
    assert data["summary"] == {"error": 1, "warning": 0, "info": 0}


def test_note_outcome_equals_resolving_every_link(make_vault):
    """Vault.outcomes skips building a Resolved for links that simply resolve; it must
    give exactly what resolving every link and summing up gives."""
    from conftest import SAMPLE_VAULT
    from starvault.links import outcome_of

    root = make_vault(
        {
            "Note.md": "# Heading\n\n## Sub\n\ntext ^blk\n",
            "a/Twin.md": "# T\n",
            "b/Twin.md": "# T\n",
            "a/Source.md": (
                "[[Note]] [[Note#Heading]] [[Note#Nope]] [[Note#^blk]] [[Note#^zz]]\n"
                "[[#Local]] [[#]] [[]] [[Twin]] [[Twin#T]] [[Missing]] [[https://x.org]]\n"
                "[[../Note]] [[../../Out]] ![[gone.png]] [t](../Note.md) [t](Note.md#Sub)\n"
                "[[Source]] [[a/Source#Local]]\n\n# Local\n"
            ),
            "b/Other.md": "[[Twin]] [[Note]] [[Note]]\n",
        }
    )
    for path in (root, SAMPLE_VAULT):
        vault = starvault.load(path, use_cache=False)
        fast = dict(vault.outcomes)
        assert any(o.problems for o in fast.values()) or path == SAMPLE_VAULT
        for note in vault.notes:
            assert fast[note] == outcome_of(vault.links_from(note), vault.suggester), note
