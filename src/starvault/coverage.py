"""The coverage model: which stories answer which question types, principles, questions;
questions to ask; practice; the seed's pre-interview checklist and the next best action.

One model, computed once per vault by :func:`compute`, feeds ``starvault coverage``, the
CV rules, the site's dashboards and ``starvault practice``, so they never disagree.
"""

from __future__ import annotations

import datetime
import math
import re
import weakref
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from . import schema
from .stories import as_date, first_sentence, has_figure, read_story, speaking_seconds

if TYPE_CHECKING:
    from .scan import Note
    from .vault import Vault

# The seed's five question types, used when the vault defines none (notes or config).
DEFAULT_QUESTION_TYPES = {
    "leadership": "Leadership & Influence",
    "conflict": "Conflict Resolution",
    "failure": "Failure & Learning",
    "ambiguity": "Ambiguity & Decision Making",
    "cross-functional": "Cross-functional Collaboration",
}
ASK_CATEGORIES = ("team", "culture", "growth")
SCORE_FIELDS = ("structure", "specificity", "timing", "clarity", "conciseness", "confidence")
# Note types that make a vault an interview-prep vault (the CV rules apply to it).
PREP_TYPES = frozenset(["story", "question", "question-type", "principle", "ask", "practice"])

# The seed's pre-interview checklist, in its order and wording.
CHECKLIST = (
    "Five to seven prepared stories with variations",
    "Each story covers two to three question types",
    "Know specific impact metrics",
    "Prepared one to two stories about failures",
    "Questions for the interviewer",
    "Practiced out loud at least three times",
    "Research on the company and team",
)


@dataclass
class StoryInfo:
    path: str
    name: str
    title: str
    project: str
    role: str
    impact: str
    challenge: str
    outcome: str
    learnings: str  # first sentence of the Learnings part
    question_types: list[str]
    principles: list[str]  # note paths
    failure: bool
    speaking_seconds: float | None  # Short version words / words_per_minute * 60
    practice_count: int = 0
    last_practice: datetime.date | None = None


@dataclass
class QuestionTypeInfo:
    key: str
    title: str
    path: str | None  # None for a type from the config or the defaults
    stories: list[str] = field(default_factory=list)


@dataclass
class PrincipleInfo:
    path: str
    title: str
    stories: list[str] = field(default_factory=list)


@dataclass
class AskInfo:
    path: str
    title: str
    category: str


@dataclass
class PracticeInfo:
    path: str
    date: datetime.date | None
    story: str | None  # path
    question: str | None  # path
    duration_s: float | None
    mode: str
    scores: dict[str, int]


@dataclass
class QuestionInfo:
    path: str
    title: str
    prompt: str
    question_type: str
    stories: list[str]


@dataclass
class ChecklistItem:
    item: str  # the seed's wording
    passed: bool
    why: str


@dataclass
class Coverage:
    stories: list[StoryInfo]
    question_types: list[QuestionTypeInfo]
    matrix: dict[str, dict[str, bool]]  # story path -> type key -> covered
    principles: list[PrincipleInfo]
    failure_stories: list[str]
    asks: dict[str, list[AskInfo]]  # category -> asks; always team, culture, growth
    questions: list[QuestionInfo]
    practice: list[PracticeInfo]  # newest first
    checklist: list[ChecklistItem]
    next_action: str
    companies: list[str] = field(default_factory=list)  # company note paths

    def to_dict(self) -> dict[str, Any]:
        """The same content as plain JSON-able data (dates as ISO strings)."""
        return _jsonable(asdict(self))

    def story(self, path: str) -> StoryInfo | None:
        return next((s for s in self.stories if s.path == path), None)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no Infinity or NaN
    return value


# ---------------------------------------------------------------------------------------
# Reading fields

_WIKI = re.compile(r"\[\[(.*?)\]\]")


def _text(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int, float)) and str(v).strip()]
    return []


def linked_paths(vault: Vault, note: Note, value: Any) -> list[str]:
    """Note paths a front matter value links to: ``"[[Note]]"`` strings, or bare names."""
    from .markdown import split_wikilink

    out: list[str] = []
    for item in _strings(value):
        targets = [split_wikilink(m).path for m in _WIKI.findall(item)] or [item.strip()]
        for target in targets:
            found = vault.lookup(target, note) if target else None
            if found is not None and found.path not in out:
                out.append(found.path)
    return out


def _link(vault: Vault, note: Note, key: str) -> str | None:
    paths = linked_paths(vault, note, note.meta.get(key))
    return paths[0] if paths else None


def _number(value: Any) -> float | None:
    """A finite number from a property, else None (FM003 reports the rest)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _in_range(value: float | None, type_name: str, name: str) -> float | None:
    """``value`` if its schema field allows it, else None: FM004 reports the rest, and
    nothing downstream (charts, sums) ever sees a duration of 1e20 seconds."""
    if value is None:
        return None
    f = next(f for f in schema.TYPES[type_name].fields if f.name == name)
    low = f.minimum is None or (value > f.minimum if f.exclusive_minimum else value >= f.minimum)
    return value if low and (f.maximum is None or value <= f.maximum) else None


def _by_title(notes: list[Note]) -> list[Note]:
    return sorted(notes, key=lambda n: (n.title.casefold(), n.path))


# ---------------------------------------------------------------------------------------
# The model


def question_types(vault: Vault) -> list[QuestionTypeInfo]:
    """Types defined by question-type notes, then by the config; else the seed's five."""
    out: dict[str, QuestionTypeInfo] = {}
    for note in _by_title(vault.notes_of_type("question-type")):
        key = _text(note.meta, "key") or note.name.lower()
        if key not in out:
            out[key] = QuestionTypeInfo(key, note.title, note.path)
    for key in vault.config.question_types:
        out.setdefault(key, QuestionTypeInfo(key, key.replace("-", " ").title(), None))
    if not out:
        out = {k: QuestionTypeInfo(k, t, None) for k, t in DEFAULT_QUESTION_TYPES.items()}
    # The seed's five first, in the seed's order; then the user's own.
    seed = list(DEFAULT_QUESTION_TYPES)
    return sorted(out.values(), key=lambda qt: seed.index(qt.key) if qt.key in seed else 99)


def _story_info(vault: Vault, note: Note) -> StoryInfo:
    story = read_story(vault, note)
    meta = note.meta
    learnings = story.part("Learnings")
    short = story.part("Short version")
    return StoryInfo(
        path=note.path,
        name=note.name,
        title=note.title,
        project=_text(meta, "project"),
        role=_text(meta, "role"),
        impact=_text(meta, "impact"),
        challenge=_text(meta, "challenge"),
        outcome=_text(meta, "outcome"),
        learnings=first_sentence(learnings.text) if learnings else "",
        question_types=[s.strip() for s in _strings(meta.get("question_types"))],
        principles=linked_paths(vault, note, meta.get("principles")),
        failure=story.failure,
        speaking_seconds=(
            round(speaking_seconds(short.text, vault.config.words_per_minute), 1) if short else None
        ),
    )


def _practice_info(vault: Vault, note: Note) -> PracticeInfo:
    meta = note.meta
    scores: dict[str, int] = {}
    for key in SCORE_FIELDS:
        value = meta.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            scores[key] = value
    return PracticeInfo(
        path=note.path,
        date=as_date(meta.get("date")),
        story=_link(vault, note, "story"),
        question=_link(vault, note, "question"),
        duration_s=_in_range(_number(meta.get("duration_s")), "practice", "duration_s"),
        mode=_text(meta, "mode"),
        scores=scores,
    )


def is_prep_vault(vault: Vault) -> bool:
    return any(vault.notes_of_type(t) for t in PREP_TYPES)


def compute(vault: Vault) -> Coverage:
    """The coverage of a loaded vault. Computed once per Vault object."""
    cached = _CACHE.get(vault)
    if cached is not None:
        return cached
    stories = [_story_info(vault, n) for n in _by_title(vault.notes_of_type("story"))]
    types = question_types(vault)
    for qt in types:
        qt.stories = [s.path for s in stories if qt.key in s.question_types]
    matrix = {s.path: {qt.key: qt.key in s.question_types for qt in types} for s in stories}
    principles = [
        PrincipleInfo(n.path, n.title, [s.path for s in stories if n.path in s.principles])
        for n in _by_title(vault.notes_of_type("principle"))
    ]
    asks: dict[str, list[AskInfo]] = {c: [] for c in ASK_CATEGORIES}
    for n in _by_title(vault.notes_of_type("ask")):
        category = _text(n.meta, "category").lower()
        asks.setdefault(category, []).append(AskInfo(n.path, n.title, category))
    questions = [
        QuestionInfo(
            n.path,
            n.title,
            _text(n.meta, "prompt"),
            _text(n.meta, "question_type"),
            linked_paths(vault, n, n.meta.get("stories")),
        )
        for n in _by_title(vault.notes_of_type("question"))
    ]
    practice = [_practice_info(vault, n) for n in vault.notes_of_type("practice")]
    practice.sort(key=lambda p: p.path)
    practice.sort(key=lambda p: p.date or datetime.date.min, reverse=True)
    by_path = {s.path: s for s in stories}
    for p in practice:
        s = by_path.get(p.story or "")
        if s is not None:
            s.practice_count += 1
            if p.date and (s.last_practice is None or p.date > s.last_practice):
                s.last_practice = p.date
    companies = [n.path for n in _by_title(vault.notes_of_type("company"))]
    cov = Coverage(
        stories=stories,
        question_types=types,
        matrix=matrix,
        principles=principles,
        failure_stories=[s.path for s in stories if s.failure],
        asks=asks,
        questions=questions,
        practice=practice,
        checklist=[],
        next_action="",
        companies=companies,
    )
    cov.checklist = checklist(vault, cov)
    cov.next_action = next_action(vault, cov)
    _CACHE[vault] = cov
    return cov


_CACHE: weakref.WeakKeyDictionary[Vault, Coverage] = weakref.WeakKeyDictionary()


# ---------------------------------------------------------------------------------------
# Checklist and next action


def _names(items: list[str], limit: int = 3) -> str:
    shown = ", ".join(f"'{i}'" for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _every_story(
    cov: Coverage, failing: list[str], failing_why: str, ok_why: str, none: str = "no stories yet"
) -> tuple[bool, str]:
    """A checklist item that every story must pass: ``failing_why`` names the stories that
    do not (at its ``{}``)."""
    if not cov.stories:
        return False, none
    if failing:
        return False, failing_why.format(_names(failing))
    return True, ok_why


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


def avoided_topics(vault: Vault, ask: Note) -> list[str]:
    """The configured topics to avoid that an ask's question text mentions."""
    text = " ".join([ask.title, _text(ask.meta, "prompt")]).casefold()
    return [
        t
        for t in vault.config.avoid_topics
        if re.search(rf"(?<!\w){re.escape(t.casefold())}(?!\w)", text)
    ]


def _has_research(vault: Vault, note: Note) -> bool:
    """A company note with some text beyond its heading."""
    body = [
        line
        for line in vault.text(note).split("\n")[note.body_line - 1 :]
        if line.strip() and not line.lstrip().startswith("#")
    ]
    return bool(body)


def checklist(vault: Vault, cov: Coverage) -> list[ChecklistItem]:
    t = vault.config.thresholds
    n = len(cov.stories)
    items: list[ChecklistItem] = []

    ok = t.stories_min <= n <= t.stories_max
    why = f"{_plural(n, 'story')} ({t.stories_min}-{t.stories_max} wanted)"
    items.append(ChecklistItem(CHECKLIST[0], ok, why))

    narrow = [s.title for s in cov.stories if len(s.question_types) < t.story_types_min]
    ok, why = _every_story(
        cov,
        narrow,
        f"fewer than {t.story_types_min} question types: {{}}",
        f"every story covers at least {t.story_types_min} question types",
    )
    items.append(ChecklistItem(CHECKLIST[1], ok, why))

    vague = []
    for s in cov.stories:
        result = read_story(vault, vault.notes[s.path]).part("Result")
        if not (s.impact and has_figure(s.impact)) and not (result and has_figure(result.text)):
            vague.append(s.title)
    ok, why = _every_story(
        cov, vague, "no figure in the impact or Result of {}", "every story has a measurable impact"
    )
    items.append(ChecklistItem(CHECKLIST[2], ok, why))

    f = len(cov.failure_stories)
    ok = f >= t.failure_stories_min
    why = f"{_plural(f, 'failure story')} (failure: true); {t.failure_stories_warn} recommended"
    items.append(ChecklistItem(CHECKLIST[3], ok, why))

    total = sum(len(v) for v in cov.asks.values())
    empty = [c for c in ASK_CATEGORIES if not cov.asks.get(c)]
    ok = total >= t.asks_min and not empty
    why = f"{_plural(total, 'question')} to ask ({t.asks_min}+ wanted)"
    if empty:
        why += f"; none about {', '.join(empty)}"
    items.append(ChecklistItem(CHECKLIST[4], ok, why))

    low = [s.title for s in cov.stories if s.practice_count < t.practice_min]
    ok, why = _every_story(
        cov,
        low,
        f"practised fewer than {t.practice_min} times: {{}}",
        f"every story practised out loud {t.practice_min}+ times",
        none="no stories to practise yet",
    )
    items.append(ChecklistItem(CHECKLIST[5], ok, why))

    researched = [p for p in cov.companies if _has_research(vault, vault.notes[p])]
    if researched:
        ok, why = True, f"research in {_names([vault.notes[p].title for p in researched])}"
    elif cov.companies:
        ok, why = False, "the company note has no research notes yet"
    else:
        ok, why = False, "no company note (type: company)"
    items.append(ChecklistItem(CHECKLIST[6], ok, why))
    return items


def next_action(vault: Vault, cov: Coverage) -> str:
    """The single most useful thing to do next, in the seed's order of importance."""
    t = vault.config.thresholds
    n = len(cov.stories)
    if n == 0:
        return "write your first STAR story: starvault new story 'Title'"
    for qt in cov.question_types:
        if not qt.stories:
            return f"no story covers {qt.key}: add one, or tag a story that fits"
    if not cov.failure_stories:
        return "no failure story: write one (failure: true) with what you learned and applied"
    if n < t.stories_min:
        return f"only {_plural(n, 'story')}: write {t.stories_min - n} more"
    for s in cov.stories:
        if len(s.question_types) < t.story_types_min:
            return (
                f"'{s.title}' covers {_plural(len(s.question_types), 'question type')}: "
                f"tag at least {t.story_types_min} it can answer"
            )
    total = sum(len(v) for v in cov.asks.values())
    if total < t.asks_min:
        missing = t.asks_min - total
        return f"{_plural(total, 'question')} to ask the interviewer: prepare {missing} more"
    for c in ASK_CATEGORIES:
        if not cov.asks.get(c):
            return f"no question to ask about {c}: add one (type: ask, category: {c})"
    least = min(cov.stories, key=lambda s: (s.practice_count, s.last_practice or datetime.date.min))
    if least.practice_count < t.practice_min:
        return (
            f"practise '{least.title}' out loud "
            f"({least.practice_count} of {t.practice_min} sessions): starvault practice"
        )
    for q in cov.questions:
        if not q.stories:
            return f"no story answers '{q.title}': link one under stories:"
    if len(cov.failure_stories) < t.failure_stories_warn:
        return "only one failure story: prepare a second one"
    for item in cov.checklist:
        if not item.passed:
            return f"{item.item.lower()}: {item.why}"
    for p in cov.principles:
        if not p.stories:
            return f"no story demonstrates '{p.title}': link it from a story's principles"
    return "everything on the checklist is done: run a mock interview with a partner"
