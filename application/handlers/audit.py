"""Reading the audit trail: site admins only."""

from __future__ import annotations

from application.audit_views import AuditEntryView
from application.commands import ReadAudit
from application.cursors import ROW_ID, Cursors, Scope
from application.errors import Forbidden
from application.handlers.queries import _check_limit, _page, check_filter_text
from application.ports import AuditReader
from application.views import Page


class ReadAuditHandler:
    def __init__(self, reader: AuditReader, cursors: Cursors) -> None:
        self.reader = reader
        self.cursors = cursors

    async def __call__(self, query: ReadAudit) -> Page[AuditEntryView]:
        if not query.actor.is_admin:
            raise Forbidden("only a site admin can read the audit trail")
        limit = _check_limit(query.limit)
        filters = query.filters
        check_filter_text("actor", filters.actor)
        # The cursor is bound to the filters: a page of one selection never continues
        # another.
        since = None if filters.since is None else filters.since.isoformat()
        scope: Scope = ("audit", filters.actor, filters.action, since)
        after = None
        if query.cursor is not None:
            (after,) = self.cursors.decode(query.cursor, scope, ROW_ID)
        rows = await self.reader.entries(filters, after=after, limit=limit + 1)
        return _page(rows, limit, lambda entry: self.cursors.encode(scope, entry.id))
