"""The front matter schema of every note type, as data.

One table (:data:`TYPES`) says, for each ``type:`` value, which fields its notes carry, of
what kind, whether they are required and which values they allow. The FM rules check notes
against it, ``starvault new`` fills notes from it and ``docs/note-types.md`` is generated
from it (:func:`docs_markdown`), so adding a type or a field is one edit here.

Run ``python -m starvault.schema > docs/note-types.md`` after changing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property


class Kind(str, Enum):
    """The shape of a field's value."""

    TEXT = "text"
    LIST = "list"
    NUMBER = "number"
    DATE = "date"
    BOOL = "bool"
    LINK = "link"
    LINKS = "list of links"
    MAPPING = "mapping"
    RECORDS = "list of mappings"


# Allowed values that come from the vault rather than from this table: the ``key`` of every
# ``question-type`` note plus ``question_types`` of starvault.toml.
QUESTION_TYPE_KEYS = "question-type keys"
# A question-type key, or a quoted wiki-link (to a principle): what a round focuses on.
FOCUS_VALUES = "question-type keys or links"


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    required: bool = False
    # A fixed set of values, or QUESTION_TYPE_KEYS; for a list, each item must be allowed.
    allowed: tuple[str, ...] | str | None = None
    minimum: float | None = None  # numbers only
    maximum: float | None = None
    exclusive_minimum: bool = False  # "> minimum" rather than ">= minimum"
    whole: bool = False  # numbers that must be whole (scores)
    scalar_ok: bool = False  # a list field that also takes a single text (aliases, tags)
    description: str = ""
    # The fields inside a mapping (``laps``) or inside each item of a list of mappings
    # (``rounds``); a mapping with fields takes no other keys.
    record: tuple[Field, ...] = ()

    def expected(self) -> str:
        """What a valid value looks like, for messages and the docs."""
        if self.kind is Kind.LINK:
            return 'a quoted wiki-link like "[[Note]]"'
        if self.kind is Kind.LINKS:
            return 'a list of quoted wiki-links like ["[[Note]]", "[[Other]]"]'
        if self.kind is Kind.DATE:
            return "a date like 2026-11-02"
        if self.kind is Kind.BOOL:
            return "true or false"
        if self.kind is Kind.NUMBER:
            return "a whole number" if self.whole else "a number"
        if self.kind is Kind.LIST:
            return "a list like [a, b]"
        if self.kind is Kind.MAPPING:
            if self.record:
                return "a mapping of " + ", ".join(f.name for f in self.record)
            return "a mapping of keys to values"
        if self.kind is Kind.RECORDS:
            return "a list of mappings, each with " + ", ".join(f.name for f in self.record)
        return "text"

    def range_text(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            if self.exclusive_minimum:
                return f"> {_num(self.minimum)} and <= {_num(self.maximum)}"
            return f"{_num(self.minimum)}-{_num(self.maximum)}"
        if self.minimum is not None:
            return (
                f"> {_num(self.minimum)}" if self.exclusive_minimum else f">= {_num(self.minimum)}"
            )
        if self.maximum is not None:
            return f"<= {_num(self.maximum)}"
        return ""


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class NoteType:
    name: str
    description: str
    fields: tuple[Field, ...]
    folder: str = ""  # where `starvault new` puts it ("" = vault root)
    sections: tuple[str, ...] = ()  # the H2 sections of its body, in order

    def field(self, name: str) -> Field | None:
        for f in (*self.fields, *COMMON_FIELDS):
            if f.name == name:
                return f
        return None

    @cached_property
    def all_fields(self) -> tuple[Field, ...]:
        own = {f.name for f in self.fields}
        return (*self.fields, *(f for f in COMMON_FIELDS if f.name not in own))

    @property
    def required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)


def _text(name: str, required: bool = False, description: str = "") -> Field:
    return Field(name, Kind.TEXT, required, description=description)


def _score(name: str) -> Field:
    return Field(
        name,
        Kind.NUMBER,
        minimum=1,
        maximum=5,
        whole=True,
        description=f"self-evaluation of {name}, 1-5",
    )


# Fields any note may carry (Obsidian's own properties and starvault's).
COMMON_FIELDS: tuple[Field, ...] = (
    _text("title", description="the title shown instead of the file name"),
    Field("aliases", Kind.LIST, scalar_ok=True, description="other names (Obsidian)"),
    Field("tags", Kind.LIST, scalar_ok=True, description="tags (Obsidian)"),
    Field("starvault", Kind.MAPPING, description="per-note settings: {ignore: [CODE, ...]}"),
    Field("date", Kind.DATE, description="when the note was written"),
    Field("created", Kind.DATE, description="when the note was created"),
)

STAR_PARTS = ("situation", "task", "action", "result", "learnings", "applied")
SCORES = ("structure", "specificity", "timing", "clarity", "conciseness", "confidence")
MODES = ("self", "partner")
ASK_CATEGORIES = ("team", "culture", "growth")
# The seed's red flags in answers, as `starvault practice` records them.
RED_FLAG_KEYS = (
    "we-without-i",
    "no-numbers",
    "over-three-minutes",
    "no-learnings",
    "blaming-others",
)

# The seed's Staff+ level expectations: the levels prepared for, a story's reach, and the
# four things interviewers look for at Staff+ (starvault.redflags reads them for ST012).
LEVELS = ("senior", "staff", "principal")
SCOPES = ("team", "multi-team", "org", "company")
STAFF_SIGNALS = ("org-impact", "ambiguity", "technical-leadership", "cross-functional")
# The parts of an answer that `starvault practice` can time one by one (laps).
LAP_PARTS = ("situation", "task", "action", "result")

_TYPES: tuple[NoteType, ...] = (
    NoteType(
        "toc",
        "the course's table of contents: the course pages in order, as wiki-links",
        (_text("title", description="the course's name"),),
    ),
    NoteType(
        "course",
        "a course page, with a Navigation block at top and bottom",
        (
            _text("title", True, "the page title"),
            _text("module", True, "the module the page belongs to"),
        ),
        sections=("Navigation", "Introduction", "Navigation"),
    ),
    NoteType(
        "story",
        "a STAR story from the candidate's career",
        (
            _text("title", True, "the story's name"),
            _text("project", True, "the project it happened in"),
            _text("role", True, "the candidate's role"),
            _text("impact", True, "the headline metric"),
            _text("challenge", description="the hard part, in one line"),
            _text("outcome", description="how it ended, in one line"),
            Field(
                "question_types",
                Kind.LIST,
                allowed=QUESTION_TYPE_KEYS,
                description="the question types it answers (2-3)",
            ),
            Field("principles", Kind.LINKS, description="the principles it demonstrates"),
            Field("failure", Kind.BOOL, description="true for a failure story"),
            Field(
                "scope",
                Kind.TEXT,
                allowed=SCOPES,
                description="how far the work reached (Staff+: beyond one team)",
            ),
            Field(
                "signals",
                Kind.LIST,
                allowed=STAFF_SIGNALS,
                description="the Staff+ look-fors the story shows",
            ),
            *(
                _text(part, description="a STAR part, if not written as a section")
                for part in STAR_PARTS
            ),
        ),
        folder="Stories",
        sections=(
            "Situation",
            "Task",
            "Action",
            "Result",
            "Learnings",
            "Applied",
            "Short version",
            "Follow-ups",
        ),
    ),
    NoteType(
        "question",
        "a behavioral question",
        (
            _text("title", description="a short name"),
            Field(
                "question_type",
                Kind.TEXT,
                True,
                allowed=QUESTION_TYPE_KEYS,
                description="its question type (a key)",
            ),
            _text("prompt", True, "the question as an interviewer asks it"),
            Field("stories", Kind.LINKS, description="the stories that answer it"),
        ),
        folder="Questions",
        sections=("What to demonstrate", "Red flags", "Stories that answer it"),
    ),
    NoteType(
        "question-type",
        "a category of questions: leadership, conflict, failure, ...",
        (
            _text("key", True, "the value stories and questions use"),
            _text("title", True, "the category's name"),
        ),
        folder="Question Types",
        sections=("What interviewers evaluate", "Answer structure", "Red flags"),
    ),
    NoteType(
        "principle",
        "a leadership principle",
        (_text("title", description="the principle's name"),),
        folder="Principles",
        sections=("What it means for ML work", "What a story should show", "Stories"),
    ),
    NoteType(
        "ask",
        "a question to ask the interviewer",
        (
            Field(
                "category",
                Kind.TEXT,
                True,
                allowed=ASK_CATEGORIES,
                description="what it is about",
            ),
            _text("title", description="the question"),
        ),
        folder="Questions to Ask",
        sections=("Why ask it", "What a good answer sounds like"),
    ),
    NoteType(
        "practice",
        "one practice session, out loud against a timer",
        (
            Field("date", Kind.DATE, True, description="the day of the session"),
            Field("question", Kind.LINK, True, description="the question practised"),
            Field("story", Kind.LINK, True, description="the story told"),
            Field(
                "duration_s",
                Kind.NUMBER,
                True,
                minimum=0,
                exclusive_minimum=True,
                maximum=3600,  # an hour: anything above is a typo, not an answer
                description="the answer time in seconds",
            ),
            Field("mode", Kind.TEXT, True, allowed=MODES, description="alone or with a partner"),
            *(_score(s) for s in SCORES),
            Field(
                "red_flags",
                Kind.LIST,
                allowed=RED_FLAG_KEYS,
                description="the seed's red flags noticed in the answer",
            ),
            Field(
                "laps",
                Kind.MAPPING,
                description="seconds spent in each STAR part, as marked during the answer",
                record=tuple(
                    Field(part, Kind.NUMBER, minimum=0, maximum=3600) for part in LAP_PARTS
                ),
            ),
        ),
        folder="Practice",
        sections=("What went well", "What to improve"),
    ),
    NoteType(
        "company",
        "a target company and role",
        (
            _text("name", True, "the company"),
            _text("role", description="the role applied for"),
            Field("interview_date", Kind.DATE, description="the day of the interview"),
            Field(
                "level",
                Kind.TEXT,
                allowed=LEVELS,
                description="the level interviewed for (overrides target_level)",
            ),
            Field("principles", Kind.LINKS, description="the principles the company emphasises"),
            Field(
                "rounds",
                Kind.RECORDS,
                description="the interview loop: each round's name and focus "
                "(question-type keys or principle links); see starvault plan",
                record=(
                    Field("name", Kind.TEXT, True, description="the round"),
                    Field(
                        "focus",
                        Kind.LIST,
                        allowed=FOCUS_VALUES,
                        scalar_ok=True,
                        description="what it probes",
                    ),
                ),
            ),
        ),
        folder="Companies",
        sections=("The company", "The team"),
    ),
)

TYPES: dict[str, NoteType] = {t.name: t for t in _TYPES}


def get(type_name: str) -> NoteType | None:
    return TYPES.get(type_name)


def type_names() -> list[str]:
    return list(TYPES)


# ---------------------------------------------------------------------------------------
# Documentation

_DOC_HEAD = """\
# Note types

<!-- Generated from src/starvault/schema.py by `python -m starvault.schema`; do not edit. -->

A note's front matter `type:` says what it is; a note without `type` is a plain note and is
not checked by the FM rules. Rules FM001-FM004 check every typed note against the tables
below: an unknown type (FM001), a required field missing or empty (FM002), a value of the
wrong shape (FM003) and a value outside its allowed set (FM004). Fields not listed are
allowed and left alone.

Kinds: **text** a string; **list** a YAML list (`[a, b]` or one `- item` per line);
**number**; **date** `2026-11-02` (quoted or not); **bool** `true`/`false`; **link** a
quoted wiki-link `"[[Note]]"` (unquoted, `[[Note]]` is a nested YAML list, not a link);
**list of links** `["[[A]]", "[[B]]"]`. Question types allowed in `question_types` and
`question_type` are the `key` values of the vault's `question-type` notes plus
`question_types` in `starvault.toml`.

`starvault new TYPE TITLE` creates a note of any of these types in its default folder.
"""


def _allowed_text(f: Field) -> str:
    parts = []
    if f.allowed == QUESTION_TYPE_KEYS:
        parts.append("a question-type key")
    elif f.allowed == FOCUS_VALUES:
        parts.append("a question-type key or a link")
    elif f.record:
        parts.append(
            ", ".join(f"`{r.name}`" + (" (required)" if r.required else "") for r in f.record)
        )
    elif f.allowed:
        parts.append(" \\| ".join(f.allowed))
    if f.range_text():
        parts.append(f.range_text())
    return "; ".join(parts)


def _table(fields: tuple[Field, ...]) -> list[str]:
    rows = ["| field | kind | required | allowed | what it is |", "|---|---|---|---|---|"]
    for f in fields:
        rows.append(
            f"| `{f.name}` | {f.kind.value} | {'yes' if f.required else ''} "
            f"| {_allowed_text(f)} | {f.description} |"
        )
    return rows


def docs_markdown() -> str:
    """The text of docs/note-types.md, generated so that it never drifts from the schema."""
    lines = [_DOC_HEAD]
    for t in TYPES.values():
        lines.append(f"## `{t.name}`\n")
        where = f"`{t.folder}/`" if t.folder else "the vault root"
        lines.append(f"{t.description[0].upper()}{t.description[1:]}. New notes go to {where}.")
        if t.sections:
            seen = list(dict.fromkeys(t.sections))
            lines.append("Body sections: " + ", ".join(seen) + ".")
        lines.append("")
        lines.extend(_table(t.fields))
        lines.append("")
    lines.append("## Fields of every type\n")
    lines.append("Any note may also carry these; they are checked when present.\n")
    lines.extend(_table(COMMON_FIELDS))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(docs_markdown(), end="")
