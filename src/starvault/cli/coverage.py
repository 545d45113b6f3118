"""``starvault coverage``: the question matrix and the readiness checklist."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from .common import load_vault, text_or_json, vault_argument

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..coverage import Coverage, PrincipleInfo, QuestionInfo


@click.command("coverage")
@vault_argument
@text_or_json
def coverage_command(vault: str | None, fmt: str) -> None:
    """Show which stories cover which question types, principles, questions to ask,
    practice per story, the pre-interview checklist and the next most useful action.

    Exit code 0 (it is a report, not a check: use 'starvault check --select CV' to fail a
    build), 2 when there is no vault.
    """
    from ..coverage import compute

    loaded, label = load_vault(vault)
    cov = compute(loaded)
    if fmt == "json":
        data = {"version": 1, "vault": label, **cov.to_dict()}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))
        return
    click.echo(format_text(cov))


def _heading(text: str) -> str:
    return click.style(text, bold=True)


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def _with_stories(
    items: Sequence[PrincipleInfo | QuestionInfo], names: dict[str, str], empty: str
) -> list[str]:
    """One line per principle or question: its title and the stories behind it."""
    if not items:
        return [f"  {empty}"]
    none = click.style("none", fg="red")
    return [f"  {i.title}: {', '.join(names.get(s, s) for s in i.stories) or none}" for i in items]


def _not_counted(cov: Coverage, names: dict[str, str]) -> list[str]:
    """The stories and practice sessions that do not count toward readiness, and why."""
    stories = [s for s in cov.stories if not s.ready]
    sessions = [p for p in cov.practice if not p.counted]
    if not stories and not sessions:
        return []
    out = ["", _heading("Not counted")]
    for s in stories:
        out.append(f"  story '{s.title}' ({s.path}):")
        out.extend(f"    - {why}" for why in s.not_ready)
    for p in sessions:
        when = p.date.isoformat() if p.date else "undated"
        story = names.get(p.story or "", "no story")
        out.append(f"  session {when} {story} ({p.path}): {'; '.join(p.not_counted)}")
    return out


def format_text(cov: Coverage) -> str:
    out: list[str] = []
    names = {s.path: s.title for s in cov.stories}

    out.append(_heading("Question types by story"))
    if cov.stories:
        keys = [qt.key for qt in cov.question_types]
        rows = [["story", *keys, "practised", "last"]]
        for s in cov.stories:
            marks = ["x" if cov.matrix[s.path].get(k) else "." for k in keys]
            last = s.last_practice.isoformat() if s.last_practice else "never"
            title = s.title + (" (failure)" if s.failure else "")
            rows.append([title, *marks, str(s.practice_count), last])
        rows.append(["stories per type", *[str(len(qt.stories)) for qt in cov.question_types]])
        rows[-1] += ["", ""]
        out.extend("  " + line for line in _table(rows))
    else:
        out.append("  no stories yet (type: story)")

    out.append("")
    out.append(_heading("Principles"))
    out.extend(_with_stories(cov.principles, names, "no principle notes (type: principle)"))

    out.append("")
    out.append(_heading("Failure stories"))
    out.extend(f"  {names.get(p, p)}" for p in cov.failure_stories)
    if not cov.failure_stories:
        out.append("  " + click.style("none (failure: true)", fg="red"))

    out.append("")
    out.append(_heading("Questions to ask"))
    for category, asks in cov.asks.items():
        out.append(f"  {category or '(no category)'}: {len(asks)}")
        out.extend(f"    - {a.title}" for a in asks)

    out.append("")
    out.append(_heading("Questions"))
    out.extend(_with_stories(cov.questions, names, "no question notes (type: question)"))

    out.append("")
    out.append(_heading(f"Staff+ signals (target level: {cov.target_level})"))
    for signal, paths in cov.signals.items():
        shown = ", ".join(names.get(p, p) for p in paths) or click.style("none", fg="red")
        out.append(f"  {signal}: {shown}")

    out.append("")
    counted = sum(1 for p in cov.practice if p.counted)
    out.append(_heading(f"Practice sessions: {len(cov.practice)} ({counted} meet the bar)"))

    due = ", ".join(names.get(p, p) for p in cov.due_today) or "nothing"
    out.append(_heading("Due today: ") + due + " (starvault schedule)")

    out.extend(_not_counted(cov, names))

    out.append("")
    out.append(_heading("Pre-interview checklist"))
    for item in cov.checklist:
        mark = click.style("pass", fg="green") if item.passed else click.style("FAIL", fg="red")
        out.append(f"  [{mark}] {item.item}: {item.why}")

    out.append("")
    out.append(_heading("Next: ") + cov.next_action)
    return "\n".join(out)
