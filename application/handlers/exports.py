"""MADR out: one decision as a file, a whole log as files, the link graph.

Reads: they go through the `DecisionReader`, never a unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence

from application.access import authorize
from application.commands import DrawGraph, ExportLog, RenderDecision
from application.errors import NotFound
from application.graph import draw
from application.markdown_files import file_name_of
from application.ports import DecisionReader, MadrCodec
from application.views import Actor, LogDecisions, MarkdownFile
from domain.decision import Decision
from domain.values import LogSlug, Role, slugify


def _file_name(decision: Decision) -> str:
    return file_name_of(decision.ref.number.value, slugify(decision.title))


def _index(title: str, decisions: Sequence[Decision]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [f"# {title}", "", "| Number | Title | Status | Date |", "|---|---|---|---|"]
    lines += [
        f"| {d.ref.number} | [{cell(d.title)}]({_file_name(d)}) | {d.status.value} "
        f"| {d.date.isoformat()} |"
        for d in decisions
    ]
    return "\n".join(lines) + "\n"


class RenderDecisionHandler:
    def __init__(self, reader: DecisionReader, codec: MadrCodec) -> None:
        self.reader = reader
        self.codec = codec

    async def __call__(self, query: RenderDecision) -> MarkdownFile:
        access, decision = await self.reader.decision(query.ref, query.actor.username)
        authorize(query.actor, access, Role.VIEWER, query.ref.log)
        if decision is None:
            raise NotFound(
                f"there is no decision {query.ref.number.value} in log '{query.ref.log}'"
            )
        return MarkdownFile(_file_name(decision), self.codec.render(decision))


class ExportLogHandler:
    """Every decision of the log as `NNNN-slug.md`, plus an `index.md` table of contents."""

    def __init__(self, reader: DecisionReader, codec: MadrCodec) -> None:
        self.reader = reader
        self.codec = codec

    async def __call__(self, query: ExportLog) -> list[MarkdownFile]:
        log = await readable_log(self.reader, query.actor, query.log)
        files = [MarkdownFile(_file_name(d), self.codec.render(d)) for d in log.decisions]
        return [*files, MarkdownFile("index.md", _index(log.title, log.decisions))]


class DrawGraphHandler:
    def __init__(self, reader: DecisionReader) -> None:
        self.reader = reader

    async def __call__(self, query: DrawGraph) -> str:
        log = await readable_log(self.reader, query.actor, query.log)
        return draw(log.decisions, query.format)


async def readable_log(reader: DecisionReader, actor: Actor, slug: LogSlug) -> LogDecisions:
    log = await reader.log_decisions(slug, actor.username)
    if log is None:
        raise NotFound(f"there is no log '{slug}'")
    authorize(actor, log.access, Role.VIEWER, slug)
    return log
