"""``starvault build`` and ``starvault serve``: thin click layers over :mod:`starvault.site`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .common import Failure, load_vault, plural, vault_argument

out_option = click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the site to (default: site.output of starvault.toml, 'site', "
    "inside the vault's folder).",
)


@click.command("build")
@vault_argument
@out_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: one per core).",
)
def build_command(vault: str | None, out: Path | None, jobs: int | None) -> None:
    """Build the static prep site of VAULT into OUT.

    Pages are rendered again only when what they show changed. Everything new is written
    beside OUT first and moved in at the end, so a failed build leaves the last good site.
    """
    from ..site import BuildError, build
    from ..site.build import default_output

    loaded, _label = load_vault(vault)
    target = out if out is not None else default_output(loaded)
    bar = None
    state: dict[str, Any] = {}

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if not sys.stdout.isatty():
            return
        if bar is None:
            bar = click.progressbar(length=total, label="Rendering pages", file=sys.stdout)
            bar.__enter__()
        bar.update(done - state.get("done", 0))
        state["done"] = done

    try:
        result = build(loaded, target, jobs=jobs, progress=progress)
    except BuildError as exc:
        raise Failure(str(exc)) from exc
    except OSError as exc:
        # The folder the user named, not the temporary one beside it that failed first.
        raise Failure(f"cannot write the site to '{target}': {exc.strerror or exc}") from exc
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for line in result.problems:
        click.echo(f"warning: {line}", err=True)
    click.echo(
        f"Built {plural(result.pages, 'page')} into {target} in {result.seconds:.2f}s "
        f"({len(result.rendered)} rendered, {result.reused} unchanged, "
        f"{plural(len(result.dashboards), 'dashboard')}, "
        f"{plural(result.attachments, 'attachment')})"
    )


@click.command("serve")
@vault_argument
@out_option
@click.option(
    "--port",
    "-p",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a browser.")
def serve_command(vault: str | None, out: Path | None, port: int, open_browser: bool) -> None:
    """Build VAULT, serve it on 127.0.0.1 and rebuild what changed on save.

    Open pages reload after each rebuild. Stop with Ctrl-C.
    """
    from ..site import BuildError
    from ..site.build import default_output
    from ..site.serve import serve
    from . import long_running

    long_running()
    loaded, _label = load_vault(vault, one_shot=False)
    target = out if out is not None else default_output(loaded)
    try:
        serve(loaded.root, target, port=port, open_browser=open_browser, echo=click.echo)
    except BuildError as exc:
        raise Failure(str(exc)) from exc
