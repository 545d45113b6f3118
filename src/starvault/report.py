"""Reporting: diagnostics as text for people and as JSON (SPEC §6) for programs."""

from __future__ import annotations

import json
import posixpath
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .rules import Diagnostic, Report

JSON_VERSION = 1
_COLORS = {"error": "red", "warning": "yellow", "info": "cyan"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def display_path(vault_label: str, path: str) -> str:
    """A finding's path as the user can open it from where they ran the command."""
    if vault_label in ("", "."):
        return path
    if path == ".":
        return vault_label
    return posixpath.join(vault_label.replace("\\", "/"), path)


def format_line(d: Diagnostic, vault_label: str) -> str:
    where = click.style(f"{display_path(vault_label, d.path)}:{d.line}:{d.column}:", bold=True)
    code = click.style(d.rule, fg=_COLORS.get(d.severity), bold=True)
    return f"{where} {code} {d.message}"


def summary_line(report: Report) -> str:
    c = report.counts
    vault = report.vault
    size = f"{_plural(len(vault.notes), 'note')}, {_plural(len(vault.links), 'link')}"
    if not report.diagnostics:
        return click.style("All checks passed", fg="green", bold=True) + f" ({size})."
    parts = [
        click.style(_plural(c["error"], "error"), fg="red" if c["error"] else None, bold=True),
        _plural(c["warning"], "warning"),
        f"{c['info']} info",
    ]
    return f"Found {', '.join(parts)} in {size}."


def format_text(report: Report, vault_label: str) -> str:
    lines = [format_line(d, vault_label) for d in report.diagnostics]
    lines.append(summary_line(report))
    return "\n".join(lines)


def to_json_data(report: Report, vault_label: str) -> dict[str, object]:
    return {
        "version": JSON_VERSION,
        "vault": vault_label,
        "notes": len(report.vault.notes),
        "links": len(report.vault.links),
        "diagnostics": [d.to_dict() for d in report.diagnostics],
        "summary": report.counts,
    }


def format_json(report: Report, vault_label: str) -> str:
    return json.dumps(to_json_data(report, vault_label), indent=2, ensure_ascii=False)


FORMATTERS = {"text": format_text, "json": format_json}
FORMAT_NAMES = tuple(FORMATTERS)
