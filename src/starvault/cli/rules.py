"""``starvault rules``."""

from __future__ import annotations

import difflib

import click


@click.command("rules")
@click.argument("code", required=False)
def rules_command(code: str | None) -> None:
    """List every rule, or print the documentation of rule CODE (code or name)."""
    from ..report import doc_plain
    from ..rules import all_rules

    rules = all_rules()
    if code is None:
        for r in rules:
            fix = " (fixable)" if r.fixable else ""
            click.echo(f"{r.code}  {r.name:<30} {r.severity:<8} {r.summary}{fix}")
        return
    wanted = code.strip()
    for r in rules:
        if r.code == wanted.upper() or r.name == wanted.lower():
            click.echo(click.style(f"{r.code} {r.name}", bold=True) + f"  [{r.severity}]")
            click.echo()
            click.echo(doc_plain(r.doc))
            return
    names = [r.code for r in rules] + [r.name for r in rules]
    close = difflib.get_close_matches(wanted, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see 'starvault rules'"
    raise click.UsageError(f"no rule '{code}'{hint}")
