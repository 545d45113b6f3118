"""Obsidian-exact on real vaults (issue 12): each false finding seen on public vaults, on a
small vault built here, through the library, the CLI and the site."""

from __future__ import annotations

import json
import os
import time
import unicodedata
from pathlib import Path

import starvault
from starvault.cache import CachedNote
from starvault.scan import parse_text
from starvault.site.build import build


def diags(vault: Path, *codes: str) -> list[tuple[str, str, int, int, str | None]]:
    report = starvault.check(starvault.load(vault, use_cache=False))
    return [
        (d.rule, d.path, d.line, d.column, d.target)
        for d in report.diagnostics
        if not codes or d.rule in codes
    ]


LINKS = ("LK001", "LK002", "LK003", "LK004", "LK005", "LK006", "LK008")


# -- 1. footnotes ----------------------------------------------------------------------------
FOOTNOTES = (
    "# Cat\n"
    "\n"
    "Cute[^1], 可爱[^2], linked[^3] and ^[see [[Real]] too] end.\n"
    "\n"
    "[^1]: Adorable\n"
    "[^2]: 非常可爱的猫\n"
    "[^3]: [label](https://example.com/cat)\n"
    "[^4]: a real [[Gone]] and [md](Real.md)\n"
)


def test_footnote_definitions_are_not_link_references(make_vault):
    root = make_vault({"Cat.md": FOOTNOTES, "Real.md": "# Real\n"})
    found = diags(root, *LINKS)
    # Only the real broken link inside a footnote: no false LK001 at [^1], [^2], [^3].
    assert found == [("LK001", "Cat.md", 8, 14, "Gone")]
    vault = starvault.load(root, use_cache=False)
    links = vault.notes["Cat.md"].links
    assert [(k.kind, k.target, k.line) for k in links] == [
        ("link", "Real", 3),
        ("link", "Gone", 8),
        ("markdown", "Real.md", 8),
    ]
    line = FOOTNOTES.split("\n")[2]
    assert line[links[0].column - 1 :].startswith("[[Real]]")  # inside "^[...]"
    assert [r.source for r in vault.backlinks["Real.md"]] == ["Cat.md", "Cat.md"]


def test_the_site_renders_footnotes_as_footnotes(make_vault, tmp_path):
    root = make_vault({"Cat.md": FOOTNOTES, "Real.md": "# Real\n\n==bright== words\n"})
    build(starvault.load(root), tmp_path / "out")
    html = (tmp_path / "out" / "Cat.html").read_text("utf-8")
    assert 'class="footnote-ref"' in html and 'class="footnotes' in html
    assert "Adorable" in html and "非常可爱的猫" in html
    assert "[^1]" not in html  # not left as text, not a link reference
    assert "<mark>bright</mark>" in (tmp_path / "out" / "Real.html").read_text("utf-8")


# -- 2. template placeholders in front matter ----------------------------------------------
TEMPLATE = (
    "---\n"
    "created: {{date}}\n"
    "title: {{title}}\n"
    "day: {{date:YYYY-MM-DD}}\n"
    'updated: <% tp.date.now("YYYY-MM-DD: HH") %>\n'
    "aliases: [Daily]\n"
    'see: "[[Nowhere]]"\n'
    "---\n"
    "# Daily\n"
)


def test_template_placeholders_are_not_yaml_errors(make_vault):
    root = make_vault({"Templates/Daily.md": TEMPLATE})
    assert diags(root, "VA002") == []
    vault = starvault.load(root, use_cache=False)
    meta = vault.notes["Templates/Daily.md"].meta
    assert meta["created"] == "{{date}}" and meta["day"] == "{{date:YYYY-MM-DD}}"
    assert meta["updated"].startswith("<% tp.date.now")
    assert vault.notes["Templates/Daily.md"].aliases == ["Daily"]
    # Its property links are read and checked, at their line.
    assert diags(root, "LK001") == [("LK001", "Templates/Daily.md", 7, 7, "Nowhere")]


def test_real_yaml_errors_next_to_placeholders_stay_va002(make_vault):
    root = make_vault(
        {
            "A.md": "---\ncreated: {{date}}\nauthors:\n- @name\n---\n",
            "B.md": '---\ntitle: {{title}}\nsummary: "broken\n---\n',
        }
    )
    assert [(d[0], d[1]) for d in diags(root, "VA002")] == [("VA002", "A.md"), ("VA002", "B.md")]
    assert diags(root, "VA002")[0][2] == 4  # the line of "- @name"


# -- 3. NFD file names -----------------------------------------------------------------------
def test_nfd_file_names_are_read_and_compared_in_nfc(make_vault, tmp_path):
    nfd = unicodedata.normalize("NFD", "Café")
    assert nfd != "Café"
    root = make_vault(
        {
            f"Notes/{nfd}.md": "# Café\n\nThe espresso machine. ^espresso\n",
            "Home.md": "See [[Café#^espresso]] and [[Notes/Café]].\n",
        }
    )
    assert diags(root, "VA001", *LINKS) == []
    vault = starvault.load(root, use_cache=False)
    assert "Notes/Café.md" in vault.notes
    assert vault.notes["Notes/Café.md"].blocks == {"espresso": 3}
    assert "espresso machine" in vault.text("Notes/Café.md")
    build(vault, tmp_path / "out")
    page = next((tmp_path / "out" / "Notes").glob("*.html")).read_text("utf-8")
    assert "The espresso machine." in page


# -- 4. NUL bytes ----------------------------------------------------------------------------
def test_nul_bytes_in_utf8_are_text(make_vault):
    pasted = "# Dump\n\n```\n\x00\x01\x02 header\n```\n\nSee [[Missing]].\n"
    root = make_vault({"Dump.md": pasted, "Bin.md": b"\x89PNG\x00\x00\xff\xfe"})
    found = diags(root, "VA001", "LK001")
    assert ("LK001", "Dump.md", 7, 5, "Missing") in found
    assert [d[1] for d in found if d[0] == "VA001"] == ["Bin.md"]  # not UTF-8: unreadable


# -- 5 and 6. Markdown destinations ----------------------------------------------------------
def test_colon_destinations_are_external_and_empty_links_are_no_links(make_vault):
    line = (
        "[v2](<(https://example.com/x#y)>) [c](<C:/Users/me/x.md>) [k]()"
        " [rel](./Real.md) [bad](Gone.md)"
    )
    root = make_vault({"Src.md": line + "\n", "Real.md": "# Real\n"})
    bad = line.index("[bad]") + 1
    assert diags(root, *LINKS) == [("LK001", "Src.md", 1, bad, "Gone.md")]
    targets = [k.target for k in parse_text("Src.md", "[n](../Up:x.md)\n").links]
    assert targets == ["../Up:x.md"]  # "./" or "../" makes it a path again


# -- 7. canvases -----------------------------------------------------------------------------
def _canvas(nodes: list[dict]) -> str:
    # One node a line, as Obsidian writes them.
    rows = ",\n".join("\t\t" + json.dumps(n, ensure_ascii=False) for n in nodes)
    return '{\n\t"nodes":[\n' + rows + '\n\t],\n\t"edges":[]\n}\n'


def test_canvas_nodes_are_links(make_vault, run_cli):
    board = _canvas(
        [
            {"id": "a", "type": "file", "file": "Notes/A.md", "x": 0, "y": 0},
            {"id": "b", "type": "text", "text": "Plan: [[B]] then [[Nope]]", "x": 1, "y": 0},
            {"id": "c", "type": "file", "file": "Gone.md", "x": 2, "y": 0},
            {"id": "d", "type": "file", "file": "img/shot.png", "x": 3, "y": 0},
            {"id": "e", "type": "file", "file": "Notes/A.md", "subpath": "#Part", "x": 4},
            {"id": "f", "type": "link", "url": "https://example.com", "x": 5, "y": 0},
        ]
    )
    root = make_vault(
        {
            "Boards/Plan.canvas": board,
            "Notes/A.md": "# A\n\n## Part\n",
            "B.md": "# B\n",
            "Home.md": "![[Plan.canvas]]\n",
        }
    )
    found = diags(root, *LINKS, "LK007")
    assert [(d[0], d[1], d[2], d[4]) for d in found] == [
        ("LK001", "Boards/Plan.canvas", 4, "Nope"),
        ("LK001", "Boards/Plan.canvas", 5, "Gone.md"),
        ("LK005", "Boards/Plan.canvas", 6, "img/shot.png"),
    ]  # and no LK007: A and B are linked from the canvas
    vault = starvault.load(root, use_cache=False)
    assert {r.source for r in vault.backlinks["Notes/A.md"]} == {"Boards/Plan.canvas"}
    assert {r.source for r in vault.backlinks["B.md"]} == {"Boards/Plan.canvas"}
    assert vault.graph.has_edge("Boards/Plan.canvas", "Notes/A.md")
    result = run_cli("graph", str(root), "--format", "json")
    assert "Boards/Plan.canvas" in result.output


def test_bad_canvases_are_findings_not_tracebacks(make_vault, run_cli):
    root = make_vault(
        {
            "starvault.toml": "max_note_kb = 1\n",
            "Bad.canvas": '{"nodes": [\n  {"id": "a", "type": "file", "file": }\n]}\n',
            "Deep.canvas": "[" * 100_000 + "]" * 100_000,
            "Odd.canvas": '{"nodes": {"not": "a list"}}',
            "Huge.canvas": _canvas(
                [{"id": str(i), "type": "text", "text": "x" * 50} for i in range(50)]
            ),
            "Home.md": "# Home\n",
        }
    )
    found = {(d[0], d[1], d[2]) for d in diags(root, "VA001", "VA003")}
    assert ("VA001", "Bad.canvas", 2) in found
    assert ("VA001", "Odd.canvas", 1) in found
    assert {d[1] for d in found} == {"Bad.canvas", "Deep.canvas", "Odd.canvas", "Huge.canvas"}
    result = run_cli("check", str(root))
    assert "Traceback" not in result.output and "Bad.canvas:2" in result.output


# -- 8. what is not the vault ----------------------------------------------------------------
def test_an_earlier_site_and_the_cache_are_not_part_of_the_vault(make_vault, tmp_path):
    root = make_vault({"Home.md": "# Home\n\n[[Other]]\n", "Other.md": "# Other\n![[p.png]]\n"})
    (root / "p.png").write_bytes(b"\x89PNG")
    starvault.load(root)  # writes .starvault-cache/
    build(starvault.load(root), root / "public")  # a site built inside the vault
    (root / "public" / "stray.md").write_text("# Stray\n[[Nowhere]]\n", "utf-8")
    vault = starvault.load(root)
    assert sorted(vault.notes) == ["Home.md", "Other.md"]
    assert vault.attachments == ["p.png"]
    assert not [n for n in vault.graph if str(n).startswith(("public/", ".starvault"))]
    again = build(vault, tmp_path / "out")
    assert not (tmp_path / "out" / "public").exists()
    assert again.pages == 2 or len(again.rendered) == 2


# -- 9. the cache sees every change ----------------------------------------------------------
def test_the_cache_rereads_same_size_edits_with_preserved_mtime(make_vault):
    root = make_vault({"A.md": "See [[Bbb]].\n", "Bbb.md": "# Bbb\n", "Ccc.md": "# Ccc\n"})
    time.sleep(0.05)  # past the window in which a just-written file is read again anyway
    assert diags(root, "LK001") == []
    starvault.load(root)  # cold: writes the cache
    note = root / "A.md"
    before = note.stat()
    note.write_text("See [[Ccx]].\n", "utf-8")  # same size
    os.utime(note, ns=(before.st_atime_ns, before.st_mtime_ns))  # as cp -p / rsync -t do
    assert note.stat().st_size == before.st_size
    assert note.stat().st_mtime_ns == before.st_mtime_ns
    vault = starvault.load(root)
    assert not isinstance(vault.notes["A.md"], CachedNote)  # read again
    assert isinstance(vault.notes["Ccc.md"], CachedNote)  # unchanged: from the cache
    assert [r.link.target for r in vault.link_problems] == ["Ccx"]


def test_the_cache_rereads_a_file_replaced_under_the_same_name(make_vault):
    root = make_vault({"A.md": "See [[Bbb]].\n", "Bbb.md": "# Bbb\n"})
    time.sleep(0.05)
    starvault.load(root)
    note = root / "A.md"
    before = note.stat()
    fresh = root / "A.tmp"
    fresh.write_text("See [[Bbx]].\n", "utf-8")
    os.utime(fresh, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(fresh, note)  # rsync's way: a new inode
    vault = starvault.load(root)
    assert [r.link.target for r in vault.link_problems] == ["Bbx"]


def test_an_unreadable_note_is_never_taken_from_the_cache(make_vault, monkeypatch):
    root = make_vault({"A.md": "# A\n", "B.md": "[[A]]\n"})
    time.sleep(0.05)
    starvault.load(root)
    real_open = open

    def failing_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).endswith("A.md"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    os.utime(root / "A.md")  # the permission change moves its change time
    monkeypatch.setattr("builtins.open", failing_open)
    found = diags_cached(root)
    assert ("VA001", "A.md") in found


def diags_cached(root: Path) -> list[tuple[str, str]]:
    return [(d.rule, d.path) for d in starvault.check(starvault.load(root)).diagnostics]
