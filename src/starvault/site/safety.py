"""What keeps the site safe: raw HTML from notes through nh3, and where a site may be written.

Notes are the user's, but a shared vault (or a pasted snippet) can carry ``<script>``, event
handler attributes or ``javascript:`` URLs. nh3 (the ammonia sanitiser) keeps a fixed set of
tags and attributes and drops everything else; script and style lose their content too.
"""

from __future__ import annotations

import os
from pathlib import Path

import nh3

# Block and inline elements a note may use, plus what our own renderer emits.
_TAGS = set(nh3.ALLOWED_TAGS) | {
    "audio",
    "video",
    "source",
    "section",
    "main",
    "input",
    "label",
    "tfoot",
    "caption",
}
_GENERIC = {"class", "id", "title", "lang", "dir", "role", "aria-label", "aria-hidden"}
_ATTRS: dict[str, set[str]] = {
    "*": _GENERIC,
    "a": {"href", "hreflang", "name"},
    "img": {"src", "alt", "width", "height", "loading"},
    "audio": {"src", "controls"},
    "video": {"src", "controls", "width", "height", "poster"},
    "source": {"src", "type"},
    "ol": {"start", "reversed", "type"},
    "td": {"colspan", "rowspan", "align", "style"},
    "th": {"colspan", "rowspan", "align", "scope", "style"},
    "details": {"open"},
    "input": {"type", "checked", "disabled"},
    "time": {"datetime"},
    "abbr": {"title"},
}
_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize(html: str) -> str:
    """HTML with only safe tags and attributes: no script, no ``on*``, no ``javascript:``."""
    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRS,
        generic_attribute_prefixes={"data-"},
        url_schemes=_SCHEMES,
        link_rel="noopener",
        filter_style_properties={"text-align"},
    )


class BuildError(Exception):
    """The site cannot be built; the message says why and what to do."""


class OutputError(BuildError):
    """OUT is a place a build must not write to (the vault, a parent of it, / or home)."""


def check_output(vault_root: Path, out: Path) -> Path:
    """The resolved OUT folder, or :class:`OutputError` when replacing it would lose data."""
    vault = vault_root.resolve()
    target = out.expanduser().resolve()
    home = Path(os.path.expanduser("~")).resolve()
    if target == Path(target.anchor):
        raise OutputError(f"refusing to build into '{out}': it is the file system root")
    if target == home:
        raise OutputError(f"refusing to build into '{out}': it is your home folder")
    if target == vault:
        raise OutputError(f"refusing to build into '{out}': it is the vault itself")
    if vault.is_relative_to(target):
        raise OutputError(f"refusing to build into '{out}': it contains the vault '{vault_root}'")
    if target.exists() and not target.is_dir():
        raise OutputError(f"refusing to build into '{out}': it is a file, not a folder")
    return target
