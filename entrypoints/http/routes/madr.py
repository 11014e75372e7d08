"""MADR in and out: import bundles, export a log, draw its graph, lint files."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from application.access import require_signed_in
from application.commands import CheckRole, DrawGraph, ExportLog, ImportDecisions, LintFiles
from application.errors import InvalidBundle, WorkTooLong
from application.handlers.exports import DrawGraphHandler, ExportLogHandler
from application.handlers.imports import ImportDecisionsHandler
from application.handlers.lint import LintFilesHandler
from application.handlers.queries import CheckRoleHandler
from domain.values import LogSlug, Role
from entrypoints.bundles import MAX_FILES, Budget, read_zip, zip_of
from entrypoints.http import schemas
from entrypoints.http.dependencies import CurrentActor, CurrentReader, SignedInCaller, provide
from entrypoints.http.params import LogPath
from entrypoints.http.problems import (
    UNSUPPORTED_MEDIA_TYPE,
    VALIDATION_ERROR,
    ProblemError,
    problem_responses,
)
from entrypoints.http.responses import hidden_links_header, json_response
from entrypoints.settings import Settings

router = APIRouter(tags=["madr"], responses=problem_responses(422))

_UPLOAD_TYPES = ("text/markdown", "multipart/form-data", "application/zip")
_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "One MADR file (text/markdown; name it with ?filename=), several "
        "(multipart/form-data, each part a file), or a zip of them (application/zip).",
        "content": {
            "text/markdown": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                }
            },
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
FilenameQuery = Annotated[
    str | None,
    Query(
        description="The file name of a single text/markdown upload, NNNN-slug.md: its "
        "number and slug come from it when the file does not say them.",
        min_length=1,
        max_length=255,
        pattern=r"^[^\x00]+$",
        examples=["0007-use-kafka.md"],
    ),
]


async def _uploaded_files(request: Request, filename: str | None) -> tuple[tuple[str, bytes], ...]:
    """The files of an upload, whatever of the three forms it takes, within one budget
    for the whole request (see entrypoints.bundles)."""
    budget = Budget()
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type in ("text/markdown", "text/plain", "text/x-markdown"):
        if filename is None:
            raise ProblemError(
                VALIDATION_ERROR,
                "name a single Markdown upload with ?filename=NNNN-slug.md (e.g. "
                "0007-use-kafka.md): the number of the decision comes from it",
                errors=[{"loc": ["query", "filename"], "message": "required for text/markdown"}],
            )
        body = await request.body()
        budget.take_file(filename, len(body))
        return ((filename, body),)
    if media_type in ("application/zip", "application/x-zip-compressed"):
        return tuple(read_zip("upload.zip", await request.body(), budget))
    if media_type == "multipart/form-data":
        files: list[tuple[str, bytes]] = []
        async with request.form(max_files=MAX_FILES, max_fields=100) as form:
            for _, value in form.multi_items():
                if isinstance(value, str):
                    continue
                name = value.filename or f"part-{len(files) + 1}.md"
                data = await value.read()
                if name.lower().endswith(".zip"):
                    files.extend(read_zip(name, data, budget))
                else:
                    budget.take_file(name, len(data))
                    files.append((name, data))
        if not files:
            raise ProblemError(VALIDATION_ERROR, "the form holds no files: send them as file parts")
        return tuple(files)
    raise ProblemError(
        UNSUPPORTED_MEDIA_TYPE,
        f"send MADR files as one of {', '.join(_UPLOAD_TYPES)}, not {media_type or 'nothing'}",
    )


async def _files_or_problem(
    request: Request, filename: str | None
) -> tuple[tuple[str, bytes], ...]:
    try:
        return await _uploaded_files(request, filename)
    except InvalidBundle as error:
        raise ProblemError(VALIDATION_ERROR, str(error)) from None


@router.post(
    "/v1/logs/{log}/imports",
    summary="Import MADR files into a log",
    description="Reads and validates every file first. By default nothing is written unless "
    "every file is valid (422 with the report); `atomic=false` imports the valid ones. "
    "Numbers from file names are kept (log4brains' day-named files are numbered by day, then "
    "name, and keep their slug as an alias), links are resolved across the bundle, and "
    "importing the same files again changes nothing. A file updates its decision only as "
    "the lifecycle allows (decided content is frozen); one whose number belongs to a "
    "decision with another title and content is an error, unless `update=true`. READMEs and "
    "templates are ignored. Needs the admin role.",
    response_model=schemas.ImportReport,
    responses=problem_responses(400, 401, 403, 404, 413, 415),
    openapi_extra=_UPLOAD_BODY,
)
async def import_decisions(
    log: LogPath,
    request: Request,
    caller: SignedInCaller,
    check: Annotated[CheckRoleHandler, Depends(provide(CheckRoleHandler))],
    handler: Annotated[ImportDecisionsHandler, Depends(provide(ImportDecisionsHandler))],
    atomic: Annotated[bool, Query(description="Write nothing unless every file is valid.")] = True,
    filename: FilenameQuery = None,
    update: Annotated[
        bool,
        Query(
            description="Let a file rewrite the decision that has its number even when their "
            "titles and content differ (the lifecycle still applies)."
        ),
    ] = False,
) -> Response:
    # Refuse before the upload is read: a caller who may not import costs nothing.
    actor = await check(CheckRole(caller, LogSlug(log), Role.ADMIN))
    files = await _files_or_problem(request, filename)
    report = await handler(
        ImportDecisions(actor, LogSlug(log), files, atomic=atomic, update=update)
    )
    if atomic and not report.ok:
        raise ProblemError(
            VALIDATION_ERROR,
            "some files are invalid, so nothing was imported: see each file's problems",
            files=[_file_report(f) for f in report.files],
        )
    return json_response({"log": report.log, "files": [_file_report(f) for f in report.files]})


def _file_report(report: Any) -> dict[str, Any]:
    return {
        "file": report.file,
        "outcome": report.outcome,
        "number": report.number,
        "problems": list(report.problems),
    }


@router.get(
    "/v1/logs/{log}/export",
    summary="Export a log as MADR files",
    description="A zip of `NNNN-slug.md` MADR 4 files plus an `index.md` table of contents. "
    "Links into logs the caller may not read are left out; the index and a `Hidden-Links` "
    "header say how many.",
    response_class=Response,
    responses={
        200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}},
        **problem_responses(401, 404),
    },
)
async def export_log(
    log: LogPath,
    actor: CurrentActor,
    handler: Annotated[ExportLogHandler, Depends(provide(ExportLogHandler))],
) -> Response:
    files = await handler(ExportLog(actor, LogSlug(log)))
    return Response(
        zip_of((f.name, f.text.encode()) for f in files),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{log}.zip"',
            **hidden_links_header(sum(f.hidden_links for f in files)),
        },
    )


_GRAPH_MEDIA_TYPES = {"mermaid": "text/vnd.mermaid", "dot": "text/vnd.graphviz"}


@router.get(
    "/v1/logs/{log}/graph",
    summary="Draw a log's link graph",
    description="Supersedes, amends and relates-to links as Mermaid or Graphviz DOT; "
    "decisions of other logs appear as external (dashed) nodes. Links into logs the caller "
    "may not read are not drawn; a comment at the end says how many.",
    response_class=Response,
    responses={
        200: {
            "content": {
                media_type: {"schema": {"type": "string"}}
                for media_type in _GRAPH_MEDIA_TYPES.values()
            }
        },
        **problem_responses(401, 404),
    },
)
async def draw_graph(
    log: LogPath,
    actor: CurrentActor,
    handler: Annotated[DrawGraphHandler, Depends(provide(DrawGraphHandler))],
    format: Annotated[Literal["mermaid", "dot"], Query(description="mermaid or dot.")] = "mermaid",
) -> Response:
    text = await handler(DrawGraph(actor, LogSlug(log), format))
    return Response(text, media_type=f"{_GRAPH_MEDIA_TYPES[format]}; charset=utf-8")


@router.post(
    "/v1/lint",
    summary="Check MADR files",
    description="Reports every problem of every file with its line, rule and severity, and "
    "stores nothing; so CI can gate ADR pull requests (a read-only token will do). Needs a "
    "token unless the server lets anonymous callers lint (ADR_REGISTRY_ANONYMOUS_LINT, off "
    "by default: ADR-0010).",
    response_model=schemas.LintReport,
    responses=problem_responses(400, 401, 413, 415),
    openapi_extra=_UPLOAD_BODY,
)
async def lint_files(
    request: Request,
    actor: CurrentReader,
    settings: Annotated[Settings, Depends(provide(Settings))],
    handler: Annotated[LintFilesHandler, Depends(provide(LintFilesHandler))],
    filename: FilenameQuery = None,
) -> Response:
    if not settings.anonymous_lint:
        require_signed_in(actor)
    files = await _files_or_problem(request, filename)
    try:
        problems = await handler(LintFiles(files))
    except WorkTooLong as error:
        raise ProblemError(VALIDATION_ERROR, str(error)) from None
    errors = sum(p.severity == "error" for p in problems)
    return json_response(
        {"problems": problems, "errors": errors, "warnings": len(problems) - errors}
    )
