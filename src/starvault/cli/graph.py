"""``starvault graph``."""

from __future__ import annotations

import click

from .common import load_vault, vault_argument


@click.command("graph")
@vault_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "graphml", "gexf", "dot"]),
    default="json",
    show_default=True,
    help="json is networkx node-link data.",
)
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Write here instead of standard output.",
)
def graph_command(vault: str | None, fmt: str, output: click.utils.LazyFile) -> None:
    """Export the link graph of VAULT: notes, attachments and unresolved targets."""
    from ..graph import export

    loaded, _ = load_vault(vault)
    output.write(export(loaded.graph, fmt))
