"""The link graph of a log: its edges, and as Mermaid or Graphviz DOT text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from application.visible_links import hidden_note
from domain.decision import Decision
from domain.errors import InvalidValue
from domain.links import LinkKind
from domain.values import DecisionRef

FORMATS = ("mermaid", "dot")
# Each relation is drawn once, from the side that states it.
_DRAWN = (LinkKind.SUPERSEDES, LinkKind.AMENDS, LinkKind.RELATES_TO)


Edge = tuple[DecisionRef, str, DecisionRef]


@dataclass(frozen=True, slots=True)
class GraphNode:
    ref: DecisionRef
    title: str
    status: str


@dataclass(frozen=True, slots=True)
class LinkGraph:
    """The log's decisions by number, the decisions of other logs its links name, and
    each relation once, sorted."""

    nodes: tuple[GraphNode, ...]
    external: tuple[DecisionRef, ...]
    edges: tuple[Edge, ...]
    # Links not drawn: they name logs the reader may not read.
    hidden_links: int = 0


def link_graph(decisions: Sequence[Decision], hidden_links: int = 0) -> LinkGraph:
    inside = {d.ref: d for d in decisions}
    edges: set[tuple[DecisionRef, str, DecisionRef]] = set()
    for decision in decisions:
        for link in decision.links:
            if link.kind not in _DRAWN:
                continue
            # relates-to is stored on both sides: draw it once.
            if (
                link.kind is LinkKind.RELATES_TO
                and link.target in inside
                and link.target < decision.ref
            ):
                continue
            edges.add((decision.ref, link.kind.value, link.target))
    return LinkGraph(
        nodes=tuple(
            GraphNode(d.ref, d.title, d.status.value)
            for d in sorted(decisions, key=lambda d: d.ref)
        ),
        external=tuple(sorted({t for _, _, t in edges if t not in inside})),
        edges=tuple(sorted(edges)),
        hidden_links=hidden_links,
    )


def draw(decisions: Sequence[Decision], fmt: str, hidden_links: int = 0) -> str:
    if fmt not in FORMATS:
        raise InvalidValue("format", f"{fmt!r} is not a graph format: use 'mermaid' or 'dot'")
    graph = link_graph(decisions)
    text = (_mermaid if fmt == "mermaid" else _dot)(
        list(graph.nodes), list(graph.external), list(graph.edges)
    )
    if not hidden_links:
        return text
    # A comment in each language's own syntax: the drawing stays valid.
    comment = "%%" if fmt == "mermaid" else "//"
    return f"{text}{comment} {hidden_note(hidden_links)}\n"


def _node_id(ref: DecisionRef) -> str:
    return f"{ref.log.value.replace('-', '_')}_{ref.number.value}"


def _label(node: GraphNode) -> str:
    return f"{node.ref.number}: {node.title} ({node.status})"


def _mermaid(
    nodes: list[GraphNode],
    external: list[DecisionRef],
    edges: list[Edge],
) -> str:
    def quoted(text: str) -> str:
        return '"' + text.replace('"', "#quot;") + '"'

    lines = ["flowchart LR"]
    lines += [f"    {_node_id(d.ref)}[{quoted(_label(d))}]" for d in nodes]
    lines += [f"    {_node_id(r)}[{quoted(str(r))}]:::external" for r in external]
    lines += [f"    {_node_id(a)} -->|{kind}| {_node_id(b)}" for a, kind, b in edges]
    if external:
        lines.append("    classDef external stroke-dasharray: 4 4")
    return "\n".join(lines) + "\n"


def _dot(
    nodes: list[GraphNode],
    external: list[DecisionRef],
    edges: list[Edge],
) -> str:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph decisions {", "    rankdir=LR;", "    node [shape=box];"]
    lines += [f"    {_node_id(d.ref)} [label={quoted(_label(d))}];" for d in nodes]
    lines += [f"    {_node_id(r)} [label={quoted(str(r))}, style=dashed];" for r in external]
    lines += [f"    {_node_id(a)} -> {_node_id(b)} [label={quoted(k)}];" for a, k, b in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"
