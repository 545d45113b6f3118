"""``starvault lsp``: the checks and Obsidian's links in any editor, over stdio.

Each LSP feature is one decorated function (pygls style) and a thin adapter over the
library: :class:`~starvault.lsp.index.Index` keeps the vault current with the buffers,
:mod:`starvault.links` resolves, :mod:`starvault.rename` renames, :mod:`starvault.navigation`
fixes navigation and :mod:`starvault.authoring` drafts missing notes. Positions cross the
boundary through pygls' position codec (UTF-16 by default), so names with emoji work.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path

from .. import __version__
from ..markdown.syntax import block_id_at_end
from ..rules import REGISTRY, Diagnostic
from ..scan import Link, link_span
from .index import Index

# Diagnostics wait this long after the last keystroke (seconds); initializationOptions
# {"debounce": 0.2} changes it.
DEBOUNCE = 0.05
# The full pass (every rule, every note) runs this long after the last edit's own check.
FULL_PASS = 0.3
_SEVERITY = {
    "error": lsp.DiagnosticSeverity.Error,
    "warning": lsp.DiagnosticSeverity.Warning,
    "info": lsp.DiagnosticSeverity.Information,
}
_FIXABLE_NAV = re.compile(r"^NV\d+$")


class StarvaultServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("starvault", __version__)
        self.index: Index | None = None
        self.debounce = DEBOUNCE
        self.pending: asyncio.TimerHandle | None = None
        self.full: asyncio.TimerHandle | None = None
        self.dirty: set[str] = set()
        self.published: set[str] = set()
        self.docs: dict[str, str | None] = {}  # rule code -> documentation URL


server = StarvaultServer()


# ---------------------------------------------------------------------------------------
# Conversions


def _path(ls: StarvaultServer, uri: str) -> str | None:
    if ls.index is None or not uri.startswith("file:"):
        return None
    return ls.index.path_of(Path(unquote(urlparse(uri).path)))


def _uri(ls: StarvaultServer, path: str) -> str:
    assert ls.index is not None
    return from_fs_path(str(ls.index.root / path)) or ""


def _line_text(ls: StarvaultServer, path: str, line: int) -> str:
    assert ls.index is not None
    lines = ls.index.lines(path)
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _pos(ls: StarvaultServer, text: str, line: int, column: int) -> lsp.Position:
    """(1-based line, 0-based code point column) to an LSP position."""
    units = ls.workspace.position_codec.client_num_units(text[:column])
    return lsp.Position(line=line - 1, character=units)


def _range(ls: StarvaultServer, path: str, line: int, start: int, end: int) -> lsp.Range:
    text = _line_text(ls, path, line)
    return lsp.Range(start=_pos(ls, text, line, start), end=_pos(ls, text, line, end))


def _cursor(ls: StarvaultServer, uri: str, position: lsp.Position) -> tuple[str, int, int] | None:
    """(vault path, 1-based line, 0-based code point column) of a client position."""
    path = _path(ls, uri)
    if path is None or ls.index is None or path not in ls.index.vault.notes:
        return None
    lines = ls.index.lines(path)
    at = ls.workspace.position_codec.position_from_client_units(lines, position)
    return path, at.line + 1, at.character


def _link_range(ls: StarvaultServer, path: str, link: Link) -> lsp.Range:
    text = _line_text(ls, path, link.line)
    span = link_span(text, link)
    start, end = (span.start, span.end) if span else (link.column - 1, len(text))
    return _range(ls, path, link.line, start, end)


def _doc_href(ls: StarvaultServer, code: str) -> str | None:
    """A file:// URL of the rule's documentation, written once into the vault's cache
    folder (the docs travel with the installed package, not with a web site)."""
    assert ls.index is not None
    if code in ls.docs:
        return ls.docs[code]
    ls.docs[code] = None
    rule_ = REGISTRY.get(code)
    if rule_ is None:
        return None
    from ..cache import CACHE_DIR

    doc = ls.index.root / CACHE_DIR / "rules" / f"{code}.md"
    text = f"# {rule_.code} {rule_.name} ({rule_.severity})\n\n{rule_.doc}\n"
    try:
        if not doc.is_file() or doc.read_text(encoding="utf-8") != text:
            doc.parent.mkdir(parents=True, exist_ok=True)
            from ..atomic import write_atomic

            write_atomic(doc, text.encode("utf-8"))
    except OSError:
        return None
    ls.docs[code] = from_fs_path(str(doc))
    return ls.docs[code]


def _diagnostic(ls: StarvaultServer, d: Diagnostic) -> lsp.Diagnostic:
    assert ls.index is not None
    note = ls.index.vault.notes.get(d.path)
    link = None
    if note is not None and d.target is not None:
        link = next((k for k in note.links if (k.line, k.column) == (d.line, d.column)), None)
    if link is not None:
        rng = _link_range(ls, d.path, link)
    else:
        text = _line_text(ls, d.path, d.line)
        start = min(max(d.column - 1, 0), len(text))
        rng = _range(ls, d.path, d.line, start, max(start, len(text.rstrip())))
    href = _doc_href(ls, d.rule)
    return lsp.Diagnostic(
        range=rng,
        message=d.message,
        severity=_SEVERITY.get(d.severity, lsp.DiagnosticSeverity.Information),
        code=d.rule,
        code_description=lsp.CodeDescription(href=href) if href else None,
        source="starvault",
        data={"name": d.name},
    )


def publish(ls: StarvaultServer, paths: set[str]) -> None:
    assert ls.index is not None
    for path in sorted(paths):
        if path == "." or path not in ls.index.vault.notes:
            if path in ls.published:
                ls.published.discard(path)
                ls.text_document_publish_diagnostics(
                    lsp.PublishDiagnosticsParams(uri=_uri(ls, path), diagnostics=[])
                )
            continue
        found = [_diagnostic(ls, d) for d in ls.index.diagnostics.get(path, [])]
        if found:
            ls.published.add(path)
        else:
            ls.published.discard(path)
        ls.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=_uri(ls, path), diagnostics=found)
        )


# ---------------------------------------------------------------------------------------
# Life cycle and document sync


@server.feature(lsp.INITIALIZE)
def initialize(ls: StarvaultServer, params: lsp.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict) and isinstance(options.get("debounce"), (int, float)):
        ls.debounce = float(options["debounce"])


@server.feature(lsp.INITIALIZED)
def initialized(ls: StarvaultServer, params: lsp.InitializedParams) -> None:
    folders = ls.workspace.folders
    root = ls.workspace.root_path or (next(iter(folders.values())).uri if folders else None)
    if root and root.startswith("file:"):
        root = unquote(urlparse(root).path)
    from ..vault import find_vault

    ls.index = Index(find_vault(Path(root)) if root else find_vault())
    publish(ls, ls.index.refresh())


def _schedule(ls: StarvaultServer, path: str, text: str) -> None:
    """Debounce: keep the newest text of each buffer, check once typing pauses."""
    assert ls.index is not None
    ls.index.buffers[path] = text
    ls.dirty.add(path)
    if ls.pending is not None:
        ls.pending.cancel()
    loop = asyncio.get_running_loop()
    ls.pending = loop.call_later(ls.debounce, _flush, ls)


def _flush(ls: StarvaultServer) -> None:
    ls.pending = None
    if ls.index is None:
        return
    changed: set[str] = set()
    dirty, ls.dirty = ls.dirty, set()
    for path in sorted(dirty):
        text = ls.index.buffers.get(path)
        if text is not None:
            changed |= ls.index.edit(path, text)
    publish(ls, changed)
    if ls.index.stale:
        if ls.full is not None:
            ls.full.cancel()
        ls.full = asyncio.get_running_loop().call_later(ls.debounce + FULL_PASS, _full_pass, ls)


def _full_pass(ls: StarvaultServer) -> None:
    """Every rule on the whole vault, once typing pauses: findings that count across notes
    (coverage, orphans, navigation) and the notes that depend on the edited one."""
    ls.full = None
    if ls.index is None or ls.pending is not None:
        return  # more edits are on the way; their flush schedules the pass again
    publish(ls, ls.index.refresh())


def _buffer(ls: StarvaultServer, uri: str) -> None:
    path = _path(ls, uri)
    if path is None or ls.index is None or not path.lower().endswith(".md"):
        return
    doc = ls.workspace.get_text_document(uri)
    _schedule(ls, path, doc.source.replace("\r\n", "\n").replace("\r", "\n"))


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: StarvaultServer, params: lsp.DidOpenTextDocumentParams) -> None:
    _buffer(ls, params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: StarvaultServer, params: lsp.DidChangeTextDocumentParams) -> None:
    _buffer(ls, params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: StarvaultServer, params: lsp.DidCloseTextDocumentParams) -> None:
    path = _path(ls, params.text_document.uri)
    if path is not None and ls.index is not None:
        ls.dirty.discard(path)
        publish(ls, ls.index.close(path))


@server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_files(ls: StarvaultServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    if ls.index is not None:
        publish(ls, ls.index.reload())


@server.feature(lsp.WORKSPACE_DID_RENAME_FILES)
def did_rename_files(ls: StarvaultServer, params: lsp.RenameFilesParams) -> None:
    if ls.index is None:
        return
    for f in params.files:
        old = _path(ls, f.old_uri)
        text = ls.index.buffers.pop(old, None) if old else None
        new = _path(ls, f.new_uri)
        if text is not None and new is not None:
            ls.index.buffers[new] = text
    publish(ls, ls.index.reload() | ls.published)


# ---------------------------------------------------------------------------------------
# Navigation: definition, references, hover


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
def definition(ls: StarvaultServer, params: lsp.DefinitionParams) -> lsp.Location | None:
    at = _cursor(ls, params.text_document.uri, params.position)
    if at is None or ls.index is None:
        return None
    found = ls.index.link_at(*at)
    if found is None or found.resolved.path is None:
        return None
    path = found.resolved.path
    if path not in ls.index.vault.notes:  # an attachment
        return lsp.Location(
            uri=_uri(ls, path), range=lsp.Range(start=lsp.Position(0, 0), end=lsp.Position(0, 0))
        )
    line = ls.index.target_line(found.resolved)
    return lsp.Location(uri=_uri(ls, path), range=_range(ls, path, line, 0, 0))


@server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
def references(ls: StarvaultServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
    at = _cursor(ls, params.text_document.uri, params.position)
    if at is None or ls.index is None:
        return []
    path, line, column = at
    heading = ls.index.heading_at(path, line)
    target = path
    found = ls.index.link_at(path, line, column)
    if found is not None:
        if found.resolved.path is None:
            return []
        target = found.resolved.path
        heading = ls.index.heading_of(found.resolved)
    return [
        lsp.Location(uri=_uri(ls, r.source), range=_link_range(ls, r.source, r.link))
        for r in ls.index.references(target, heading)
    ]


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: StarvaultServer, params: lsp.HoverParams) -> lsp.Hover | None:
    at = _cursor(ls, params.text_document.uri, params.position)
    if at is None or ls.index is None:
        return None
    found = ls.index.link_at(*at)
    if found is None:
        return None
    r = found.resolved
    note = ls.index.vault.notes.get(r.path or "")
    if note is None:
        what = r.path or f"no note named '{r.link.target}'"
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=what))
    lines = ls.index.lines(note.path)
    start = max(ls.index.target_line(r), note.body_line) - 1
    body = [ln for ln in lines[start:] if ln.strip()][:6]
    head = f"**{note.title}**" + (f" · `{note.type}`" if note.type else "")
    value = "\n\n".join([head, f"`{note.path}`", "\n".join(body)])
    rng = _range(ls, found.note.path, found.link.line, found.span.start, found.span.end)
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=value), range=rng
    )


# ---------------------------------------------------------------------------------------
# Completion

_WORD = re.compile(r"[\w-]*$")


@server.feature(
    lsp.TEXT_DOCUMENT_COMPLETION,
    lsp.CompletionOptions(trigger_characters=["[", "#", "^", "|", " ", ","]),
)
def completion(ls: StarvaultServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    empty = lsp.CompletionList(is_incomplete=False, items=[])
    at = _cursor(ls, params.text_document.uri, params.position)
    if at is None or ls.index is None:
        return empty
    path, line, column = at
    text = _line_text(ls, path, line)
    before = text[:column]
    note = ls.index.vault.notes[path]
    open_at = before.rfind("[[")
    if open_at >= 0 and "]]" not in before[open_at:]:
        inner = before[open_at + 2 :]
        items = _link_items(ls, path, inner)
        start = (
            column - len(re.split(r"[#|^]", inner)[-1])
            if re.search(r"[#|^]", inner)
            else open_at + 2
        )
        rng = _range(ls, path, line, start, column)
        for item in items:
            item.text_edit = lsp.TextEdit(range=rng, new_text=item.label)
        return lsp.CompletionList(is_incomplete=False, items=items)
    if line < note.body_line - 1:
        items = _field_items(ls, path, line)
        start = column - len(_WORD.search(before).group(0))  # type: ignore[union-attr]
        rng = _range(ls, path, line, start, column)
        for item in items:
            item.text_edit = lsp.TextEdit(range=rng, new_text=item.insert_text or item.label)
        return lsp.CompletionList(is_incomplete=False, items=items)
    return empty


def _link_items(ls: StarvaultServer, path: str, inner: str) -> list[lsp.CompletionItem]:
    assert ls.index is not None
    vault = ls.index.vault
    source = vault.notes[path]
    Kind = lsp.CompletionItemKind
    if "|" in inner or "#" in inner:
        target = re.split(r"[#|]", inner, maxsplit=1)[0].strip()
        note = vault.lookup(target, source) if target else source
        if note is None:
            return []
        if "|" in inner:
            names = [note.title, *note.aliases]
            return [lsp.CompletionItem(label=a, kind=Kind.Text) for a in dict.fromkeys(names)]
        if "#^" in inner:
            return [lsp.CompletionItem(label=b, kind=Kind.Reference) for b in note.blocks]
        return [
            lsp.CompletionItem(label=h.text, kind=Kind.Reference, detail="#" * h.level)
            for h in note.headings
        ]
    return [
        lsp.CompletionItem(
            label=shown,
            kind=Kind.File if target.lower().endswith(".md") else Kind.Value,
            detail=target,
        )
        for shown, target in ls.index.note_names()
    ]


def _field_items(ls: StarvaultServer, path: str, line: int) -> list[lsp.CompletionItem]:
    """Allowed values of the front matter field on (or above, for a list item) ``line``."""
    from .. import schema
    from ..authoring import allowed_values

    assert ls.index is not None
    vault = ls.index.vault
    note = vault.notes[path]
    lines = ls.index.lines(path)
    key = None
    for i in range(line - 1, 0, -1):
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:", lines[i])
        if m:
            key = m.group(1)
            break
        if not lines[i].startswith((" ", "\t", "-")):
            break
    type_ = note.type
    if type_ is None:  # mid-edit the YAML is often invalid: read the type line itself
        found = (re.match(r"^type:\s*['\"]?([\w-]+)", ln) for ln in lines[1 : note.body_line])
        type_ = next((m.group(1) for m in found if m), None)
    t = schema.get(type_ or "")
    f = t.field(key) if t is not None and key else None
    if f is None:
        return []
    Kind = lsp.CompletionItemKind
    values = allowed_values(vault, f)
    if values:
        return [lsp.CompletionItem(label=v, kind=Kind.EnumMember) for v in values]
    linked = _linked_type(key or "")
    if f.kind in (schema.Kind.LINK, schema.Kind.LINKS) and linked:
        return [
            lsp.CompletionItem(label=n.name, kind=Kind.Reference, insert_text=f'"[[{n.name}]]"')
            for n in vault.notes_of_type(linked)
        ]
    return []


def _linked_type(field_name: str) -> str | None:
    """The note type a link field names: ``principles`` -> ``principle``."""
    from .. import schema

    for candidate in (field_name, field_name.rstrip("s"), field_name.replace("_", "-").rstrip("s")):
        if schema.get(candidate) is not None:
            return candidate
    return None


# ---------------------------------------------------------------------------------------
# Rename


@server.feature(lsp.TEXT_DOCUMENT_RENAME)
def rename(ls: StarvaultServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
    from ..rename import MoveError, plan_heading, plan_move

    at = _cursor(ls, params.text_document.uri, params.position)
    if at is None or ls.index is None:
        return None
    path, line, column = at
    vault = ls.index.vault
    new_name = params.new_name.strip()
    try:
        found = ls.index.link_at(path, line, column)
        heading = ls.index.heading_at(path, line)
        if found is not None:
            r = found.resolved
            if r.path is None:
                raise MoveError(f"'{r.link.target}' does not resolve; nothing to rename")
            in_sub = found.span.subpath is not None and column >= found.span.subpath[0]
            heading = ls.index.heading_of(r) if in_sub else None
            if heading is not None:
                plan = plan_heading(vault, r.path, heading, new_name)
            else:
                plan = plan_move(vault, r.path, _renamed(r.path, new_name))
        elif heading is not None:
            plan = plan_heading(vault, path, heading, new_name)
        else:
            plan = plan_move(vault, path, _renamed(path, new_name))
    except MoveError as exc:
        from pygls.exceptions import JsonRpcInvalidParams

        raise JsonRpcInvalidParams(str(exc)) from exc
    return workspace_edit(ls, plan)


def _renamed(path: str, new_name: str) -> str:
    """A new name in the same folder, or a vault-relative path when it has a ``/``."""
    name = new_name.strip().strip("/")
    if path.lower().endswith(".md") and not name.lower().endswith(".md"):
        name += ".md"
    if "/" in name:
        return name
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    return f"{folder}/{name}" if folder else name


def workspace_edit(ls: StarvaultServer, plan: Any) -> lsp.WorkspaceEdit:
    """A rename plan as document edits (against the current text) and file renames."""
    changes: list[Any] = []
    for path in sorted(plan.edits):
        edits = [
            lsp.TextEdit(range=_range(ls, path, e.line, e.start, e.end), new_text=e.text)
            for e in plan.edits[path]
        ]
        uri = _uri(ls, path)
        version = ls.workspace.get_text_document(uri).version if path in ls.index.buffers else None  # type: ignore[union-attr]
        changes.append(
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                edits=edits,
            )
        )
    moves = [plan.folder] if plan.folder else list(plan.moves.items())
    for old, new in moves:
        changes.append(lsp.RenameFile(old_uri=_uri(ls, old), new_uri=_uri(ls, new)))
    return lsp.WorkspaceEdit(document_changes=changes)


# ---------------------------------------------------------------------------------------
# Code actions


@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
)
def code_action(ls: StarvaultServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    path = _path(ls, params.text_document.uri)
    if path is None or ls.index is None or path not in ls.index.vault.notes:
        return []
    first, last = params.range.start.line + 1, params.range.end.line + 1
    out: list[lsp.CodeAction] = []
    for d in ls.index.diagnostics.get(path, []):
        if not first <= d.line <= last:
            continue
        diag = _diagnostic(ls, d)
        if d.rule == "LK001" and d.target is not None:
            out += _broken_link_actions(ls, path, d, diag)
        if _FIXABLE_NAV.match(d.rule) and REGISTRY[d.rule].fixable:
            action = _navigation_action(ls, path, diag)
            if action is not None:
                out.append(action)
        suppress = _suppress_action(ls, path, d, diag)
        if suppress is not None:
            out.append(suppress)
    return out


def _edit(ls: StarvaultServer, path: str, edits: list[lsp.TextEdit]) -> lsp.WorkspaceEdit:
    return lsp.WorkspaceEdit(changes={_uri(ls, path): edits})


def _broken_link_actions(
    ls: StarvaultServer, path: str, d: Diagnostic, diag: lsp.Diagnostic
) -> list[lsp.CodeAction]:
    assert ls.index is not None
    vault = ls.index.vault
    note = vault.notes[path]
    link = next((k for k in note.links if (k.line, k.column) == (d.line, d.column)), None)
    if link is None:
        return []
    out = []
    span = link_span(_line_text(ls, path, link.line), link)
    kind, name = vault.suggester.hint(link.target)
    if name and span is not None:
        new = name
        if link.kind == "markdown":
            from ..rename import _md_encode

            new = _md_encode(name + ".md" if link.target.lower().endswith(".md") else name)
        edit = lsp.TextEdit(range=_range(ls, path, link.line, *span.path), new_text=new)
        if kind == "alias" and link.kind != "markdown" and link.display is None:
            edit = lsp.TextEdit(
                range=_range(ls, path, link.line, span.path[0], span.end - 2),
                new_text=f"{name}|{link.target}",
            )
        out.append(
            lsp.CodeAction(
                title=f"Replace with '{name}'",
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diag],
                edit=_edit(ls, path, [edit]),
                is_preferred=True,
            )
        )
    create = _create_note(ls, note, link)
    if create is not None:
        create.diagnostics = [diag]
        out.append(create)
    return out


def _create_note(ls: StarvaultServer, source: Any, link: Link) -> lsp.CodeAction | None:
    """Create the missing note: from its type's template when the link says the type (a
    front matter field such as ``principles``), else a plain note with its title."""
    from ..authoring import AuthoringError, draft_note, safe_filename

    assert ls.index is not None
    vault = ls.index.vault
    target = link.target.removesuffix(".md")
    if not target or target.startswith(("/", ".")):
        return None
    folder, _, name = target.rpartition("/")
    type_ = None
    if link.kind == "property":
        lines = ls.index.lines(source.path)
        for i in range(link.line - 1, -1, -1):
            m = re.match(r"^([A-Za-z_][\w-]*)\s*:", lines[i])
            if m:
                type_ = _linked_type(m.group(1))
                break
    try:
        if type_ is None:
            raise AuthoringError("no type")
        draft = draft_note(vault, type_, name, folder=folder or None)
        rel, text = draft.path, draft.text
    except AuthoringError:
        rel = f"{folder}/{safe_filename(name)}.md" if folder else f"{safe_filename(name)}.md"
        text = f"# {name}\n"
    if rel in vault.notes or (vault.root / rel).exists():
        return None
    uri = _uri(ls, rel)
    return lsp.CodeAction(
        title=f"Create note '{rel}'" + (f" from the {type_} template" if type_ else ""),
        kind=lsp.CodeActionKind.QuickFix,
        edit=lsp.WorkspaceEdit(
            document_changes=[
                lsp.CreateFile(uri=uri, options=lsp.CreateFileOptions(ignore_if_exists=True)),
                lsp.TextDocumentEdit(
                    text_document=lsp.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=None
                    ),
                    edits=[
                        lsp.TextEdit(
                            range=lsp.Range(start=lsp.Position(0, 0), end=lsp.Position(0, 0)),
                            new_text=text,
                        )
                    ],
                ),
            ]
        ),
    )


def _navigation_action(
    ls: StarvaultServer, path: str, diag: lsp.Diagnostic
) -> lsp.CodeAction | None:
    from ..navigation import fix_page

    assert ls.index is not None
    text = ls.index.vault.text(path)
    after = fix_page(ls.index.vault, path, text.encode("utf-8")).decode("utf-8")
    if after == text:
        return None
    lines = text.split("\n")
    end = _pos(ls, lines[-1], len(lines), len(lines[-1]))
    whole = lsp.Range(start=lsp.Position(0, 0), end=end)
    return lsp.CodeAction(
        title="Rewrite the Navigation blocks from the table of contents",
        kind=lsp.CodeActionKind.QuickFix,
        diagnostics=[diag],
        edit=_edit(ls, path, [lsp.TextEdit(range=whole, new_text=after)]),
    )


def _suppress_action(
    ls: StarvaultServer, path: str, d: Diagnostic, diag: lsp.Diagnostic
) -> lsp.CodeAction | None:
    """``%% starvault-ignore CODE %%`` at the end of the line, or on a line of its own
    above it where a comment at the end would change the line's meaning (a heading's
    text, a block id); in front matter, the note's ``starvault: {ignore: [...]}``."""
    assert ls.index is not None
    note = ls.index.vault.notes[path]
    text = _line_text(ls, path, d.line)
    comment = f"%% starvault-ignore {d.rule} %%"
    if d.line < note.body_line:
        if "starvault" in note.meta:
            return None  # the note already has settings: edit them by hand
        at = lsp.Position(line=note.body_line - 2, character=0)  # the closing ---
        edit = lsp.TextEdit(
            range=lsp.Range(start=at, end=at), new_text=f"starvault:\n  ignore: [{d.rule}]\n"
        )
        title = f"Ignore {d.rule} in this note"
    elif text.lstrip().startswith("#") or block_id_at_end(text) is not None:
        indent = text[: len(text) - len(text.lstrip())]
        at = lsp.Position(line=d.line - 1, character=0)
        edit = lsp.TextEdit(range=lsp.Range(start=at, end=at), new_text=f"{indent}{comment}\n")
        title = f"Ignore {d.rule} on this line"
    else:
        stripped = len(text.rstrip())
        rng = _range(ls, path, d.line, stripped, stripped)
        edit = lsp.TextEdit(range=rng, new_text=f" {comment}")
        title = f"Ignore {d.rule} on this line"
    return lsp.CodeAction(
        title=title,
        kind=lsp.CodeActionKind.QuickFix,
        diagnostics=[diag],
        edit=_edit(ls, path, [edit]),
    )


def serve() -> None:
    server.start_io()
