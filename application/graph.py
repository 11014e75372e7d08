"""The link graph of a log as Mermaid or Graphviz DOT text."""

from __future__ import annotations

from collections.abc import Sequence

from domain.decision import Decision
from domain.errors import InvalidValue
from domain.links import LinkKind
from domain.values import DecisionRef

FORMATS = ("mermaid", "dot")
# Each relation is drawn once, from the side that states it.
_DRAWN = (LinkKind.SUPERSEDES, LinkKind.AMENDS, LinkKind.RELATES_TO)


def draw(decisions: Sequence[Decision], fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidValue("format", f"{fmt!r} is not a graph format: use 'mermaid' or 'dot'")
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
    external = sorted({t for _, _, t in edges if t not in inside})
    return (_mermaid if fmt == "mermaid" else _dot)(
        sorted(inside.values(), key=lambda d: d.ref), external, sorted(edges)
    )


def _node_id(ref: DecisionRef) -> str:
    return f"{ref.log.value.replace('-', '_')}_{ref.number.value}"


def _label(decision: Decision) -> str:
    return f"{decision.ref.number}: {decision.title} ({decision.status.value})"


def _mermaid(
    nodes: list[Decision],
    external: list[DecisionRef],
    edges: list[tuple[DecisionRef, str, DecisionRef]],
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
    nodes: list[Decision],
    external: list[DecisionRef],
    edges: list[tuple[DecisionRef, str, DecisionRef]],
) -> str:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph decisions {", "    rankdir=LR;", "    node [shape=box];"]
    lines += [f"    {_node_id(d.ref)} [label={quoted(_label(d))}];" for d in nodes]
    lines += [f"    {_node_id(r)} [label={quoted(str(r))}, style=dashed];" for r in external]
    lines += [f"    {_node_id(a)} -> {_node_id(b)} [label={quoted(k)}];" for a, k, b in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"
