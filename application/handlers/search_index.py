"""Rebuilding the search index: for the operator, when it is suspected or its rules change."""

from __future__ import annotations

from application.commands import ReindexSearch
from application.errors import Forbidden
from application.ports import DecisionSearch


class ReindexSearchHandler:
    def __init__(self, search: DecisionSearch) -> None:
        self.search = search

    async def __call__(self, cmd: ReindexSearch) -> int:
        """Returns how many decisions the index holds now."""
        if not cmd.actor.is_admin:
            raise Forbidden("only a site admin may rebuild the search index")
        return await self.search.rebuild()
