"""`starvault lsp` end to end: the real server over stdio, driven by pytest-lsp."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest_lsp
from lsprotocol import types as lsp
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

from conftest import SAMPLE_VAULT
from starvault.rules import check
from starvault.vault import load

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "starvault.cli", "lsp"])

FILES = {
    ".obsidian/app.json": "{}",
    "Alpha.md": (
        "# Alpha\n\n## Details\n\nSome text ^blk1\n\n"
        "See [[Beta#Intro|the beta]] and ![[Beta#^b2]] and [m](Gamma%20Note.md).\n"
    ),
    "Beta.md": (
        "---\naliases: [B]\n---\n# Beta\n\n## Intro\n\nIntro text line. ^b2\n\n"
        "Back to [[Alpha]] and [[Alpah]].\n"
    ),
    "sub/Gamma Note.md": "# Gamma\n\nLink [[Alpha#Details]] and [[Alpha]].\n",
    "a/Dup.md": "# Dup A\n\n[[Alpha]]\n",
    "b/Dup.md": "# Dup B\n\n[[Alpha]]\n",
    "Question Types/Conflict.md": (
        "---\ntype: question-type\ntitle: Conflict\nkey: conflict\n---\n# Conflict\n\n[[Alpha]]\n"
    ),
    "Principles/Ownership.md": "---\ntype: principle\ntitle: Ownership\n---\n# Ownership\n",
    "Notes/Draft.md": '---\ntitle: Draft\nprinciples: ["[[Ownerships]]"]\n---\n# Draft\n',
}


def uri(root: Path, rel: str) -> str:
    return from_fs_path(str(root / rel)) or ""


async def start(client: LanguageClient, root: Path) -> None:
    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(),
            root_uri=from_fs_path(str(root)),
            initialization_options={"debounce": 0.01},
        )
    )


async def open_doc(client: LanguageClient, root: Path, rel: str) -> str:
    u = uri(root, rel)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=u,
                language_id="markdown",
                version=1,
                text=(root / rel).read_text(encoding="utf-8"),
            )
        )
    )
    return u


def change(client: LanguageClient, u: str, text: str, version: int = 2) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=u, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def until(predicate: Callable[[], bool], what: str) -> None:
    """Wait for the server's notifications to make ``predicate`` true (fails after 30 s)."""
    for _ in range(600):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def codes(client: LanguageClient, u: str) -> list[str]:
    return sorted(str(d.code) for d in client.diagnostics.get(u, []))


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient, make_vault):  # type: ignore[no-untyped-def]
    root = make_vault(FILES)
    lsp_client.root = root  # type: ignore[attr-defined]
    await start(lsp_client, root)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def course(lsp_client: LanguageClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE_VAULT, root, ignore=shutil.ignore_patterns(".starvault-cache"))
    lsp_client.root = root  # type: ignore[attr-defined]
    await start(lsp_client, root)
    yield
    await lsp_client.shutdown_session()


# ---------------------------------------------------------------------------------------
# Diagnostics


async def test_diagnostics_match_check_with_documentation_links(client: LanguageClient) -> None:
    root = client.root  # type: ignore[attr-defined]
    u = await open_doc(client, root, "Beta.md")
    await until(lambda: "LK001" in codes(client, u), "LK001 on Beta.md")
    want = [d for d in check(load(root, use_cache=False)).diagnostics if d.path == "Beta.md"]
    got = client.diagnostics[u]
    assert [(str(d.code), d.range.start.line + 1, d.message) for d in got] == [
        (d.rule, d.line, d.message) for d in want
    ]
    broken = next(d for d in got if d.code == "LK001")
    assert broken.severity == lsp.DiagnosticSeverity.Error
    assert broken.range.start.character == "Back to [[Alpha]] and ".__len__()
    assert broken.range.end.character == broken.range.start.character + len("[[Alpah]]")
    href = broken.code_description.href
    doc = Path(unquote(urlparse(href).path))
    assert href.startswith("file://") and doc.is_file()
    assert "LK001 broken-link" in doc.read_text(encoding="utf-8")


async def test_edits_update_the_note_and_the_notes_that_depend_on_it(
    client: LanguageClient,
) -> None:
    root = client.root  # type: ignore[attr-defined]
    beta = await open_doc(client, root, "Beta.md")
    alpha = uri(root, "Alpha.md")
    await until(lambda: "LK001" in codes(client, beta), "first diagnostics")
    assert "LK002" not in codes(client, alpha)
    text = (root / "Beta.md").read_text(encoding="utf-8")
    change(client, beta, text.replace("## Intro", "## Overview").replace("[[Alpah]]", "[[Alpha]]"))
    # Alpha links to Beta#Intro: renaming the heading in the buffer (unsaved) breaks it.
    await until(lambda: "LK002" in codes(client, alpha), "LK002 on Alpha.md")
    await until(lambda: "LK001" not in codes(client, beta), "Beta.md fixed")
    change(client, beta, text, version=3)
    await until(lambda: "LK002" not in codes(client, alpha), "Alpha.md clean again")


async def code_actions(client: LanguageClient, uri: str, diagnostic: lsp.Diagnostic) -> list:
    """The code actions the server offers for one diagnostic."""
    return await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=lsp.CodeActionContext(diagnostics=[diagnostic]),
        )
    )


async def test_suppression_comment_and_quick_fixes(client: LanguageClient) -> None:
    root = client.root  # type: ignore[attr-defined]
    u = await open_doc(client, root, "Beta.md")
    await until(lambda: "LK001" in codes(client, u), "LK001")
    broken = next(d for d in client.diagnostics[u] if d.code == "LK001")
    actions = await code_actions(client, u, broken)
    titles = [a.title for a in actions]
    assert "Replace with 'Alpha'" in titles
    replace = next(a for a in actions if a.title == "Replace with 'Alpha'")
    (edit,) = replace.edit.changes[u]
    assert edit.new_text == "Alpha"
    assert (edit.range.start.character, edit.range.end.character) == (
        broken.range.start.character + 2,
        broken.range.end.character - 2,
    )
    assert any(t.startswith("Create note 'Alpah.md'") for t in titles)
    suppress = next(a for a in actions if a.title == "Ignore LK001 on this line")
    (edit,) = suppress.edit.changes[u]
    line = (root / "Beta.md").read_text(encoding="utf-8").split("\n")[broken.range.start.line]
    fixed = line + edit.new_text
    assert edit.range.start.character == len(line)
    text = (root / "Beta.md").read_text(encoding="utf-8").replace(line, fixed)
    change(client, u, text)
    await until(lambda: "LK001" not in codes(client, u), "LK001 suppressed")


async def test_create_missing_note_from_its_type_template(client: LanguageClient) -> None:
    root = client.root  # type: ignore[attr-defined]
    u = await open_doc(client, root, "Notes/Draft.md")
    await until(lambda: "LK001" in codes(client, u), "LK001 in front matter")
    broken = next(d for d in client.diagnostics[u] if d.code == "LK001")
    actions = await code_actions(client, u, broken)
    create = next(a for a in actions if a.title.startswith("Create note"))
    assert "principle template" in create.title
    made, write = create.edit.document_changes
    assert isinstance(made, lsp.CreateFile) and made.uri.endswith("/Ownerships.md")
    assert "type: principle" in write.edits[0].new_text
    assert any(a.title == "Replace with 'Ownership'" for a in actions)


async def test_navigation_fix_action(course: LanguageClient) -> None:
    client = course
    root = client.root  # type: ignore[attr-defined]
    rel = "Interview_Preparation/04_Behavioral_Interview.md"
    u = await open_doc(client, root, rel)
    text = (root / rel).read_text(encoding="utf-8")
    broken = text.replace(
        "**Next:** [[05_AI_Safety_Interview", "**Next:** [[03_Papers_Reading_Guide"
    )
    assert broken != text
    change(client, u, broken)
    await until(lambda: any(c.startswith("NV") for c in codes(client, u)), "NV finding")
    nav = next(d for d in client.diagnostics[u] if str(d.code).startswith("NV"))
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=u),
            range=nav.range,
            context=lsp.CodeActionContext(diagnostics=[nav]),
        )
    )
    fix = next(a for a in actions if "Navigation" in a.title)
    (edit,) = fix.edit.changes[u]
    assert edit.new_text == text


# ---------------------------------------------------------------------------------------
# Navigation


async def definition(client: LanguageClient, u: str, line: int, char: int):  # type: ignore[no-untyped-def]
    return await client.text_document_definition_async(
        lsp.DefinitionParams(
            text_document=lsp.TextDocumentIdentifier(uri=u),
            position=lsp.Position(line=line, character=char),
        )
    )


async def test_definition_of_links_embeds_and_markdown_links(client: LanguageClient) -> None:
    root = client.root  # type: ignore[attr-defined]
    u = await open_doc(client, root, "Alpha.md")
    line = 6
    text = (root / "Alpha.md").read_text(encoding="utf-8").split("\n")[line]
    heading = await definition(client, u, line, text.index("[[Beta#Intro") + 3)
    assert heading.uri == uri(root, "Beta.md") and heading.range.start.line == 5  # ## Intro
    block = await definition(client, u, line, text.index("![[Beta#^b2") + 4)
    assert block.uri == uri(root, "Beta.md") and block.range.start.line == 7  # ... ^b2
    md = await definition(client, u, line, text.index("[m](") + 5)
    assert md.uri == uri(root, "sub/Gamma Note.md") and md.range.start.line == 0
    assert await definition(client, u, line, 1) is None


async def test_references_to_a_note_and_to_a_heading(client: LanguageClient) -> None:
    root = client.root  # type: ignore[attr-defined]
    u = await open_doc(client, root, "Alpha.md")
    refs = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=lsp.TextDocumentIdentifier(uri=u),
            position=lsp.Position(line=4, character=2),  # not a heading, not a link
            context=lsp.ReferenceContext(include_declaration=False),
        )
    )
    where = sorted((r.uri.rsplit("/", 1)[-1], r.range.start.line) for r in refs)
    assert where == [
        ("Beta.md", 9),
        ("Conflict.md", 7),
        ("Dup.md", 2),
        ("Dup.md", 2),
        ("Gamma%20Note.md", 2),
        ("Gamma%20Note.md", 2),
    ]
    refs = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=lsp.TextDocumentIdentifier(uri=u),
            position=lsp.Position(line=2, character=4),  # ## Details
            context=lsp.ReferenceContext(include_declaration=False),
        )
    )
    assert [(r.uri.rsplit("/", 1)[-1], r.range.start.character) for r in refs] == [
        ("Gamma%20Note.md", 5)
    ]


async def test_hover_shows_title_type_and_first_lines(client: LanguageClient) -> None:
    root = client.root  # type: ignore[attr-defined]
    u = await open_doc(client, root, "Notes/Draft.md")
    result = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=u),
            position=lsp.Position(line=2, character=16),
        )
    )
    assert result is not None  # "[[Ownerships]]" is broken: says so
    assert "no note named 'Ownerships'" in result.contents.value
    u = await open_doc(client, root, "Alpha.md")
    result = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=u),
            position=lsp.Position(line=6, character=6),
        )
    )
    value = result.contents.value
    assert value.startswith("**Beta**") and "## Intro" in value and "Intro text line." in value


# ---------------------------------------------------------------------------------------
# Completion


async def complete(client: LanguageClient, u: str, line: int, char: int) -> list[str]:
    result = await client.text_document_completion_async(
        lsp.CompletionParams(
            text_document=lsp.TextDocumentIdentifier(uri=u),
            position=lsp.Position(line=line, character=char),
        )
    )
    return [item.text_edit.new_text for item in result.items]


async def test_completion_in_links_and_front_matter(client: LanguageClient) -> None:
    root = client.root  # type: ignore[attr-defined]
    u = await open_doc(client, root, "Alpha.md")
    base = (root / "Alpha.md").read_text(encoding="utf-8")
    lines = ["[[Al", "[[Beta#", "[[Beta#^", "[[Beta|", "[[#"]
    change(client, u, base + "\n".join(lines) + "\n")
    first = base.count("\n")
    for _ in range(100):
        names = await complete(client, u, first, len(lines[0]))
        if names:
            break
        await asyncio.sleep(0.05)
    assert "Alpha" in names and "sub/Gamma Note" not in names and "Gamma Note" in names
    assert "a/Dup" in names and "b/Dup" in names and "Dup" not in names
    assert await complete(client, u, first + 1, len(lines[1])) == ["Beta", "Intro"]
    assert await complete(client, u, first + 2, len(lines[2])) == ["b2"]
    assert await complete(client, u, first + 3, len(lines[3])) == ["Beta", "B"]
    assert await complete(client, u, first + 4, len(lines[4])) == ["Alpha", "Details"]

    story = "---\ntype: story\nquestion_types: [\nprinciples:\n  - \n---\n# S\n"
    (root / "Stories").mkdir()
    (root / "Stories/S.md").write_text(story, encoding="utf-8")
    s = await open_doc(client, root, "Stories/S.md")
    for _ in range(100):
        values = await complete(client, s, 2, len("question_types: ["))
        if values:
            break
        await asyncio.sleep(0.05)
    assert values == ["conflict"]
    assert await complete(client, s, 4, 4) == ['"[[Ownership]]"']


# ---------------------------------------------------------------------------------------
# Rename


async def rename(client: LanguageClient, u: str, line: int, char: int, new: str):  # type: ignore[no-untyped-def]
    return await client.text_document_rename_async(
        lsp.RenameParams(
            text_document=lsp.TextDocumentIdentifier(uri=u),
            position=lsp.Position(line=line, character=char),
            new_name=new,
        )
    )


def edits_by_file(edit: lsp.WorkspaceEdit) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for change_ in edit.document_changes:
        if isinstance(change_, lsp.TextDocumentEdit):
            name = unquote(change_.text_document.uri.rsplit("/", 1)[-1])
            out[name] = sorted(e.new_text for e in change_.edits)
    return out


async def test_rename_a_note_from_a_link_keeps_each_links_form(client: LanguageClient) -> None:
    root = client.root  # type: ignore[attr-defined]
    u = await open_doc(client, root, "Beta.md")
    edit = await rename(client, u, 9, len("Back to [[A"), "Omega")
    assert edits_by_file(edit) == {
        "Beta.md": ["Omega"],
        "Conflict.md": ["Omega"],
        "Dup.md": ["Omega"],
        "Gamma Note.md": ["Omega", "Omega"],
    }
    renames = [c for c in edit.document_changes if isinstance(c, lsp.RenameFile)]
    assert [(r.old_uri, r.new_uri) for r in renames] == [
        (uri(root, "Alpha.md"), uri(root, "Omega.md"))
    ]


async def test_rename_the_open_note_to_an_ambiguous_name_qualifies_links(
    client: LanguageClient,
) -> None:
    root = client.root  # type: ignore[attr-defined]
    u = await open_doc(client, root, "sub/Gamma Note.md")
    edit = await rename(client, u, 2, 0, "Dup")
    # Alpha's Markdown link keeps its form (%20, .md) and names the folder: "Dup" is taken.
    assert edits_by_file(edit) == {"Alpha.md": ["sub/Dup.md"]}


async def test_rename_a_heading_updates_links_into_it(client: LanguageClient) -> None:
    root = client.root  # type: ignore[attr-defined]
    u = await open_doc(client, root, "Beta.md")
    edit = await rename(client, u, 5, 4, "Opening Words")
    assert edits_by_file(edit) == {"Alpha.md": ["Opening Words"], "Beta.md": ["Opening Words"]}
    alpha = await open_doc(client, root, "Alpha.md")
    line = (root / "Alpha.md").read_text(encoding="utf-8").split("\n")[6]
    edit = await rename(client, alpha, 6, line.index("#Intro") + 2, "Start")
    assert edits_by_file(edit) == {"Alpha.md": ["Start"], "Beta.md": ["Start"]}


# ---------------------------------------------------------------------------------------
# The index behind the server (library level)


def test_the_focused_check_of_an_edit_agrees_with_the_full_check(tmp_path: Path) -> None:
    """Every note of the sample vault, edited (a finding planted in it): the rules run on
    the note alone right after the edit find what the full check finds for it."""
    from starvault.lsp.index import Index

    root = tmp_path / "sample"
    shutil.copytree(SAMPLE_VAULT, root, ignore=shutil.ignore_patterns(".starvault-cache"))
    index = Index(root)
    index.refresh()
    for path in sorted(index.vault.notes):
        text = index.vault.text(path) + "\nSee [[Nowhere]] and [[Home#No Such Heading]].\n"
        index.edit(path, text)
        quick = index.diagnostics[path]
        index.refresh()
        assert quick == index.diagnostics[path], path
        assert {"LK001", "LK002"} <= {d.rule for d in quick}
