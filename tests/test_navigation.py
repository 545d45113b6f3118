"""Course navigation: NV001-NV006 and ``check --fix`` / ``--diff``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from starvault.navigation import fix_page, plan_fixes
from starvault.rules import check
from starvault.vault import load

TOC = """---
type: toc
title: Course Contents
---

# Course Contents

1. [[Course/01_Intro|Intro]]
2. [[Course/02_Stories|Stories]]
3. [[Course/03_Practice|Practice]]
"""

NAMES = ["01_Intro", "02_Stories", "03_Practice"]
TITLES = {"01_Intro": "Intro", "02_Stories": "Stories", "03_Practice": "Practice"}


def nav(prev: str | None, nxt: str | None, module: str = "Interview Preparation") -> str:
    p = f"[[{prev}|{TITLES[prev]}]]" if prev else "—"
    n = f"[[{nxt}|{TITLES[nxt]}]]" if nxt else "—"
    return (
        "## Navigation\n\n"
        f"**Module:** [[../Table_of_Contents|Course Contents]] → {module}\n"
        f"**Previous:** {p}\n"
        f"**Next:** {n}\n"
    )


def page(name: str, top: str | None = "auto", bottom: str | None = "auto") -> str:
    i = NAMES.index(name)
    prev = NAMES[i - 1] if i > 0 else None
    nxt = NAMES[i + 1] if i + 1 < len(NAMES) else None
    block = nav(prev, nxt)
    top = block if top == "auto" else top
    bottom = block if bottom == "auto" else bottom
    text = (
        f"---\ntype: course\ntitle: {TITLES[name]}\nmodule: Interview Preparation\n---\n\n"
        f"# {TITLES[name]}\n\n"
    )
    if top is not None:
        text += top + "\n---\n\n"
    text += "## Section\n\nSome text about [[Table_of_Contents]].\n"
    if bottom is not None:
        text += "\n---\n\n" + bottom
    return text


def course(**overrides: str | None) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {"Table_of_Contents.md": TOC}
    for name in NAMES:
        files[f"Course/{name}.md"] = page(name)
    for name, text in overrides.items():
        key = "Table_of_Contents.md" if name == "toc" else f"Course/{name}.md"
        if text is None:
            files.pop(key)
        else:
            files[key] = text
    return files


def findings(root: Path, select: str = "NV") -> list[tuple[str, str, int]]:
    report = check(load(root, use_cache=False), select=[select])
    return [(d.rule, d.path, d.line) for d in report.diagnostics]


def test_clean_course_has_no_findings(make_vault):
    assert findings(make_vault(course())) == []


@pytest.mark.parametrize("none", ["—", "none", "-", "", "–"])
def test_first_page_may_write_none_in_several_ways(make_vault, none):
    text = page("01_Intro").replace("**Previous:** —", f"**Previous:** {none}".rstrip())
    assert findings(make_vault(course(**{"01_Intro": text}))) == []


# -- NV001 -------------------------------------------------------------------------------


def test_nv001_missing_bottom_block(make_vault):
    root = make_vault(course(**{"02_Stories": page("02_Stories", bottom=None)}))
    assert findings(root, "NV001") == [("NV001", "Course/02_Stories.md", 7)]


def test_nv001_missing_both_blocks(make_vault, run_cli):
    root = make_vault(course(**{"02_Stories": page("02_Stories", top=None, bottom=None)}))
    result = run_cli("check", str(root), "--select", "NV001")
    assert result.exit_code == 1
    assert "02_Stories.md:7:1: NV001 no Navigation block after the title and at the end" in (
        result.output
    )


def test_nv001_does_not_fire_on_plain_notes(make_vault):
    root = make_vault({**course(), "Notes.md": "# Notes\n\n[[01_Intro]]\n"})
    assert findings(root, "NV001") == []


# -- NV002 -------------------------------------------------------------------------------


def test_nv002_next_not_answered_by_previous(make_vault):
    # 01 says Next is 03, but 03's Previous is 02.
    text = page("01_Intro").replace("[[02_Stories|Stories]]", "[[03_Practice|Practice]]")
    root = make_vault(course(**{"01_Intro": text}))
    got = findings(root, "NV002")
    assert ("NV002", "Course/01_Intro.md", 13) in got
    msgs = [d.message for d in check(load(root, use_cache=False), select=["NV002"]).diagnostics]
    assert any("that page's Previous is '02_Stories'" in m for m in msgs)


def test_nv002_not_fired_when_pages_agree(make_vault):
    assert findings(make_vault(course()), "NV002") == []


# -- NV003 -------------------------------------------------------------------------------


def test_nv003_next_disagrees_with_toc_in_both_blocks(make_vault):
    text = page("02_Stories").replace("[[03_Practice|Practice]]", "[[01_Intro|Intro]]")
    got = findings(make_vault(course(**{"02_Stories": text})), "NV003")
    assert got == [("NV003", "Course/02_Stories.md", 13), ("NV003", "Course/02_Stories.md", 27)]


def test_nv003_last_page_must_say_none(make_vault):
    text = page("03_Practice").replace("**Next:** —", "**Next:** [[01_Intro]]")
    root = make_vault(course(**{"03_Practice": text}))
    report = check(load(root, use_cache=False), select=["NV003"])
    assert report.diagnostics
    assert "last page of the table of contents: write '**Next:** —'" in (
        report.diagnostics[0].message
    )


def test_nv003_missing_line(make_vault):
    text = page("02_Stories").replace("**Previous:** [[01_Intro|Intro]]\n", "", 1)
    got = findings(make_vault(course(**{"02_Stories": text})), "NV003")
    assert got == [("NV003", "Course/02_Stories.md", 9)]  # at the top block's heading


def test_nv003_follows_toc_order_not_file_names(make_vault):
    toc = TOC.replace("1. [[Course/01_Intro|Intro]]\n2. [[Course/02_Stories|Stories]]", "x")
    toc = toc.replace("x", "1. [[Course/02_Stories|Stories]]\n2. [[Course/01_Intro|Intro]]")
    # Pages still in file-name order: both 01 and 02 (and 03's Previous) are now wrong.
    got = {(rule, path) for rule, path, _ in findings(make_vault(course(toc=toc)), "NV003")}
    assert got == {
        ("NV003", "Course/01_Intro.md"),
        ("NV003", "Course/02_Stories.md"),
        ("NV003", "Course/03_Practice.md"),
    }


# -- NV004 -------------------------------------------------------------------------------


def test_nv004_blocks_differ(make_vault):
    text = page("02_Stories", bottom=nav("01_Intro", None))
    got = findings(make_vault(course(**{"02_Stories": text})), "NV004")
    assert got == [("NV004", "Course/02_Stories.md", 27)]


def test_nv004_equal_blocks(make_vault):
    assert findings(make_vault(course()), "NV004") == []


# -- NV005 -------------------------------------------------------------------------------


def test_nv005_page_not_in_toc(make_vault):
    extra = page("03_Practice").replace("title: Practice", "title: Extra")
    root = make_vault({**course(), "Course/04_Extra.md": extra})
    assert findings(root, "NV005") == [("NV005", "Course/04_Extra.md", 7)]


def test_nv005_no_toc_at_all(make_vault):
    root = make_vault(course(toc=None))
    assert findings(root, "NV005") == [("NV005", ".", 1)]


def test_toc_found_by_type_when_config_name_differs(make_vault):
    files = {
        k.replace("Table_of_Contents", "Contents"): v.replace("Table_of_Contents", "Contents")
        for k, v in course().items()
        if isinstance(v, str)
    }
    assert findings(make_vault(files)) == []
    files["Other.md"] = TOC  # two tocs, neither named by the config: none is chosen
    assert ("NV005", ".", 1) in findings(make_vault(files, name="two"))


# -- NV006 -------------------------------------------------------------------------------


def test_nv006_module_links_elsewhere(make_vault):
    text = page("02_Stories").replace("[[../Table_of_Contents|Course Contents]]", "[[Home]]", 1)
    root = make_vault({**course(**{"02_Stories": text}), "Home.md": "# Home\n"})
    assert findings(root, "NV006") == [("NV006", "Course/02_Stories.md", 11)]


def test_nv006_module_name_differs_from_field(make_vault):
    text = page("02_Stories").replace("→ Interview Preparation", "→ Other Module", 1)
    assert findings(make_vault(course(**{"02_Stories": text})), "NV006") == [
        ("NV006", "Course/02_Stories.md", 11)
    ]


def test_nv006_module_link_resolves_like_obsidian(make_vault):
    # A bare name resolves to the same note: that is fine.
    text = page("02_Stories").replace("[[../Table_of_Contents|", "[[Table_of_Contents|")
    assert findings(make_vault(course(**{"02_Stories": text})), "NV006") == []


# -- --fix -------------------------------------------------------------------------------


def _broken_course() -> dict[str, str | bytes]:
    wrong = page("02_Stories").replace("[[03_Practice|Practice]]", "[[01_Intro|Intro]]", 1)
    return course(**{"01_Intro": page("01_Intro", bottom=None), "02_Stories": wrong})


def test_fix_repairs_and_check_reports_what_remains(make_vault, run_cli):
    root = make_vault(_broken_course())
    assert findings(root)
    result = run_cli("check", str(root), "--fix", "--select", "NV")
    assert result.exit_code == 0, result.output
    assert "fixed navigation: Course/01_Intro.md" in result.output
    assert findings(root) == []
    assert (root / "Course/01_Intro.md").read_text() == page("01_Intro")
    assert (root / "Course/02_Stories.md").read_text() == page("02_Stories")


def test_fix_is_idempotent(make_vault):
    root = make_vault(_broken_course())
    vault = load(root, use_cache=False)
    from starvault.navigation import apply_fixes

    apply_fixes(vault, plan_fixes(vault))
    snapshot = {p: p.read_bytes() for p in root.rglob("*.md")}
    assert plan_fixes(load(root, use_cache=False)) == []
    assert {p: p.read_bytes() for p in root.rglob("*.md")} == snapshot


def test_fix_keeps_crlf_bom_and_missing_final_newline(make_vault):
    text = page("02_Stories", bottom=None).rstrip("\n").replace("\n", "\r\n")
    text = text.replace("[[01_Intro|Intro]]", "[[03_Practice]]", 1)
    data = b"\xef\xbb\xbf" + text.encode()
    root = make_vault(course(**{"02_Stories": data}))
    vault = load(root, use_cache=False)
    after = fix_page(vault, "Course/02_Stories.md", data)
    assert after.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in after.replace(b"\r\n", b"")  # every line ending is still CRLF
    assert not after.endswith(b"\n")
    expected = b"\xef\xbb\xbf" + page("02_Stories").rstrip("\n").replace("\n", "\r\n").encode()
    assert after == expected


def test_fix_changes_only_navigation_lines(make_vault):
    # Odd front matter (key order, comments, quoting) and odd body formatting survive.
    fm = (
        "---\nmodule: Interview Preparation   # keep me\ntitle: 'Stories'\n"
        "type: course\nzeta: [1,   2]\n---\n"
    )
    body = page("02_Stories").split("---\n", 2)[2]
    body = body.replace("[[03_Practice|Practice]]", "[[01_Intro|Intro]]")
    body += "\ntrailing  spaces   \n\n\n"
    root = make_vault(course(**{"02_Stories": fm + body}))
    before = (root / "Course/02_Stories.md").read_text().split("\n")
    vault = load(root, use_cache=False)
    (fix,) = plan_fixes(vault)
    after = fix.after.decode().split("\n")
    assert len(after) == len(before)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert [before[i] for i in changed] == ["**Next:** [[01_Intro|Intro]]"] * 2
    assert all(after[i] == "**Next:** [[03_Practice|Practice]]" for i in changed)


def test_fix_adds_missing_blocks_after_title_and_at_end(make_vault):
    root = make_vault(course(**{"03_Practice": page("03_Practice", top=None, bottom=None)}))
    vault = load(root, use_cache=False)
    (fix,) = plan_fixes(vault)
    assert fix.after.decode() == page("03_Practice")


def test_fix_inserts_missing_lines_into_a_block(make_vault):
    text = page("02_Stories").replace("**Previous:** [[01_Intro|Intro]]\n", "")
    root = make_vault(course(**{"02_Stories": text}))
    (fix,) = plan_fixes(load(root, use_cache=False))
    assert fix.after.decode() == page("02_Stories")


def test_fix_writes_atomically_and_leaves_no_temp_files(make_vault, monkeypatch):
    root = make_vault(_broken_course())
    original = (root / "Course/01_Intro.md").read_bytes()
    vault = load(root, use_cache=False)
    fixes = plan_fixes(vault)

    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    from starvault.navigation import apply_fixes

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        apply_fixes(vault, fixes)
    assert (root / "Course/01_Intro.md").read_bytes() == original
    assert sorted(p.name for p in (root / "Course").iterdir()) == [f"{n}.md" for n in NAMES]
    monkeypatch.undo()
    apply_fixes(vault, fixes)
    assert sorted(p.name for p in (root / "Course").iterdir()) == [f"{n}.md" for n in NAMES]


def test_fix_keeps_file_mode(make_vault):
    root = make_vault(_broken_course())
    target = root / "Course/01_Intro.md"
    target.chmod(0o640)
    from starvault.navigation import apply_fixes

    vault = load(root, use_cache=False)
    apply_fixes(vault, plan_fixes(vault))
    assert target.stat().st_mode & 0o777 == 0o640


def test_diff_prints_and_writes_nothing(make_vault, run_cli):
    root = make_vault(_broken_course())
    before = {p: p.read_bytes() for p in root.rglob("*.md")}
    result = run_cli("check", str(root), "--diff")
    assert result.exit_code == 1
    assert "--- a/Course/02_Stories.md\n+++ b/Course/02_Stories.md\n" in result.output
    assert "-**Next:** [[01_Intro|Intro]]\n+**Next:** [[03_Practice|Practice]]\n" in (result.output)
    assert {p: p.read_bytes() for p in root.rglob("*.md")} == before
    run_cli("check", str(root), "--fix")
    clean = run_cli("check", str(root), "--diff")
    assert clean.exit_code == 0
    assert clean.output == ""


def test_fix_leaves_pages_it_cannot_place(make_vault, run_cli):
    extra = page("03_Practice", bottom=None).replace("title: Practice", "title: Extra")
    root = make_vault({**course(), "Course/04_Extra.md": extra})
    result = run_cli("check", str(root), "--fix", "--format", "json")
    assert result.exit_code == 1  # NV005 remains: the toc does not list the page
    data = json.loads(result.output[result.output.index("{") :])
    assert {d["rule"] for d in data["diagnostics"]} >= {"NV005", "NV001"}
    assert (root / "Course/04_Extra.md").read_text() == extra


def test_fix_respects_select_and_note_suppression(make_vault, run_cli):
    root = make_vault(_broken_course())
    before = {p: p.read_bytes() for p in root.rglob("*.md")}
    run_cli("check", str(root), "--fix", "--select", "LK")
    assert {p: p.read_bytes() for p in root.rglob("*.md")} == before
    text = page("02_Stories").replace("[[03_Practice|Practice]]", "[[01_Intro|Intro]]")
    text = text.replace("type: course\n", "type: course\nstarvault: {ignore: [NV003]}\n")
    root = make_vault(course(**{"02_Stories": text}), name="suppressed")
    assert plan_fixes(load(root, use_cache=False)) == []


def test_fix_skips_unreadable_page(make_vault):
    root = make_vault(course(**{"02_Stories": b"---\ntype: course\n---\n\xff\xfe bad"}))
    vault = load(root, use_cache=False)
    assert all(f.path != "Course/02_Stories.md" for f in plan_fixes(vault))


def test_note_templates_are_not_course_pages(make_vault):
    blank = "---\ntype: course\ntitle: \nmodule: \n---\n\n# {{title}}\n"
    root = make_vault({**course(), "_templates/notes/course.md": blank})
    assert findings(root) == []
    assert plan_fixes(load(root, use_cache=False)) == []
