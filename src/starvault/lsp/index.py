"""The language server's live view of the vault: the notes on disk, overlaid with the
editor's open buffers, and the diagnostics of every rule.

An edit re-extracts only the edited note from its buffer and derives a new
:class:`~starvault.vault.Vault` from the previous one: the resolver, the suggester and the
link outcomes of every note that does not depend on the edited one are carried over, so
only the edited note's links and the links into its headings or blocks are resolved again.
The rules then run as ``starvault check`` runs them, and only the notes whose findings
changed are sent to the editor. Everything here is editor-neutral (no LSP types).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..links import Resolved, Status, resolve_link
from ..rename import linking
from ..rules import Diagnostic, Rule, check, run, select_rules
from ..scan import Heading, Link, LinkSpan, Note, link_span, parse_text
from ..vault import Vault, load


class LiveVault(Vault):
    """A Vault whose note texts come from the editor's buffers when a note is open."""

    buffers: dict[str, str]

    def text(self, note: Note | str) -> str:
        path = note.path if isinstance(note, Note) else note
        hit = self.buffers.get(path)
        return hit if hit is not None else super().text(path)


# Rules whose findings about a note depend only on that note and its links' outcomes (the
# registry's ``local`` rules: see starvault.rules) run on the edited note alone right after
# an edit (see Index.edit); every rule, these included, runs on the whole vault once typing
# pauses. A rule that counts across notes waits for that full pass, which is always right.
def _focus(r: Rule) -> bool:
    return r.local


class _FocusNotes(dict):  # type: ignore[type-arg]
    """The notes a focused check iterates (the edited ones) over all the vault's notes
    for lookups, so a rule that names a link's target still finds it."""

    def __init__(self, focus: dict[str, Note], everything: dict[str, Note]) -> None:
        super().__init__(focus)
        self.everything = everything

    def __missing__(self, key: str) -> Note:
        return self.everything[key]

    def get(self, key: str, default: Note | None = None) -> Note | None:  # type: ignore[override]
        return self.everything.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.everything


@dataclass(frozen=True)
class LinkAt:
    """The link under the cursor."""

    note: Note
    link: Link
    span: LinkSpan
    resolved: Resolved


class Index:
    """The vault the server answers from, kept current with the editor's buffers."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.buffers: dict[str, str] = {}
        self.diagnostics: dict[str, list[Diagnostic]] = {}
        self.stale = False  # edits since the last full pass of every rule
        self.vault = self._live(load(self.root))

    def _live(self, vault: Vault, outcomes: bool = True) -> LiveVault:
        live = LiveVault(
            vault.root,
            vault.config,
            vault.notes,
            vault.attachments,
            vault.problems,
            vault.outcomes if outcomes else None,
            disk=vault.disk,
            canvases=vault.canvases,
        )
        live.buffers = self.buffers
        return live

    # -- keeping current -------------------------------------------------------------
    def path_of(self, file: Path) -> str | None:
        """The vault-relative path of a file, or None outside the vault."""
        try:
            rel = file.resolve().relative_to(self.root)
        except ValueError:
            return None
        return rel.as_posix() if rel.parts else None

    def reload(self) -> set[str]:
        """Read the vault again (files were created, deleted or renamed); open buffers
        still win over the files. Returns the notes whose diagnostics changed."""
        vault = load(self.root)
        notes = dict(vault.notes)
        for path, text in self.buffers.items():
            if path in notes:
                notes[path] = parse_text(path, text)
        self.vault = self._live(
            Vault(
                vault.root,
                vault.config,
                notes,
                vault.attachments,
                vault.problems,
                disk=vault.disk,
                canvases=vault.canvases,
            ),
            outcomes=False,
        )
        return self.refresh()

    def edit(self, path: str, text: str) -> set[str]:
        """The buffer of ``path`` now holds ``text``: re-extract it, re-resolve what
        depends on it, re-run the rules. Returns the notes whose diagnostics changed."""
        self.buffers[path] = text
        old = self.vault
        before = old.notes.get(path)
        if before is None:
            return self.reload() | {path}  # a new note: the set of files changed
        note = parse_text(path, text)
        notes = dict(old.notes)
        notes[path] = note
        reshaped = before.headings != note.headings or before.blocks != note.blocks
        renamed = before.aliases != note.aliases
        outcomes = {
            p: o
            for p, o in old.outcomes.items()
            if p != path
            and not (reshaped and path in o.deps)
            and not (renamed and any(r.status is Status.BROKEN for r in o.problems))
        }
        new = LiveVault(
            old.root,
            old.config,
            notes,
            old.attachments,
            old.problems,
            outcomes,
            disk=old.disk,
            canvases=old.canvases,
        )
        new.buffers = self.buffers
        resolver = old.resolver
        resolver.forget(path)
        new.__dict__["resolver"] = resolver
        if not renamed:
            new.__dict__["suggester"] = old.suggester
        texts = dict(old._texts)
        texts.pop(path, None)
        new._texts = texts
        self.vault = new
        self.stale = True
        return self.focus(path)

    def focus(self, path: str) -> set[str]:
        """The edited note's findings from the rules of local scope, checked on that note
        alone; its other findings are kept from the last full pass until the next."""
        full = self.vault
        notes = _FocusNotes({path: full.notes[path]}, full.notes)
        view = LiveVault(
            full.root, full.config, notes, full.attachments, [], {path: full.outcomes[path]}
        )
        view.buffers = self.buffers
        view.__dict__["resolver"] = full.resolver
        view.__dict__["suggester"] = full.suggester
        view._texts = full._texts
        rules = select_rules(full.config.select, full.config.ignore)
        chosen = [r for r in rules if _focus(r)]
        focused = {r.code for r in chosen}
        found = [d for d in run(view, chosen) if d.path == path]
        kept = [d for d in self.diagnostics.get(path, []) if d.rule not in focused]
        # Sent even when unchanged: the editor then knows they belong to its new version.
        self.diagnostics[path] = sorted(found + kept, key=Diagnostic.sort_key)
        return {path}

    def close(self, path: str) -> set[str]:
        """The editor closed the buffer: the file on disk is the truth again."""
        if self.buffers.pop(path, None) is None:
            return set()
        return self.reload()

    def refresh(self) -> set[str]:
        """Run every selected rule; keep the findings per note; return what changed."""
        self.stale = False
        report = check(self.vault)
        fresh: dict[str, list[Diagnostic]] = {}
        for d in report.diagnostics:
            fresh.setdefault(d.path, []).append(d)
        changed = {
            p
            for p in fresh.keys() | self.diagnostics.keys()
            if fresh.get(p) != self.diagnostics.get(p)
        }
        self.diagnostics = fresh
        return changed

    # -- questions -------------------------------------------------------------------
    def lines(self, path: str) -> list[str]:
        return self.vault.text(path).split("\n")

    def link_at(self, path: str, line: int, column: int) -> LinkAt | None:
        """The link whose text covers (1-based line, 0-based column) of note ``path``."""
        note = self.vault.notes.get(path)
        if note is None:
            return None
        text = None
        for link in note.links:
            if link.line != line:
                continue
            if text is None:
                lines = self.lines(path)
                text = lines[line - 1] if line <= len(lines) else ""
            span = link_span(text, link)
            if span is not None and span.start <= column < span.end:
                r = resolve_link(note, link, self.vault.resolver, self.vault.notes)
                return LinkAt(note, link, span, r)
        return None

    def heading_at(self, path: str, line: int) -> Heading | None:
        note = self.vault.notes.get(path)
        if note is None:
            return None
        return next((h for h in note.headings if h.line == line), None)

    def target_line(self, r: Resolved) -> int:
        """The line a resolved link lands on: its heading or block, else the first."""
        note = self.vault.notes.get(r.path or "")
        sub = (r.link.subpath or "").strip()
        if note is None or not sub:
            return 1
        if sub.startswith("^"):
            return note.blocks.get(sub[1:].strip().lower(), 1)
        found = self.heading_of(r)
        return found.line if found is not None else 1

    def heading_of(self, r: Resolved) -> Heading | None:
        note = self.vault.notes.get(r.path or "")
        sub = (r.link.subpath or "").strip()
        if note is None or not sub or sub.startswith("^"):
            return None
        # The resolver's heading index of the note, forgotten when the note is edited.
        i = self.vault.resolver.headings(note).find([p for p in sub.split("#") if p.strip()])
        return None if i is None else note.headings[i]

    def linking(self, target: str) -> list[str]:
        """Notes with a link that resolves to ``target`` (itself included)."""
        out = linking(self.vault, target)
        return sorted({*out, target} if target in self.vault.notes else set(out))

    def references(self, target: str, heading: Heading | None = None) -> list[Resolved]:
        """Every link to ``target`` (or to one of its headings) in the vault."""
        vault = self.vault
        out = []
        for source in self.linking(target):
            for r in vault.links_from(source):
                if r.path != target:
                    continue
                if heading is not None:
                    found = self.heading_of(r)
                    if found is None or found.line != heading.line:
                        continue
                elif source == target and not r.link.target:
                    continue  # [[#Heading]] inside the note is not a reference to the note
                out.append(r)
        return out

    def note_names(self) -> list[tuple[str, str]]:
        """(what to write in a link, path) for every note and attachment: the name alone,
        or with its folder when several files share the name (as Obsidian completes)."""
        resolver = self.vault.resolver
        out = []
        for path in [*self.vault.notes, *self.vault.attachments]:
            base = path.rsplit("/", 1)[-1]
            unique = len(resolver.by_name.get(base.lower(), ())) == 1
            shown = path[:-3] if path.lower().endswith(".md") else path
            if unique:
                shown = shown.rsplit("/", 1)[-1]
            out.append((shown, path))
        return out
