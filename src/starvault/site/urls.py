"""Where each note and file of the vault lands in the site, and relative URLs between them.

Every page links to the others with relative URLs, so the site works from ``file://`` and
under any prefix on a static host.
"""

from __future__ import annotations

from urllib.parse import quote

from ..scan import SITE_MANIFEST

# Output paths the site itself uses; a note that would land on one is moved aside.
# A large site's search index is split into parts (see build.py); their names are reserved.
SEARCH_PARTS = 32
SEARCH_PART_STEMS = tuple(f"search-index-{i:02d}" for i in range(SEARCH_PARTS))
RESERVED = frozenset(
    {"index.html", "search-index.json", "search-index.js", "404.html", SITE_MANIFEST}
    | {f"{stem}.{ext}" for stem in SEARCH_PART_STEMS for ext in ("js", "json")}
)
RESERVED_FOLDERS = ("static/", "dashboards/", "tags/")


def page_path(note_path: str) -> str:
    """``Stories/RAG Support Search.md`` -> ``Stories/RAG Support Search.html``."""
    stem = note_path[:-3] if note_path.lower().endswith(".md") else note_path
    return stem + ".html"


def quote_path(path: str) -> str:
    return quote(path, safe="/")


def fragment(anchor: str) -> str:
    return "#" + quote(anchor, safe="") if anchor else ""


class SiteMap:
    """The output path of every published note and attachment."""

    def __init__(self, notes: list[str], attachments: list[str]) -> None:
        self.pages: dict[str, str] = {}
        taken: set[str] = set(RESERVED)
        for path in sorted(notes):
            out = page_path(path)
            low = out.lower()
            if low in taken or low.startswith(RESERVED_FOLDERS):
                # e.g. a root note "index.md": keep it, beside the site's own index.html.
                out = page_path(path[:-3] + " (note).md")
                low = out.lower()
            taken.add(low)
            self.pages[path] = out
        self.attachments = {p: p for p in attachments}
        self._rel: dict[tuple[str, str], str] = {}
        self._quoted: dict[str, str] = {}

    def url_of(self, vault_path: str) -> str | None:
        """The output path of a note or attachment, None when it is not published."""
        return self.pages.get(vault_path) or self.attachments.get(vault_path)

    def quoted(self, out: str) -> str:
        hit = self._quoted.get(out)
        if hit is None:
            hit = self._quoted[out] = quote_path(out)
        return hit

    def rel(self, from_page: str, to_path: str) -> str:
        """A quoted relative URL from the page at ``from_page`` to the output ``to_path``."""
        folder = from_page.rsplit("/", 1)[0] if "/" in from_page else ""
        key = (folder, to_path)
        hit = self._rel.get(key)
        if hit is None:
            hit = quote_path(relpath(to_path, folder))
            self._rel[key] = hit
        return hit


def relpath(to_path: str, folder: str) -> str:
    """``posixpath.relpath`` for clean site paths (no ``.``/``..``), several times faster."""
    if not folder:
        return to_path
    here = folder.split("/")
    there = to_path.split("/")
    i, n = 0, min(len(here), len(there) - 1)
    while i < n and here[i] == there[i]:
        i += 1
    return "../" * (len(here) - i) + "/".join(there[i:])


def root_of(page: str) -> str:
    """The relative URL prefix from a page to the site root: "" or "../../"."""
    return "../" * page.count("/")
