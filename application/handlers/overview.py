"""A log at a glance, and its link graph: what the web view shows beside the lists."""

from __future__ import annotations

from dataclasses import dataclass

from application.commands import GetLinkGraph, GetLogOverview
from application.graph import LinkGraph, link_graph
from application.handlers.exports import readable_log
from application.handlers.queries import authorize_read
from application.ports import DecisionReader, ReadModel
from application.views import DecisionFilters, DecisionSummary


@dataclass(frozen=True, slots=True)
class LogOverview:
    counts: dict[str, int]  # by status; statuses with none left out
    due_for_review: list[DecisionSummary]
    recently_decided: list[DecisionSummary]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class GetLogOverviewHandler:
    def __init__(self, read_model: ReadModel) -> None:
        self.read_model = read_model

    async def __call__(self, query: GetLogOverview) -> LogOverview:
        await authorize_read(self.read_model, query.caller, query.slug)
        due = await self.read_model.decisions(
            query.slug, DecisionFilters(review_due=query.today), limit=query.limit, after=None
        )
        return LogOverview(
            counts=await self.read_model.status_counts(query.slug),
            due_for_review=due,
            recently_decided=await self.read_model.recently_decided(query.slug, limit=query.limit),
        )


class GetLinkGraphHandler:
    def __init__(self, reader: DecisionReader, read_model: ReadModel) -> None:
        self.reader = reader
        self.read_model = read_model

    async def __call__(self, query: GetLinkGraph) -> LinkGraph:
        log = await readable_log(self.reader, self.read_model, query.actor, query.log)
        return link_graph(log.decisions, log.hidden_links)
