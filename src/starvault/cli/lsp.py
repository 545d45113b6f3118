"""``starvault lsp``."""

from __future__ import annotations

import click


@click.command("lsp")
@click.option(
    "--stdio",
    is_flag=True,
    help="Talk over stdin/stdout (the default; accepted for editors that pass it).",
)
def lsp_command(stdio: bool) -> None:
    """Run the language server over stdio: diagnostics from every rule, go to definition,
    completion, hover, references, rename and quick fixes for the vault the editor opens
    (the nearest folder upward with starvault.toml or .obsidian/, else the workspace)."""
    from ..lsp.server import serve
    from . import long_running

    long_running()
    serve()
