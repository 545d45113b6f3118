"""``starvault init``."""

from __future__ import annotations

from pathlib import Path

import click

from .common import Failure, plural, write_failure


@click.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--title", default="Staff+ Behavioral Interview Prep", help="The site's title.")
def init_command(directory: Path, title: str) -> None:
    """Start a new vault in DIRECTORY (default: here) that checks clean and builds.

    Writes starvault.toml, Home, the table of contents, the five question types, the note
    templates `starvault new` uses, a .gitignore for the site and the cache, and a
    .pre-commit-config.yaml that runs `starvault check`. Never overwrites a file.
    """
    from ..starter import InitError, init_vault

    try:
        written = init_vault(directory, title)
    except InitError as exc:
        raise Failure(str(exc)) from None
    except OSError as exc:
        raise write_failure(exc, "the new vault") from None
    where = str(directory)
    click.echo(f"Created a vault in {where} ({plural(len(written), 'file')}). Next:")
    prefix = "" if where in (".", "./") else f" {where}"
    click.echo(f'  starvault new story "Your first story" --vault {where}')
    click.echo(f"  starvault check{prefix}")
    click.echo(f"  starvault build{prefix}")
