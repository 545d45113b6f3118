"""``starvault check``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ..report import FORMAT_NAMES
from .common import load_vault, plural, split_codes, vault_argument, write_failure

if TYPE_CHECKING:
    from ..vault import Vault


@click.command("check")
@vault_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMAT_NAMES)),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Only these rules (codes or prefixes, comma-separated).",
)
@click.option(
    "--ignore", multiple=True, metavar="CODES", help="Skip these rules (codes or prefixes)."
)
@click.option("--strict", is_flag=True, help="Exit 1 on any finding, not only errors.")
@click.option(
    "--no-cache", is_flag=True, help="Parse every note; neither read nor write the cache."
)
@click.option(
    "--fix",
    is_flag=True,
    help="Rewrite Navigation blocks from the table of contents, then report what remains.",
)
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print what --fix would change as a unified diff; write nothing "
    "(exit 1 if anything would change).",
)
def check_command(
    vault: str | None,
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool,
    no_cache: bool,
    fix: bool,
    show_diff: bool,
) -> None:
    """Check VAULT and report findings as path:line:col: CODE message."""
    from .. import report as reporting
    from ..rules import check, unknown_selectors

    selected, ignored = split_codes(select), split_codes(ignore)
    bad = unknown_selectors([*selected, *ignored])
    if bad:
        raise click.UsageError(f"no rule matches {', '.join(bad)}; see 'starvault rules'")
    loaded, label = load_vault(vault, use_cache=not no_cache)
    if fix or show_diff:
        if _fix(loaded, selected, ignored, write=not show_diff):
            if show_diff:
                sys.exit(1)
            loaded, label = load_vault(vault, use_cache=not no_cache)
        elif show_diff:
            sys.exit(0)
    result = check(loaded, select=selected or None, ignore=ignored or None)
    if not loaded.notes and fmt == "text":
        # Nothing was checked: "All checks passed" would claim what did not happen.
        click.echo(f"No notes in {label}: nothing to check (notes are .md files).")
        sys.exit(result.exit_code(strict))
    if not loaded.notes:
        click.echo(f"No notes in {label}: nothing to check.", err=True)
    click.echo(reporting.FORMATTERS[fmt](result, label))
    sys.exit(result.exit_code(strict))


def _fix(vault: Vault, select: list[str], ignore: list[str], write: bool) -> bool:
    """Fix (or, without ``write``, print the diff of) what the selected fixable rules can.

    Diffs go to stdout so they can be piped to ``patch -p1``; the summary goes to stderr so
    that ``--format json`` output stays valid. Returns whether anything changed (or would).
    """
    from ..navigation import apply_fixes, plan_fixes
    from ..rules import select_rules

    rules = select_rules(vault.config.select, vault.config.ignore, select or None, ignore or None)
    if not any(r.fixable and r.code.startswith("NV") for r in rules):
        return False
    fixes = plan_fixes(vault)
    if not write:
        for f in fixes:
            click.echo(f.diff(), nl=False)
        if fixes:
            click.echo(
                f"{plural(len(fixes), 'file')} would be fixed; run with --fix to write.", err=True
            )
        return bool(fixes)
    try:
        apply_fixes(vault, fixes)
    except OSError as exc:
        raise write_failure(exc, "the fixed note") from None
    for f in fixes:
        click.echo(f"fixed navigation: {f.path}", err=True)
    return bool(fixes)
