"""Interview loop plans: one counted story per round of a company's loop.

A company note lists its rounds (``rounds: [{name: "Hiring manager", focus: [leadership,
"[[Ownership]]"]}]``; focus items are question-type keys or links to principles). A story
covers a focus item when it lists the key under ``question_types`` or links the principle
under ``principles``. Only counted stories (no error finding, see starvault.coverage) take
part, and a loop never hears the same story twice.

Choosing the stories is an assignment problem, solved exactly as a maximum-weight matching
of the bipartite graph rounds × stories (networkx): first as many rounds covered as
possible, then as many focus items covered in all, then stories that show the principles
the company emphasises (its ``principles`` field) and stories practised more at the bar.
A greedy pass, round by round, can spend on the first round the only story a later round
could use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .markdown.syntax import whole_wikilink

if TYPE_CHECKING:
    from .coverage import Coverage, StoryInfo
    from .scan import Note
    from .vault import Vault


@dataclass
class Focus:
    text: str  # as written in the note
    label: str  # a key, or the linked note's title
    key: str | None = None  # a question-type key
    path: str | None = None  # the linked note


@dataclass
class Round:
    name: str
    focus: list[Focus]
    story: str | None = None  # note path
    why: str = ""
    covered: list[str] = field(default_factory=list)  # focus labels the story covers

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "focus": [f.text for f in self.focus],
            "story": self.story,
            "why": self.why,
        }


@dataclass
class Plan:
    company: str  # note path
    interview_date: dt.date | None
    days_left: int | None  # from today; negative once the date has passed
    rounds: list[Round]
    gaps: list[str]  # names of the rounds no counted story covers
    problems: list[str] = field(default_factory=list)  # rounds that could not be read

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "company": self.company,
            "rounds": [r.to_dict() for r in self.rounds],
            "gaps": list(self.gaps),
        }


def find_company(vault: Vault, name: str) -> Note:
    """A company note named as a link names it, or by its ``name`` field; else a clear
    :class:`~starvault.authoring.AuthoringError` that lists the companies."""
    from .authoring import AuthoringError, resolve_note

    try:
        return resolve_note(vault, name, "company")
    except AuthoringError as exc:
        wanted = name.strip().casefold()
        companies = sorted(vault.notes_of_type("company"), key=lambda n: n.path)
        same = [n for n in companies if str(n.meta.get("name", "")).strip().casefold() == wanted]
        if len(same) == 1:
            return same[0]
        known = ", ".join(n.title for n in companies) or "none yet (starvault new company NAME)"
        raise AuthoringError(f"{exc}; company notes: {known}") from None


def read_rounds(vault: Vault, note: Note) -> tuple[list[Round], list[str]]:
    """The rounds a company note lists, and what could not be read (FM003 reports it)."""
    from .coverage import linked_paths

    value = note.meta.get("rounds")
    if value is None:
        return [], []
    if not isinstance(value, list):
        return [], ["'rounds' is not a list of mappings (see starvault check)"]
    rounds, problems = [], []
    for i, item in enumerate(value, 1):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, (str, int, float)) or not str(name).strip():
            problems.append(f"'rounds' item {i} has no name and is left out (see starvault check)")
            continue
        raw = item.get("focus")
        items = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
        focus = []
        for text in items:
            if not isinstance(text, str) or not text.strip():
                continue
            m = whole_wikilink(text)
            if m:
                paths = linked_paths(vault, note, text)
                path = paths[0] if paths else None
                label = vault.notes[path].title if path else m.target.path
                focus.append(Focus(text, label, path=path))
            else:
                focus.append(Focus(text, text.strip(), key=text.strip()))
        rounds.append(Round(str(name).strip(), focus))
    return rounds, problems


def _covers(story: StoryInfo, focus: Focus) -> bool:
    if focus.key is not None:
        return focus.key in story.question_types
    return focus.path is not None and focus.path in story.principles


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def plan(vault: Vault, company: Note, today: dt.date | None = None) -> Plan:
    """The loop plan of ``company``: a counted story per round, never one twice."""
    import networkx as nx

    from .coverage import compute
    from .coverage import today as current_day
    from .stories import as_date

    day = today or current_day()
    cov = compute(vault)
    rounds, problems = read_rounds(vault, company)
    stories = [s for s in cov.stories if s.ready]
    from .coverage import linked_paths

    emphasised = set(linked_paths(vault, company, company.meta.get("principles")))

    def bonus(s: StoryInfo) -> int:
        # Tie-breakers, worth less than one focus item in all rounds together.
        return 10 * len(emphasised & set(s.principles)) + min(s.sessions_counted, 9)

    # Lexicographic weights in one integer: covered rounds, then focus items covered, then
    # the tie-breakers, then the earlier round. Each level outweighs any sum of the next.
    level = 1 + len(rounds) * (1 + max([len(r.focus) for r in rounds] + [0]))
    level = max(level, 1 + len(rounds) * (1 + max((bonus(s) for s in stories), default=0)))
    graph = nx.Graph()
    for i, r in enumerate(rounds):
        for s in stories:
            hits = sum(_covers(s, f) for f in r.focus)
            if r.focus and not hits:
                continue
            weight = ((int(bool(r.focus)) * level + hits) * level + bonus(s)) * level
            graph.add_edge(("round", i), ("story", s.path), weight=weight + len(rounds) - i)
    matching = nx.max_weight_matching(graph, maxcardinality=False)
    chosen: dict[int, str] = {}
    for a, b in matching:
        r_node, s_node = (a, b) if a[0] == "round" else (b, a)
        chosen[r_node[1]] = s_node[1]
    by_path = {s.path: s for s in stories}
    for i, r in enumerate(rounds):
        r.story = chosen.get(i)
        r.why = _why(r, by_path, stories, cov)
    date = as_date(company.meta.get("interview_date"))
    return Plan(
        company.path,
        date,
        (date - day).days if date is not None else None,
        rounds,
        [r.name for r in rounds if r.story is None],
        problems,
    )


def _why(r: Round, by_path: dict[str, StoryInfo], stories: list[StoryInfo], cov: Coverage) -> str:
    if not stories:
        n = len(cov.stories)
        return (
            f"no counted story yet ({n} written; a story counts when check reports no error on it)"
            if n
            else "no stories yet (starvault new story TITLE)"
        )
    if r.story is not None:
        s = by_path[r.story]
        if not r.focus:
            return f"no focus listed: '{s.title}', a counted story no other round uses"
        r.covered = [f.label for f in r.focus if _covers(s, f)]
        missing = [f for f in r.focus if not _covers(s, f)]
        why = f"'{s.title}' covers {_and(r.covered)}"
        if missing:
            why += "; " + "; ".join(_missing(f, stories, r.story) for f in missing)
        return why
    if not r.focus:
        return f"every counted story ({len(stories)}) is told in another round"
    able = [s for s in stories if any(_covers(s, f) for f in r.focus)]
    labels = _or([f.label for f in r.focus])
    if not able:
        return f"no counted story covers {labels}: tag one that fits, or write one"
    names = _and([f"'{s.title}'" for s in able])
    verb, be = ("covers", "is") if len(able) == 1 else ("cover", "are")
    return f"{names} {verb} {labels} but {be} told in another round"


def _missing(f: Focus, stories: list[StoryInfo], told: str) -> str:
    others = [s.title for s in stories if s.path != told and _covers(s, f)]
    if others:
        return f"{f.label} only in stories told in other rounds"
    return f"no counted story covers {f.label}"
