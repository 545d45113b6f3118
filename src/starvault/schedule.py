"""Spaced repetition of the stories, rebuilt from the practice log on every run.

Each story is one FSRS card (the ``fsrs`` package). Its practice notes are replayed in date
order, each as a review whose rating comes from the session itself (:func:`rate`), with
fuzzing off: the same notes and the same day give the same schedule, and there is no state
anywhere but the notes. With an interview ahead (a company note's ``interview_date``), no
interval reaches past the eve of the interview, and the desired retention rises to
``thresholds.review_retention_short`` once the interview is within
``thresholds.review_short_window_days``.

A session's rating, from what :mod:`starvault.coverage` already judges (its bar, its red
flags, its average self-score), with every number from ``starvault.toml``:

- **Again**: a red flag ticked, the answer over ``short_version_error_s`` (the seed's
  "over three minutes"), or an average self-score below ``review_again_below``;
- **Hard**: otherwise, a session that does not meet the practice bar (over the target
  time, average below ``practice_score_min``, no scores or no time recorded);
- **Good**: a session that meets the bar;
- **Easy**: one that meets the bar with an average of ``review_easy_from`` or more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import fsrs

    from .config import Thresholds
    from .coverage import Coverage, PracticeInfo
    from .vault import Vault

# FSRS's ratings, by value (fsrs.Rating: Again=1, Hard=2, Good=3, Easy=4).
RATINGS = {1: "again", 2: "hard", 3: "good", 4: "easy"}
# Practice notes carry a day, not a time: every session is placed at noon UTC.
_NOON = dt.time(12, 0, tzinfo=dt.timezone.utc)


@dataclass
class Review:
    """One replayed session."""

    path: str  # the practice note
    date: dt.date
    rating: int  # 1-4, see RATINGS
    why: str  # how the rating was derived
    due: dt.date  # the story's due date after this session


@dataclass
class ScheduleItem:
    story: str  # note path
    title: str
    due: dt.date
    recall: float  # FSRS's estimated probability of recall today, 0..1 (0: never practised)
    sessions: int  # sessions replayed (dated, not after today)
    last: dt.date | None
    reviews: list[Review] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "story": self.story,
            "due": self.due.isoformat(),
            "recall": self.recall,
            "sessions": self.sessions,
            "last": self.last.isoformat() if self.last else None,
        }


@dataclass
class Schedule:
    today: dt.date
    interview_date: dt.date | None  # the next interview, when a company note dates it
    company: str | None  # that company's note
    retention: float  # the desired retention used
    max_interval: int  # days
    items: list[ScheduleItem]  # most due first

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "today": self.today.isoformat(),
            "interview_date": self.interview_date.isoformat() if self.interview_date else None,
            "items": [i.to_dict() for i in self.items],
        }

    def item(self, story: str) -> ScheduleItem | None:
        return next((i for i in self.items if i.story == story), None)

    @property
    def due(self) -> list[ScheduleItem]:
        """The stories due today or earlier, weakest (lowest recall) first."""
        return sorted(
            (i for i in self.items if i.due <= self.today),
            key=lambda i: (i.recall, i.due, i.story),
        )


def rate(p: PracticeInfo, t: Thresholds) -> tuple[int, str]:
    """A session's FSRS rating (1-4) and why, from the coverage model's judgement of it."""
    from .coverage import format_seconds, session_problems

    if p.red_flags:
        return 1, f"red flag ticked: {', '.join(p.red_flags)}"
    if p.duration_s is not None and p.duration_s > t.short_version_error_s:
        return 1, (
            f"{format_seconds(p.duration_s)}, over the "
            f"{format_seconds(t.short_version_error_s)} limit"
        )
    if p.average is not None and p.average < t.review_again_below:
        return 1, f"average self-score {p.average:g}, below {t.review_again_below:g}"
    problems = [w for w in session_problems(p, t) if w != "no story linked"]
    if problems:
        return 2, "; ".join(problems)
    if p.average is not None and p.average >= t.review_easy_from:
        return 4, f"meets the bar, average self-score {p.average:g}"
    return 3, "meets the bar"


@lru_cache(maxsize=64)
def _scheduler(retention: float, max_interval: int) -> fsrs.Scheduler:
    import fsrs

    # No learning steps: a story is rehearsed once a day at most, so every session is a
    # review measured in days. No fuzzing: the schedule must replay the same every time.
    return fsrs.Scheduler(
        desired_retention=retention,
        learning_steps=(),
        relearning_steps=(),
        maximum_interval=max(1, max_interval),
        enable_fuzzing=False,
    )


def _at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, _NOON)


def interview(vault: Vault, today: dt.date) -> tuple[str | None, dt.date | None]:
    """The company note of the next interview and its date (None when none is ahead)."""
    from .coverage import _target_company
    from .stories import as_date

    company = _target_company(vault, today)
    if company is None:
        return None, None
    date = as_date(company.meta.get("interview_date"))
    if date is None or date < today:
        return company.path, None
    return company.path, date


def build(vault: Vault, cov: Coverage, today: dt.date) -> Schedule:
    """Replay every story's practice sessions up to ``today`` into its schedule.

    Kept on the Coverage it was built from (outside its fields, like ``Coverage.story``'s
    index): coverage, the site and ``practice`` all ask for the same day's schedule.
    """
    memo: dict[dt.date, Schedule] = cov.__dict__.setdefault("_schedules", {})
    hit = memo.get(today)
    if hit is not None:
        return hit
    t = vault.config.thresholds
    company, date = interview(vault, today)
    short = date is not None and (date - today).days <= t.review_short_window_days
    retention = t.review_retention_short if short else t.review_retention
    sessions: dict[str, list[PracticeInfo]] = {}
    for p in cov.practice:
        if p.story is not None and p.date is not None and p.date <= today:
            sessions.setdefault(p.story, []).append(p)
    items = []
    for s in cov.stories:
        mine = sorted(sessions.get(s.path, []), key=lambda p: (p.date, p.path))
        items.append(_replay(s.path, s.title, mine, t, today, date, retention))
    items.sort(key=lambda i: (i.due, i.recall, i.story))
    memo[today] = Schedule(today, date, company, retention, t.review_max_interval_days, items)
    return memo[today]


def _replay(
    path: str,
    title: str,
    sessions: list[PracticeInfo],
    t: Thresholds,
    today: dt.date,
    interview_date: dt.date | None,
    retention: float,
) -> ScheduleItem:
    if not sessions:
        return ScheduleItem(path, title, today, 0.0, 0, None)
    import fsrs

    card = fsrs.Card(card_id=1)  # a fixed id: Card() would take the clock's
    reviews: list[Review] = []
    scheduler = _scheduler(retention, t.review_max_interval_days)
    for p in sessions:
        assert p.date is not None
        limit = t.review_max_interval_days
        if interview_date is not None:
            # The last rehearsal falls on the eve of the interview at the latest.
            limit = min(limit, (interview_date - p.date).days - 1)
        scheduler = _scheduler(retention, limit)
        rating, why = rate(p, t)
        card, _log = scheduler.review_card(card, fsrs.Rating(rating), _at_noon(p.date))
        due = _capped(card.due.date(), interview_date)
        reviews.append(Review(p.path, p.date, rating, why, due))
    recall = scheduler.get_card_retrievability(card, _at_noon(today))
    return ScheduleItem(
        path,
        title,
        reviews[-1].due,
        round(float(recall), 3),
        len(sessions),
        sessions[-1].date,
        reviews,
    )


def _capped(due: dt.date, interview_date: dt.date | None) -> dt.date:
    return min(due, interview_date) if interview_date is not None else due


def schedule(vault: Vault, today: dt.date | None = None) -> Schedule:
    """The schedule of a loaded vault on ``today`` (default: :func:`coverage.today`)."""
    from .coverage import compute
    from .coverage import today as current_day

    return build(vault, compute(vault), today or current_day())
