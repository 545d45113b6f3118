"""Dashboards: view models over :mod:`starvault.coverage` and ``check``, and SVG charts.

These are the static version of the Dataview tables Obsidian users build by hand. Each
dashboard is one page; its data comes from the same model ``starvault coverage`` prints, so
the site and the command line never disagree. Charts are SVG strings made here at build
time (no JavaScript library, nothing from the network).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from ..config import Thresholds
from ..coverage import Coverage, compute, format_seconds
from .progress import company_pages, laps_view, loops_view

if TYPE_CHECKING:
    from ..rules import Report
    from .pages import PageBuilder

SCORE_KEYS = ("structure", "specificity", "timing", "clarity", "conciseness", "confidence")

# (output path, template, title, view data)
DashboardPage = tuple[str, str, str, dict[str, Any]]


@dataclass(frozen=True)
class Inputs:
    """What a dashboard view reads: the coverage model, the check report, the thresholds."""

    cov: Coverage
    report: Report
    thresholds: Thresholds


@dataclass(frozen=True)
class Dashboard:
    """One dashboard page, all in one entry: where it goes (``page``), its ``title``, its
    label in the navigation (``nav``), the ``template`` that shows it (it extends
    ``dashboards.html`` and fills its ``dashboard`` block) and the ``view`` that returns
    the template's data."""

    page: str
    title: str
    nav: str
    template: str
    view: Callable[[PageBuilder, str, Inputs], dict[str, Any]]
    # More pages that belong to this one (a page per company), written after it.
    pages: Callable[[PageBuilder, Inputs], Iterator[DashboardPage]] | None = None

    @property
    def name(self) -> str:
        return self.page.rsplit("/", 1)[-1].removesuffix(".html")


def dashboard_pages(builder: PageBuilder) -> Iterator[DashboardPage]:
    """Every dashboard page of the site, home first."""
    vault = builder.ctx.vault
    from ..rules import check

    report = check(vault)
    inputs = Inputs(compute(vault), report, vault.config.thresholds)
    yield "index.html", "index.html", "Home", home_view(builder, inputs.cov, report.counts)
    for d in DASHBOARDS:
        yield (
            d.page,
            d.template,
            d.title,
            {"view": d.name, **d.view(builder, d.page, inputs)},
        )
        if d.pages is not None:
            yield from d.pages(builder, inputs)


def _note_ref(builder: PageBuilder, page: str, path: str | None) -> dict[str, Any]:
    """Title and relative URL of a note for a dashboard cell."""
    note = builder.ctx.vault.notes.get(path) if path else None
    if note is None:
        return {"title": path or "–", "url": None}
    return {"title": note.title, "url": builder.link(page, path)}


def home_view(builder: PageBuilder, cov: Coverage, counts: dict[str, int]) -> dict[str, Any]:
    page = "index.html"
    ctx = builder.ctx
    t = ctx.vault.config.thresholds
    passed = sum(1 for c in cov.checklist if c.passed)
    first_course = ctx.course_order[0] if ctx.course_order else None
    practised = [s.speaking_seconds for s in cov.stories if s.speaking_seconds is not None]
    return {
        "checklist": cov.checklist,
        "passed": passed,
        "next_action": cov.next_action,
        "counts": counts,
        "stats": [
            ("stories", len(cov.stories), "dashboards/stories.html"),
            ("failure stories", len(cov.failure_stories), "dashboards/stories.html"),
            ("question types", len(cov.question_types), "dashboards/matrix.html"),
            ("questions", len(cov.questions), "dashboards/matrix.html"),
            ("questions to ask", sum(len(v) for v in cov.asks.values()), "dashboards/asks.html"),
            ("practice sessions", len(cov.practice), "dashboards/practice.html"),
        ],
        "over_two_minutes": sum(1 for s in practised if s > t.short_version_warn_s),
        "not_ready": [
            {**_note_ref(builder, page, s.path), "why": s.not_ready}
            for s in cov.stories
            if not s.ready
        ],
        "not_counted": [
            {**_practice_row(builder, page, p, t), "why": p.not_counted}
            for p in cov.practice
            if not p.counted
        ],
        "toc": {"title": ctx.toc.title, "url": builder.link(page, ctx.toc.path)}
        if ctx.toc is not None and ctx.toc.path in ctx.site.pages
        else None,
        "start": _note_ref(builder, page, first_course) if first_course else None,
        "recent": [_practice_row(builder, page, p, t) for p in cov.practice[:5]],
        "due_today": [_note_ref(builder, page, p) for p in cov.due_today],
    }


def stories_view(builder: PageBuilder, page: str, inputs: Inputs) -> dict[str, Any]:
    target = inputs.thresholds.short_version_warn_s
    rows = []
    for s in inputs.cov.stories:
        rows.append(
            {
                **_note_ref(builder, page, s.path),
                "info": s,
                "over": s.speaking_seconds is not None and s.speaking_seconds > target,
            }
        )
    return {"stories": rows, "target": target}


def _heat(count: int, top: int) -> int:
    """A heat level 1-4 for a covered cell from how often the story was practised."""
    if top <= 0:
        return 1
    return 1 + min(3, round(3 * count / top))


def heat_legend(top: int) -> list[dict[str, Any]]:
    """What each heat level means in practice sessions ("0", "1-2", "5+"), from _heat."""
    counts: dict[int, list[int]] = defaultdict(list)
    for n in range(top + 1):
        counts[_heat(n, top)].append(n)
    out = [{"level": 0, "label": "not covered"}]
    for level in range(1, 5):
        found = counts.get(level)
        if not found:
            continue
        lo, hi = found[0], found[-1]
        sessions = "session" if hi == 1 else "sessions"
        label = f"{lo} {sessions}" if lo == hi else f"{lo}–{hi} sessions"
        out.append({"level": level, "label": label})
    return out


def matrix_view(builder: PageBuilder, page: str, inputs: Inputs) -> dict[str, Any]:
    cov = inputs.cov
    types = cov.question_types
    top = max((s.practice_count for s in cov.stories), default=0)
    rows = []
    for s in cov.stories:
        covered = cov.matrix.get(s.path, {})
        ref = _note_ref(builder, page, s.path)
        cells = []
        for t in types:
            hit = bool(covered.get(t.key))
            cells.append(
                {
                    "hit": hit,
                    "heat": _heat(s.practice_count, top) if hit else 0,
                    "label": f"{s.title} × {t.title}: "
                    + (f"covered, practised {s.practice_count}×" if hit else "not covered"),
                }
            )
        rows.append({**ref, "cells": cells, "total": sum(c["hit"] for c in cells)})
    columns = [
        {
            "title": t.title,
            "key": t.key,
            "url": builder.link(page, t.path) if t.path else None,
            "total": len(t.stories),
        }
        for t in types
    ]
    questions = [
        {
            **_note_ref(builder, page, q.path),
            "prompt": q.prompt,
            "type": q.question_type,
            "stories": [_note_ref(builder, page, p) for p in q.stories],
        }
        for q in cov.questions
    ]
    return {"columns": columns, "rows": rows, "questions": questions, "legend": heat_legend(top)}


def principles_view(builder: PageBuilder, page: str, inputs: Inputs) -> dict[str, Any]:
    cov = inputs.cov
    stories = [_note_ref(builder, page, s.path) for s in cov.stories]
    rows = []
    for p in cov.principles:
        backing = set(p.stories)
        rows.append(
            {
                **_note_ref(builder, page, p.path),
                "cells": [s.path in backing for s in cov.stories],
                "total": len(backing),
            }
        )
    return {"stories": stories, "rows": rows}


def asks_view(builder: PageBuilder, page: str, inputs: Inputs) -> dict[str, Any]:
    return {
        "categories": [
            (category, [_note_ref(builder, page, a.path) for a in asks])
            for category, asks in inputs.cov.asks.items()
        ]
    }


def _practice_row(builder: PageBuilder, page: str, p: Any, t: Thresholds) -> dict[str, Any]:
    scores = [v for k, v in p.scores.items() if k in SCORE_KEYS]
    return {
        **_note_ref(builder, page, p.path),
        "date": p.date.isoformat() if p.date else "–",
        "story": _note_ref(builder, page, p.story),
        "question": _note_ref(builder, page, p.question),
        "duration": p.duration_s,
        "over": p.duration_s is not None and p.duration_s > t.short_version_warn_s,
        "mode": p.mode,
        "score": round(sum(scores) / len(scores), 1) if scores else None,
        "counted": p.counted,
        "why": p.not_counted,
    }


def practice_view(builder: PageBuilder, page: str, inputs: Inputs) -> dict[str, Any]:
    t = inputs.thresholds
    practice = inputs.cov.practice
    return {
        "sessions": [_practice_row(builder, page, p, t) for p in practice],
        "chart": answer_time_chart(list(reversed(practice)), t),
        "target": t.short_version_warn_s,
        "score_min": t.practice_score_min,
        "laps": laps_view(builder, page, inputs),
    }


def signals_view(builder: PageBuilder, page: str, inputs: Inputs) -> dict[str, Any]:
    """Staff+ look-fors × stories: which story shows which, and which look-for is thin."""
    cov, need = inputs.cov, inputs.thresholds.staff_signal_stories_min
    required = cov.target_level != "senior"
    rows = []
    for s in cov.stories:
        shown = set(s.signals)
        rows.append(
            {
                **_note_ref(builder, page, s.path),
                "ready": s.ready,
                "cells": [
                    {
                        "hit": x in shown,
                        "label": f"{s.title} × {x}: " + ("shown" if x in shown else "not shown"),
                    }
                    for x in cov.signals
                ],
                "total": len(shown),
            }
        )
    columns = [
        {"key": x, "total": len(paths), "gap": required and len(paths) < need}
        for x, paths in cov.signals.items()
    ]
    return {
        "columns": columns,
        "rows": rows,
        "level": cov.target_level,
        "required": required,
        "need": need,
    }


# The findings page lists this many findings of each rule; the rest are on pages of
# FINDINGS_PAGE each (dashboards/findings/CODE-N.html), so no page grows with the vault.
FINDINGS_SHOWN = 20
FINDINGS_PAGE = 500


def _by_rule(report: Report) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = defaultdict(list)
    for d in report.diagnostics:  # sorted by path and line: each group stays so
        groups[d.rule].append(d)
    return dict(sorted(groups.items()))


def _finding_rows(builder: PageBuilder, page: str, found: list[Any]) -> list[dict[str, Any]]:
    notes = builder.ctx.vault.notes
    rows = []
    for d in found:
        note = notes.get(d.path)
        title = note.title if note else ("the vault as a whole" if d.path == "." else d.path)
        rows.append(
            {
                "d": d,
                "path": d.path,
                "title": title,
                "url": builder.link(page, d.path) if note else None,
            }
        )
    return rows


def _rule_page(code: str, n: int) -> str:
    return f"dashboards/findings/{code}-{n}.html"


def _rule_pages(code: str, count: int) -> list[str]:
    if count <= FINDINGS_SHOWN:
        return []
    return [_rule_page(code, i + 1) for i in range((count + FINDINGS_PAGE - 1) // FINDINGS_PAGE)]


def findings_view(builder: PageBuilder, page: str, inputs: Inputs) -> dict[str, Any]:
    """The findings grouped by rule: a count, the notes it is about, the first few, and
    the pages that list them all."""
    report = inputs.report
    groups = []
    for code, found in _by_rule(report).items():
        pages = _rule_pages(code, len(found))
        groups.append(
            {
                "rule": code,
                "name": found[0].name,
                "severity": found[0].severity,
                "count": len(found),
                "notes": len({d.path for d in found}),
                "findings": _finding_rows(builder, page, found[:FINDINGS_SHOWN]),
                "more": len(found) - min(len(found), FINDINGS_SHOWN),
                "pages": [
                    {"url": builder.ctx.site.rel(page, p), "label": str(i)}
                    for i, p in enumerate(pages, 1)
                ],
            }
        )
    return {"groups": groups, "counts": report.counts, "total": len(report.diagnostics)}


def findings_pages(builder: PageBuilder, inputs: Inputs) -> Iterator[DashboardPage]:
    """Every finding of a rule with more than the findings page shows, a page at a time."""
    for code, found in _by_rule(inputs.report).items():
        pages = _rule_pages(code, len(found))
        for i, out in enumerate(pages):
            chunk = found[i * FINDINGS_PAGE : (i + 1) * FINDINGS_PAGE]
            title = f"Findings: {code} {found[0].name} ({i + 1} of {len(pages)})"
            yield (
                out,
                "dashboards/findings-rule.html",
                title,
                {
                    "view": "findings",
                    "rule": code,
                    "name": found[0].name,
                    "count": len(found),
                    "first": i * FINDINGS_PAGE + 1,
                    "findings": _finding_rows(builder, out, chunk),
                    "back": builder.ctx.site.rel(out, "dashboards/findings.html"),
                    "pages": [
                        {
                            "url": builder.ctx.site.rel(out, p),
                            "label": str(j),
                            "current": p == out,
                        }
                        for j, p in enumerate(pages, 1)
                    ],
                },
            )


# The dashboards after the home page, in the site's navigation order. Adding one is one
# entry here (its view function and its template are named in it).
DASHBOARDS: tuple[Dashboard, ...] = (
    Dashboard(
        "dashboards/stories.html", "Stories", "Stories", "dashboards/stories.html", stories_view
    ),
    Dashboard(
        "dashboards/matrix.html",
        "Question matrix",
        "Matrix",
        "dashboards/matrix.html",
        matrix_view,
    ),
    Dashboard(
        "dashboards/signals.html",
        "Staff+ signals × stories",
        "Signals",
        "dashboards/signals.html",
        signals_view,
    ),
    Dashboard(
        "dashboards/principles.html",
        "Principles",
        "Principles",
        "dashboards/principles.html",
        principles_view,
    ),
    Dashboard(
        "dashboards/asks.html", "Questions to ask", "Asks", "dashboards/asks.html", asks_view
    ),
    Dashboard(
        "dashboards/practice.html",
        "Practice log",
        "Practice",
        "dashboards/practice.html",
        practice_view,
    ),
    Dashboard(
        "dashboards/loops.html",
        "Interview loops",
        "Loops",
        "dashboards/loops.html",
        loops_view,
        pages=company_pages,
    ),
    Dashboard(
        "dashboards/findings.html",
        "Findings",
        "Findings",
        "dashboards/findings.html",
        findings_view,
        pages=findings_pages,
    ),
)


# -- SVG -------------------------------------------------------------------------------------
def answer_time_chart(
    practice: list[Any], thresholds: Thresholds | None = None, width: int = 720, height: int = 260
) -> Markup:
    """Bars of answer time per session (oldest first) with the target as a line."""
    t = thresholds or Thresholds()
    target = t.short_version_warn_s
    mark = f"{format_seconds(target)} target"
    timed = [p for p in practice if p.duration_s is not None]
    if not timed:
        return Markup('<p class="empty">No timed practice sessions yet.</p>')
    left, right, top, bottom = 48, 12, 16, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max(float(t.short_version_error_s), max(p.duration_s for p in timed) * 1.1)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / top_value

    step = plot_w / len(timed)
    bar = max(2.0, min(36.0, step * 0.7))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">Answer time per practice session against the {mark}</title>',
    ]
    for tick in range(0, int(top_value) + 1, 60):
        ty = y(tick)
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
            f'<text class="axis" x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end">'
            f"{tick // 60}:{tick % 60:02d}</text>"
        )
    label_every = max(1, len(timed) // 12)
    for i, p in enumerate(timed):
        x = left + i * step + (step - bar) / 2
        by = y(p.duration_s)
        over = p.duration_s > target
        story = p.story.rsplit("/", 1)[-1][:-3] if p.story else "?"
        date = p.date.isoformat() if p.date else "?"
        tip = escape(f"{date} · {story} · {int(p.duration_s)} s ({p.mode})")
        parts.append(
            f'<rect class="bar{" over" if over else ""}" x="{x:.1f}" y="{by:.1f}" '
            f'width="{bar:.1f}" height="{top + plot_h - by:.1f}" rx="2"><title>{tip}</title></rect>'
        )
        if i % label_every == 0:
            lx = x + bar / 2
            ly = top + plot_h + 14
            parts.append(
                f'<text class="axis" x="{lx:.1f}" y="{ly}" text-anchor="end" '
                f'transform="rotate(-35 {lx:.1f} {ly})">{escape(date[5:])}</text>'
            )
    ty = y(target)
    parts.append(
        f'<line class="target" x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
        f'<text class="target-label" x="{width - right}" y="{ty - 5:.1f}" text-anchor="end">'
        f"{mark}</text>"
    )
    parts.append("</svg>")
    return Markup("".join(parts))
