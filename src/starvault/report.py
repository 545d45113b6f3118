"""Reporting: diagnostics as text for people, JSON (SPEC §6) for programs, and the formats CI
systems read: GitHub Actions workflow commands and SARIF 2.1.0 (code scanning)."""

from __future__ import annotations

import json
import os
import posixpath
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import click

if TYPE_CHECKING:
    from .rules import Diagnostic, Report, Rule

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
    size = f"{_plural(len(vault.notes), 'note')}, {_plural(vault.link_count, 'link')}"
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


def to_json_data(
    report: Report, vault_label: str, *, with_diagnostics: bool = True
) -> dict[str, object]:
    return {
        "version": JSON_VERSION,
        "vault": vault_label,
        "notes": len(report.vault.notes),
        "links": report.vault.link_count,
        "diagnostics": [d.to_dict() for d in report.diagnostics] if with_diagnostics else [],
        "summary": report.counts,
    }


# One encoder for the report's values: json.dumps with options builds a new one per call.
_encode = json.JSONEncoder(ensure_ascii=False).encode
_text = json.encoder.encode_basestring  # a JSON string, non-ASCII kept (the C function)


def _finding(d: Diagnostic) -> str:
    """One finding as ``Diagnostic.to_dict`` would encode, without building the dict."""
    row = (
        f'{{"rule": {_text(d.rule)}, "name": {_text(d.name)}, '
        f'"severity": {_text(d.severity)}, "path": {_text(d.path)}, '
        f'"line": {int(d.line)}, "column": {int(d.column)}, "message": {_text(d.message)}'
    )
    return row + (f', "target": {_text(d.target)}}}' if d.target is not None else "}")


def format_json(report: Report, vault_label: str) -> str:
    """The report as SPEC section 6 shows it: one key per line, one finding per line.

    Each finding is encoded by the C string encoder; ``indent`` would make json fall back
    to its pure-Python encoder, which took seconds on tens of thousands of findings.
    """
    data = to_json_data(report, vault_label, with_diagnostics=False)
    out = ["{"]
    for key, value in data.items():
        if key == "diagnostics":
            rows = ",\n".join("    " + _finding(d) for d in report.diagnostics)
            shown = f"[\n{rows}\n  ]" if rows else "[]"
        else:
            shown = _encode(value)
        out.append(f"  {json.dumps(key)}: {shown},")
    out[-1] = out[-1][:-1]
    out.append("}")
    return "\n".join(out)


# -- CI formats -------------------------------------------------------------------------


def source_root(vault_root: Path) -> Path:
    """The folder CI paths are relative to.

    GitHub resolves annotation and SARIF paths against the repository checkout
    (``GITHUB_WORKSPACE``) and ignores SARIF base ids, so paths are relative to it when the
    vault lies inside; elsewhere relative to the current folder, else to the vault itself.
    """
    bases = [os.environ.get("GITHUB_WORKSPACE") or "", os.getcwd()]
    for base in bases:
        if not base:
            continue
        folder = Path(base).resolve()
        if vault_root == folder or folder in vault_root.parents:
            return folder
    return vault_root


def _anchor(report: Report, d: Diagnostic) -> tuple[str | None, int, int]:
    """(vault-relative file, line, column) a CI annotation points at.

    A finding about the whole vault (path ".") points at the vault's ``starvault.toml``
    when there is one, else at no file (None).
    """
    if d.path != ".":
        return d.path, d.line, d.column
    source = report.vault.config.source
    if source is not None:
        try:
            rel = Path(source).resolve().relative_to(report.vault.root)
        except ValueError:
            return None, d.line, d.column
        return rel.as_posix(), d.line, d.column
    return None, d.line, d.column


def _relative(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` with ``/`` separators ("" for base itself)."""
    rel = path.relative_to(base).as_posix()
    return "" if rel == "." else rel


_GITHUB_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _github_data(text: str) -> str:
    """Escape a workflow command's message, as the Actions runner decodes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    """Escape a workflow command property value (``:`` and ``,`` separate properties)."""
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: Report, vault_label: str) -> str:
    """``::error file=..,line=..,col=..,title=CODE name::message`` lines, then the summary."""
    root = report.vault.root
    base = source_root(root)
    lines = []
    for d in report.diagnostics:
        props = []
        path, line, column = _anchor(report, d)
        if path is not None:
            file = _relative(root / path, base) or path
            props += [f"file={_github_property(file)}", f"line={line}", f"col={column}"]
        props.append(f"title={_github_property(f'{d.rule} {d.name}')}")
        level = _GITHUB_LEVELS.get(d.severity, "warning")
        lines.append(f"::{level} {','.join(props)}::{_github_data(d.message)}")
    # Lines that are not workflow commands show in the job log as they are.
    lines.append(click.unstyle(summary_line(report)))
    return "\n".join(lines)


SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
_SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _information_uri() -> str | None:
    """The project's homepage from the installed package metadata."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata("starvault").get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        url = url.strip()
        host = url.split("://", 1)[-1].split("/", 1)[0]
        # A placeholder (example.invalid, example.com) is no address to send anyone to.
        if host.endswith((".invalid", ".example", "example.com", "example.org")):
            continue
        if label.strip().lower() == "homepage" and url:
            return url
    return None


def _doc_markdown(text: str) -> str:
    """A rule docstring (reStructuredText habits) as Markdown: ``x`` becomes `x`, and the
    ``::`` that introduces an indented example goes (indentation alone makes a code block)."""
    out = []
    for line in text.replace("``", "`").split("\n"):
        if line.strip() == "::":
            continue
        out.append(line[:-1] if line.endswith("::") else line)
    return "\n".join(out)


_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")
_LITERAL = re.compile(r"``(.+?)``", re.DOTALL)
# A literal that fills whole lines (an example): shown indented instead of quoted.
_BLOCK_LITERAL = re.compile(r"^[ \t]*``((?:(?!``).)+)``[ \t]*$", re.DOTALL | re.MULTILINE)


def doc_plain(text: str) -> str:
    """A rule docstring as plain text for a terminal: an example that fills its lines is
    indented instead of quoted, ``x`` inside prose becomes x, **Heading** becomes Heading:."""
    lines = [
        line[:-1] if line.endswith("::") else line
        for line in text.split("\n")
        if line.strip() != "::"
    ]
    out = []
    blocks = _BLOCK_LITERAL.split("\n".join(lines))  # odd pieces: examples, kept as written
    for i, part in enumerate(blocks):
        if i % 2:
            out.append("\n".join("    " + line.strip() for line in part.split("\n")))
            continue
        part = re.sub(r"^\*\*([^*\n]+)\*\*[ \t]*$", r"\1:", part, flags=re.MULTILINE)
        pieces = _LITERAL.split(part)  # odd pieces: inline literals, kept as written
        out.append("".join(p if k % 2 else _BOLD.sub(r"\1", p) for k, p in enumerate(pieces)))
    return re.sub(r"\n{3,}", "\n\n", "".join(out))


def _doc_description(rule_: Rule) -> str:
    """The docstring's explanation: the paragraphs before the examples."""
    body = rule_.doc.split("\n", 1)[1] if "\n" in rule_.doc else ""
    body = body.split("**Anti-pattern**", 1)[0].strip()
    paragraphs = [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]
    return _doc_markdown("\n\n".join([rule_.summary, *paragraphs]))


def _sarif_rule(rule_: Rule) -> dict[str, Any]:
    return {
        "id": rule_.code,
        "name": rule_.name,
        "shortDescription": {"text": _doc_markdown(rule_.summary)},
        "fullDescription": {"text": _doc_description(rule_)},
        "help": {"text": doc_plain(rule_.doc), "markdown": _doc_markdown(rule_.doc)},
        "defaultConfiguration": {"level": _SARIF_LEVELS.get(rule_.severity, "warning")},
        "properties": {"tags": [rule_.family]},
    }


def _sarif_location(report: Report, d: Diagnostic, base: Path) -> dict[str, Any]:
    root = report.vault.root
    path, line, column = _anchor(report, d)
    if path is None:
        # The vault as a whole: its folder, with no region (an empty URI is not allowed).
        folder = _relative(root, base)
        uri = quote(folder + "/", safe="/") if folder else "./"
        return {"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": SRCROOT}}}
    uri = quote(_relative(root / path, base) or path, safe="/")
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": uri, "uriBaseId": SRCROOT},
            "region": {"startLine": line, "startColumn": column},
        }
    }


def to_sarif_data(report: Report, vault_label: str) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log: every rule, and one result per diagnostic."""
    from . import __version__
    from .rules import all_rules

    rules = all_rules()
    index = {r.code: i for i, r in enumerate(rules)}
    base = source_root(report.vault.root)
    driver: dict[str, Any] = {"name": "starvault", "version": __version__}
    info = _information_uri()
    if info:
        driver["informationUri"] = info
    driver["semanticVersion"] = __version__
    driver["rules"] = [_sarif_rule(r) for r in rules]
    results = []
    for d in report.diagnostics:
        result: dict[str, Any] = {"ruleId": d.rule}
        if d.rule in index:
            result["ruleIndex"] = index[d.rule]
        result["level"] = _SARIF_LEVELS.get(d.severity, "warning")
        result["message"] = {"text": d.message}
        result["locations"] = [_sarif_location(report, d, base)]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                # file:// URI of a folder: SARIF wants the trailing slash.
                "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def format_sarif(report: Report, vault_label: str) -> str:
    return json.dumps(to_sarif_data(report, vault_label), indent=2, ensure_ascii=False)


FORMATTERS = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
}
FORMAT_NAMES = tuple(FORMATTERS)
