"""The ``starvault`` command: a thin click layer over the library.

Each command lives in its own module under ``starvault.cli`` and is imported only when it
runs, so ``starvault --version`` and ``starvault check`` do not pay for networkx, jinja2
or the site renderer.
"""

from __future__ import annotations

import importlib
import importlib.util

import click

from .. import __version__

# name -> (module, attribute, one-line help shown by `starvault --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
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
        return getattr(module, entry[1])

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help from the table: listing commands imports none of them.
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="starvault")
def cli() -> None:
    """Check, graph and publish an Obsidian vault of Staff+ behavioral interview prep.

    VAULT defaults to the nearest folder upward holding starvault.toml or .obsidian/,
    else the current folder. Exit codes: 0 clean, 1 findings at error severity (any
    finding with --strict), 2 usage error or no vault.
    """


def main() -> None:
    cli(prog_name="starvault")
