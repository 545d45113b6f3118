"""CV: coverage of the interview, from the seed's pre-interview checklist.

These rules read the one coverage model (:func:`starvault.coverage.compute`). They apply
to interview-prep vaults only: a vault with no story, question, question-type, principle,
ask or practice note (say, course pages alone) gets no CV findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..coverage import (
    ASK_CATEGORIES,
    Coverage,
    _plural,
    avoided_topics,
    compute,
    format_seconds,
    is_prep_vault,
)
from ..scan import field_line
from . import Finding, rule

if TYPE_CHECKING:
    from ..vault import Vault


def _coverage(vault: Vault) -> Coverage | None:
    return compute(vault) if is_prep_vault(vault) else None


def _line(vault: Vault, path: str, key: str) -> int:
    note = vault.notes.get(path)
    return (field_line(note, key) if note is not None else None) or 1


@rule("CV001", "story-count", inputs="coverage")
def story_count(vault: Vault) -> Iterator[Finding]:
    """Fewer than five ready stories.

    The seed's checklist: "five to seven prepared stories with variations". A story is
    prepared (ready) when the ST and FM rules report no error on it: an empty template or
    a story without its Action does not count. The bound is ``thresholds.stories_min``;
    more than ``stories_max`` is CV009. Reported at the vault (path ``.``), naming the
    stories that do not count and why.

    **Anti-pattern**

    Six stories, of which three are templates with empty STAR sections.

    **Best practice**

    Six stories, each with every STAR part written and no error from ``check``.
    """
    cov = _coverage(vault)
    if cov is None:
        return
    t = vault.config.thresholds
    n = len(cov.ready_stories)
    if n >= t.stories_min:
        return
    message = (
        f"{_plural(n, 'ready story')}: the checklist asks for {t.stories_min}-"
        f"{t.stories_max}; write or finish {t.stories_min - n} more (type: story)"
    )
    broken = [s for s in cov.stories if not s.ready]
    if broken:
        shown = ", ".join(f"'{s.title}' ({s.not_ready[0].split(':', 1)[0]})" for s in broken[:3])
        more = f" and {len(broken) - 3} more" if len(broken) > 3 else ""
        message += f"; not counted, with errors: {shown}{more}"
    yield Finding(".", 1, 1, message)


@rule("CV009", "too-many-stories", severity="warning", inputs="coverage")
def too_many_stories(vault: Vault) -> Iterator[Finding]:
    """More than seven stories.

    The seed asks for five to seven: more than you can keep fresh blurs them on the day,
    and practice spreads too thin to reach three good sessions each. Every story note
    counts here, ready or not. The bound is ``thresholds.stories_max``. Reported at the
    vault (path ``.``).

    **Anti-pattern**

    Eleven stories, four of them variations of the same launch.

    **Best practice**

    Six distinct stories; merge the variations into one story's Follow-ups.
    """
    cov = _coverage(vault)
    if cov is None:
        return
    t = vault.config.thresholds
    n = len(cov.stories)
    if n > t.stories_max:
        yield Finding(
            ".",
            1,
            1,
            f"{_plural(n, 'story')}: more than {t.stories_max} are hard to keep fresh; merge "
            f"variations or drop the weakest to reach {t.stories_min}-{t.stories_max}",
        )


@rule("CV010", "staff-signals", inputs="coverage")
def staff_signals_covered(vault: Vault) -> Iterator[Finding]:
    """A Staff+ look-for shown by fewer than two ready stories (at staff level and above).

    The seed: at Staff+ interviewers look for organizational impact, dealing with
    ambiguity, technical leadership and cross-functional work. With ``target_level``
    staff or principal (``starvault.toml``, or a company note's ``level``), each of the
    four (org-impact, ambiguity, technical-leadership, cross-functional) must be shown
    by ``thresholds.staff_signal_stories_min`` ready stories: an error when none shows
    it, a warning when too few do. A story shows a look-for through its ``signals``
    field (and its text, where the red-flag rules read it). Reported at the vault.

    **Anti-pattern**

    Six ready stories at staff level, none of which changed anything beyond one team
    (no ``org-impact``).

    **Best practice**

    ``signals: [org-impact, technical-leadership]`` on the two stories where a launch
    standard was adopted by four teams.
    """
    from ..coverage import staff_signal_gap

    cov = _coverage(vault)
    if cov is None or staff_signal_gap(vault, cov) is None:
        return
    need = vault.config.thresholds.staff_signal_stories_min
    names = {s.path: s.title for s in cov.stories}
    for signal, have in cov.signals.items():
        if len(have) >= need:
            continue
        shown = ", ".join(f"'{names[p]}'" for p in have)
        yield Finding(
            ".",
            1,
            1,
            f"{signal} is shown by {_plural(len(have), 'ready story')}"
            + (f" ({shown})" if shown else "")
            + f"; a {cov.target_level}-level interview looks for it in {need}: add "
            f"{signal} to the signals of a story that shows it, or write one",
            target=signal,
            severity="error" if not have else "warning",
        )


@rule("CV002", "story-breadth", severity="warning", inputs="coverage")
def story_breadth(vault: Vault) -> Iterator[Finding]:
    """A story that covers fewer than two question types.

    The seed's question matrix: "each story should cover two to three question types",
    so five to seven stories answer every kind of question. Reported at the story.

    **Anti-pattern**

    ``question_types: [leadership]``

    **Best practice**

    ``question_types: [leadership, conflict, ambiguity]``
    """
    cov = _coverage(vault)
    if cov is None:
        return
    need = vault.config.thresholds.story_types_min
    keys = ", ".join(qt.key for qt in cov.question_types)
    for s in cov.stories:
        if len(s.question_types) < need:
            yield Finding(
                s.path,
                _line(vault, s.path, "question_types"),
                1,
                f"covers {_plural(len(s.question_types), 'question type')}: list at least "
                f"{need} it can answer under question_types (from: {keys})",
            )


@rule("CV003", "uncovered-question-type", inputs="coverage")
def uncovered_question_type(vault: Vault) -> Iterator[Finding]:
    """A question type that no story covers.

    Reported at the question-type note (at the vault for a type from the config).

    **Anti-pattern**

    A ``conflict`` question-type note and no story with ``conflict`` in
    ``question_types``.

    **Best practice**

    Tag a story that fits (``question_types: [leadership, conflict]``) or write one.
    """
    cov = _coverage(vault)
    if cov is None:
        return
    for qt in cov.question_types:
        if not qt.stories:
            path = qt.path or "."
            line = _line(vault, path, "key") if qt.path else 1
            yield Finding(
                path,
                line,
                1,
                f"no story covers {qt.key}: add one, or tag a story that fits "
                f"(question_types: [..., {qt.key}])",
            )


@rule("CV004", "too-few-failure-stories", inputs="coverage")
def too_few_failure_stories(vault: Vault) -> Iterator[Finding]:
    """No failure story (an error), or only one (a warning).

    The seed calls "tell me about a project that failed" a mandatory question and asks
    for two to three stories. Mark them ``failure: true``. Bounds:
    ``thresholds.failure_stories_min`` and ``failure_stories_warn``.

    **Anti-pattern**

    Six success stories.

    **Best practice**

    Two stories with ``failure: true``, each with Learnings and Applied.
    """
    cov = _coverage(vault)
    if cov is None:
        return
    t = vault.config.thresholds
    n = len(cov.failure_stories)
    if n >= t.failure_stories_warn and n >= t.failure_stories_min:
        return
    severity = "error" if n < t.failure_stories_min else "warning"
    yield Finding(
        ".",
        1,
        1,
        f"{_plural(n, 'failure story')}: prepare {t.failure_stories_warn} (failure: true), "
        "with what you learned and how you applied it",
        severity=severity,
    )


@rule("CV005", "questions-to-ask", severity="warning", inputs="coverage")
def questions_to_ask(vault: Vault) -> Iterator[Finding]:
    """Too few questions to ask, a category with none, or a topic to avoid.

    The seed: prepare three to five questions, about the team, the culture and growth;
    do not ask about compensation at the behavioral stage or what the website says. Too
    few is an error at the vault; an empty category is reported at the vault; a topic
    from ``avoid_topics`` at the ask note.

    **Anti-pattern**

    ``title: "What is the salary range?"`` (``type: ask``)

    **Best practice**

    ``title: "How does the team balance research and production delivery?"``
    """
    cov = _coverage(vault)
    if cov is None:
        return
    need = vault.config.thresholds.asks_min
    total = sum(len(v) for v in cov.asks.values())
    if total < need:
        yield Finding(
            ".",
            1,
            1,
            f"{_plural(total, 'question')} to ask the interviewer: prepare at least {need} "
            "(type: ask, category: team, culture or growth)",
            severity="error",
        )
    for category in ASK_CATEGORIES:
        if not cov.asks.get(category):
            yield Finding(
                ".",
                1,
                1,
                f"no question to ask about {category}: add one (type: ask, category: {category})",
            )
    for asks in cov.asks.values():
        for ask in asks:
            note = vault.notes[ask.path]
            for topic in avoided_topics(vault, note):
                yield Finding(
                    ask.path,
                    _line(vault, ask.path, "title"),
                    1,
                    f"asks about {topic}, a topic to avoid at the behavioral stage: ask "
                    "about the team, the culture or growth instead",
                    target=topic,
                )


@rule("CV006", "uncovered-principle", severity="warning", inputs="coverage")
def uncovered_principle(vault: Vault) -> Iterator[Finding]:
    """A principle that no story demonstrates.

    A story demonstrates a principle by linking it under ``principles``. Reported at the
    principle note.

    **Anti-pattern**

    ``Principles/Ownership.md`` and no story with ``"[[Ownership]]"`` in ``principles``.

    **Best practice**

    ``principles: ["[[Ownership]]", "[[Deliver Results]]"]`` in the story that shows it.
    """
    cov = _coverage(vault)
    if cov is None:
        return
    for p in cov.principles:
        if not p.stories:
            yield Finding(
                p.path,
                1,
                1,
                f"no story demonstrates '{p.title}': add \"[[{vault.notes[p.path].name}]]\" "
                "to the principles of a story that shows it",
            )


@rule("CV007", "under-practised", severity="warning", inputs="coverage")
def under_practised(vault: Vault) -> Iterator[Finding]:
    """A story practised out loud fewer than three times at the bar.

    Practice sessions are ``type: practice`` notes whose ``story`` links the story
    (``starvault practice`` writes them). A session counts when it meets the bar: within
    the two-minute target (``thresholds.short_version_warn_s``), no red flag ticked (in
    ``red_flags`` or as a ticked box under "Red flags"), and an average self-score of
    ``thresholds.practice_score_min`` (4 of 5) or more. The bound is
    ``thresholds.practice_min``.

    **Anti-pattern**

    Eighteen one-minute sessions with no scores, or three rambling four-minute takes.

    **Best practice**

    Three logged sessions under two minutes, scored 4+, at least one with a partner.
    """
    cov = _coverage(vault)
    if cov is None:
        return
    t = vault.config.thresholds
    need = t.practice_min
    for s in cov.stories:
        if s.sessions_counted >= need:
            continue
        missed = s.practice_count - s.sessions_counted
        extra = f"; {_plural(missed, 'other session')} did not" if missed else ""
        yield Finding(
            s.path,
            1,
            1,
            f"{_plural(s.sessions_counted, 'practice session')} met the bar ({need} wanted: "
            f"within {format_seconds(t.short_version_warn_s)}, no red flag, average "
            f"score {t.practice_score_min:g}+){extra}: run 'starvault practice' or log a "
            f'practice note with story: "[[{s.name}]]"',
        )


@rule("CV008", "unanswered-question", severity="warning", inputs="coverage")
def unanswered_question(vault: Vault) -> Iterator[Finding]:
    """A question with no story to answer it.

    A question lists its stories under ``stories`` (links). Reported at the question.

    **Anti-pattern**

    ``stories: []`` on "Describe a disagreement with a colleague".

    **Best practice**

    ``stories: ["[[Model Launch Disagreement]]"]``
    """
    cov = _coverage(vault)
    if cov is None:
        return
    for q in cov.questions:
        if not q.stories:
            line = _line(vault, q.path, "stories")
            hint = f" of type {q.question_type}" if q.question_type else ""
            yield Finding(
                q.path,
                line,
                1,
                f'no story answers this question: link a story{hint} under stories: ["[[Story]]"]',
            )
