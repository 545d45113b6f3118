"""Progress you can see: each story's practice history, where the answer time goes, and
a page per company with its loop plan. View models over :mod:`starvault.coverage`,
:mod:`starvault.schedule` and :mod:`starvault.plan`; SVG made here at build time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from .. import schema
from ..authoring import situation_share
from ..coverage import Coverage, PracticeInfo, compute
from ..schedule import RATINGS, Schedule, ScheduleItem, build

if TYPE_CHECKING:
    from ..config import Thresholds
    from ..vault import Vault
    from .dashboards import DashboardPage, Inputs
    from .pages import PageBuilder


@dataclass(frozen=True)
class Progress:
    """What the story pages read: computed once per build, before workers fork."""

    cov: Coverage
    schedule: Schedule
    thresholds: Thresholds

    @classmethod
    def of(cls, vault: Vault) -> Progress:
        from ..coverage import today

        cov = compute(vault)
        return cls(cov, build(vault, cov, today()), vault.config.thresholds)

    @cached_property
    def _by_story(self) -> dict[str, list[PracticeInfo]]:
        out: dict[str, list[PracticeInfo]] = {}
        for p in self.cov.practice:
            if p.story is not None:
                out.setdefault(p.story, []).append(p)
        for sessions in out.values():
            sessions.sort(key=lambda p: (p.date is None, p.date or dt.date.min, p.path))
        return out

    @cached_property
    def _items(self) -> dict[str, ScheduleItem]:
        return {i.story: i for i in self.schedule.items}

    def sessions(self, story: str) -> list[PracticeInfo]:
        """The story's sessions, oldest first (undated last)."""
        return self._by_story.get(story, [])

    def item(self, story: str) -> ScheduleItem | None:
        return self._items.get(story)

    def key(self, story: str) -> str:
        """A hash of everything a story page shows about its practice (build keys)."""
        # repr, not json: the data is plain values built in a fixed order, and repr is
        # several times faster on thousands of stories.
        data = history_data(self, story)
        return hashlib.blake2b(repr(data).encode(), digest_size=16).hexdigest()


def history_data(progress: Progress, story: str) -> dict[str, Any]:
    """A story's practice history as plain data (the page adds links and the chart)."""
    t = progress.thresholds
    item = progress.item(story)
    ratings = {r.path: r for r in item.reviews} if item else {}
    info = progress.cov.story(story)
    sessions = []
    for p in progress.sessions(story):
        review = ratings.get(p.path)
        sessions.append(
            {
                "path": p.path,
                "date": p.date.isoformat() if p.date else "undated",
                "duration": p.duration_s,
                "over": p.duration_s is not None and p.duration_s > t.short_version_warn_s,
                "average": p.average,
                "red_flags": p.red_flags,
                "counted": p.counted,
                "why": p.not_counted,
                "rating": RATINGS[review.rating] if review else None,
                "rating_why": review.why if review else None,
                "mode": p.mode,
            }
        )
    speaking = info.speaking_seconds if info else None
    return {
        "sessions": sessions,
        "counted": sum(1 for s in sessions if s["counted"]),
        "target": t.short_version_warn_s,
        "score_min": t.practice_score_min,
        "due": item.due.isoformat() if item else None,
        "due_today": item is not None and item.due <= progress.schedule.today,
        "recall": item.recall if item and item.sessions else None,
        "interview_date": progress.schedule.interview_date,
        "speaking": speaking,
        "speaking_over": speaking is not None and speaking > t.short_version_warn_s,
    }


def story_history(builder: PageBuilder, page: str, progress: Progress, story: str) -> dict:
    """The story page's history: :func:`history_data` with links and the score chart."""
    data = history_data(progress, story)
    for s in data["sessions"]:
        s["url"] = builder.link(page, s["path"])
    data["chart"] = score_chart(progress.sessions(story), progress.thresholds)
    return data


# -- SVG -------------------------------------------------------------------------------------
def score_chart(
    sessions: list[PracticeInfo], t: Thresholds, width: int = 360, height: int = 140
) -> Markup:
    """The average self-score of each session, oldest first, against the practice bar."""
    scored = [p for p in sessions if p.average is not None]
    if not scored:
        return Markup('<p class="empty">No scored sessions yet.</p>')
    left, right, top, bottom = 28, 10, 10, 22
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(v: float) -> float:
        return top + plot_h - plot_h * (v - 1) / 4

    def x(i: int) -> float:
        return left + (plot_w / 2 if len(scored) == 1 else plot_w * i / (len(scored) - 1))

    parts = [
        f'<svg class="chart score-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="score-chart-title" xmlns="http://www.w3.org/2000/svg">',
        '<title id="score-chart-title">Average self-score per practice session, oldest '
        f"first, against the bar of {t.practice_score_min:g}</title>",
    ]
    for tick in range(1, 6):
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}"/><text class="axis" x="{left - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{tick}</text>'
        )
    bar = y(t.practice_score_min)
    parts.append(
        f'<line class="target" x1="{left}" x2="{width - right}" y1="{bar:.1f}" y2="{bar:.1f}"/>'
    )
    points = " ".join(f"{x(i):.1f},{y(p.average or 1):.1f}" for i, p in enumerate(scored))
    parts.append(f'<polyline class="trend" points="{points}"/>')
    for i, p in enumerate(scored):
        date = p.date.isoformat() if p.date else "undated"
        tip = escape(f"{date}: average {p.average:g}" + ("" if p.counted else " (not counted)"))
        kind = "counted" if p.counted else "missed"
        parts.append(
            f'<circle class="point {kind}" cx="{x(i):.1f}" cy="{y(p.average or 1):.1f}" r="4">'
            f"<title>{tip}</title></circle>"
        )
    first, last = scored[0].date, scored[-1].date
    if first and last:
        parts.append(
            f'<text class="axis" x="{left}" y="{height - 6}">{first.isoformat()}</text>'
            f'<text class="axis" x="{width - right}" y="{height - 6}" text-anchor="end">'
            f"{last.isoformat()}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def laps_view(builder: PageBuilder, page: str, inputs: Inputs) -> dict[str, Any]:
    """Where the answer time goes: each timed session's STAR laps as shares of the
    answer, and the sessions whose Situation ate more than ``situation_share_max``."""
    t = inputs.thresholds
    names = {s.path: s.title for s in inputs.cov.stories}
    rows = []
    totals = dict.fromkeys(schema.LAP_PARTS, 0.0)
    for p in inputs.cov.practice:
        total = sum(p.laps.values())
        if not p.laps or total <= 0:
            continue
        for part, seconds in p.laps.items():
            totals[part] += seconds
        situation = situation_share(p.laps) or 0.0
        rows.append(
            {
                "url": builder.link(page, p.path),
                "date": p.date.isoformat() if p.date else "undated",
                "story": names.get(p.story or "", p.story or "–"),
                "parts": [
                    {
                        "part": part,
                        "seconds": p.laps[part],
                        "share": round(100 * p.laps[part] / total, 1),
                    }
                    for part in schema.LAP_PARTS
                    if part in p.laps
                ],
                "situation": round(100 * situation),
                "long_situation": situation > t.situation_share_max,
            }
        )
    grand = sum(totals.values())
    overall = [
        {"part": part, "share": round(100 * seconds / grand, 1), "seconds": seconds}
        for part, seconds in totals.items()
        if grand > 0 and seconds > 0
    ]
    return {
        "sessions": rows,
        "overall": overall,
        "max_share": round(100 * t.situation_share_max),
        "long": sum(1 for r in rows if r["long_situation"]),
    }


# -- companies -------------------------------------------------------------------------------
def company_page(path: str, taken: set[str]) -> str:
    """``dashboards/company-<slug>.html``, unique among the companies."""
    from ..authoring import slug

    base = "dashboards/company-" + slug(path.rsplit("/", 1)[-1].removesuffix(".md"))
    out, n = base + ".html", 2
    while out in taken:
        out, n = f"{base}-{n}.html", n + 1
    taken.add(out)
    return out


def company_pages_of(vault: Vault) -> dict[str, str]:
    """Company note path -> its plan page, in a stable order."""
    taken: set[str] = set()
    notes = sorted(vault.notes_of_type("company"), key=lambda n: n.path)
    return {n.path: company_page(n.path, taken) for n in notes}


def company_view(builder: PageBuilder, page: str, path: str, inputs: Inputs) -> dict[str, Any]:
    from ..plan import plan

    vault = builder.ctx.vault
    note = vault.notes[path]
    result = plan(vault, note)
    due = set(inputs.cov.due_today)
    rounds = []
    for r in result.rounds:
        story = None
        if r.story is not None:
            story = {
                "title": vault.notes[r.story].title,
                "url": builder.link(page, r.story),
                "due": r.story in due,
            }
        rounds.append(
            {"name": r.name, "focus": [f.label for f in r.focus], "story": story, "why": r.why}
        )
    return {
        "company": {"title": note.title, "url": builder.link(page, path)},
        "role": str(note.meta.get("role") or ""),
        "interview_date": result.interview_date.isoformat() if result.interview_date else None,
        "days_left": result.days_left,
        "rounds": rounds,
        "gaps": result.gaps,
        "problems": result.problems,
    }


def loops_view(builder: PageBuilder, page: str, inputs: Inputs) -> dict[str, Any]:
    """The companies, each with its days left and a link to its plan page."""
    from ..plan import plan

    vault = builder.ctx.vault
    rows = []
    for path, out in company_pages_of(vault).items():
        result = plan(vault, vault.notes[path])
        rows.append(
            {
                "title": vault.notes[path].title,
                "url": builder.ctx.site.rel(page, out),
                "interview_date": result.interview_date.isoformat()
                if result.interview_date
                else None,
                "days_left": result.days_left,
                "rounds": len(result.rounds),
                "gaps": result.gaps,
            }
        )
    return {"companies": rows}


def company_pages(builder: PageBuilder, inputs: Inputs) -> Iterator[DashboardPage]:
    """One page per company note: its loop plan and the days left."""
    for path, out in company_pages_of(builder.ctx.vault).items():
        title = f"{builder.ctx.vault.notes[path].title}: interview loop"
        yield out, "company.html", title, company_view(builder, out, path, inputs)
