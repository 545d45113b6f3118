"""``starvault schedule`` and ``starvault plan``: the click layer over starvault.schedule and
starvault.plan."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from .common import load_vault, text_or_json, vault_argument

if TYPE_CHECKING:
    from ..plan import Plan
    from ..schedule import Schedule
    from ..vault import Vault


def _dump(data: object) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


@click.command("schedule")
@vault_argument
@text_or_json
def schedule_command(vault: str | None, fmt: str) -> None:
    """Show when each story is next due for practice, most due first.

    The schedule is rebuilt on every run by replaying the practice notes in date order
    through the FSRS spaced-repetition scheduler; each session's rating comes from its
    scores, its answer time against the target and its red flags (docs/authoring.md).
    With a company interview_date ahead, nothing is due after it.
    Set STARVAULT_TODAY=YYYY-MM-DD to see the schedule of another day.
    """
    from ..schedule import schedule

    loaded, _label = load_vault(vault)
    plan = schedule(loaded)
    if fmt == "json":
        _dump(plan.to_dict())
        return
    click.echo(format_schedule(loaded, plan))


def format_schedule(vault: Vault, s: Schedule) -> str:
    head = f"Today {s.today.isoformat()}"
    if s.interview_date is not None and s.company is not None:
        days = (s.interview_date - s.today).days
        name = vault.notes[s.company].title
        head += f"; {name} interview on {s.interview_date.isoformat()} ({days} days left)"
    head += f"; desired retention {s.retention:g}"
    out = [click.style(head, bold=True)]
    if not s.items:
        out.append("  no stories yet (type: story)")
        return "\n".join(out)
    rows = [["story", "due", "recall", "sessions", "last"]]
    for i in s.items:
        due = "today" if i.due <= s.today else i.due.isoformat()
        if i.due < s.today:
            due = f"{i.due.isoformat()} (overdue)"
        rows.append(
            [
                i.title,
                due,
                f"{round(100 * i.recall)}%" if i.sessions else "–",
                str(i.sessions),
                i.last.isoformat() if i.last else "never",
            ]
        )
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    for n, r in enumerate(rows):
        line = "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        out.append(click.style(line, bold=True) if n == 0 else line)
    due = s.due
    out.append("")
    if due:
        names = ", ".join(i.title for i in due)
        out.append(click.style("Due today: ", bold=True) + names + " (weakest first)")
    else:
        first = s.items[0]
        out.append(
            click.style("Due today: ", bold=True)
            + f"nothing; next '{first.title}' on {first.due.isoformat()}"
        )
    return "\n".join(out)


@click.command("plan")
@click.argument("company")
@vault_argument
@text_or_json
def plan_command(company: str, vault: str | None, fmt: str) -> None:
    """Assign a counted story to each round of COMPANY's interview loop.

    COMPANY is a company note, named as a link would name it (or by its name field).
    Each round gets a different story, chosen so that together the stories cover as much
    of the rounds' focus (question-type keys or principle links) as any assignment can;
    the rounds no counted story covers are named as gaps.
    """
    from ..authoring import AuthoringError
    from ..plan import find_company, plan

    loaded, _label = load_vault(vault)
    try:
        note = find_company(loaded, company)
    except AuthoringError as exc:
        raise click.UsageError(str(exc)) from exc
    result = plan(loaded, note)
    if fmt == "json":
        _dump(result.to_dict())
        return
    click.echo(format_plan(loaded, result))


def format_plan(vault: Vault, p: Plan) -> str:
    note = vault.notes[p.company]
    head = f"{note.title}: {len(p.rounds)} rounds"
    if p.interview_date is not None and p.days_left is not None:
        head += f", interview on {p.interview_date.isoformat()} ({p.days_left} days left)"
    out = [click.style(head, bold=True)]
    if not p.rounds:
        out.append(
            "  no rounds: list them in the company note, e.g. "
            "rounds: [{name: Hiring manager, focus: [leadership, ambiguity]}]"
        )
    for r in p.rounds:
        story = vault.notes[r.story].title if r.story else click.style("no story", fg="red")
        focus = f" [{', '.join(f.label for f in r.focus)}]" if r.focus else ""
        out.append(f"  {r.name}{focus}: {story}")
        out.append(f"    {r.why}")
    for problem in p.problems:
        out.append(click.style(f"  note: {problem}", fg="yellow"))
    if p.gaps:
        out.append("")
        out.append(click.style("Gaps: ", bold=True) + ", ".join(p.gaps))
    return "\n".join(out)
