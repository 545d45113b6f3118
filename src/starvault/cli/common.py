"""What several commands share: finding and loading the vault, clean usage errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..vault import Vault

vault_argument = click.argument(
    "vault", required=False, type=click.Path(file_okay=True, dir_okay=True, path_type=str)
)


def vault_label(vault: str | None, root: Path) -> str:
    """How to name the vault in output: as the user wrote it, else relative to here."""
    if vault:
        return vault.rstrip("/") or "/"
    try:
        rel = os.path.relpath(root)
    except ValueError:  # another drive on Windows
        return str(root)
    return rel.replace(os.sep, "/")


def resolve_root(vault: str | None) -> Path:
    from ..vault import find_vault

    return Path(vault) if vault else find_vault()


def load_vault(
    vault: str | None, *, use_cache: bool = True, one_shot: bool = True
) -> tuple[Vault, str]:
    """Load the vault or exit 2 with a clear message (no vault, bad config).

    ``one_shot``: the command ends when its work is done, so in the ``starvault`` program
    what it builds may be frozen out of the garbage collector's sight (``cache.FREEZE``);
    ``serve`` runs on, and a caller that runs a command in its own process (click's test
    runner) never freezes."""
    from .. import cache
    from ..config import ConfigError
    from ..vault import VaultError, load

    ctx = click.get_current_context(silent=True)
    program = bool(ctx is not None and (ctx.find_root().obj or {}).get("program"))
    cache.FREEZE = one_shot and program

    root = resolve_root(vault)
    try:
        loaded = load(root, use_cache=use_cache)
    except (VaultError, ConfigError) as exc:
        raise Failure(str(exc)) from exc
    return loaded, vault_label(vault, loaded.root)


# ``--format text|json`` of the commands that print a report (coverage, schedule, plan).
text_or_json = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format; json holds the same content.",
)


class Failure(click.ClickException):
    """A run that cannot go on: one line "Error: ..." on stderr and exit code 2 (no usage
    text: the command line was fine, the vault, folder or port is not)."""

    exit_code = 2


def plural(n: int, word: str) -> str:
    """``1 note``, ``2 notes``: the reports' own rule, for every command's summary line."""
    from ..report import _plural

    return _plural(n, word)


def write_failure(exc: OSError, what: str) -> Failure:
    """A write into the vault that the file system refused, as one line (exit 2)."""
    where = f" '{exc.filename}'" if exc.filename else ""
    return Failure(f"cannot write {what}{where}: {exc.strerror or exc}")


def split_codes(values: tuple[str, ...]) -> list[str]:
    """--select LK,ST00 --select CV001 -> ["LK", "ST00", "CV001"]."""
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out
