"""The coverage model: which stories answer which question types, principles, questions;
questions to ask; practice; the seed's pre-interview checklist and the next best action.

One model, computed once per vault by :func:`compute`, feeds ``starvault coverage``, the
CV rules, the site's dashboards and ``starvault practice``, so they never disagree.

Readiness counts only what is ready: a story counts ("ready") when the ST and FM rules,
as configured, report no error on it; a practice session counts when it meets the bar
(within the two-minute target, no red flag ticked, average self-score at or above
``thresholds.practice_score_min``). What does not count says why.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
import weakref
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from . import schema
from .stories import (
    as_date,
    first_sentence,
    normalise_title,
    plain_text,
    read_story,
    speaking_seconds,
    words,
)

if TYPE_CHECKING:
    from .config import Thresholds
    from .rules import Diagnostic
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
# Every note type :func:`compute` reads: the CV rules' cached findings are keyed on the
# versions of these notes (with the configuration, the day and the vault's file set).
INPUT_TYPES = PREP_TYPES | {"company"}

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
    practice_count: int = 0  # every logged session
    last_practice: datetime.date | None = None
    ready: bool = True  # no error-level ST or FM finding: it counts toward readiness
    not_ready: list[str] = field(default_factory=list)  # why not: the error findings
    metrics: list[str] = field(default_factory=list)  # ST004 findings (vague results)
    signals: list[str] = field(default_factory=list)  # Staff+ look-fors it shows
    sessions_counted: int = 0  # sessions that meet the bar


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
    red_flags: list[str] = field(default_factory=list)  # front matter keys, ticked boxes
    average: float | None = None  # of the self-scores
    counted: bool = False  # meets the bar
    not_counted: list[str] = field(default_factory=list)  # why not
    laps: dict[str, float] = field(default_factory=dict)  # STAR part -> seconds (practice)


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
    ready_stories: list[str] = field(default_factory=list)  # the stories that count
    target_level: str = "staff"  # senior, staff or principal
    signals: dict[str, list[str]] = field(default_factory=dict)  # look-for -> ready stories
    company: str | None = None  # the company of the next interview (or the only one)
    interview_date: datetime.date | None = None
    days_left: int | None = None  # until interview_date, from today
    plan_days: int | None = None  # days the remaining work needs (see plan_days)
    due_today: list[str] = field(default_factory=list)  # stories due by the schedule, weakest first

    def to_dict(self) -> dict[str, Any]:
        """The same content as plain JSON-able data (dates as ISO strings)."""
        return _jsonable(asdict(self))

    def story(self, path: str) -> StoryInfo | None:
        # Indexed on first use (a scan per call is quadratic over a build's story pages);
        # kept outside the fields, so to_dict() does not see it.
        index = self.__dict__.get("_story_index")
        if index is None or len(index) != len(self.stories):
            index = self.__dict__["_story_index"] = {}
            for s in self.stories:
                index.setdefault(s.path, s)
        return index.get(path)


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
    from .markdown import find_wikilinks

    out: list[str] = []
    for item in _strings(value):
        targets = [m.target.path for m in find_wikilinks(item)] or [item.strip()]
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


def _story_facts(vault: Vault, note: Note) -> tuple[Any, ...]:
    """What coverage reads from a story's text: its first learning, whether it is a
    failure story, the Short version's speaking time and its Staff+ look-fors. Kept per
    note in the cache (findings_cache.per_note), so a warm run reads no story again."""
    from .redflags import staff_signals

    story = read_story(vault, note)
    learnings = story.part("Learnings")
    short = story.part("Short version")
    seconds = (
        round(speaking_seconds(short.text, vault.config.words_per_minute), 1) if short else None
    )
    learned = first_sentence(learnings.text) if learnings else ""
    return (learned, story.failure, seconds, tuple(sorted(staff_signals(vault, note))))


def _story_info(note: Note, facts: tuple[Any, ...], principles: list[str]) -> StoryInfo:
    """A story's row of the model from its kept facts and the principles it links."""
    learned, failure, seconds, _signals = facts
    meta = note.meta
    return StoryInfo(
        path=note.path,
        name=note.name,
        title=note.title,
        project=_text(meta, "project"),
        role=_text(meta, "role"),
        impact=_text(meta, "impact"),
        challenge=_text(meta, "challenge"),
        outcome=_text(meta, "outcome"),
        learnings=learned,
        question_types=[s.strip() for s in _strings(meta.get("question_types"))],
        principles=list(principles),
        failure=failure,
        speaking_seconds=seconds,
    )


_TICKED = re.compile(r"^\s*[-*+]\s+\[[xX]\]\s+(.+?)\s*$")


def _ticked_red_flags(vault: Vault, note: Note) -> list[str]:
    """The ticked boxes under a "Red flags" heading (Obsidian users tick them by hand)."""
    from .markdown import section_lines

    lines = vault.text(note).split("\n")
    out: list[str] = []
    heads = note.headings
    for i, head in enumerate(heads):
        if normalise_title(head.text) != "red flags":
            continue
        for line in section_lines(heads, i, lines):
            m = _TICKED.match(line)
            if m:
                out.append(m.group(1))
    return out


def _practice_links(vault: Vault, note: Note) -> tuple[str | None, str | None, list[str]]:
    """A practice note's story and question, and its ticked red flags (kept per note)."""
    ticked = _ticked_red_flags(vault, note)
    return (_link(vault, note, "story"), _link(vault, note, "question"), ticked)


def _practice_info(note: Note, links: tuple[Any, ...] | list[Any]) -> PracticeInfo:
    """A practice session from its note and its kept links (:func:`_practice_links`)."""
    story, question, ticked = links
    meta = note.meta
    scores: dict[str, int] = {}
    for key in SCORE_FIELDS:
        value = meta.get(key)
        # Out-of-range scores are FM findings on the note; they must not lift the average.
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
            scores[key] = value
    flags = _strings(meta.get("red_flags"))
    flags += [f for f in ticked if f not in flags]
    return PracticeInfo(
        path=note.path,
        date=as_date(meta.get("date")),
        story=story,
        question=question,
        duration_s=_in_range(_number(meta.get("duration_s")), "practice", "duration_s"),
        mode=_text(meta, "mode"),
        scores=scores,
        red_flags=flags,
        average=round(sum(scores.values()) / len(scores), 2) if scores else None,
        laps=_laps(meta.get("laps")),
    )


def _laps(value: Any) -> dict[str, float]:
    """The valid entries of a practice note's ``laps`` (FM003/FM004 report the rest)."""
    if not isinstance(value, dict):
        return {}
    out = {}
    for part in schema.LAP_PARTS:
        seconds = _in_range(_number(value.get(part)), "practice", "duration_s")
        if seconds is not None or value.get(part) == 0:
            out[part] = seconds or 0.0
    return out


def format_seconds(seconds: float) -> str:
    """``192`` -> ``3 min 12 s``; ``45`` -> ``45 s`` (messages and practice notes)."""
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    return f"{s // 60} min" if s % 60 == 0 else f"{s // 60} min {s % 60:02d} s"


def session_problems(p: PracticeInfo, t: Thresholds) -> list[str]:
    """Why a practice session does not meet the bar (empty when it does)."""
    out: list[str] = []
    if p.story is None:
        out.append("no story linked")
    if p.duration_s is None or p.duration_s <= 0:
        out.append("no answer time (duration_s)")
    elif p.duration_s > t.short_version_warn_s:
        out.append(
            f"{format_seconds(p.duration_s)}, over the "
            f"{format_seconds(t.short_version_warn_s)} target"
        )
    if p.red_flags:
        out.append(f"red flag ticked: {', '.join(p.red_flags)}")
    if p.average is None:
        out.append("no self-scores")
    elif p.average < t.practice_score_min:
        out.append(f"average self-score {p.average:g}, below {t.practice_score_min:g}")
    return out


def is_prep_vault(vault: Vault) -> bool:
    return any(vault.notes_of_type(t) for t in PREP_TYPES)


def story_diagnostics(vault: Vault) -> dict[str, list[Diagnostic]]:
    """The ST and FM diagnostics of each story note, as ``check`` reports them: the
    configured selection, severities and suppressions apply. The runner computes each
    rule once per vault, so a check run does not pay for them twice."""
    from .rules import run, select_rules

    stories = {n.path for n in vault.notes_of_type("story")}
    if not stories:
        return {}
    config = vault.config
    rules = [r for r in select_rules(config.select, config.ignore) if r.family in ("ST", "FM")]
    out: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in run(vault, rules):
        if d.path in stories:
            out[d.path].append(d)
    for found in out.values():
        found.sort(key=lambda d: (d.line, d.column, d.rule))
    return dict(out)


def describe(d: Diagnostic) -> str:
    """A finding as a reason: ``ST001 missing-star-part (line 12): ...``."""
    return f"{d.rule} {d.name} (line {d.line}): {d.message}"


def _judge_stories(
    vault: Vault, stories: list[StoryInfo], facts: dict[str, tuple[Any, ...]]
) -> None:
    """Mark each story ready or not (with why), its vague results and its signals."""
    from .redflags import SIGNALS

    found = story_diagnostics(vault)
    for s in stories:
        diagnostics = found.get(s.path, [])
        s.not_ready = [describe(d) for d in diagnostics if d.severity == "error"]
        s.ready = not s.not_ready
        s.metrics = [describe(d) for d in diagnostics if d.rule == "ST004"]
        if s.failure:
            # A failure story counts only with a real Applied part, even where ST007 is
            # configured as a warning.
            s.not_ready += [
                describe(d) for d in diagnostics if d.rule == "ST007" and d.severity != "error"
            ]
            s.ready = not s.not_ready
        shown = facts[s.path][3]
        s.signals = [x for x in SIGNALS if x in shown]


def _target_company(vault: Vault, today: datetime.date) -> Note | None:
    """The company of the next interview; else of the latest one; else the only company."""
    notes = _by_title(vault.notes_of_type("company"))
    dated = [(d, n) for n in notes if (d := as_date(n.meta.get("interview_date"))) is not None]
    upcoming = sorted((x for x in dated if x[0] >= today), key=lambda x: x[0])
    if upcoming:
        return upcoming[0][1]
    if dated:
        return max(dated, key=lambda x: x[0])[1]
    return notes[0] if len(notes) == 1 else None


def today() -> datetime.date:
    """Today's date (one place, so tests and callers agree). ``STARVAULT_TODAY`` (an ISO
    date) stands in for the clock, so a test or a what-if run sees a fixed day."""
    import os

    fixed = os.environ.get("STARVAULT_TODAY", "").strip()
    if fixed:
        try:
            return datetime.date.fromisoformat(fixed)
        except ValueError:
            pass  # a malformed override is ignored: the real date is always a safe answer
    return datetime.date.today()


def inputs(vault: Vault) -> tuple[list[Note], str]:
    """What the coverage model is computed from: the notes of :data:`INPUT_TYPES` and the
    day (readiness, days left). A vault-scope rule declaring ``inputs="coverage"`` is kept
    in the cache while these stay the same."""
    notes = [n for t in sorted(INPUT_TYPES) for n in vault.notes_of_type(t)]
    return notes, today().isoformat()


def target_level(vault: Vault) -> str:
    """The level prepared for: ``target_level`` in the config, overridden by the ``level`` of
    the company note (of the only one, else of the one whose interview is next; past
    interviews after upcoming ones, undated companies last)."""
    config_level = vault.config.target_level
    levelled = [
        n
        for n in vault.notes_of_type("company")
        if str(n.meta.get("level") or "").strip().lower() in schema.LEVELS
    ]
    if not levelled:
        return config_level
    day = today()

    def order(note: Note) -> tuple[int, int, str]:
        when = as_date(note.meta.get("interview_date"))
        if when is None:
            return (2, 0, note.path)
        gap = (when - day).days
        return (0, gap, note.path) if gap >= 0 else (1, -gap, note.path)

    return str(min(levelled, key=order).meta["level"]).strip().lower()


def _field_links(vault: Vault, notes: list[Note], key: str) -> dict[str, Any]:
    """Each note's :func:`linked_paths` of front matter ``key``, kept per note."""
    from .findings_cache import per_note

    compute = lambda n: linked_paths(vault, n, n.meta.get(key))  # noqa: E731
    return per_note(vault, f"links:{key}", notes, compute, files=True)


def compute(vault: Vault) -> Coverage:
    """The coverage of a loaded vault. Computed once per Vault object."""
    cached = _CACHE.get(vault)
    if cached is not None:
        return cached
    t = vault.config.thresholds
    from .findings_cache import per_note

    story_notes = _by_title(vault.notes_of_type("story"))
    facts = per_note(vault, "story", story_notes, lambda n: _story_facts(vault, n))
    # Where each story's, question's and practice note's links lead: kept per note while
    # the vault's files stay the same, so an edit resolves only the edited note's links.
    backs = _field_links(vault, story_notes, "principles")
    stories = [_story_info(n, facts[n.path], backs[n.path]) for n in story_notes]
    _judge_stories(vault, stories, facts)
    types = question_types(vault)
    # Stories by question type and by principle, indexed once: matching every type and
    # principle against every story grows with the square of the vault.
    by_type: dict[str, list[str]] = defaultdict(list)
    by_principle: dict[str, list[str]] = defaultdict(list)
    for s in stories:
        for key in dict.fromkeys(s.question_types):
            by_type[key].append(s.path)
        for p in dict.fromkeys(s.principles):
            by_principle[p].append(s.path)
    for qt in types:
        qt.stories = list(by_type.get(qt.key, ()))
    blank = {qt.key: False for qt in types}
    matrix = {s.path: blank | {k: True for k in s.question_types if k in blank} for s in stories}
    principles = [
        PrincipleInfo(n.path, n.title, list(by_principle.get(n.path, ())))
        for n in _by_title(vault.notes_of_type("principle"))
    ]
    asks: dict[str, list[AskInfo]] = {c: [] for c in ASK_CATEGORIES}
    for n in _by_title(vault.notes_of_type("ask")):
        category = _text(n.meta, "category").lower()
        asks.setdefault(category, []).append(AskInfo(n.path, n.title, category))
    question_notes = _by_title(vault.notes_of_type("question"))
    answers = _field_links(vault, question_notes, "stories")
    questions = [
        QuestionInfo(
            n.path,
            n.title,
            _text(n.meta, "prompt"),
            _text(n.meta, "question_type"),
            list(answers[n.path]),
        )
        for n in question_notes
    ]
    practice_notes = vault.notes_of_type("practice")
    links = per_note(
        vault, "practice-links", practice_notes, lambda n: _practice_links(vault, n), files=True
    )
    practice = [_practice_info(n, links[n.path]) for n in practice_notes]
    practice.sort(key=lambda p: p.path)
    practice.sort(key=lambda p: p.date or datetime.date.min, reverse=True)
    by_path = {s.path: s for s in stories}
    for p in practice:
        p.not_counted = session_problems(p, t)
        s = by_path.get(p.story or "")
        if s is None:
            if p.story is not None:
                p.not_counted.append("its story link is not a story note")
            p.counted = False
            continue
        p.counted = not p.not_counted
        s.practice_count += 1
        s.sessions_counted += p.counted
        if p.date and (s.last_practice is None or p.date > s.last_practice):
            s.last_practice = p.date
    ready = [s for s in stories if s.ready]
    from .redflags import SIGNALS

    day = today()
    company = _target_company(vault, day)
    date = as_date(company.meta.get("interview_date")) if company is not None else None
    cov = Coverage(
        stories=stories,
        question_types=types,
        matrix=matrix,
        principles=principles,
        failure_stories=[s.path for s in ready if s.failure],
        asks=asks,
        questions=questions,
        practice=practice,
        checklist=[],
        next_action="",
        companies=[n.path for n in _by_title(vault.notes_of_type("company"))],
        ready_stories=[s.path for s in ready],
        target_level=target_level(vault),
        signals={x: [s.path for s in ready if x in s.signals] for x in SIGNALS},
        company=company.path if company is not None else None,
        interview_date=date,
        days_left=(date - day).days if date is not None else None,
    )
    cov.plan_days = plan_days(vault, cov)
    from .schedule import build

    cov.due_today = [i.story for i in build(vault, cov, day).due]
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


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return f"{n} {word[:-1]}ies"
    return f"{n} {word}s"


def avoided_topics(vault: Vault, ask: Note) -> list[str]:
    """The configured topics to avoid that an ask's question text mentions."""
    text = " ".join([ask.title, _text(ask.meta, "prompt")]).casefold()
    return [t for t, pattern in _topic_patterns(tuple(vault.config.avoid_topics)) if pattern(text)]


@functools.lru_cache(maxsize=8)
def _topic_patterns(topics: tuple[str, ...]) -> list[tuple[str, Callable[[str], Any]]]:
    """Each topic's whole-word search, compiled once (thousands of asks each try all)."""
    return [(t, re.compile(rf"(?<!\w){re.escape(t.casefold())}(?!\w)").search) for t in topics]


def research_gaps(vault: Vault, note: Note) -> list[str]:
    """What the company note's research sections lack (empty when they are filled).

    The research sections are the company type's sections in the schema ("The company",
    "The team"); each needs ``thresholds.research_words_min`` words of its own (comments
    and template hints do not count). A note without any of those headings is judged on
    its whole body against the sum.
    """
    from .markdown import section_lines
    from .schema import TYPES

    need = vault.config.thresholds.research_words_min
    wanted = TYPES["company"].sections
    lines = vault.text(note).split("\n")
    heads = note.headings
    found: dict[str, int] = {}
    for i, head in enumerate(heads):
        title = next((w for w in wanted if normalise_title(w) == normalise_title(head.text)), None)
        if title is None or title in found:
            continue
        found[title] = len(words(plain_text("\n".join(section_lines(heads, i, lines)))))
    if not found:
        body = "\n".join(
            line for line in lines[note.body_line - 1 :] if not line.lstrip().startswith("#")
        )
        n = len(words(plain_text(body)))
        if n >= need * len(wanted):
            return []
        sections = " and ".join(f"'{w}'" for w in wanted)
        return [f"no {sections} sections and {_plural(n, 'word')} of research"]
    gaps = []
    for title in wanted:
        n = found.get(title)
        if n is None:
            gaps.append(f"no '{title}' section")
        elif n == 0:
            gaps.append(f"'{title}' is empty")
        elif n < need:
            gaps.append(f"'{title}' has {_plural(n, 'word')} ({need}+ wanted)")
    return gaps


def sessions_needed(cov: Coverage, t: Thresholds) -> int:
    """Practice sessions that meet the bar still needed by the ready stories, plus those
    for the stories still to write."""
    ready = [s for s in cov.stories if s.ready]
    missing = sum(max(0, t.practice_min - s.sessions_counted) for s in ready)
    return missing + max(0, t.stories_min - len(ready)) * t.practice_min


def plan_days(vault: Vault, cov: Coverage) -> int:
    """Days the remaining work needs: a day for each story to fix or write, then
    ``thresholds.practice_per_day`` practice sessions a day."""
    t = vault.config.thresholds
    ready = len(cov.ready_stories)
    to_fix = len(cov.stories) - ready
    to_write = max(0, t.stories_min - len(cov.stories))
    return to_fix + to_write + math.ceil(sessions_needed(cov, t) / t.practice_per_day)


def _counted_why(label: str, skipped: list[tuple[str, list[str]]]) -> str:
    """``label``, then the stories that did not count and the rules that stopped them
    (``coverage`` and the home page list the findings in full)."""
    if not skipped:
        return label

    def rules(reasons: list[str]) -> str:
        return ", ".join(dict.fromkeys(r.split(" (line", 1)[0] for r in reasons))

    shown = "; ".join(f"'{name}' ({rules(why)})" for name, why in skipped[:3])
    more = f"; and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    return f"{label}; not counted: {shown}{more}"


def checklist(vault: Vault, cov: Coverage) -> list[ChecklistItem]:
    t = vault.config.thresholds
    ready = [s for s in cov.stories if s.ready]
    broken = [(s.title, s.not_ready) for s in cov.stories if not s.ready]
    n, total = len(ready), len(cov.stories)
    items: list[ChecklistItem] = []

    ok = t.stories_min <= n and total <= t.stories_max
    why = f"{_plural(n, 'ready story')} ({t.stories_min}-{t.stories_max} wanted)"
    if total > t.stories_max:
        why += f"; {total} in all, more than {t.stories_max} to keep fresh"
    items.append(ChecklistItem(CHECKLIST[0], ok, _counted_why(why, broken)))

    narrow = [s.title for s in cov.stories if len(s.question_types) < t.story_types_min]
    if not cov.stories:
        ok, why = False, "no stories yet"
    elif narrow:
        ok, why = False, f"fewer than {t.story_types_min} question types: {_names(narrow)}"
    else:
        ok, why = True, f"every story covers at least {t.story_types_min} question types"
    items.append(ChecklistItem(CHECKLIST[1], ok, why))

    vague = [(s.title, s.metrics) for s in ready if s.metrics]
    if not ready:
        ok, why = False, "no ready stories yet"
    elif vague:
        ok = False
        why = "; ".join(f"'{name}': {found[0]}" for name, found in vague[:3])
        why += f"; and {len(vague) - 3} more" if len(vague) > 3 else ""
    else:
        ok, why = True, "every ready story states its result in figures (ST004 clean)"
    items.append(ChecklistItem(CHECKLIST[2], ok, why))

    f = len(cov.failure_stories)
    ok = f >= t.failure_stories_min
    why = (
        f"{_plural(f, 'ready failure story')} (failure: true, with Applied); "
        f"{t.failure_stories_warn} recommended"
    )
    skipped = [(s.title, s.not_ready) for s in cov.stories if s.failure and not s.ready]
    items.append(ChecklistItem(CHECKLIST[3], ok, _counted_why(why, skipped)))

    total_asks = sum(len(v) for v in cov.asks.values())
    empty = [c for c in ASK_CATEGORIES if not cov.asks.get(c)]
    ok = total_asks >= t.asks_min and not empty
    why = f"{_plural(total_asks, 'question')} to ask ({t.asks_min}+ wanted)"
    if empty:
        why += f"; none about {', '.join(empty)}"
    items.append(ChecklistItem(CHECKLIST[4], ok, why))

    low = [s for s in ready if s.sessions_counted < t.practice_min]
    bar = (
        f"within {format_seconds(t.short_version_warn_s)}, no red flag, "
        f"average score {t.practice_score_min:g}+"
    )
    if not ready:
        ok, why = False, "no ready stories to practise yet"
    elif low:
        ok = False
        why = f"fewer than {t.practice_min} sessions that meet the bar ({bar}): " + ", ".join(
            f"'{s.title}' {s.sessions_counted} of {t.practice_min}" for s in low[:3]
        )
        why += f" and {len(low) - 3} more" if len(low) > 3 else ""
    else:
        ok = True
        why = f"every ready story practised {t.practice_min}+ times at the bar ({bar})"
    names = {s.path: s.title for s in cov.stories}
    missed = [
        (f"{p.date or 'undated'} {names.get(p.story or '', p.path)}", p.not_counted)
        for p in cov.practice
        if not p.counted
    ]
    if missed:
        why += f"; {_plural(len(missed), 'session')} did not count"
    items.append(ChecklistItem(CHECKLIST[5], ok, why))

    items.append(ChecklistItem(CHECKLIST[6], *_research_item(vault, cov)))
    return items


def _research_item(vault: Vault, cov: Coverage) -> tuple[bool, str]:
    if not cov.companies:
        return False, "no company note (type: company)"
    # The next interview's company when there is one; else any company note.
    judged = [cov.company] if cov.company is not None else cov.companies
    gaps = {p: research_gaps(vault, vault.notes[p]) for p in judged}
    done = [vault.notes[p].title for p, g in gaps.items() if not g]
    if done:
        return True, f"research in {_names(done)}"
    path, first = next(iter(gaps.items()))
    return False, f"'{vault.notes[path].title}': {'; '.join(first)}"


def _sentence(text: str) -> str:
    """A message as a whole sentence: capital first letter, one full stop at the end."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _days_sentence(vault: Vault, cov: Coverage) -> str:
    """How many days are left until the interview and whether the plan fits them."""
    if cov.days_left is None or cov.company is None or cov.interview_date is None:
        return ""
    t = vault.config.thresholds
    name = vault.notes[cov.company].title
    when = f"the {name} interview on {cov.interview_date.isoformat()}"
    if cov.days_left < 0:
        return f"The date of {when} has passed: update interview_date for the next one."
    need = cov.plan_days or 0
    if cov.days_left == 0:
        left = f"{when[0].upper()}{when[1:]} is today"
    else:
        left = f"{_plural(cov.days_left, 'day')} left until {when}"
    if need == 0:
        return f"{left}."
    plan = (
        f"the plan needs about {_plural(need, 'day')} (a day per story to fix or write, "
        f"{t.practice_per_day} practice sessions a day)"
    )
    if need <= cov.days_left:
        return f"{left}: {plan}, so it fits."
    return f"{left}: {plan}, more than that; fix and practise the stories you lead with first."


def next_action(vault: Vault, cov: Coverage) -> str:
    """The single most useful thing to do next, in the seed's order of importance, with
    the days left until the interview when a company note gives its date."""
    action = _sentence(_next_step(vault, cov))
    days = _days_sentence(vault, cov)
    return f"{action} {days}" if days else action


def _next_step(vault: Vault, cov: Coverage) -> str:
    t = vault.config.thresholds
    n = len(cov.stories)
    if n == 0:
        return "write your first STAR story: starvault new story 'Title'"
    broken = [s for s in cov.stories if not s.ready]
    if broken:
        s = broken[0]
        more = len(broken) - 1
        also = f" ({_plural(more, 'other story')} also {'has' if more == 1 else 'have'} errors)"
        return f"fix '{s.title}' ({s.path}), {s.not_ready[0]}" + (also if more else "")
    for qt in cov.question_types:
        if not qt.stories:
            return f"no story covers {qt.key}: add one, or tag a story that fits"
    if not cov.failure_stories:
        return "no failure story: write one (failure: true) with what you learned and applied"
    if n < t.stories_min:
        return f"only {_plural(n, 'story')}: write {t.stories_min - n} more"
    if n > t.stories_max:
        return (
            f"{_plural(n, 'story')}: more than {t.stories_max} are hard to keep fresh; merge "
            "or drop the weakest"
        )
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
    for s in cov.stories:
        if s.metrics:
            return f"put figures in '{s.title}' ({s.path}), {s.metrics[0]}"
    gap = staff_signal_gap(vault, cov)
    if gap is not None:
        signal, have = gap
        shown = f"only {_names([vault.notes[p].title for p in have])} shows" if have else "no "
        need = vault.config.thresholds.staff_signal_stories_min
        return (
            f"{shown}{'' if have else 'ready story shows'} {signal}, a Staff+ look-for "
            f"({need} stories wanted at {cov.target_level} level): list it under signals "
            "in a story that shows it, or write one"
        )
    least = min(
        cov.stories, key=lambda s: (s.sessions_counted, s.last_practice or datetime.date.min)
    )
    if least.sessions_counted < t.practice_min:
        return (
            f"practise '{least.title}' out loud: {least.sessions_counted} of "
            f"{t.practice_min} sessions meet the bar (within "
            f"{format_seconds(t.short_version_warn_s)}, no red flag, average score "
            f"{t.practice_score_min:g}+); run starvault practice"
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


def staff_signal_gap(vault: Vault, cov: Coverage) -> tuple[str, list[str]] | None:
    """The first Staff+ look-for shown by too few ready stories, at staff level and
    above: (look-for, the ready stories that show it). None when all are covered."""
    if cov.target_level == "senior" or not cov.stories:
        return None
    need = vault.config.thresholds.staff_signal_stories_min
    for signal, have in cov.signals.items():
        if len(have) < need:
            return signal, have
    return None
