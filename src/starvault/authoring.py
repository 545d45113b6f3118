"""Writing notes: a new note from its type's template, and a practice session's log.

The library behind ``starvault new`` and ``starvault practice``. Nothing here prompts or
prints: the CLI asks the questions and passes the answers in, so tests and other programs
get the same notes without a terminal. Every note is checked against the FM rules before it
is written, and written atomically, never over an existing file.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import atomic, schema
from .markdown.syntax import whole_wikilink
from .resources import templates_dir
from .schema import Field, Kind

if TYPE_CHECKING:
    from .coverage import Coverage, QuestionInfo, StoryInfo
    from .scan import Note
    from .schedule import Schedule
    from .vault import Vault


class AuthoringError(Exception):
    """Bad input (unknown name, field or value): the CLI exits 2 with this message."""


class NoteExists(AuthoringError):
    """The note to write is already there; starvault never overwrites a note."""


# ---------------------------------------------------------------------------------------
# File names

_BAD_CHARS = re.compile(r'[\[\]#^|\\/:*?"<>\x00-\x1f\x7f]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$", re.IGNORECASE)
_MAX_NAME = 180  # characters; leaves room for folders under the usual 255-byte limit


def safe_filename(title: str) -> str:
    """A note name for ``title`` that Obsidian links and every file system accept.

    Characters that end or split a wiki-link (``[]#^|``) or that a file system refuses
    (``\\/:*?"<>``, control characters) become spaces (slashes a dash), leading dots (hidden
    files) and trailing dots and spaces (Windows) go, and reserved device names (CON, NUL,
    COM1 ...) get an underscore.
    """
    name = title.replace("/", "-").replace("\\", "-")
    name = _BAD_CHARS.sub(" ", name)
    name = " ".join(name.split())
    name = name.lstrip(". ").rstrip(". ")
    if len(name) > _MAX_NAME:
        name = name[:_MAX_NAME].rstrip(". ")
    if _RESERVED.match(name):
        name += "_"
    return name or "Untitled"


def slug(title: str) -> str:
    """``Cross-functional Collaboration`` -> ``cross-functional-collaboration``."""
    return "-".join(re.findall(r"[0-9a-z]+", title.casefold())) or "untitled"


def _safe_folder(root: Path, folder: str) -> str:
    rel = folder.replace("\\", "/").strip().strip("/")
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if Path(folder).is_absolute() or ".." in parts:
        raise AuthoringError(f"--folder '{folder}' must be a folder inside the vault")
    return "/".join(parts)


def write_new(root: Path, rel: str, text: str) -> Path:
    """Write ``text`` to ``root/rel`` atomically; refuse if the file exists."""
    dest = root / rel
    if dest.exists():
        raise NoteExists(f"'{rel}' already exists; starvault does not overwrite notes")
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        atomic.write_new(dest, text.encode("utf-8"))
    except FileExistsError as exc:
        raise NoteExists(f"'{rel}' already exists; starvault does not overwrite notes") from exc
    return dest


# ---------------------------------------------------------------------------------------
# Front matter values


def yaml_value(value: Any) -> str:
    """A value as one line of YAML (strings double-quoted when plain would misread them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_value(k)}: {yaml_value(v)}" for k, v in value.items()) + "}"
    if value is None:
        return '""'
    text = str(value)
    if re.fullmatch(r"[A-Za-z][\w .,'()&+-]*", text) and text == text.strip():
        import yaml

        if yaml.safe_load(text) == text:
            return text
    return json.dumps(text, ensure_ascii=False)


def _link(name: str) -> str:
    name = name.strip()
    if whole_wikilink(name) is not None:
        return name
    return f"[[{name}]]"


def parse_value(f: Field, raw: str) -> Any:
    """A value typed on the command line (``--set``, a prompt) as the field's kind."""
    raw = raw.strip()
    kind = f.kind
    if kind is Kind.NUMBER:
        try:
            number = float(raw)
        except ValueError:
            raise AuthoringError(f"'{f.name}' must be {f.expected()}, got {raw!r}") from None
        return int(number) if number.is_integer() else number
    if kind is Kind.BOOL:
        lowered = raw.lower()
        if lowered in ("true", "yes", "y", "1"):
            return True
        if lowered in ("false", "no", "n", "0"):
            return False
        raise AuthoringError(f"'{f.name}' must be true or false, got {raw!r}")
    if kind is Kind.DATE:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise AuthoringError(
                f"'{f.name}' must be a date like 2026-11-02, got {raw!r}"
            ) from None
    if kind is Kind.LINK:
        return _link(raw) if raw else ""
    if kind in (Kind.LIST, Kind.LINKS):
        items = [i.strip() for i in re.split(r",(?![^\[]*\]\])", raw) if i.strip()]
        return [_link(i) for i in items] if kind is Kind.LINKS else items
    if kind in (Kind.MAPPING, Kind.RECORDS):
        raise AuthoringError(f"'{f.name}' cannot be set from the command line; edit the note")
    return raw


_KEY_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)[ \t]*:(?P<rest>.*)$")
_COMMENT = re.compile(r"""^(?P<value>\s*(?:"[^"]*"|'[^']*'|\[[^\]]*\]|[^#"'\[]*?))(?P<c>\s+#.*)$""")


def set_front_matter(text: str, values: Mapping[str, Any]) -> str:
    """Set top-level front matter keys in ``text``, keeping order, comments and the rest."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        lines = ["---", "---", *lines]
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise AuthoringError("the template's front matter has no closing '---' line")
    todo = dict(values)
    i = 1
    while i < end:
        m = _KEY_LINE.match(lines[i])
        if m and m.group("key") in todo:
            key = m.group("key")
            comment = _COMMENT.match(m.group("rest"))
            suffix = comment.group("c") if comment else ""
            lines[i] = f"{key}: {yaml_value(todo.pop(key))}{suffix}"
            # Drop the old value's continuation lines ("- item" under the key).
            j = i + 1
            while j < end and lines[j][:1] in (" ", "\t", "-"):
                del lines[j]
                end -= 1
        i += 1
    for key, value in todo.items():
        lines.insert(end, f"{key}: {yaml_value(value)}")
        end += 1
    return "\n".join(lines)


_PLACEHOLDER = re.compile(r"\{\{\s*(title|date|time)(?::([^}]*))?\s*\}\}")


def _moment(fmt: str, now: dt.datetime) -> str:
    """The common tokens of Obsidian's ``{{date:YYYY-MM-DD}}`` formats."""
    out = fmt
    for token, value in (
        ("YYYY", f"{now.year:04d}"),
        ("MM", f"{now.month:02d}"),
        ("DD", f"{now.day:02d}"),
        ("HH", f"{now.hour:02d}"),
        ("mm", f"{now.minute:02d}"),
        ("ss", f"{now.second:02d}"),
    ):
        out = out.replace(token, value)
    return out


def fill_placeholders(text: str, title: str, now: dt.datetime) -> str:
    """Obsidian's template variables: {{title}}, {{date}}, {{time}}, {{date:FORMAT}}.

    In the front matter the title is escaped for a double-quoted YAML string.
    """

    def value(m: re.Match[str], in_yaml: bool) -> str:
        name, fmt = m.group(1), m.group(2)
        if name == "title":
            return json.dumps(title, ensure_ascii=False)[1:-1] if in_yaml else title
        if fmt:
            return _moment(fmt.strip(), now)
        return now.date().isoformat() if name == "date" else now.strftime("%H:%M")

    from .scan import split_front_matter

    fm, body_line = split_front_matter(text)
    if fm is None:
        return _PLACEHOLDER.sub(lambda m: value(m, False), text)
    lines = text.split("\n")
    head = "\n".join(lines[: body_line - 1])
    body = "\n".join(lines[body_line - 1 :])
    head = _PLACEHOLDER.sub(lambda m: value(m, True), head)
    return head + "\n" + _PLACEHOLDER.sub(lambda m: value(m, False), body)


# ---------------------------------------------------------------------------------------
# starvault new


def template_for(vault: Vault, type_name: str) -> tuple[str, Path | None]:
    """The template text for a type: the vault's override, the packaged one, or one built
    from the schema (a type added to the schema works before anyone writes its template)."""
    for folder in (vault.root / vault.config.note_templates, templates_dir() / "notes"):
        path = folder / f"{type_name}.md"
        if path.is_file():
            return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n"), path
    t = schema.TYPES[type_name]
    fm = ["---", f"type: {type_name}", *(f'{f.name}: ""' for f in t.fields), "---"]
    body = ["", "# {{title}}", ""]
    for section in dict.fromkeys(t.sections):
        body += [f"## {section}", "", ""]
    return "\n".join(fm + body), None


def _derived(vault: Vault, type_name: str, title: str, folder: str, today: dt.date) -> dict:
    """Values `new` can fill in itself, on top of type, title and date."""
    t = schema.TYPES[type_name]
    out: dict[str, Any] = {"type": type_name}
    names = {f.name for f in t.fields}
    if type_name != "company":  # a company's title is its `name`
        out["title"] = title
    if "date" in names:
        out["date"] = today
    if type_name == "question-type":
        out["key"] = slug(title)
    elif type_name == "question":
        out["prompt"] = title
    elif type_name == "company":
        out["name"] = title
    elif type_name == "course":
        modules = [
            n.meta["module"]
            for n in vault.notes_of_type("course")
            if isinstance(n.meta.get("module"), str) and n.meta["module"].strip()
        ]
        if folder:
            out["module"] = folder.rsplit("/", 1)[-1].replace("_", " ")
        elif modules:
            out["module"] = max(set(modules), key=modules.count)
    return out


@dataclass
class Draft:
    """A note ready to write, or the required fields still missing for it."""

    path: str  # vault-relative
    text: str
    missing: list[Field] = field(default_factory=list)  # required, still empty
    problems: list[str] = field(default_factory=list)  # FM003/FM004 messages


def parse_settings(type_name: str, settings: Iterable[str]) -> dict[str, Any]:
    """``["impact=Search time -60%", "question_types=leadership,conflict"]`` -> values."""
    t = schema.TYPES[type_name]
    out: dict[str, Any] = {}
    for item in settings:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise AuthoringError(f"--set takes FIELD=VALUE, got {item!r}")
        f = t.field(key)
        if f is None or key == "type":
            known = ", ".join(f.name for f in t.all_fields)
            raise AuthoringError(f"a {type_name} note has no field '{key}' (fields: {known})")
        out[key] = parse_value(f, raw)
    return out


def draft_note(
    vault: Vault,
    type_name: str,
    title: str,
    *,
    folder: str | None = None,
    values: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Draft:
    """Render the note ``starvault new`` would write, and what it still lacks."""
    from .rules.frontmatter import note_problems, question_type_keys
    from .scan import load_yaml, split_front_matter

    t = schema.get(type_name)
    if t is None:
        raise AuthoringError(
            f"unknown note type '{type_name}'; known types: {', '.join(schema.type_names())}"
        )
    if not title.strip():
        raise AuthoringError("the title is empty")
    now = now or dt.datetime.now()
    rel_folder = _safe_folder(vault.root, folder if folder is not None else t.folder)
    name = safe_filename(title)
    rel = f"{rel_folder}/{name}.md" if rel_folder else f"{name}.md"
    text, _ = template_for(vault, type_name)
    text = fill_placeholders(text, title.strip(), now)
    fields = _derived(vault, type_name, title.strip(), rel_folder, now.date())
    fields.update(values or {})
    text = set_front_matter(text, fields)
    if not text.endswith("\n"):
        text += "\n"
    fm, _ = split_front_matter(text)
    meta, problem = load_yaml(fm or "")
    if problem is not None or not isinstance(meta, dict):
        raise AuthoringError(f"the {type_name} template's front matter is not valid YAML")
    draft = Draft(rel, text)
    for p in note_problems(type_name, meta, question_type_keys(vault)):
        if p.code == "FM002":
            f = t.field(p.field)
            if f is not None:
                draft.missing.append(f)
        else:
            draft.problems.append(p.message)
    return draft


def allowed_values(vault: Vault, f: Field) -> list[str]:
    from .rules.frontmatter import question_type_keys

    if f.allowed == schema.QUESTION_TYPE_KEYS:
        return sorted(question_type_keys(vault))
    return list(f.allowed or ())


def same_name(vault: Vault, rel: str) -> list[str]:
    """Other notes with the new note's name: links to it would be ambiguous (LK004)."""
    name = rel.rsplit("/", 1)[-1].casefold()
    return [p for p in vault.notes if p.rsplit("/", 1)[-1].casefold() == name and p != rel]


# ---------------------------------------------------------------------------------------
# starvault practice

_RED_FLAG_LABELS = {
    "we-without-i": '"We" without "I": my own role was unclear',
    "no-numbers": "No specific numbers",
    "over-three-minutes": "Over three minutes without being asked",
    "no-learnings": "No learnings from the failure",
    "blaming-others": "Blaming others",
}
RED_FLAGS: tuple[tuple[str, str], ...] = tuple(
    (k, _RED_FLAG_LABELS[k]) for k in schema.RED_FLAG_KEYS
)


def resolve_note(vault: Vault, name: str, type_name: str) -> Note:
    """A question or story named as a wiki-link would name it, or a clear error."""
    target = name.strip()
    link = whole_wikilink(target)
    if link is not None:
        target = link.target.path
    note = vault.lookup(target) if target else None
    if note is None:
        best = vault.suggester.closest(target) if target else None
        hint = f"; did you mean '{best}'?" if best else ""
        raise AuthoringError(f"no {type_name} note named '{name}'{hint}")
    if note.type != type_name:
        what = f"a {note.type} note" if note.type else "a plain note"
        raise AuthoringError(f"'{name}' is {what}, not a {type_name} note")
    return note


def link_to(vault: Vault, note: Note) -> str:
    """``[[Name]]``, or ``[[folder/Name]]`` when the bare name would resolve elsewhere."""
    found = vault.lookup(note.name)
    target = note.name if found is not None and found.path == note.path else note.path[:-3]
    return f"[[{target}]]"


def candidate_stories(cov: Coverage, question: QuestionInfo) -> list[StoryInfo]:
    """The stories to offer: those the question links, then those of its type, else all."""
    by_path = {s.path: s for s in cov.stories}
    out = [by_path[p] for p in question.stories if p in by_path]
    out += [s for s in cov.stories if question.question_type in s.question_types and s not in out]
    return out or list(cov.stories)


def question_weights(cov: Coverage) -> list[float]:
    """Weights of cov.questions: weakly covered types and little-practised stories first.

    A question weighs 1/(1 + stories covering its type) + 1/(1 + fewest sessions at the
    bar among its stories), so a type nobody covers and a story never practised well both
    pull.
    """
    cover = {qt.key: len(qt.stories) for qt in cov.question_types}
    weights = []
    for q in cov.questions:
        stories = candidate_stories(cov, q)
        least = min((s.sessions_counted for s in stories), default=0)
        weights.append(1 / (1 + cover.get(q.question_type, 0)) + 1 / (1 + least))
    return weights


def answers(question: QuestionInfo, story: StoryInfo) -> bool:
    """Whether a story answers a question: the question links it, or it has its type."""
    return story.path in question.stories or question.question_type in story.question_types


def pick_question(
    cov: Coverage, rng: random.Random, story: StoryInfo | None = None
) -> QuestionInfo:
    """A question, weighted by :func:`question_weights`; among those ``story`` answers
    when it answers any (the story the schedule says is due)."""
    if not cov.questions:
        raise AuthoringError(
            "the vault has no question notes; add one with 'starvault new question'"
        )
    weights = question_weights(cov)
    pool = list(zip(cov.questions, weights, strict=True))
    if story is not None:
        pool = [(q, w) for q, w in pool if answers(q, story)] or pool
    return rng.choices([q for q, _ in pool], weights=[w for _, w in pool], k=1)[0]


def due_story(cov: Coverage, schedule: Schedule) -> StoryInfo | None:
    """The story to practise today: the weakest of those due, None when none is due."""
    by_path = {s.path: s for s in cov.stories}
    return next((by_path[i.story] for i in schedule.due if i.story in by_path), None)


def order_stories(stories: list[StoryInfo], schedule: Schedule | None = None) -> list[StoryInfo]:
    """What is due first, weakest first, then the soonest due; without a schedule, least
    practised at the bar first, so the default choice evens out practice."""
    if schedule is None:
        return sorted(stories, key=lambda s: (s.sessions_counted, s.last_practice or dt.date.min))
    items = {i.story: i for i in schedule.items}
    today = schedule.today

    def key(s: StoryInfo) -> tuple[Any, ...]:
        i = items.get(s.path)
        if i is None:
            return (1, dt.date.max, 1.0, s.path)
        return (0 if i.due <= today else 1, i.due if i.due > today else today, i.recall, s.path)

    return sorted(stories, key=key)


def lap_times(marks: list[tuple[str, float]], end: float) -> dict[str, float]:
    """Seconds spent in each STAR part, from the moments the answer moved into them.

    ``marks`` are (part, seconds since the timer started), in the order they were marked;
    a part marked twice keeps its last mark (a correction). The Situation starts with the
    timer unless it was marked itself. Empty when nothing was marked.
    """
    if not marks:
        return {}
    starts = {part: at for part, at in marks if part in schema.LAP_PARTS}
    starts.setdefault("situation", 0.0)
    ordered = sorted(starts.items(), key=lambda x: x[1])
    out: dict[str, float] = {}
    for (part, at), nxt in zip(ordered, [*ordered[1:], ("", end)], strict=True):
        seconds = round(float(max(0.0, min(nxt[1], end) - at)), 1)
        out[part] = int(seconds) if seconds.is_integer() else seconds
    return {p: out[p] for p in schema.LAP_PARTS if p in out}


def situation_share(laps: Mapping[str, float]) -> float | None:
    """The share of the timed answer its Situation took (None without laps)."""
    total = sum(v for v in laps.values())
    if not laps or total <= 0 or "situation" not in laps:
        return None
    return laps["situation"] / total


def parse_laps(items: Iterable[str]) -> dict[str, float]:
    """``["situation=25", "task=12"]`` -> {"situation": 25, "task": 12}, or a clear error."""
    out: dict[str, float] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name = name.strip().lower()
        if not sep or name not in schema.LAP_PARTS:
            raise AuthoringError(
                f"--lap takes PART=SECONDS with PART one of {', '.join(schema.LAP_PARTS)}, "
                f"got {item!r}"
            )
        try:
            value = float(raw.strip())
        except ValueError:
            raise AuthoringError(f"lap {name} must be a number of seconds, got {raw!r}") from None
        if not 0 <= value <= 3600:
            raise AuthoringError(f"lap {name} must be 0-3600 seconds, got {raw.strip()}")
        out[name] = int(value) if value.is_integer() else value
    return out


@dataclass
class Session:
    """One practice session, as the practice note records it."""

    question: Note
    story: Note
    duration_s: float
    mode: str = "self"
    scores: dict[str, int] = field(default_factory=dict)
    red_flags: list[str] = field(default_factory=list)  # keys of RED_FLAGS
    notes: str = ""
    date: dt.date = field(default_factory=dt.date.today)
    laps: dict[str, float] = field(default_factory=dict)  # STAR part -> seconds

    def validate(self) -> None:
        if self.mode not in schema.MODES:
            raise AuthoringError(f"mode must be self or partner, got {self.mode!r}")
        if not self.duration_s > 0:
            raise AuthoringError(f"the duration must be above 0 seconds, got {self.duration_s}")
        for name, score in self.scores.items():
            if name not in schema.SCORES:
                raise AuthoringError(f"unknown score '{name}'; scores: {', '.join(schema.SCORES)}")
            if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
                raise AuthoringError(f"score {name} must be a whole number 1-5, got {score!r}")
        unknown = [f for f in self.red_flags if f not in dict(RED_FLAGS)]
        if unknown:
            raise AuthoringError(f"unknown red flag {unknown[0]!r}")
        for part, seconds in self.laps.items():
            if part not in schema.LAP_PARTS or not 0 <= seconds <= 3600:
                raise AuthoringError(f"lap {part}={seconds} is not a STAR part's seconds")


def parse_scores(items: Iterable[str]) -> dict[str, int]:
    """``["structure=4", "timing=5"]`` -> {"structure": 4, "timing": 5}, or a clear error."""
    out: dict[str, int] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name = name.strip().lower()
        if not sep:
            raise AuthoringError(f"--score takes NAME=N, got {item!r}")
        if name not in schema.SCORES:
            raise AuthoringError(f"unknown score '{name}'; scores: {', '.join(schema.SCORES)}")
        try:
            value = int(raw.strip())
        except ValueError:
            raise AuthoringError(f"score {name} must be a whole number 1-5, got {raw!r}") from None
        if not 1 <= value <= 5:
            raise AuthoringError(f"score {name} must be 1-5, got {value}")
        out[name] = value
    return out


def practice_text(vault: Vault, session: Session) -> str:
    session.validate()
    q_link, s_link = link_to(vault, session.question), link_to(vault, session.story)
    duration: int | float = round(session.duration_s, 1)
    if float(duration).is_integer():
        duration = int(duration)
    meta: dict[str, Any] = {
        "type": "practice",
        "date": session.date,
        "question": q_link,
        "story": s_link,
        "duration_s": duration,
        "mode": session.mode,
    }
    meta.update({k: session.scores[k] for k in schema.SCORES if k in session.scores})
    meta["red_flags"] = [k for k, _ in RED_FLAGS if k in session.red_flags]
    if session.laps:
        meta["laps"] = {p: session.laps[p] for p in schema.LAP_PARTS if p in session.laps}
    fm = "\n".join(f"{k}: {yaml_value(v)}" for k, v in meta.items())
    title = f"Practice {session.date.isoformat()}: {session.story.name} ({session.mode})"
    from .coverage import format_seconds

    goal = vault.config.thresholds.short_version_warn_s
    target = "within" if session.duration_s <= goal else "over"
    lines = [
        "---",
        fm,
        "---",
        "",
        f"# {title}",
        "",
        f"Question: {q_link}. Story: {s_link}. Answer time: "
        f"{format_seconds(session.duration_s)}, {target} the {format_seconds(goal)} target.",
        "",
    ]
    if session.laps:
        parts = [
            f"{p.capitalize()} {format_seconds(session.laps[p])}"
            for p in schema.LAP_PARTS
            if p in session.laps
        ]
        lines += [f"Laps: {', '.join(parts)}.", ""]
    if session.scores:
        names = [k for k in schema.SCORES if k in session.scores]
        lines += [
            "## Scores",
            "",
            "| " + " | ".join(n.capitalize() for n in names) + " |",
            "|" + "---|" * len(names),
            "| " + " | ".join(str(session.scores[n]) for n in names) + " |",
            "",
        ]
    lines += ["## Red flags", ""]
    for key, label in RED_FLAGS:
        mark = "x" if key in session.red_flags else " "
        lines.append(f"- [{mark}] {label}")
    lines.append("")
    if session.notes.strip():
        lines += ["## Notes", "", session.notes.strip(), ""]
    return "\n".join(lines)


def practice_path(vault: Vault, session: Session) -> str:
    """``Practice/YYYY-MM-DD <story> (<mode>).md``, numbered when that name is taken."""
    base = safe_filename(f"{session.date.isoformat()} {session.story.name} ({session.mode})")
    folder = schema.TYPES["practice"].folder
    rel = f"{folder}/{base}.md"
    n = 2
    while (vault.root / rel).exists() or rel in vault.notes:
        rel = f"{folder}/{base} {n}.md"
        n += 1
    return rel


def write_practice(vault: Vault, session: Session) -> Path:
    """Write the session's practice note; returns its path."""
    text = practice_text(vault, session)
    return write_new(vault.root, practice_path(vault, session), text)


# ---------------------------------------------------------------------------------------
# A new course page in the table of contents

_ITEM = re.compile(r"^[ \t]{0,3}(\d{1,9})[.)](?:[ \t]+(\S.*))?[ \t]*$")


def toc_with_page(text: str, link: str, module: str) -> str:
    """The table of contents ``text`` with ``link`` listed last in ``module``'s section.

    The section is the heading named like the module (any level below the title); without
    one, a ``## module`` section is added at the end. In it the page becomes the next item
    of the ordered list (an empty ``1.`` placeholder is filled instead). Without a module,
    the page goes at the end of the last ordered list. Line endings are kept.
    """
    from .markdown.syntax import section_end
    from .scan import parse_text

    ending = "\r\n" if "\r\n" in text else "\n"
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    start, end = 0, len(lines)
    if module:
        # Headings as the parser reads them ("## x" inside a code block is none), and
        # the section as every other command slices it.
        headings = parse_text("toc.md", text).headings
        wanted = module.casefold()
        found = next(
            (i for i, h in enumerate(headings) if h.level > 1 and h.text.casefold() == wanted),
            None,
        )
        if found is None:
            while lines and not lines[-1].strip():
                lines.pop()
            lines += ["", f"## {module}", "", f"1. {link}", ""]
            return ending.join(lines)
        start = headings[found].line  # 1-based line of the heading: the index after it
        j = section_end(headings, found)
        end = headings[j].line - 1 if j < len(headings) else len(lines)
    items = [(i, _ITEM.match(lines[i])) for i in range(start, end)]
    items = [(i, m) for i, m in items if m]
    if items:
        placeholder = next((i for i, m in items if m.group(2) is None), None)
        if placeholder is not None:
            lines[placeholder] = f"{_ITEM.match(lines[placeholder]).group(1)}. {link}"  # type: ignore[union-attr]
        else:
            i, m = items[-1]
            lines.insert(i + 1, f"{int(m.group(1)) + 1}. {link}")
        return ending.join(lines)
    # A section (or note) without a list yet: the list starts at its end.
    at = end
    while at > start and not lines[at - 1].strip():
        at -= 1
    lines[at:at] = ["", f"1. {link}"]
    return ending.join(lines)


def list_course_page(vault: Vault, rel: str) -> tuple[str, bytes] | None:
    """(toc path, new bytes) listing the course page ``rel`` in the table of contents, or
    None when there is no table of contents or it lists the page already."""
    from .navigation import _wikilink, course_order, toc_note

    toc = toc_note(vault)
    note = vault.notes.get(rel)
    if toc is None or note is None or rel in course_order(vault):
        return None
    data = (vault.root / toc.path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    module = note.meta.get("module")
    module = module.strip() if isinstance(module, str) else ""
    new = toc_with_page(text, _wikilink(vault, toc, note), module)
    bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
    return toc.path, (bom + new).encode("utf-8")
