"""The naive "floor" that starvault's targets are measured against.

    python bench/floor.py VAULT                 # check floor
    python bench/floor.py VAULT --mode render   # site-build floor

check: read every note, split front matter with python-frontmatter (``frontmatter.parse``),
run one ``\\[\\[([^\\]]+)\\]\\]`` regex over the note and build a networkx DiGraph of
note -> link target. It resolves nothing and ignores code, comments and subpaths: it is the
least work any checker must do, in one process.

render: read every note, strip the front matter the same way and render the body with
markdown-it-py ``MarkdownIt("commonmark").enable("table").render(body)`` to a string.

Two references for reading the check target (run.py reports them beside the floor; they
are not floors): ``--mode block`` is markdown-it-py's stock block parse after the same read
and front matter, the least parsing the issue's "parse with markdown-it-py" asks for;
``--yaml python`` runs any mode with PyYAML's pure-Python loader, as python-frontmatter does
when PyYAML lacks libyaml. PERF-NOTES.md's floor (5.2 s at 10,000 notes) matches the check
floor under ``--yaml python``; with libyaml, which PyPI's PyYAML wheels carry, the same
floor takes about a third of that.

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
from collections.abc import Iterator
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


def read_notes(root: Path) -> Iterator[tuple[Path, str, str]]:
    """Every note as (path, text, body): read, front matter split by python-frontmatter."""
    for path in iter_notes(root):
        text = path.read_text(encoding="utf-8")
        _metadata, body = frontmatter.parse(text)
        yield path, text, body


def check_floor(root: Path) -> dict:
    t0 = time.perf_counter()
    graph = nx.DiGraph()
    notes = links = 0
    for path, text, _body in read_notes(root):
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


def block_floor(root: Path) -> dict:
    """Reference, not a floor of the targets: what markdown-it-py's block parse alone costs
    (stock CommonMark, core ``inline`` rule off), after the same read and front matter."""
    from markdown_it import MarkdownIt

    t0 = time.perf_counter()
    md = MarkdownIt("commonmark")
    md.core.ruler.disable(["inline", "text_join"])
    notes = tokens = 0
    for _path, _text, body in read_notes(root):
        tokens += len(md.parse(body))
        notes += 1
    seconds = time.perf_counter() - t0
    return {"mode": "block", "notes": notes, "tokens": tokens, "seconds": round(seconds, 3)}


def render_floor(root: Path) -> dict:
    from markdown_it import MarkdownIt

    t0 = time.perf_counter()
    md = MarkdownIt("commonmark").enable("table")
    notes = html_bytes = 0
    for _path, _text, body in read_notes(root):
        html_bytes += len(md.render(body))
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
    ap.add_argument("--mode", choices=["check", "render", "block"], default="check")
    ap.add_argument(
        "--yaml",
        choices=["auto", "python"],
        default="auto",
        help="python: PyYAML's pure-Python loader, which python-frontmatter uses when PyYAML "
        "has no libyaml (what ../shared/PERF-NOTES.md's floor of 5.2 s measured)",
    )
    args = ap.parse_args(argv)
    if not args.vault.is_dir():
        print(f"error: {args.vault} is not a folder", file=sys.stderr)
        return 2
    if args.yaml == "python":
        import frontmatter.default_handlers
        import yaml

        frontmatter.default_handlers.SafeLoader = yaml.SafeLoader  # type: ignore[misc]
    modes = {"check": check_floor, "render": render_floor, "block": block_floor}
    res = modes[args.mode](args.vault)
    res["yaml"] = "python" if args.yaml == "python" else "libyaml" if _libyaml() else "python"
    print(json.dumps(res))
    return 0


def _libyaml() -> bool:
    import frontmatter.default_handlers
    import yaml

    return frontmatter.default_handlers.SafeLoader is getattr(yaml, "CSafeLoader", None)


if __name__ == "__main__":
    sys.exit(main())
