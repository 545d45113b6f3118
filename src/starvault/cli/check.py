"""``starvault check``."""

from __future__ import annotations

import sys

import click

from ..report import FORMAT_NAMES
from .common import load_vault, split_codes, vault_argument


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
def check_command(
    vault: str | None,
    fmt: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict: bool,
    no_cache: bool,
) -> None:
    """Check VAULT and report findings as path:line:col: CODE message."""
    from .. import report as reporting
    from ..rules import check, unknown_selectors

    selected, ignored = split_codes(select), split_codes(ignore)
    bad = unknown_selectors([*selected, *ignored])
    if bad:
        raise click.UsageError(f"no rule matches {', '.join(bad)}; see 'starvault rules'")
    loaded, label = load_vault(vault, use_cache=not no_cache)
    result = check(loaded, select=selected or None, ignore=ignored or None)
    click.echo(reporting.FORMATTERS[fmt](result, label))
    sys.exit(result.exit_code(strict))
