"""A log's link graph as an SVG drawn on the server: readable without JavaScript.

One row per decision, by number (those of other logs last, dashed); each relation is an
arc on the right from the row that states it to its target, labelled with its kind.
Each row links to its decision, so the drawing is a labelled group of links, not an image
(an image's content is presentational: links inside it would be lost to assistive
technology, and axe-core counts that a serious violation).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from application.graph import LinkGraph
from domain.values import DecisionRef

_ROW = 34
_BOX_WIDTH = 380
_BOX_HEIGHT = 26
_ARC_STEP = 26
_TITLE_AT_MOST = 44


def decision_path(ref: DecisionRef) -> str:
    return f"/logs/{ref.log.value}/decisions/{ref.number.value}"


def _short(text: str) -> str:
    return text if len(text) <= _TITLE_AT_MOST else text[: _TITLE_AT_MOST - 1] + "…"


def graph_svg(graph: LinkGraph) -> Markup:
    rows: list[tuple[DecisionRef, str, str]] = [
        (n.ref, f"{n.ref.number} {_short(n.title)} ({n.status})", "node") for n in graph.nodes
    ]
    rows += [(ref, str(ref), "node external") for ref in graph.external]
    y_of = {ref: 8 + i * _ROW + _BOX_HEIGHT // 2 for i, (ref, _, _) in enumerate(rows)}
    right = 8 + _BOX_WIDTH
    width = right + 40 + _ARC_STEP * max(len(graph.edges), 1) + 120
    height = 16 + _ROW * max(len(rows), 1)
    parts = [
        f'<svg class="graph" role="group" aria-labelledby="graph-title" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        '<title id="graph-title">Links between decisions</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/>'
        "</marker></defs>",
    ]
    for ref, label, css in rows:
        y = y_of[ref] - _BOX_HEIGHT // 2
        parts.append(
            f'<a href="{escape(decision_path(ref))}"><rect class="{css}" x="8" y="{y}" '
            f'width="{_BOX_WIDTH}" height="{_BOX_HEIGHT}" rx="4"/>'
            f'<text x="16" y="{y + 17}">{escape(label)}</text></a>'
        )
    for i, (source, kind, target) in enumerate(graph.edges):
        reach = right + 20 + _ARC_STEP * (i + 1)
        y1, y2 = y_of[source], y_of[target]
        parts.append(
            f'<path class="edge" d="M{right},{y1} C{reach},{y1} {reach},{y2} {right},{y2}" '
            f'marker-end="url(#arrow)"/>'
            f'<text class="edge-label" x="{reach - 4}" y="{(y1 + y2) // 2 + 4}">'
            f"{escape(kind)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
