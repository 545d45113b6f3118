"""The rule registry and the check runner.

A rule is a function decorated with :func:`rule`: it gets the :class:`~starvault.vault.Vault`
and yields :class:`Finding` objects. Its code, name and default severity are given to the
decorator; its docstring is its documentation, first line the summary, then an
**Anti-pattern** and a **Best practice** example (``starvault rules CODE`` prints it).

Rules are grouped in modules by family (files, links, frontmatter, ...); importing this
package registers them all.

A rule also declares its ``scope``: what its findings about a note depend on.

- ``"vault"`` (the default): anything in the vault (counts, order, other notes).
- ``"local"``: the note and its links' outcomes only. The language server runs these on the
  edited note alone right after an edit.
- ``"note"``: the note alone, plus the configuration and the vault-wide facts named in
  ``reads`` (see :data:`READS`). Such a rule iterates notes through :func:`in_scope`, and
  the runner keeps its findings per note in the cache (:mod:`starvault.findings_cache`): a
  warm check runs it on changed notes only. Without ``reads`` it is also ``local``.

A vault-scope rule may name its ``inputs`` (see :data:`INPUTS`): the notes it reads, such as
the course pages or the notes the coverage model is built from. Its findings are then kept
in the cache under the versions of those notes, the configuration and the vault's file set,
and a check after an edit elsewhere reuses them instead of running it.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from ..vault import Vault


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule reports; the runner adds the rule's code, name and severity."""

    path: str
    line: int
    column: int
    message: str
    target: str | None = None
    severity: str | None = None  # overrides the rule's default (e.g. ST005 over 3 minutes)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    rule: str
    name: str
    severity: str
    path: str
    line: int
    column: int
    message: str
    target: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }
        if self.target is not None:
            out["target"] = self.target
        return out


T = TypeVar("T")
CheckFn = Callable[["Vault"], Iterable[Finding]]
SCOPES = ("vault", "local", "note")


def _question_type_keys(vault: Vault) -> object:
    from ..coverage import question_types

    return sorted({qt.key for qt in question_types(vault)})


def _target_level(vault: Vault) -> object:
    from ..coverage import target_level

    return target_level(vault)


# The vault-wide facts a note-scope rule may read besides its note, by name: the value of
# each one a rule reads is part of the key its cached findings are kept under.
READS: dict[str, Callable[[Vault], object]] = {
    "question-types": _question_type_keys,
    "target-level": _target_level,
}


def _course_inputs(vault: Vault) -> tuple[list, str]:
    from ..navigation import inputs

    return inputs(vault)


def _coverage_inputs(vault: Vault) -> tuple[list, str]:
    from ..coverage import inputs

    return inputs(vault)


# The notes a vault-scope rule reads, by name: each returns those notes and any other
# value the findings depend on (the day); see findings_cache.vault_findings.
INPUTS: dict[str, Callable[[Vault], tuple[list, str]]] = {
    "course": _course_inputs,
    "coverage": _coverage_inputs,
}


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    check: CheckFn
    fixable: bool = False
    scope: str = "vault"
    reads: tuple[str, ...] = ()
    inputs: str | None = None

    @property
    def local(self) -> bool:
        """Its findings about a note depend on that note (and its links) alone."""
        return self.scope == "local" or (self.scope == "note" and not self.reads)

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0].strip()

    @property
    def family(self) -> str:
        return self.code.rstrip("0123456789")


REGISTRY: dict[str, Rule] = {}


def rule(  # type: ignore[no-untyped-def]
    code: str,
    name: str,
    severity: str = "error",
    fixable: bool = False,
    scope: str = "vault",
    reads: tuple[str, ...] = (),
    inputs: str | None = None,
):
    """Register a check function as rule ``code`` (``scope``, ``reads`` and ``inputs``:
    see above)."""
    if scope not in SCOPES:
        raise ValueError(f"rule {code}: unknown scope {scope!r}")
    if unknown := set(reads) - READS.keys():
        raise ValueError(f"rule {code}: unknown vault-wide facts {sorted(unknown)}")
    if inputs is not None and (scope != "vault" or inputs not in INPUTS):
        raise ValueError(f"rule {code}: inputs {inputs!r} need a known name and vault scope")

    def register(fn: CheckFn) -> CheckFn:
        if code in REGISTRY:
            raise ValueError(f"rule {code} registered twice")
        REGISTRY[code] = Rule(code, name, severity, fn, fixable, scope, tuple(reads), inputs)
        return fn

    return register


def all_rules() -> list[Rule]:
    return [REGISTRY[c] for c in sorted(REGISTRY)]


def _matches(rule_: Rule, selectors: Iterable[str]) -> bool:
    for sel in selectors:
        s = sel.strip()
        if not s:
            continue
        if s.upper() == "ALL" or rule_.code.startswith(s.upper()) or rule_.name == s.lower():
            return True
    return False


def unknown_selectors(selectors: Iterable[str]) -> list[str]:
    """Selectors that match no rule (a typo in --select is a usage error, as in ruff)."""
    rules = all_rules()
    return [s for s in selectors if s.strip() and not any(_matches(r, [s]) for r in rules)]


def select_rules(
    config_select: list[str],
    config_ignore: list[str],
    cli_select: list[str] | None = None,
    cli_ignore: list[str] | None = None,
) -> list[Rule]:
    """ruff's model: --select replaces the configured selection, --ignore adds to it."""
    select = cli_select or config_select or ["ALL"]
    ignore = [*config_ignore, *(cli_ignore or [])]
    return [r for r in all_rules() if _matches(r, select) and not _matches(r, ignore)]


def _suppressed(vault: Vault, d: Diagnostic) -> bool:
    note = vault.notes.get(d.path)
    if note is None or not note.suppressions:
        return False
    for line in (0, d.line, d.line - 1):  # 0: the whole note, from front matter
        codes = note.suppressions.get(line)
        if codes and any(c == "ALL" or d.rule.startswith(c) or d.name == c.lower() for c in codes):
            return True
    return False


@dataclass
class Report:
    vault: Vault
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for d in self.diagnostics:
            out[d.severity] += 1
        return out

    def exit_code(self, strict: bool = False) -> int:
        if strict:
            return 1 if self.diagnostics else 0
        return 1 if self.counts["error"] else 0


# The notes a note-scope rule is being run on, while the runner restricts it.
_SCOPE: weakref.WeakKeyDictionary[Vault, frozenset[str]] = weakref.WeakKeyDictionary()


def in_scope(vault: Vault, notes: Iterable[T]) -> Iterable[T]:
    """The notes (or note paths) a note-scope rule looks at in this run: all of them,
    unless the runner restricts the rule to the notes its cache does not cover."""
    only = _SCOPE.get(vault)
    if only is None:
        return notes
    return [n for n in notes if (n if isinstance(n, str) else n.path) in only]  # type: ignore[attr-defined]


def restricted(vault: Vault) -> bool:
    """Whether a note-scope rule runs on some notes only (then memos of all notes wait)."""
    return vault in _SCOPE


def run_on(vault: Vault, r: Rule, paths: frozenset[str]) -> list[Finding]:
    """Rule ``r`` (of note scope) on the notes ``paths`` only."""
    _SCOPE[vault] = paths
    try:
        return list(r.check(vault))
    finally:
        del _SCOPE[vault]


def findings(vault: Vault, r: Rule) -> list[Finding]:
    """What rule ``r`` reports on ``vault`` (once per Vault object: ``run`` keeps the
    diagnostics); for a note-scope rule, from the findings cache where it covers a note."""
    if r.scope == "note":
        from ..findings_cache import note_findings

        return note_findings(vault, r)
    if r.inputs is not None:
        from ..findings_cache import vault_findings

        return vault_findings(vault, r)
    return list(r.check(vault))


# Each rule's diagnostics per loaded vault (coverage and check both ask for the ST and FM ones).
_DIAGNOSTICS: weakref.WeakKeyDictionary[Vault, dict[str, list[Diagnostic]]] = (
    weakref.WeakKeyDictionary()
)


def run(vault: Vault, rules: Iterable[Rule]) -> Iterator[Diagnostic]:
    overrides = vault.config.severity
    memo = _DIAGNOSTICS.setdefault(vault, {})
    for r in rules:
        configured = overrides.get(r.code)
        if configured == "off":
            continue
        found = memo.get(r.code)
        if found is None:
            found = []
            for f in findings(vault, r):
                severity = configured or f.severity or r.severity
                d = Diagnostic(
                    r.code, r.name, severity, f.path, f.line, f.column, f.message, f.target
                )
                if not _suppressed(vault, d):
                    found.append(d)
            memo[r.code] = found
        yield from found


def check(
    vault: Vault,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
) -> Report:
    """Run the selected rules over a loaded vault and return the sorted diagnostics."""
    rules = select_rules(vault.config.select, vault.config.ignore, select, ignore)
    diagnostics = sorted(run(vault, rules), key=Diagnostic.sort_key)
    from ..findings_cache import save

    save(vault)
    return Report(vault, diagnostics)


def _register_families() -> None:
    """Import every module of this package: each registers its family of rules."""
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{info.name}")


_register_families()
