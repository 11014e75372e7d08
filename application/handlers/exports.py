"""MADR out: one decision as a file, a whole log as files, the link graph."""

from __future__ import annotations

from application.access import load_decision, load_log
from application.commands import DrawGraph, ExportLog, RenderDecision
from application.graph import draw
from application.markdown_files import file_name_of
from application.ports import MadrCodec, UnitOfWork
from application.views import MarkdownFile
from domain.decision import Decision
from domain.values import Role, slugify


def _file_name(decision: Decision) -> str:
    return file_name_of(decision.ref.number.value, slugify(decision.title))


def _index(title: str, decisions: list[Decision]) -> str:
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
    def __init__(self, uow: UnitOfWork, codec: MadrCodec) -> None:
        self.uow = uow
        self.codec = codec

    async def __call__(self, query: RenderDecision) -> MarkdownFile:
        async with self.uow:
            decision = await load_decision(self.uow, query.actor, query.ref, Role.VIEWER)
        return MarkdownFile(_file_name(decision), self.codec.render(decision))


class ExportLogHandler:
    """Every decision of the log as `NNNN-slug.md`, plus an `index.md` table of contents."""

    def __init__(self, uow: UnitOfWork, codec: MadrCodec) -> None:
        self.uow = uow
        self.codec = codec

    async def __call__(self, query: ExportLog) -> list[MarkdownFile]:
        async with self.uow:
            log = await load_log(self.uow, query.actor, query.log, Role.VIEWER)
            decisions = await self.uow.decisions.list_in(query.log)
        files = [MarkdownFile(_file_name(d), self.codec.render(d)) for d in decisions]
        return [*files, MarkdownFile("index.md", _index(log.title, decisions))]


class DrawGraphHandler:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __call__(self, query: DrawGraph) -> str:
        async with self.uow:
            await load_log(self.uow, query.actor, query.log, Role.VIEWER)
            decisions = await self.uow.decisions.list_in(query.log)
        return draw(decisions, query.format)
