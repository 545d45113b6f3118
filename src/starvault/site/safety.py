"""What keeps the site safe: raw HTML from notes through nh3, and where a site may be written.

Notes are the user's, but a shared vault (or a pasted snippet) can carry ``<script>``, event
handler attributes or ``javascript:`` URLs. nh3 (the ammonia sanitiser) keeps a fixed set of
tags and attributes and drops everything else; script and style lose their content too.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import nh3

# MathML that the math renderer (latex2mathml) writes; browsers draw it natively.
_MATH_TAGS = frozenset(
    {
        "math",
        "semantics",
        "annotation",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msup",
        "msub",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mover",
        "munder",
        "munderover",
        "mtable",
        "mtr",
        "mtd",
        "mstyle",
        "mpadded",
        "mphantom",
        "menclose",
        "merror",
        "mmultiscripts",
        "mprescripts",
        "none",
    }
)
# Block and inline elements a note may use, plus what our own renderer emits.
_TAGS = (
    set(nh3.ALLOWED_TAGS)
    | {
        "audio",
        "video",
        "source",
        "section",
        "main",
        "input",
        "label",
        "tfoot",
        "caption",
        "mark",
    }
    | _MATH_TAGS
)
_MATH_ATTRS = {
    "mathvariant",
    "stretchy",
    "fence",
    "separator",
    "lspace",
    "rspace",
    "accent",
    "accentunder",
    "columnalign",
    "rowalign",
    "columnspacing",
    "rowspacing",
    "columnlines",
    "rowlines",
    "frame",
    "displaystyle",
    "scriptlevel",
    "linethickness",
    "width",
    "height",
    "depth",
    "notation",
    "minsize",
    "maxsize",
    "movablelimits",
    "symmetric",
    "largeop",
    "form",
    "open",
    "close",
    "separators",
}
_GENERIC = {"class", "id", "title", "lang", "dir", "role", "aria-label", "aria-hidden"}
_ATTRS: dict[str, set[str]] = {
    "*": _GENERIC,
    "a": {"href", "hreflang", "name", "rel"},
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
    "math": {"display", "xmlns"},
    "annotation": {"encoding"},
    # Layout attributes on every MathML element but the root and its annotation.
    **dict.fromkeys(_MATH_TAGS - {"math", "semantics", "annotation", "none"}, _MATH_ATTRS),
}
_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize(html: str) -> str:
    """HTML with only safe tags and attributes: no script, no ``on*``, no ``javascript:``."""
    return _cleaner().clean(html)


@functools.lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    # Built once: nh3.clean() builds its allow lists anew on every call, which was two
    # thirds of sanitising a typical page.
    return nh3.Cleaner(
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRS,
        generic_attribute_prefixes={"data-"},
        url_schemes=_SCHEMES,
        link_rel=None,  # the renderer sets rel="noopener" on external links itself
        filter_style_properties={"text-align"},
    )


# Attachments that would run script when opened from the site: never published.
ACTIVE_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".xht", ".shtml", ".js", ".mjs"})
# An SVG is published only when nothing in it can run: an <img> never runs an SVG's
# script, but a link to it opens the file as a document, where it would.
_SVG_ACTIVE = re.compile(
    rb"<\s*(?:script|foreignobject|iframe|embed|object|handler)\b|\son[a-z]+\s*=|javascript:",
    re.IGNORECASE,
)
MAX_SVG_BYTES = 8 << 20


def publishable(root: Path, rel: str) -> bool:
    """Whether the attachment ``rel`` may be copied into the site."""
    suffix = os.path.splitext(rel)[1].lower()
    if suffix in ACTIVE_SUFFIXES:
        return False
    if suffix != ".svg":
        return True
    try:
        with open(root / rel, "rb") as fh:
            data = fh.read(MAX_SVG_BYTES + 1)
    except OSError:
        return False
    return len(data) <= MAX_SVG_BYTES and not _SVG_ACTIVE.search(data)


# Only scripts carrying the page's nonce run: the site's own, which ``protect`` puts in
# front of everything a template wrote (markup there cannot swallow them), and what they
# load ('strict-dynamic': the search index). Inline scripts, event handlers, javascript:
# URLs, plugins, frames, forms and network loads are refused by the browser itself, so a
# vault's template or a note's HTML that slipped past nh3 still runs nothing.
_CSP = (
    "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; frame-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)
_DOCTYPE = re.compile(r"\A\s*<!doctype[^>]*>\s*", re.IGNORECASE)


def protect(html: str, root: str, nonce: str, scripts: list[str]) -> str:
    """A page's final HTML: doctype, the policy, the site's scripts (deferred), then the
    template's HTML."""
    head = (
        '<!doctype html>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP.format(nonce=nonce)}">\n'
    )
    head += "".join(f'<script nonce="{nonce}" src="{root}{s}" defer></script>\n' for s in scripts)
    return head + _DOCTYPE.sub("", html, count=1)


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
