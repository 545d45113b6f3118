"""The naive "floor" that starvault's targets are measured against.

    python bench/floor.py VAULT                 # check floor
    python bench/floor.py VAULT --mode render   # site-build floor

check: read every note, split front matter with python-frontmatter (``frontmatter.parse``),
run one ``\\[\\[([^\\]]+)\\]\\]`` regex over the note and build a networkx DiGraph of
note -> link target. It resolves nothing and ignores code, comments and subpaths: it is the
least work any checker must do, in one process.

render: read every note, strip the front matter the same way and render the body with
markdown-it-py ``MarkdownIt("commonmark").enable("table").render(body)`` to a string.

Prints one JSON object: mode, notes, links (check), html_bytes (render) and seconds (the time
of the loop, after the imports; run.py also times the whole process).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

import frontmatter
import networkx as nx

WIKILINK = re.compile(r"\[\[([^\]]+)\]\]")


def iter_notes(root: Path) -> list[Path]:
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out.extend(Path(dirpath, f) for f in sorted(filenames) if f.endswith(".md"))
    return out


def check_floor(root: Path) -> dict:
    t0 = time.perf_counter()
    graph = nx.DiGraph()
    notes = links = 0
    for path in iter_notes(root):
        text = path.read_text(encoding="utf-8")
        _metadata, _body = frontmatter.parse(text)
        src = path.stem
        graph.add_node(src)
        for m in WIKILINK.finditer(text):
            target = m.group(1).split("|", 1)[0].split("#", 1)[0].strip()
            graph.add_edge(src, target or src)
            links += 1
        notes += 1
    seconds = time.perf_counter() - t0
    return {
        "mode": "check",
        "notes": notes,
        "links": links,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "seconds": round(seconds, 3),
    }


def render_floor(root: Path) -> dict:
    from markdown_it import MarkdownIt

    t0 = time.perf_counter()
    md = MarkdownIt("commonmark").enable("table")
    notes = html_bytes = 0
    for path in iter_notes(root):
        text = path.read_text(encoding="utf-8")
        _metadata, body = frontmatter.parse(text)
        html = md.render(body)
        html_bytes += len(html)
        notes += 1
    seconds = time.perf_counter() - t0
    return {
        "mode": "render",
        "notes": notes,
        "html_bytes": html_bytes,
        "seconds": round(seconds, 3),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("vault", type=Path)
    ap.add_argument("--mode", choices=["check", "render"], default="check")
    args = ap.parse_args(argv)
    if not args.vault.is_dir():
        print(f"error: {args.vault} is not a folder", file=sys.stderr)
        return 2
    res = check_floor(args.vault) if args.mode == "check" else render_floor(args.vault)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
