"""Drift: which decisions of a synced log do not say what their files say (ADR-0018)."""

from __future__ import annotations

from application.commands import GetDrift
from application.git_views import DriftView, SourceFile
from application.handlers.git_sync import PAGE, authorize_read, no_source
from application.ports import GitSyncs, ReadModel
from application.views import DecisionFilters
from domain.values import DecisionNumber


class GetDriftHandler:
    """The decisions of a synced log that do not say what their file at the last synced
    commit says: changed since the sync (written while the log mirrored nothing), or
    with no file in the folder (made before the log mirrored it, or its file deleted)."""

    def __init__(self, read_model: ReadModel, syncs: GitSyncs) -> None:
        self.read_model = read_model
        self.syncs = syncs

    async def __call__(self, query: GetDrift) -> list[DriftView]:
        await authorize_read(self.read_model, query.actor, query.log)
        view = await self.read_model.log(query.log)
        if view is None or view.source is None:
            raise no_source(query.log)
        files = await self.syncs.files(query.log)
        present = {f.number: f for f in files if f.removed_in is None}
        removed = {f.number: f for f in files if f.removed_in is not None}
        drift: list[DriftView] = []
        after: DecisionNumber | None = None
        while True:
            page = await self.read_model.decisions(
                query.log, DecisionFilters(), limit=PAGE, after=after
            )
            for decision in page:
                drift.extend(
                    _drift_of(
                        decision.number,
                        decision.title,
                        decision.version,
                        present.get(decision.number),
                        removed.get(decision.number),
                    )
                )
            if len(page) < PAGE:
                return drift
            after = DecisionNumber(page[-1].number)


def _drift_of(
    number: int, title: str, version: int, file: SourceFile | None, gone: SourceFile | None
) -> list[DriftView]:
    if file is not None:
        if file.synced_version is not None and version != file.synced_version:
            reason = (
                f"changed since the sync of {file.commit[:7]} wrote it (version "
                f"{file.synced_version}, now {version})"
            )
            return [DriftView(number, title, file.file, reason)]
        return []
    if gone is not None:
        reason = (
            f"its file was deleted from the folder in {(gone.removed_in or '')[:7]}: the "
            "decision stays, removed from source"
        )
        return [DriftView(number, title, gone.file, reason)]
    return [DriftView(number, title, None, "no file of the folder holds it")]
