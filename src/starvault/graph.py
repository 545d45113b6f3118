"""The link graph as a networkx MultiDiGraph, and its exports.

Nodes are notes (``kind="note"``), attachments (``kind="attachment"``) and unresolved
targets (``kind="unresolved"``, ``unresolved=True``, id ``"?" + target``). Every link is
an edge with its ``kind`` (link, embed, markdown, property), ``line``, ``column`` and
``subpath``, so several links between the same two notes stay distinct.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    from .vault import Vault

FORMATS = ("json", "graphml", "gexf", "dot")


def build_graph(vault: Vault) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(vault=str(vault.root))
    for path, note in vault.notes.items():
        g.add_node(
            path,
            kind="note",
            name=note.name,
            title=note.title,
            type=note.type or "",
            unresolved=False,
        )
    for path in vault.attachments:
        g.add_node(path, kind="attachment", name=path.rsplit("/", 1)[-1], unresolved=False)
    for r in vault.links:
        link = r.link
        if r.path is not None:
            target = r.path
        elif link.target:
            target = "?" + link.target
            if target not in g:
                g.add_node(target, kind="unresolved", name=link.target, unresolved=True)
        else:
            continue  # an empty link has no target to draw
        g.add_edge(
            r.source,
            target,
            kind="embed" if link.kind == "embed" else link.kind,
            line=link.line,
            column=link.column,
            subpath=link.subpath or "",
            status=r.status.value,
        )
    return g


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(g: nx.MultiDiGraph) -> str:
    """Graphviz DOT (networkx itself writes DOT only through pydot or pygraphviz)."""
    out = ["digraph vault {", "  node [shape=box, style=rounded];"]
    for node, data in g.nodes(data=True):
        attrs = [f"label={_dot_id(str(data.get('name', node)))}"]
        if data.get("unresolved"):
            attrs.append('color="red", style="dashed"')
        elif data.get("kind") == "attachment":
            attrs.append("shape=note")
        out.append(f"  {_dot_id(node)} [{', '.join(attrs)}];")
    for u, v, data in g.edges(data=True):
        style = ", style=dashed" if data.get("kind") == "embed" else ""
        out.append(f"  {_dot_id(u)} -> {_dot_id(v)} [label={_dot_id(data['kind'])}{style}];")
    out.append("}")
    return "\n".join(out) + "\n"


def export(g: nx.MultiDiGraph, fmt: str) -> str:
    if fmt == "json":
        data = nx.node_link_data(g, edges="links")
        return json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(g)) + "\n"
    if fmt == "gexf":
        return "\n".join(nx.generate_gexf(g)) + "\n"
    if fmt == "dot":
        return to_dot(g)
    raise ValueError(f"unknown graph format {fmt!r}; use one of {', '.join(FORMATS)}")
