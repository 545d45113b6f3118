"""The ``starvault`` command: a thin click layer over the library.

Each command lives in its own module under ``starvault.cli`` and is imported only when it
runs, so ``starvault --version`` and ``starvault check`` do not pay for networkx, jinja2
or the site renderer.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os
from typing import Any

import click

from .. import __version__

# name -> (module, attribute, one-line help shown by `starvault --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("init", "init_command", "Start a new vault that checks clean and builds."),
    "check": (
        "check",
        "check_command",
        "Check links, navigation, front matter, STAR, coverage.",
    ),
    "build": ("site", "build_command", "Build the static prep site."),
    "serve": ("site", "serve_command", "Build, serve on 127.0.0.1 and rebuild on save."),
    "graph": ("graph", "graph_command", "Export the link graph (json, graphml, gexf, dot)."),
    "coverage": (
        "coverage",
        "coverage_command",
        "Question-type matrix and readiness checklist.",
    ),
    "new": ("authoring", "new_command", "Create a note from the vault's templates."),
    "practice": (
        "authoring",
        "practice_command",
        "Practise a question against a timer, log it.",
    ),
    "schedule": (
        "schedule",
        "schedule_command",
        "When each story is next due for practice (spaced repetition).",
    ),
    "plan": ("schedule", "plan_command", "Assign a story to each round of a company's loop."),
    "rules": ("rules", "rules_command", "List the rules, or explain one with its examples."),
    "mv": ("mv", "mv_command", "Rename or move a note, attachment or folder; fix its links."),
    "lsp": ("lsp", "lsp_command", "Run the language server (stdio) for editors."),
}


def _set_color(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """``--color auto|always|never``; without it, a set ``NO_COLOR`` means never
    (https://no-color.org). The choice holds for the command's contexts below."""
    if value is None:
        if ctx.find_root().color is not None:
            return  # given to the group already: `starvault --color always check`
        value = "never" if os.environ.get("NO_COLOR") else "auto"
    ctx.find_root().color = {"always": True, "never": False}.get(value)
    ctx.color = ctx.find_root().color


def color_option() -> click.Option:
    return click.Option(
        ["--color"],
        type=click.Choice(["auto", "always", "never"]),
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_set_color,
        help="Colour the output: auto (on a terminal, unless NO_COLOR is set), always, never.",
    )


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._available(name)]

    @staticmethod
    def _available(name: str) -> bool:
        module = COMMANDS[name][0]
        return importlib.util.find_spec(f"{__name__}.{module}") is not None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or not self._available(cmd_name):
            return None
        module = importlib.import_module(f"{__name__}.{entry[0]}")
        command: click.Command = getattr(module, entry[1])
        # Every command takes --color too (`starvault check --color never`).
        if not any(p.name == "color" for p in command.params):
            command.params.append(color_option())
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help from the table: listing commands imports none of them.
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _group_color(f: Any) -> Any:
    f.__click_params__ = [*getattr(f, "__click_params__", []), color_option()]
    return f


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="starvault")
@_group_color
def cli() -> None:
    """Check, graph and publish an Obsidian vault of Staff+ behavioral interview prep.

    VAULT defaults to the nearest folder upward holding starvault.toml or .obsidian/,
    else the current folder. Exit codes: 0 clean, 1 findings at error severity (any
    finding with --strict), 2 usage error or no vault.
    """


_GC_DEFAULTS = gc.get_threshold()


def long_running() -> None:
    """For a command that runs on (serve, lsp): the collector's usual thresholds, so the
    cyclic garbage of each rebuild or edit is collected as it goes."""
    gc.set_threshold(*_GC_DEFAULTS)


def main() -> None:
    # A command builds many long-lived objects (notes, links, findings) and few cycles:
    # with the default thresholds the cyclic collector ran over them again and again
    # (three quarters of reading a 10,000-note cache). Collected far less often instead;
    # serve and lsp set them back (long_running).
    gc.set_threshold(100_000, 50, 1000)
    cli(prog_name="starvault", obj={"program": True})
