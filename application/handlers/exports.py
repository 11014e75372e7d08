"""MADR out: one decision as a file, a whole log as files, the link graph.

Reads: they go through the `DecisionReader`, never a unit of work. Each shows only the
links into logs the caller may read (application.visible_links).
"""

from __future__ import annotations

from collections.abc import Sequence

from application.access import authorize
from application.commands import DrawGraph, ExportLog, RenderDecision
from application.errors import NotFound
from application.graph import draw
from application.markdown_files import file_name_of
from application.ports import DecisionReader, MadrCodec, ReadModel
from application.views import Actor, LogDecisions, MarkdownFile
from application.visible_links import (
    decision_targets,
    hidden_note,
    readable_through_reads,
    visible_decision,
    visible_decisions,
)
from domain.decision import Decision
from domain.values import LogSlug, Role, slugify


def _file_name(decision: Decision) -> str:
    return file_name_of(decision.ref.number.value, slugify(decision.title))


def _index(title: str, decisions: Sequence[Decision], hidden_links: int) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [f"# {title}", "", "| Number | Title | Status | Date |", "|---|---|---|---|"]
    lines += [
        f"| {d.ref.number} | [{cell(d.title)}]({_file_name(d)}) | {d.status.value} "
        f"| {d.date.isoformat()} |"
        for d in decisions
    ]
    if hidden_links:
        lines += ["", f"{hidden_note(hidden_links)}."]
    return "\n".join(lines) + "\n"


class RenderDecisionHandler:
    def __init__(self, reader: DecisionReader, read_model: ReadModel, codec: MadrCodec) -> None:
        self.reader = reader
        self.read_model = read_model
        self.codec = codec

    async def __call__(self, query: RenderDecision) -> MarkdownFile:
        access, decision = await self.reader.decision(query.ref, query.actor.username)
        authorize(query.actor, access, Role.VIEWER, query.ref.log)
        if decision is None:
            raise NotFound(
                f"there is no decision {query.ref.number.value} in log '{query.ref.log}'"
            )
        readable = await readable_through_reads(
            self.read_model, query.actor, query.ref.log, decision_targets([decision])
        )
        shown, hidden = visible_decision(decision, readable)
        return MarkdownFile(_file_name(shown), self.codec.render(shown), hidden_links=hidden)


class ExportLogHandler:
    """Every decision of the log as `NNNN-slug.md`, plus an `index.md` table of contents."""

    def __init__(self, reader: DecisionReader, read_model: ReadModel, codec: MadrCodec) -> None:
        self.reader = reader
        self.read_model = read_model
        self.codec = codec

    async def __call__(self, query: ExportLog) -> list[MarkdownFile]:
        log = await readable_log(self.reader, self.read_model, query.actor, query.log)
        files = [MarkdownFile(_file_name(d), self.codec.render(d)) for d in log.decisions]
        index = _index(log.title, log.decisions, log.hidden_links)
        return [*files, MarkdownFile("index.md", index, hidden_links=log.hidden_links)]


class DrawGraphHandler:
    def __init__(self, reader: DecisionReader, read_model: ReadModel) -> None:
        self.reader = reader
        self.read_model = read_model

    async def __call__(self, query: DrawGraph) -> str:
        log = await readable_log(self.reader, self.read_model, query.actor, query.log)
        return draw(log.decisions, query.format, log.hidden_links)


async def readable_log(
    reader: DecisionReader, read_model: ReadModel, actor: Actor, slug: LogSlug
) -> LogDecisions:
    """The log's decisions, once the actor may read it, without the links it may not see."""
    log = await reader.log_decisions(slug, actor.username)
    if log is None:
        raise NotFound(f"there is no log '{slug}'")
    authorize(actor, log.access, Role.VIEWER, slug)
    readable = await readable_through_reads(
        read_model, actor, slug, decision_targets(log.decisions)
    )
    decisions, hidden = visible_decisions(log.decisions, readable)
    return LogDecisions(log.access, log.title, decisions, hidden_links=hidden)
