"""FM: front matter shaped as its note type needs (the schema is :mod:`starvault.schema`)."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import schema
from ..markdown.syntax import whole_wikilink
from ..schema import FOCUS_VALUES, QUESTION_TYPE_KEYS, Field, Kind
from . import Finding, in_scope, restricted, rule

if TYPE_CHECKING:
    from ..scan import Note
    from ..vault import Vault


@dataclass(frozen=True)
class Problem:
    code: str  # FM002, FM003 or FM004
    field: str
    message: str


def question_type_keys(vault: Vault) -> set[str]:
    """The allowed question types: every ``question-type`` note's key plus the config's
    (the seed's five when the vault defines none), as the coverage model counts them."""
    from ..coverage import question_types

    return {qt.key for qt in question_types(vault)}


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, (list, dict)) and not value


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list) and _bare_link(value):
        return "[[" + _bare_link(value) + "]] (unquoted)"
    return f"{value!r} ({_kind_name(value)})"


def _kind_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text" if isinstance(value, str) else type(value).__name__


def _bare_link(value: Any) -> str | None:
    """``[[Note]]`` written without quotes is a nested YAML list [["Note"]]: its name."""
    depth = 0
    while isinstance(value, list) and len(value) == 1:
        value, depth = value[0], depth + 1
    # [[X]] is two lists deep; ["[[X]]"] (one deep, quoted) is a correct list of links.
    if depth >= 2 and isinstance(value, str) and not whole_wikilink(value):
        return value
    return None


def _is_date(value: Any) -> bool:
    if isinstance(value, dt.date):
        return True
    if isinstance(value, str):
        try:
            dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return False
        return True
    return False


def _is_number(value: Any) -> bool:
    """A finite YAML number (``.inf`` and ``.nan`` are numbers to YAML, not to a timer)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _suggest(value: str, allowed: set[str]) -> str:
    lowered = {a.lower(): a for a in allowed}
    if value.strip().lower() in lowered:
        return f"; did you mean '{lowered[value.strip().lower()]}'?"
    close = difflib.get_close_matches(value, sorted(allowed), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _allowed_problem(f: Field, value: str, allowed: set[str], item: str = "") -> Problem | None:
    if value in allowed:
        return None
    what = f"'{f.name}'{item}"
    if f.allowed == FOCUS_VALUES:
        return Problem(
            "FM004",
            f.name,
            f"{what} is {value!r}: not a question-type key (known: {', '.join(sorted(allowed))}) "
            f'and not a quoted link to a principle like "[[{value}]]"{_suggest(value, allowed)}',
        )
    if f.allowed == QUESTION_TYPE_KEYS:
        from ..coverage import DEFAULT_QUESTION_TYPES

        if value in DEFAULT_QUESTION_TYPES:
            # The vault's own question types replaced the seed's five: say so, not "unknown".
            return Problem(
                "FM004",
                f.name,
                f"{what} is {value!r}, one of the seed's five question types, which apply only "
                "while the vault defines none of its own; this vault defines "
                f"{', '.join(sorted(allowed))}: add a question-type note with 'key: {value}' "
                "(or list it under question_types in starvault.toml) to keep it",
            )
        return Problem(
            "FM004",
            f.name,
            f"{what} is {value!r}, which no question-type note defines{_suggest(value, allowed)} "
            f"(known: {', '.join(sorted(allowed))}); use one of them or add a question-type "
            f"note with 'key: {value}'",
        )
    return Problem(
        "FM004",
        f.name,
        f"{what} is {value!r}{_suggest(value, allowed)}; expected one of: "
        f"{', '.join(sorted(allowed))}",
    )


def _link_problem(f: Field, value: Any, item: str = "") -> Problem | None:
    what = f"'{f.name}'{item}"
    if isinstance(value, str):
        if whole_wikilink(value):
            return None
        return Problem(
            "FM003",
            f.name,
            f'{what} is {value!r}, not a link; expected a quoted wiki-link: "[[{value.strip()}]]"',
        )
    bare = _bare_link(value)
    if bare is not None:
        return Problem(
            "FM003",
            f.name,
            f"{what} is [[{bare}]] without quotes, which YAML reads as a nested list, not a "
            f'link; quote it: "[[{bare}]]"',
        )
    return Problem(
        "FM003", f.name, f'{what} is {_show(value)}; expected a quoted wiki-link like "[[Note]]"'
    )


def check_field(f: Field, value: Any, allowed: set[str]) -> list[Problem]:
    """The problems of one present, non-empty value of field ``f``."""
    kind = f.kind
    if kind is Kind.TEXT and isinstance(value, str) and f.allowed is None:
        return []  # the common case, first
    expected = f.expected()

    def wrong() -> list[Problem]:
        return [Problem("FM003", f.name, f"'{f.name}' is {_show(value)}; expected {expected}")]

    if kind is Kind.TEXT:
        if not isinstance(value, str):
            if isinstance(value, list) and _bare_link(value):
                return [_link_problem(f, value)]  # type: ignore[list-item]
            hint = "; quote it" if isinstance(value, (int, float, dt.date, bool)) else ""
            return [
                Problem("FM003", f.name, f"'{f.name}' is {_show(value)}; expected {expected}{hint}")
            ]
        if f.allowed is not None:
            p = _allowed_problem(f, value.strip(), allowed)
            return [p] if p else []
        return []
    if kind is Kind.NUMBER:
        if isinstance(value, str) and _is_number_text(value):
            return [
                Problem(
                    "FM003",
                    f.name,
                    f"'{f.name}' is the text {value!r}; expected {expected}: write it without "
                    "quotes",
                )
            ]
        if not _is_number(value) or (f.whole and not float(value).is_integer()):
            return wrong()
        low_ok = f.minimum is None or (
            value > f.minimum if f.exclusive_minimum else value >= f.minimum
        )
        if not low_ok or (f.maximum is not None and value > f.maximum):
            return [Problem("FM004", f.name, f"'{f.name}' is {value}; expected {f.range_text()}")]
        return []
    if kind is Kind.DATE:
        return [] if _is_date(value) else wrong()
    if kind is Kind.BOOL:
        return [] if isinstance(value, bool) else wrong()
    if kind is Kind.MAPPING:
        if not isinstance(value, dict):
            return wrong()
        return _record_problems(f, value, allowed, f"'{f.name}'") if f.record else []
    if kind is Kind.RECORDS:
        if not isinstance(value, list):
            return wrong()
        out: list[Problem] = []
        for i, item in enumerate(value, 1):
            where = f"'{f.name}' item {i}"
            if not isinstance(item, dict):
                out.append(
                    Problem("FM003", f.name, f"{where} is {_show(item)}; expected {expected}")
                )
                continue
            out.extend(_record_problems(f, item, allowed, where))
        return out
    if kind is Kind.LINK:
        p = _link_problem(f, value)
        return [p] if p else []
    # Lists.
    if not isinstance(value, list):
        if kind is Kind.LIST and f.scalar_ok and isinstance(value, str):
            return []
        if isinstance(value, str) and kind is Kind.LINKS and whole_wikilink(value):
            return [
                Problem(
                    "FM003",
                    f.name,
                    f"'{f.name}' is a single link; expected a list: [{_quoted(value)}]",
                )
            ]
        if isinstance(value, str) and kind is Kind.LIST:
            return [
                Problem(
                    "FM003", f.name, f"'{f.name}' is {value!r}; expected a list: [{value.strip()}]"
                )
            ]
        return wrong()
    if kind is Kind.LINKS and _bare_link(value):
        bare = _bare_link(value)
        return [
            Problem(
                "FM003",
                f.name,
                f"'{f.name}' is [[{bare}]] without quotes, which YAML reads as a nested list; "
                f'quote each link: ["[[{bare}]]"]',
            )
        ]
    out = []
    for i, item in enumerate(value, 1):
        where = f" item {i}"
        if kind is Kind.LINKS:
            p = _link_problem(f, item, where)
        elif not isinstance(item, (str, int, float)) or isinstance(item, bool):
            p = Problem(
                "FM003",
                f.name,
                f"'{f.name}'{where} is {_show(item)}; expected text (a list of plain values)",
            )
        elif f.allowed == FOCUS_VALUES and isinstance(item, str) and whole_wikilink(item):
            p = None  # a link: the LK rules check where it leads
        elif f.allowed is not None:
            p = _allowed_problem(f, str(item).strip(), allowed, where)
        else:
            p = None
        if p:
            out.append(p)
    return out


def _record_problems(
    f: Field, value: dict[Any, Any], allowed: set[str], where: str
) -> list[Problem]:
    """The problems of one mapping whose keys are ``f.record``'s fields (``laps``, a round).

    Messages name the outer field and item, and the problem keeps the outer field's name,
    so the finding points at its line.
    """
    fields = {r.name: r for r in f.record}
    out: list[Problem] = []
    for key in value:
        if str(key) not in fields:
            out.append(
                Problem(
                    "FM004",
                    f.name,
                    f"{where} has the key {str(key)!r}; expected only {', '.join(fields)}"
                    f"{_suggest(str(key), set(fields))}",
                )
            )
    for r in f.record:
        inner = value.get(r.name)
        if is_empty(inner):
            if r.required:
                out.append(Problem("FM002", f.name, f"{where} has no '{r.name}' ({r.description})"))
            continue
        for p in check_field(r, inner, allowed):
            out.append(Problem(p.code, f.name, f"{where}: {p.message}"))
    return out


def _quoted(value: str) -> str:
    return '"' + value.strip() + '"'


def _is_number_text(value: str) -> bool:
    try:
        float(value.strip())
    except ValueError:
        return False
    return bool(value.strip())


def _allowed_values(f: Field, keys: set[str]) -> set[str]:
    if f.allowed == QUESTION_TYPE_KEYS or f.record:
        return keys  # a record's fields may allow question-type keys
    return set(f.allowed or ())


def note_problems(note_type: str, meta: dict[str, Any], keys: set[str]) -> list[Problem]:
    """Every FM002-FM004 problem of a note of a known type, field by field."""
    t = schema.get(note_type)
    if t is None:
        return []
    out: list[Problem] = []
    for f in t.all_fields:
        present = f.name in meta
        if not present and not f.required:
            continue
        value = meta.get(f.name)
        if is_empty(value):
            if f.required:
                said = "is empty" if present else "is missing"
                out.append(
                    Problem(
                        "FM002",
                        f.name,
                        f"'{f.name}' {said}; a {note_type} note needs it: "
                        f"{f.description or f.name}, {f.expected()}",
                    )
                )
            continue
        out.extend(check_field(f, value, _allowed_values(f, keys)))
    return out


# ---------------------------------------------------------------------------------------
# Positions


class _Positions:
    """Where a finding about a front matter field points (the note's parsed key lines)."""

    def __init__(self, vault: Vault, note: Note) -> None:
        self.vault, self.note = vault, note
        self._lines = note.fields

    def of(self, name: str) -> tuple[int, int]:
        if name in self._lines:
            return self._lines[name][0], 1
        return self._lines.get("type", (1, 1))[0], 1

    def value(self, name: str) -> tuple[int, int]:
        return self._lines.get(name) or self.of(name)


def _typed_notes(vault: Vault) -> Iterator[Note]:
    for path in in_scope(vault, sorted(vault.notes)):
        note = vault.notes[path]
        # VA001/VA002 already said when the front matter cannot be read.
        if note.problems or vault.is_template(path):
            continue
        if schema.get(note.type or "") is not None:
            yield note


_PROBLEMS: weakref.WeakKeyDictionary[Vault, list[tuple[Note, list[Problem]]]] = (
    weakref.WeakKeyDictionary()
)


def _vault_problems(vault: Vault) -> list[tuple[Note, list[Problem]]]:
    """Every typed note with its problems, computed once for FM002, FM003 and FM004."""
    cached = None if restricted(vault) else _PROBLEMS.get(vault)
    if cached is None:
        keys = question_type_keys(vault)
        cached = []
        for note in _typed_notes(vault):
            problems = note_problems(note.type or "", note.meta, keys)
            if problems:
                cached.append((note, problems))
        if not restricted(vault):  # a run on some notes is not every note's problems
            _PROBLEMS[vault] = cached
    return cached


def _findings(vault: Vault, code: str) -> Iterator[Finding]:
    for note, all_problems in _vault_problems(vault):
        problems = [p for p in all_problems if p.code == code]
        if not problems:
            continue
        pos = _Positions(vault, note)
        for p in problems:
            line, col = pos.of(p.field) if code == "FM002" else pos.value(p.field)
            yield Finding(note.path, line, col, p.message)


@rule("FM001", "unknown-note-type", scope="note")
def unknown_note_type(vault: Vault) -> Iterator[Finding]:
    """A ``type`` value that no note type of the schema has.

    The type decides which checks a note gets: a story is checked for its STAR parts, a
    question for its stories. A misspelled type silently skips them all. A note without
    ``type`` is a plain note and is not checked. ``docs/note-types.md`` lists the types.

    **Anti-pattern**

    ::

        ---
        type: stroy
        title: RAG support search
        ---

    **Best practice**

    ::

        ---
        type: story
        title: RAG support search
        ---
    """
    known = schema.type_names()
    for path in in_scope(vault, sorted(vault.notes)):
        note = vault.notes[path]
        if note.problems or "type" not in note.meta or vault.is_template(path):
            continue
        value = note.meta["type"]
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, str) and schema.get(value) is not None:
            continue
        shown = repr(value) if isinstance(value, str) else _show(value)
        hint = _suggest(value, set(known)) if isinstance(value, str) else ""
        line, col = _Positions(vault, note).value("type")
        yield Finding(
            path,
            line,
            col,
            f"unknown note type {shown}{hint}; known types: {', '.join(known)} "
            "(or remove 'type' for a plain note)",
        )


@rule("FM002", "missing-field", scope="note")
def missing_field(vault: Vault) -> Iterator[Finding]:
    """A field that the note's type requires is missing or empty.

    Reports and dashboards read these fields: a story without ``impact`` has no headline
    metric in the story table, a question without ``question_type`` is in no row of the
    question matrix. The finding points at the note's ``type`` line.

    **Anti-pattern**

    ::

        ---
        type: story
        title: RAG support search
        project: Support search
        role: Tech lead
        ---

    **Best practice**

    ::

        ---
        type: story
        title: RAG support search
        project: Support search
        role: Tech lead
        impact: "Search time -60%, CSAT 72% to 85%"
        ---
    """
    return _findings(vault, "FM002")


@rule("FM003", "wrong-field-type", scope="note")
def wrong_field_type(vault: Vault) -> Iterator[Finding]:
    """A field whose value has the wrong shape: text, list, number, date, bool or link.

    Links in front matter must be quoted strings: unquoted, ``[[Note]]`` is a YAML list
    inside a list, Obsidian does not show it as a link and starvault cannot resolve it.
    Numbers in quotes are text; a list field given one value needs brackets.

    **Anti-pattern**

    ::

        ---
        type: practice
        story: [[RAG Support Search]]
        duration_s: "118"
        ---

    **Best practice**

    ::

        ---
        type: practice
        story: "[[RAG Support Search]]"
        duration_s: 118
        ---
    """
    return _findings(vault, "FM003")


@rule("FM004", "unknown-value", scope="note", reads=("question-types",))
def unknown_value(vault: Vault) -> Iterator[Finding]:
    """A value outside its allowed set: a question type no note defines, a mode, a score.

    Question types are the ``key`` values of the vault's ``question-type`` notes plus
    ``question_types`` in ``starvault.toml`` (the seed's five only while the vault defines
    none: the finding says so when a note still uses one); any other value counts for no
    question type. Modes are ``self`` and ``partner``, ask categories ``team``,
    ``culture`` and ``growth``, scores 1 to 5, durations above 0.

    **Anti-pattern**

    ::

        ---
        type: story
        question_types: [leadership, conflicts]
        ---

    **Best practice**

    ::

        ---
        type: story
        question_types: [leadership, conflict]
        ---
    """
    return _findings(vault, "FM004")
