"""Obsidian canvases (``.canvas``, JSON Canvas 1.0) as sources of links.

A canvas is an attachment (links and embeds may name it) that also links out: a ``file``
node shows a note or an attachment (an embed of its vault path, with the node's
``subpath``), a ``text`` node holds Markdown whose links are read like a note's, and a
group's ``background`` is an image. Each link sits at the line of its node's JSON in the
file, so LK001 and LK005 point at the node that names a missing file.

The result is a :class:`~starvault.scan.Note` with the canvas's path and those links,
which the vault resolves and counts like a note's. Reading is bounded: a canvas larger
than the note size limit, not UTF-8, not JSON or not shaped like a canvas is a VA001 or
VA003 problem of that file, never an error of the run.
"""

from __future__ import annotations

import json
import os
import re
from bisect import bisect_right
from typing import Any

from .scan import Link, Note, Problem, decode, file_key, nfc, parse_text, too_large


def read_canvas(root: str, rel: str, limit: int | None = None, on_disk: str | None = None) -> Note:
    """The links of the canvas ``rel``; problems instead when it cannot be read."""
    note = Note(rel)
    full = os.path.join(root, on_disk or rel)
    try:
        st = os.stat(full)
        if limit is not None and st.st_size > limit:
            note.problems.append(too_large(st.st_size, limit))
            return note
        with open(full, "rb") as fh:
            data = fh.read() if limit is None else fh.read(limit + 1)
    except OSError as exc:
        note.problems.append(Problem("VA001", 1, 1, f"cannot read the canvas: {exc.strerror}"))
        return note
    if limit is not None and len(data) > limit:
        note.problems.append(too_large(len(data), limit))
        return note
    note.size, note.mtime_ns, note.ctime_ns, note.inode = file_key(st)
    text, problem = decode(data)
    if text is None:
        assert problem is not None
        note.problems.append(problem)
        return note
    note.links, problem = canvas_links(rel, text)
    if problem is not None:
        note.problems.append(problem)
    return note


def _bad(message: str, line: int = 1, column: int = 1) -> Problem:
    return Problem("VA001", line, column, f"{message}: its links are not read; fix the file")


def canvas_links(rel: str, text: str) -> tuple[list[Link], Problem | None]:
    """The links of a canvas's JSON text, or the problem that stops reading it."""
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        return [], _bad(f"not valid JSON ({exc.msg})", exc.lineno, exc.colno)
    except RecursionError:
        return [], _bad("JSON nested too deeply")
    if not isinstance(data, dict) or not isinstance(data.get("nodes", []), list):
        return [], _bad("not a JSON Canvas (no list of nodes)")
    where = _Locator(text)
    links: list[Link] = []
    for node in data.get("nodes", []):
        if not isinstance(node, dict):
            continue
        line, column = where.node(node.get("id"))
        kind = node.get("type")
        if kind == "file" and isinstance(node.get("file"), str) and node["file"].strip():
            subpath = node.get("subpath")
            sub = subpath[1:] if isinstance(subpath, str) and subpath.startswith("#") else None
            at = where.value("file", node["file"], line, column)
            links.append(Link("embed", nfc(node["file"].strip()), sub, None, *at))
        elif kind == "text" and isinstance(node.get("text"), str):
            at = where.value("text", node["text"], line, column)
            body = parse_text(rel, node["text"])
            links.extend(
                Link(k.kind, k.target, k.subpath, k.display, *at)
                for k in body.links
                if k.kind != "property"
            )
        elif kind == "group" and isinstance(node.get("background"), str):
            at = where.value("background", node["background"], line, column)
            links.append(Link("embed", nfc(node["background"].strip()), None, None, *at))
    return links, None


class _Locator:
    """Lines and columns of nodes in the canvas text: each node's ``"id"`` is searched
    after the previous node's, as nodes are written in order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def _line_col(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def node(self, node_id: Any) -> tuple[int, int]:
        if not isinstance(node_id, str):
            return self._line_col(self.pos) if self.pos else (1, 1)
        for encoded in _encodings(node_id):
            m = re.compile(r'"id"\s*:\s*' + re.escape(encoded)).search(self.text, self.pos)
            if m is not None:
                start = self.text.rfind("{", 0, m.start())
                self.pos = m.end()
                return self._line_col(start if start >= 0 else m.start())
        return (1, 1)

    def value(self, key: str, value: str, line: int, column: int) -> tuple[int, int]:
        """Where ``"key": value`` of the current node is written (else the node's place)."""
        for encoded in _encodings(value):
            pattern = re.compile('"' + re.escape(key) + r'"\s*:\s*(' + re.escape(encoded) + ")")
            start = self.text.rfind("{", 0, self.pos)
            m = pattern.search(self.text, max(start, 0))
            if m is not None:
                return self._line_col(m.start(1))
        return line, column


def _encodings(value: str) -> list[str]:
    """How a JSON writer may spell the string ``value``."""
    forms = [json.dumps(value, ensure_ascii=False), json.dumps(value)]
    return list(dict.fromkeys(forms))
