"""``starvault new`` and ``starvault practice``: the click layer over starvault.authoring."""

from __future__ import annotations

import datetime as dt
import os
import random
import shlex
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import click

from .. import schema
from .common import load_vault, vault_argument, write_failure

if TYPE_CHECKING:
    from ..authoring import Draft
    from ..config import Thresholds
    from ..schema import Field
    from ..vault import Vault


def _shown(label: str, rel: str) -> str:
    return rel if label in ("", ".") else f"{label.rstrip('/')}/{rel}"


def _interactive() -> bool:
    return sys.stdin.isatty()


# ---------------------------------------------------------------------------------------
# new


def _ask(vault: Vault, f: Field, note_type: str) -> Any:
    from ..authoring import AuthoringError, allowed_values, parse_value

    allowed = allowed_values(vault, f)
    # "Question type (the kind of question it is)", not the YAML key "question_type".
    label = f.name.replace("_", " ").capitalize()
    if f.description:
        label += f" ({f.description})"
    if allowed and f.kind is schema.Kind.TEXT:
        return click.prompt(label, type=click.Choice(allowed))
    if allowed:
        label += f" [{', '.join(allowed)}; comma-separated]"

    def convert(raw: str) -> Any:
        try:
            value = parse_value(f, raw)
        except AuthoringError as exc:
            raise click.BadParameter(str(exc)) from None
        if value in ("", []):
            raise click.BadParameter(f"a {note_type} note needs this (field '{f.name}')")
        return value

    return click.prompt(label, value_proc=convert)


def _missing_message(type_name: str, missing: list[Field]) -> str:
    names = ", ".join(f.name for f in missing)
    sets = " ".join(f"--set {f.name}=..." for f in missing)
    return f"a {type_name} note needs {names}: pass {sets} (in a terminal, starvault asks for them)"


@click.command("new")
@click.argument("type_name", metavar="TYPE", type=click.Choice(schema.type_names()))
@click.argument("title")
@click.option("--folder", help="Folder inside the vault (default: the type's folder).")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Fill a front matter field (lists comma-separated). Repeatable.",
)
@click.option("--open", "open_editor", is_flag=True, help="Open the new note in $EDITOR.")
@click.option(
    "--vault",
    "vault",
    type=click.Path(file_okay=False, path_type=str),
    help="The vault (default: the one holding the current folder).",
)
def new_command(
    type_name: str,
    title: str,
    folder: str | None,
    settings: tuple[str, ...],
    open_editor: bool,
    vault: str | None,
) -> None:
    """Create a TYPE note titled TITLE from the vault's templates and print its path.

    TYPE is one of the note types of docs/note-types.md. The note gets its front matter
    (type, title, date and the fields its type requires: asked for in a terminal, or given
    with --set) and the sections its body needs. An existing note is never overwritten.

    \b
    Examples:
      starvault new story "Search Latency Win" --set impact="p95 latency -40%" \\
          --set project="Search" --set role="Tech lead"
      starvault new question "Tell me about mentoring" --set question_type=leadership
    """
    from ..authoring import AuthoringError, NoteExists, draft_note, parse_settings, same_name
    from ..authoring import write_new as write

    loaded, label = load_vault(vault)
    try:
        values = parse_settings(type_name, settings)
        draft: Draft = draft_note(loaded, type_name, title, folder=folder, values=values)
        while draft.missing and not draft.problems and _interactive():
            for f in draft.missing:
                values[f.name] = _ask(loaded, f, type_name)
            draft = draft_note(loaded, type_name, title, folder=folder, values=values)
    except AuthoringError as exc:
        raise click.UsageError(str(exc)) from exc
    if draft.problems:
        raise click.UsageError("; ".join(draft.problems))
    if draft.missing:
        raise click.UsageError(_missing_message(type_name, draft.missing))
    try:
        path = write(loaded.root, draft.path, draft.text)
    except NoteExists as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        raise write_failure(exc, f"the new note '{draft.path}'") from None
    if type_name == "course":
        try:
            _place_course(loaded.root, draft.path, label)
        except OSError as exc:
            raise write_failure(exc, "the table of contents or a course page") from None
    for other in same_name(loaded, draft.path):
        click.echo(
            f"warning: '{other}' has the same name; links to it become ambiguous (LK004)",
            err=True,
        )
    click.echo(_shown(label, draft.path))
    if open_editor:
        _open(str(path))


def _place_course(root: Any, rel: str, label: str) -> None:
    """List a new course page in the table of contents and write its Navigation blocks
    (and its neighbours' Previous/Next) from it, so the vault stays NV-clean."""
    from ..atomic import write_atomic
    from ..authoring import list_course_page
    from ..navigation import apply_fixes, course_order, plan_fixes
    from ..vault import load

    vault = load(root)
    listed = list_course_page(vault, rel)
    if listed is None:
        return
    toc_path, data = listed
    write_atomic(root / toc_path, data)
    click.echo(f"listed in {_shown(label, toc_path)}", err=True)
    vault = load(root)
    order = course_order(vault)
    if rel not in order:
        return
    i = order.index(rel)
    touched = {rel, *order[max(0, i - 1) : i + 2]}
    fixes = [f for f in plan_fixes(vault) if f.path in touched]
    apply_fixes(vault, fixes)
    for f in fixes:
        if f.path != rel:
            click.echo(f"updated navigation: {_shown(label, f.path)}", err=True)


def _open(path: str) -> None:
    editor = os.environ.get("EDITOR") or os.environ.get("VISUAL")
    if not editor:
        click.echo("note: set $EDITOR to open new notes with --open", err=True)
        return
    try:
        argv = [*shlex.split(editor), path]
        subprocess.run(argv, check=False)  # no shell: the path is one argument
    except (OSError, ValueError) as exc:
        click.echo(f"error: cannot start the editor {editor!r}: {exc}", err=True)
        sys.exit(1)


# ---------------------------------------------------------------------------------------
# practice


def _clock(seconds: float, t: Thresholds) -> str:
    """The running clock: yellow from the target (two minutes), red from the limit (three)."""
    s = int(seconds)
    colour = (
        "red"
        if s >= t.short_version_error_s
        else "yellow"
        if s >= t.short_version_warn_s
        else "green"
    )
    return click.style(f"  {s // 60:02d}:{s % 60:02d}  ", fg=colour, bold=True)


def _enter_pressed(timeout: float) -> bool:
    """Whether a line arrived on stdin within ``timeout`` seconds (consumes it)."""
    if os.name == "nt":  # pragma: no cover - Windows consoles have no select on stdin
        import msvcrt

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if msvcrt.kbhit() and msvcrt.getwch() in ("\r", "\n"):
                return True
            time.sleep(0.05)
        return False
    import select

    ready, _, _ = select.select([sys.stdin], [], [], timeout)
    if ready:
        sys.stdin.readline()
        return True
    return False


def run_timer(t: Thresholds) -> float:
    """Show the running answer time until Enter; returns the seconds.

    On a terminal the clock updates in place and turns yellow at the target
    (``thresholds.short_version_warn_s``, two minutes) and red at the limit
    (``short_version_error_s``, three); elsewhere it waits for a line on stdin.
    """
    start = time.monotonic()
    if not _interactive():
        sys.stdin.readline()
        return time.monotonic() - start
    while True:
        click.echo("\r" + _clock(time.monotonic() - start, t), nl=False)
        if _enter_pressed(0.25):
            # The terminal echoed Enter, so the clock line is already finished.
            return time.monotonic() - start


@click.command("practice")
@vault_argument
@click.option("--seed", type=int, help="Seed the question choice, for a repeatable pick.")
@click.option("--question", "question_name", metavar="NOTE", help="The question to practise.")
@click.option("--story", "story_name", metavar="NOTE", help="The story to tell.")
@click.option(
    "--duration",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Log without the timer (scripted; needs --question and --story).",
)
@click.option("--mode", type=click.Choice(schema.MODES), help="Alone or with a partner.")
@click.option(
    "--score",
    "scores",
    multiple=True,
    metavar="NAME=N",
    help=f"A score 1-5: {', '.join(schema.SCORES)}. Repeatable.",
)
@click.option("--red-flag", "red_flags", multiple=True, type=click.Choice(schema.RED_FLAG_KEYS))
@click.option("--notes", help="Free notes for the log.")
@click.option("--date", type=click.DateTime(formats=["%Y-%m-%d"]), help="Default: today.")
def practice_command(
    vault: str | None,
    seed: int | None,
    question_name: str | None,
    story_name: str | None,
    duration: float | None,
    mode: str | None,
    scores: tuple[str, ...],
    red_flags: tuple[str, ...],
    notes: str | None,
    date: dt.datetime | None,
) -> None:
    """Practise a question out loud against a timer and log it as a practice note.

    Picks a question, weighted toward the question types with the weakest coverage and
    the stories practised least, shows the stories that answer it, times the answer
    (Enter stops the clock; it turns yellow at two minutes, red at three), asks for the
    self-evaluation and the red flags, and writes Practice/YYYY-MM-DD <story> (<mode>).md.
    Ctrl-C during the timer writes nothing.

    With --duration it asks nothing and logs the session given by --question, --story,
    --mode, --score and --notes.
    """
    from ..authoring import AuthoringError, Session, parse_scores, resolve_note

    loaded, label = load_vault(vault)
    day = date.date() if date else dt.date.today()
    try:
        parsed_scores = parse_scores(scores)
        question = resolve_note(loaded, question_name, "question") if question_name else None
        story = resolve_note(loaded, story_name, "story") if story_name else None
    except AuthoringError as exc:
        raise click.UsageError(str(exc)) from exc
    if duration is not None:
        if question is None or story is None:
            raise click.UsageError("the scripted form needs --question and --story")
        session = Session(
            question,
            story,
            duration,
            mode or "self",
            parsed_scores,
            list(red_flags),
            notes or "",
            day,
        )
    else:
        session = _interactive_session(loaded, seed, question, story, mode, day)
        if notes:
            session.notes = notes
    _write(loaded, label, session)


def _write(loaded: Vault, label: str, session: Any) -> None:
    from ..authoring import AuthoringError, NoteExists, write_practice

    try:
        path = write_practice(loaded, session)
    except NoteExists as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except AuthoringError as exc:
        raise click.UsageError(str(exc)) from exc
    except OSError as exc:
        # The answer was given and timed: print the note so the session is not lost.
        from ..authoring import practice_path, practice_text

        click.echo(
            f"The practice note could not be written; here it is, to save as "
            f"'{practice_path(loaded, session)}':\n",
            err=True,
        )
        click.echo(practice_text(loaded, session))
        raise write_failure(exc, "the practice note") from None
    rel = path.relative_to(loaded.root).as_posix()
    click.echo(f"Logged {_shown(label, rel)}")


def _interactive_session(
    vault: Vault,
    seed: int | None,
    question_note: Any,
    story_note: Any,
    mode: str | None,
    day: dt.date,
) -> Any:
    from ..authoring import (
        RED_FLAGS,
        AuthoringError,
        Session,
        candidate_stories,
        order_stories,
        pick_question,
    )
    from ..coverage import compute, format_seconds

    cov = compute(vault)
    t = vault.config.thresholds
    try:
        if question_note is not None:
            question = next(q for q in cov.questions if q.path == question_note.path)
        else:
            question = pick_question(cov, random.Random(seed))
    except AuthoringError as exc:
        raise click.UsageError(str(exc)) from exc
    types = {qt.key: qt.title for qt in cov.question_types}
    kind = types.get(question.question_type, question.question_type)
    click.echo(click.style(f"\n{kind}", dim=True))
    click.echo(click.style(f'"{question.prompt or question.title}"', bold=True))
    click.echo("")
    if story_note is None:
        stories = order_stories(candidate_stories(cov, question))
        if not stories:
            raise click.UsageError("the vault has no story notes; add one with 'starvault new'")
        click.echo("Stories that answer it:")
        for i, s in enumerate(stories, 1):
            times = "once" if s.practice_count == 1 else f"{s.practice_count} times"
            times += f", {s.sessions_counted} at the bar" if s.practice_count else ""
            click.echo(f"  {i}. {s.title}  (practised {times})")
        pick = click.prompt(
            "Which story will you tell (its number)",
            type=click.IntRange(1, len(stories)),
            default=1,
        )
        story_note = vault.notes[stories[pick - 1].path]
    click.prompt(
        "Press Enter to start the timer (Enter again to stop; aim for "
        f"{format_seconds(t.short_version_warn_s)})",
        default="",
        show_default=False,
    )
    try:
        elapsed = run_timer(t)
    except KeyboardInterrupt:
        click.echo("\nStopped: no practice note written.", err=True)
        sys.exit(130)
    elapsed = max(elapsed, 1.0)
    click.echo(f"Answer time: {format_seconds(elapsed)}")
    if mode is None:
        mode = click.prompt(
            "Alone or with a partner", type=click.Choice(schema.MODES), default="self"
        )
    click.echo("Score the answer, 1 (weak) to 5 (strong):")
    scores = {
        name: click.prompt(f"  {name.capitalize()} (1-5)", type=click.IntRange(1, 5))
        for name in schema.SCORES
    }
    click.echo("Did any of these happen? (y/n)")
    flags = [
        key
        for key, text in RED_FLAGS
        if click.confirm(
            f"  {text}?", default=key == "over-three-minutes" and elapsed > t.short_version_error_s
        )
    ]
    notes = click.prompt("Notes (optional)", default="", show_default=False)
    question_obj = vault.notes[question.path]
    return Session(question_obj, story_note, elapsed, mode, scores, flags, notes, day)
