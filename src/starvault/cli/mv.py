"""``starvault mv``: rename or move a note, attachment or folder, and fix every link."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .common import plural


def _fail(message: str) -> None:
    click.echo(f"starvault mv: {message}", err=True)
    sys.exit(2)


def _inside(root: Path, path: str) -> str | None:
    """``path`` (as typed, relative to the current folder) relative to the vault root."""
    full = Path(os.path.abspath(path))
    try:
        rel = full.relative_to(root)
    except ValueError:
        return None
    return rel.as_posix() if rel.parts else None


@click.command("mv")
@click.argument("old", type=click.Path(path_type=str))
@click.argument("new", type=click.Path(path_type=str))
@click.option(
    "--vault",
    "vault_dir",
    type=click.Path(file_okay=False, path_type=str),
    help="The vault (default: the nearest folder upward with starvault.toml or .obsidian/).",
)
@click.option("--dry-run", is_flag=True, help="Print the changes as a diff; write nothing.")
def mv_command(old: str, new: str, vault_dir: str | None, dry_run: bool) -> None:
    """Move OLD to NEW (a note, an attachment or a folder) and update every link to it.

    Links keep their form (display text, heading, embed, Markdown link, front matter);
    one that would become ambiguous is written with its folder. NEW may be an existing
    folder to move into; an existing file is never overwritten.
    """
    from ..config import ConfigError
    from ..rename import MoveError, diff, execute, plan_move
    from ..vault import VaultError, find_vault, load

    root_path = Path(vault_dir) if vault_dir else find_vault()
    try:
        vault = load(root_path)
    except (VaultError, ConfigError) as exc:
        _fail(str(exc))
    rel_old = _inside(vault.root, old)
    if rel_old is None:
        _fail(f"'{old}' is not inside the vault {vault.root}")
    if not os.path.lexists(old):
        _fail(f"'{old}' does not exist")
    if os.path.isdir(new) and not os.path.samefile(old, new):
        new = os.path.join(new, os.path.basename(os.path.normpath(old)))
    rel_new = _inside(vault.root, new)
    if rel_new is None:
        _fail(f"'{new}' is outside the vault {vault.root}")
    try:
        plan = plan_move(vault, rel_old, rel_new)
        if dry_run:
            click.echo(diff(vault, plan), nl=False)
            return
        changed = execute(vault, plan)
    except MoveError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot move '{old}': {exc.strerror or exc}")
    moved = plan.folder or next(iter(plan.moves.items()))
    click.echo(f"moved {moved[0]} -> {moved[1]}; updated links in {plural(len(changed), 'file')}")
