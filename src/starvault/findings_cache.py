"""Per-note findings of note-scope rules, kept in the cache between runs.

A rule registered with ``scope="note"`` reports about each note from that note alone, the
configuration and the vault-wide facts it names in ``reads``. Its findings are kept per note
in ``.starvault-cache/findings.marshal``, under the note's file key (the one the notes cache
uses) and a context key per rule (starvault's version, the configuration, the values of
what the rule reads). A warm check runs the rule on the notes whose findings are missing or
stale only; a deleted or renamed note's findings are dropped when the cache is written.

The file follows the discipline of :mod:`starvault.cache`: ``marshal`` of plain tuples behind
a keyed hash with this user's key, read only from a regular file, never decoded before the
hash proves this user's starvault wrote it; anything else is a cold start.
"""

from __future__ import annotations

import hashlib
import weakref
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import cache as _cache

if TYPE_CHECKING:
    from .rules import Finding, Rule
    from .scan import Note
    from .vault import Vault

FILE = "findings.marshal"
# Bump when a rule's findings or their encoding change without a version change.
FORMAT = 2
_KEY = f"{_cache._KEY}-findings-{FORMAT}"

# The file holds the file key of every note it covers ("keys") and, per rule, its context
# key and the findings of the notes it has any about ("rules": code -> (context, path ->
# encoded findings)); per kind of note facts the same with every note's value. A rule's
# entry always covers every note of "keys": one that did not run while a note changed is
# dropped when the file is written.
Store = dict[str, Any]


class _State:
    def __init__(self, vault: Vault, store: Store) -> None:
        keys: dict[str, Any] = store.get("keys") or {}
        self.rules: dict[str, tuple[str, dict[str, Any]]] = store.get("rules") or {}
        self.ran: set[str] = set()  # entries computed or confirmed in this run
        reparsed = vault.reparsed
        notes = vault.notes
        # Notes whose cached results cannot be used: new, changed or read again.
        self.changed = {
            p for p, n in notes.items() if p in reparsed or tuple(keys.get(p, ())) != n.file_key
        }
        self.gone = keys.keys() - notes.keys()
        self.dirty = bool(self.changed or self.gone)
        self.written = False


_STATES: weakref.WeakKeyDictionary[Vault, _State] = weakref.WeakKeyDictionary()


def _state(vault: Vault) -> _State:
    state = _STATES.get(vault)
    if state is None:
        state = _STATES[vault] = _State(vault, _load(vault))
    return state


def _load(vault: Vault) -> Store:
    try:
        return _cache.read_signed(vault.root / _cache.CACHE_DIR / FILE, _KEY) or {}
    except Exception:  # any unreadable or corrupt cache is just a cold start
        return {}


def context_key(vault: Vault, r: Rule) -> str:
    """What a note-scope rule's findings depend on besides the note itself."""
    from .rules import READS

    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{_KEY}\0{r.code}\0{r.scope}\0{vault.config!r}".encode("utf-8", "replace"))
    for name in r.reads:
        digest.update(f"\0{name}={READS[name](vault)!r}".encode("utf-8", "replace"))
    return digest.hexdigest()


def _encode(found: list[Finding]) -> tuple[Any, ...]:
    return tuple((f.line, f.column, f.message, f.target, f.severity) for f in found)


def _decode(path: str, rows: tuple[Any, ...]) -> list[Finding]:
    from .rules import Finding

    return [Finding(path, *row) for row in rows]


def note_findings(vault: Vault, r: Rule) -> list[Finding]:
    """Rule ``r``'s findings: from the cache for the notes it covers, from running the
    rule on the other notes only."""
    from .rules import run_on

    if not vault.use_cache:
        return list(r.check(vault))
    state = _state(vault)
    ctx = context_key(vault, r)
    entry = state.rules.get(r.code)
    if entry is None or entry[0] != ctx:
        found = list(r.check(vault))
        kept: dict[str, Any] = {}
        dirty: set[str] | frozenset[str] = frozenset(vault.notes)
    else:
        dirty, kept = state.changed, entry[1]
        found = run_on(vault, r, frozenset(dirty)) if dirty else []
    rows: dict[str, Any] = {}
    out: list[Finding] = []
    gone = state.gone
    for path, encoded in kept.items():
        if path not in dirty and path not in gone:
            rows[path] = encoded
            out.extend(_decode(path, encoded))
    fresh: dict[str, list[Finding]] = defaultdict(list)
    for f in found:
        fresh[f.path].append(f)
    for path, mine in fresh.items():
        out.extend(mine)
        if path in vault.notes:  # a finding about a path that is not a note is not kept
            rows[path] = _encode(mine)
    state.rules[r.code] = (ctx, rows)
    state.ran.add(r.code)
    if dirty or entry is None or entry[0] != ctx or state.gone:
        state.written = True
    return out


def inputs_key(vault: Vault, r: Rule) -> str:
    """What a vault-scope rule with ``inputs`` depends on: starvault's version, the
    configuration, the vault's file set (where links lead), the version of each note it
    reads and any other value its inputs name (the day)."""
    from .rules import INPUTS

    assert r.inputs is not None
    memo = _INPUT_KEYS.setdefault(vault, {})
    part = memo.get(r.inputs)
    if part is None:
        notes, extra = INPUTS[r.inputs](vault)
        digest = hashlib.blake2b(digest_size=16)
        digest.update(f"{_KEY}\0{vault.config!r}\0{extra}\0".encode("utf-8", "replace"))
        digest.update(vault.fingerprint.encode())
        for n in notes:
            digest.update(f"{n.path}\0{n.file_key}\n".encode("utf-8", "surrogateescape"))
        part = memo[r.inputs] = digest.hexdigest()
    return f"{r.code}:{r.scope}:{part}"


_INPUT_KEYS: weakref.WeakKeyDictionary[Vault, dict[str, str]] = weakref.WeakKeyDictionary()


def vault_findings(vault: Vault, r: Rule) -> list[Finding]:
    """A vault-scope rule's findings: the cached ones while the notes it reads (its
    ``inputs``), the configuration and the file set are as they were; else run anew."""
    if not vault.use_cache:
        return list(r.check(vault))
    state = _state(vault)
    ctx = inputs_key(vault, r)
    entry = state.rules.get(r.code)
    state.ran.add(r.code)
    if entry is not None and entry[0] == ctx:
        return [f for path, rows in entry[1].items() for f in _decode(path, rows)]
    found = list(r.check(vault))
    rows: dict[str, list[Finding]] = defaultdict(list)
    for f in found:
        rows[f.path].append(f)
    state.rules[r.code] = (ctx, {path: _encode(mine) for path, mine in rows.items()})
    state.written = True
    return found


def save(vault: Vault) -> None:
    """Write the findings computed in this run, if any changed (atomically; a read-only
    vault runs uncached)."""
    state = _STATES.get(vault)
    if state is None or not vault.use_cache or not (state.written or state.dirty):
        return
    try:
        rules = {code: _kept(state, code, entry) for code, entry in state.rules.items()}
        rules = {code: entry for code, entry in rules.items() if entry is not None}
        keys = {p: n.file_key for p, n in vault.notes.items()}
        _cache.write_signed(vault.root, FILE, {"key": _KEY, "keys": keys, "rules": rules})
        state.written = state.dirty = False
    except (OSError, ValueError):
        pass  # a read-only vault (or findings marshal cannot hold): same results, uncached


def _kept(state: _State, code: str, entry: tuple[str, Any]) -> tuple[str, Any] | None:
    """What of an entry the file keeps when it is written."""
    from .rules import REGISTRY

    if code in state.ran or not state.dirty:
        return entry
    ctx, rows = entry
    if code.startswith("facts:"):
        # Facts of the notes that did not change stay good (a missing note is computed).
        stale = state.changed | state.gone
        return ctx, {p: v for p, v in rows.items() if p not in stale}
    r = REGISTRY.get(code)
    if r is not None and r.inputs is not None:
        return entry  # a vault rule's key names the versions of what it read
    # A note rule's entry that did not run while notes changed no longer covers them all.
    return None


def per_note(
    vault: Vault,
    kind: str,
    notes: list[Note],
    compute: Callable[[Note], Any],
    *,
    files: bool = False,
) -> dict[str, Any]:
    """``compute(note)`` for each of ``notes``, kept in the cache like a rule's findings:
    the facts of one note (plain data that marshal holds) that a vault-wide model such as
    coverage is assembled from. ``compute`` may read the note and the configuration only;
    with ``files``, also where its links lead (the facts are then kept while the vault's
    set of files stays the same)."""
    if not vault.use_cache:
        return {n.path: compute(n) for n in notes}
    state = _state(vault)
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{_KEY}\0facts:{kind}\0{vault.config!r}".encode("utf-8", "replace"))
    if files:
        digest.update(vault.fingerprint.encode())
    ctx = digest.hexdigest()
    name = f"facts:{kind}"
    entry = state.rules.get(name)
    kept = entry[1] if entry is not None and entry[0] == ctx else {}
    changed = state.changed
    out: dict[str, Any] = {}
    fresh = False
    for note in notes:
        path = note.path
        if path in changed or path not in kept:
            out[path] = compute(note)
            fresh = True
        else:
            out[path] = kept[path]
    state.rules[name] = (ctx, out)
    state.ran.add(name)
    if fresh or len(kept) != len(out) or entry is None or entry[0] != ctx:
        state.written = True
    return out
