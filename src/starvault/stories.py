"""Reading a STAR story: its parts, Short version and Follow-ups, and the measures the
checks and the coverage model need (speaking time, first-person counts, figures).

A part is an H2 section with that title in the body (``## Action``) or, when the body has
no such section, a front matter field of that name in lower case (``action: ...``). The
section wins when both exist, since that is what a reader sees first.
"""

from __future__ import annotations

import datetime
import re
import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .scan import field_lines, split_front_matter

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from .scan import Note
    from .vault import Vault

STAR_PARTS = ("Situation", "Task", "Action", "Result")
ALL_PARTS = (*STAR_PARTS, "Learnings", "Applied", "Short version", "Follow-ups")

# Section titles people write for each part (compared after normalise_title).
_TITLES: dict[str, tuple[str, ...]] = {
    "Situation": ("situation", "context"),
    "Task": ("task",),
    "Action": ("action", "actions"),
    "Result": ("result", "results", "outcome"),
    "Learnings": ("learnings", "learning", "lessons", "lessons learned", "lesson"),
    "Applied": ("applied", "application", "how i applied it", "lesson applied"),
    "Short version": ("short version", "two minute version", "2 minute version"),
    "Follow-ups": ("follow ups", "followups", "follow up", "follow up questions"),
}
# Front matter field names for each part (the part's title in lower case, snake_case too).
_FIELDS: dict[str, tuple[str, ...]] = {
    part: (part.lower(), part.lower().replace(" ", "_").replace("-", "_")) for part in ALL_PARTS
}


def normalise_title(text: str) -> str:
    """ "Follow-ups", "follow ups:" and "FOLLOW-UPS" all become "follow ups"."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


_COMMENTS = re.compile(r"<!--.*?(?:-->|\Z)|%%.*?(?:%%|\Z)", re.DOTALL)
_PART_BY_TITLE = {t: part for part, titles in _TITLES.items() for t in titles}


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a story as written: its Markdown text and where it is."""

    name: str
    text: str  # Markdown, without the heading
    line: int  # the heading line, or the front matter key line
    source: str  # "section" or "field"

    @property
    def empty(self) -> bool:
        """Nothing but whitespace, markup and comments (no parse needed to tell)."""
        return not re.search(r"\w", _COMMENTS.sub("", self.text))


@dataclass
class Story:
    note: Note
    parts: dict[str, Part]  # keyed by the names in ALL_PARTS
    title_line: int  # the H1 line, else the first body line

    def part(self, name: str) -> Part | None:
        """The part if present and not empty."""
        found = self.parts.get(name)
        return found if found is not None and not found.empty else None

    @property
    def failure(self) -> bool:
        return is_true(self.note.meta.get("failure"))


def is_true(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "y", "1")
    return value is True or (isinstance(value, int) and value == 1)


# ---------------------------------------------------------------------------------------
# Sections and fields


def field_line(text: str, key: str) -> int | None:
    """The 1-based line of a top-level front matter key, if the note has it."""
    found = field_lines(text, split_front_matter(text)[1])
    hit = found.get(key) or next(
        (where for name, where in found.items() if name.casefold() == key.casefold()), None
    )
    return hit[0] if hit else None


def sections(note: Note, lines: list[str]) -> dict[str, Part]:
    """The body's H2 sections that are story parts; each runs to the next H1 or H2."""
    from .markdown import section_lines

    heads = note.headings
    out: dict[str, Part] = {}
    for i, head in enumerate(heads):
        if head.level != 2:
            continue
        part = _PART_BY_TITLE.get(normalise_title(head.text))
        if part is None or part in out:
            continue
        body = "\n".join(section_lines(heads, i, lines))
        out[part] = Part(part, body.strip("\n"), head.line, "section")
    return out


def read_story(vault: Vault, note: Note) -> Story:
    """The story's parts from sections, else fields. Cached per vault."""
    cache = _STORIES.setdefault(vault, {})
    found = cache.get(note.path)
    if found is not None:
        return found
    text = vault.text(note)
    lines = text.split("\n")
    parts = sections(note, lines)
    for part, keys in _FIELDS.items():
        if part in parts:
            continue
        for key in keys:
            value = note.meta.get(key)
            if value is None:
                continue
            if isinstance(value, list):
                value = "\n".join(f"- {v}" for v in value)
            parts[part] = Part(part, str(value), field_line(text, key) or 1, "field")
            break
    h1 = next((h.line for h in note.headings if h.level == 1), note.body_line)
    story = Story(note, parts, h1)
    cache[note.path] = story
    return story


_STORIES: weakref.WeakKeyDictionary[Vault, dict[str, Story]] = weakref.WeakKeyDictionary()


# ---------------------------------------------------------------------------------------
# Text measures


@lru_cache(maxsize=1)
def _inline_parser() -> MarkdownIt:
    from .markdown import obsidian_markdown

    return obsidian_markdown()


@lru_cache(maxsize=4096)
def plain_text(markdown: str) -> str:
    """What a reader sees (and a speaker says): Markdown syntax, links and comments removed."""
    if not markdown.strip():
        return ""
    from .markdown import split_wikilink

    out: list[str] = []
    for token in _inline_parser().parse(markdown):
        if token.type in ("fence", "code_block"):
            out.append(token.content)
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            kind = child.type
            if kind in ("text", "code_inline", "math_inline"):
                out.append(child.content)
            elif kind == "wikilink":
                parts = split_wikilink(child.content)
                shown = parts.display or parts.path.rsplit("/", 1)[-1] or parts.subpath or ""
                out.append(shown)
            elif kind in ("softbreak", "hardbreak"):
                out.append(" ")
        out.append("\n")
    return "".join(out)


_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")


def words(text: str) -> list[str]:
    """The words of plain text, apostrophes kept ("I'm", "team's")."""
    return [w.replace("’", "'") for w in _WORD.findall(text)]


def speaking_seconds(markdown: str, words_per_minute: int) -> float:
    return len(words(plain_text(markdown))) / words_per_minute * 60


SINGULAR = frozenset(["i", "my", "me", "i'm", "i've", "i'd", "i'll", "myself", "mine"])
PLURAL = frozenset(["we", "our", "us", "we're", "we've", "we'd", "we'll", "ourselves", "ours"])


def first_person(markdown: str) -> tuple[int, int]:
    """(singular, plural) first-person words: I/my/me... against we/our/us..."""
    singular = plural = 0
    for word in words(plain_text(markdown)):
        if word == "US":  # the country, not "us"
            continue
        low = word.lower()
        if low in SINGULAR:
            singular += 1
        elif low in PLURAL:
            plural += 1
    return singular, plural


_NUMBER_WORDS = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
    "ninety|hundred|hundreds|thousand|thousands|million|millions|billion|billions|dozen|"
    "dozens|half|halved|halving|doubled|doubling|tripled|quadrupled|twice|thrice|"
    "percent|per cent|percentage points?"
)
_FIGURE = re.compile(
    r"\d"  # 60%, 3x, $2M, 2024, 1.5
    r"|[$€£¥₹]"
    rf"|\b(?:{_NUMBER_WORDS})\b"
    r"|\b\w+fold\b"  # tenfold
    r"|\ba (?:third|quarter|fifth|tenth)\b",
    re.IGNORECASE,
)


def has_figure(text: str) -> bool:
    """A measurable figure: digits, money, percentages, number words, multipliers."""
    return _FIGURE.search(plain_text(text) or text) is not None


def first_sentence(markdown: str) -> str:
    """The first sentence of a part, as plain text (for tables and dashboards)."""
    lines = [line.strip() for line in plain_text(markdown).split("\n") if line.strip()]
    text = " ".join(lines[0].split()) if lines else ""
    m = re.search(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])", text)
    return text[: m.start()] if m else text


def as_date(value: Any) -> datetime.date | None:
    """A front matter date: YAML gives a date, a datetime or an ISO string."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None
