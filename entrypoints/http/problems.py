"""Every error becomes an RFC 9457 problem (application/problem+json) here, and only here.

Each problem has a stable `type` URI that clients can switch on; `detail` says what
to do about it. The catalogue below is also what the OpenAPI document lists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import orjson
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from application.errors import (
    AlreadyExists,
    Forbidden,
    InsufficientScope,
    InvalidCursor,
    NoGitSource,
    NotAuthenticated,
    NotFound,
    VersionMismatch,
)
from domain.errors import (
    DecisionFrozen,
    InvalidLink,
    InvalidSupersession,
    InvalidTransition,
    InvalidValue,
)
from domain.git_source import SourceOfTruth
from domain.log import LastAdmin
from entrypoints.http.schemas import Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE_URI = "https://adr-registry.dev/problems/"

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ProblemType:
    name: str
    status: int
    title: str

    @property
    def uri(self) -> str:
        return PROBLEM_BASE_URI + self.name


MALFORMED_JSON = ProblemType("malformed-json", 400, "The body is not valid JSON")
BAD_REQUEST = ProblemType("bad-request", 400, "Bad request")
INVALID_CURSOR = ProblemType("invalid-cursor", 400, "The cursor is not one of this list's")
NOT_AUTHENTICATED = ProblemType("not-authenticated", 401, "Authentication required")
FORBIDDEN = ProblemType("forbidden", 403, "Your role does not allow this")
INSUFFICIENT_SCOPE = ProblemType(
    "insufficient-scope", 403, "Your token's scope does not allow this"
)
NOT_FOUND = ProblemType("not-found", 404, "Not found")
METHOD_NOT_ALLOWED = ProblemType("method-not-allowed", 405, "Method not allowed")
ALREADY_EXISTS = ProblemType("already-exists", 409, "It already exists")
INVALID_TRANSITION = ProblemType("invalid-transition", 409, "This status change is not allowed")
DECISION_FROZEN = ProblemType("decision-frozen", 409, "The decision is frozen")
INVALID_SUPERSESSION = ProblemType("invalid-supersession", 409, "This supersession is not allowed")
INVALID_LINK = ProblemType("invalid-link", 409, "This link cannot change")
LAST_ADMIN = ProblemType("last-admin", 409, "A log must keep an admin")
CONCURRENT_CHANGE = ProblemType(
    "concurrent-change", 409, "Someone else changed the record at the same time"
)
SOURCE_OF_TRUTH = ProblemType(
    "source-of-truth", 409, "The log's git repository is its source of truth"
)
NO_GIT_SOURCE = ProblemType("no-git-source", 409, "The log mirrors no git repository")
VERSION_MISMATCH = ProblemType("version-mismatch", 412, "The record has changed")
CONTENT_TOO_LARGE = ProblemType("content-too-large", 413, "The body is too large")
UNSUPPORTED_MEDIA_TYPE = ProblemType("unsupported-media-type", 415, "Send JSON")
VALIDATION_ERROR = ProblemType("validation-error", 422, "The request has invalid fields")
IF_MATCH_REQUIRED = ProblemType("if-match-required", 428, "If-Match is required")
TOO_MANY_REQUESTS = ProblemType("too-many-requests", 429, "Too many requests")
HEAD_TOO_LARGE = ProblemType("head-too-large", 431, "The request line and headers are too large")
INTERNAL_ERROR = ProblemType("internal-error", 500, "Internal error")
NOT_READY = ProblemType("not-ready", 503, "Not ready")

CATALOGUE: tuple[ProblemType, ...] = (
    MALFORMED_JSON,
    BAD_REQUEST,
    INVALID_CURSOR,
    NOT_AUTHENTICATED,
    FORBIDDEN,
    INSUFFICIENT_SCOPE,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    ALREADY_EXISTS,
    INVALID_TRANSITION,
    DECISION_FROZEN,
    INVALID_SUPERSESSION,
    INVALID_LINK,
    LAST_ADMIN,
    CONCURRENT_CHANGE,
    SOURCE_OF_TRUTH,
    NO_GIT_SOURCE,
    VERSION_MISMATCH,
    CONTENT_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    VALIDATION_ERROR,
    IF_MATCH_REQUIRED,
    TOO_MANY_REQUESTS,
    HEAD_TOO_LARGE,
    INTERNAL_ERROR,
    NOT_READY,
)

_OF_ERROR: dict[type[Exception], ProblemType] = {
    NotFound: NOT_FOUND,
    NotAuthenticated: NOT_AUTHENTICATED,
    InsufficientScope: INSUFFICIENT_SCOPE,
    Forbidden: FORBIDDEN,
    AlreadyExists: ALREADY_EXISTS,
    VersionMismatch: VERSION_MISMATCH,
    InvalidValue: VALIDATION_ERROR,
    InvalidTransition: INVALID_TRANSITION,
    DecisionFrozen: DECISION_FROZEN,
    InvalidSupersession: INVALID_SUPERSESSION,
    InvalidLink: INVALID_LINK,
    LastAdmin: LAST_ADMIN,
    InvalidCursor: INVALID_CURSOR,
    SourceOfTruth: SOURCE_OF_TRUTH,
    NoGitSource: NO_GIT_SOURCE,
}
# What the framework itself raises (unknown route, wrong method, unreadable body).
_OF_STATUS = {p.status: p for p in (BAD_REQUEST, NOT_FOUND, METHOD_NOT_ALLOWED)}
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


class ProblemError(HTTPException):
    """A problem raised by the HTTP layer itself (headers, body size, readiness).

    An HTTPException, so FastAPI lets it through while it reads the body.
    """

    def __init__(
        self,
        problem: ProblemType,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(problem.status, detail, headers=headers)
        self.problem = problem
        self.extensions = extensions


def problem_response(
    problem: ProblemType,
    detail: str,
    *,
    instance: str,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> Response:
    body = {
        "type": problem.uri,
        "title": problem.title,
        "status": problem.status,
        "detail": detail,
        "instance": instance,
        **extensions,
    }
    return Response(
        orjson.dumps(body),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def install_problem_handlers(
    app: FastAPI, *, page_for_unknown_path: Callable[[Request], Response] | None = None
) -> None:
    """Every error a problem; a browser's GET of a path no route knows, outside the API,
    gets `page_for_unknown_path` instead (the web view's own 404 page)."""
    for error in _OF_ERROR:
        app.add_exception_handler(error, _application_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    if page_for_unknown_path is not None:
        page = page_for_unknown_path

        async def unknown_path(request: Request, error: Exception) -> Response:
            path = request.url.path
            browsable = (
                "route" not in request.scope
                and request.method in ("GET", "HEAD")
                and not any(path == p or path.startswith(f"{p}/") for p in _API_PREFIXES)
            )
            return page(request) if browsable else await _http_error(request, error)

        # A status handler comes before the class handler, for every 404 HTTPException.
        app.add_exception_handler(404, unknown_path)


def unexpected_error(method: str, path: str, error: Exception) -> Response:
    """A bug: log it whole, answer without any of its internals."""
    log.error("request_failed", method=method, path=path, exc_info=error)
    return problem_response(
        INTERNAL_ERROR,
        "The server failed on this request. It has been logged; quote the X-Request-ID "
        "header if you report it.",
        instance=path,
    )


async def _application_error(request: Request, error: Exception) -> Response:
    if isinstance(error, VersionMismatch) and "if-match" not in request.headers:
        # A write that lost a race it did not condition on (no If-Match): a 412 would
        # answer a precondition the caller never sent.
        detail = (
            f"{error.what} was changed by another request at the same moment: read it "
            "again and, if your change still applies, send it again"
        )
        return problem_response(CONCURRENT_CHANGE, detail, instance=request.url.path)
    problem = next(_OF_ERROR[t] for t in type(error).__mro__ if t in _OF_ERROR)
    extensions: dict[str, Any] = {}
    headers = None
    if isinstance(error, InvalidTransition):
        extensions = {"current_status": error.current, "allowed": list(error.allowed)}
    elif isinstance(error, InvalidValue):
        extensions = {"errors": [{"loc": [error.field], "message": error.message}]}
    elif isinstance(error, InvalidCursor):
        extensions = {"errors": [{"loc": ["query", error.field], "message": str(error)}]}
    elif isinstance(error, SourceOfTruth):
        extensions = {
            "repository": error.source.url,
            "branch": error.source.branch,
            "path": error.source.path,
            "file": error.file,
        }
    elif isinstance(error, NotAuthenticated):
        headers = _CHALLENGE
    elif isinstance(error, InsufficientScope):
        # RFC 6750 3.1: the scope the request needs, in the body and the challenge.
        extensions = {"required_scope": error.needed, "token_scope": error.have}
        headers = {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{error.needed}"'}
    elif isinstance(error, NotFound) and "authorization" not in request.headers:
        # A private log looks missing to anonymous callers (so they cannot list them by
        # guessing); say that signing in may show it, on every 404 alike.
        headers = _CHALLENGE
    return problem_response(
        problem,
        str(error) or problem.title,
        instance=request.url.path,
        headers=headers,
        **extensions,
    )


async def _invalid_request(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = error.errors()
    if any(e["type"] == "missing" and tuple(e["loc"]) == ("header", "if-match") for e in errors):
        # RFC 6585: a write that must be conditional and is not gets 428, not 422.
        return problem_response(
            IF_MATCH_REQUIRED,
            "this change needs If-Match, so that it cannot overwrite someone else's: send "
            'the ETag of your last read of it, e.g. If-Match: "3"',
            instance=request.url.path,
        )
    broken_json = next((e for e in errors if e["type"] == "json_invalid"), None)
    if broken_json is not None:
        reason = broken_json.get("ctx", {}).get("error", "it cannot be parsed")
        return problem_response(
            MALFORMED_JSON,
            f"The body is not valid JSON ({reason}, at character {broken_json['loc'][-1]}).",
            instance=request.url.path,
        )
    issues = [{"loc": list(e["loc"]), "message": e["msg"]} for e in errors]
    fields = ", ".join(".".join(str(part) for part in issue["loc"]) for issue in issues)
    return problem_response(
        VALIDATION_ERROR,
        f"Fix these fields and send the request again: {fields}.",
        instance=request.url.path,
        errors=issues,
    )


# Paths that belong to the API and its documentation: their 404s stay problems.
_API_PREFIXES = ("/v1", "/docs-assets")


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    detail, headers = error.detail, error.headers
    if isinstance(error, ProblemError):
        problem, extensions = error.problem, error.extensions
    else:
        problem, extensions = _of_status(error.status_code), {}
        if error.status_code == 405:
            headers = {"Allow": _allowed_methods(request)}
        if detail == HTTPStatus(error.status_code).phrase:
            # The framework's bare phrase ('Not Found') says nothing about what to do.
            detail = f"{request.method} {request.url.path}: {detail}; the API is described at /docs"
    return problem_response(
        problem, detail, instance=request.url.path, headers=headers, **extensions
    )


def _allowed_methods(request: Request) -> str:
    """Every method some route takes at this path (Starlette names only the first route's)."""
    path = request.scope["path"]
    methods = {
        method
        for route in request.app.routes
        if isinstance(route, Route) and route.path_regex.match(path)
        for method in route.methods or ()
    }
    return ", ".join(sorted(methods))


def _of_status(status: int) -> ProblemType:
    if status in _OF_STATUS:
        return _OF_STATUS[status]
    phrase = HTTPStatus(status).phrase
    return ProblemType(phrase.lower().replace(" ", "-"), status, phrase)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI description of a route's error replies, for `responses=`."""
    return {status: _documented(status) for status in statuses}


def _documented(status: int) -> dict[str, Any]:
    problems = [p for p in CATALOGUE if p.status == status]
    example = problems[0]
    names = ", ".join(f"`{p.name}`" for p in problems)
    return {
        "description": f"{HTTPStatus(status).phrase}: a problem of type {names}.",
        "content": {
            PROBLEM_MEDIA_TYPE: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": {
                    "type": example.uri,
                    "title": example.title,
                    "status": status,
                    "detail": example.title,
                    "instance": "/v1/logs/platform",
                },
            }
        },
    }


def add_problem_schema(openapi: dict[str, Any]) -> None:
    """Put the Problem schema that `problem_responses` refers to into the components."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components = openapi.setdefault("components", {}).setdefault("schemas", {})
    components.update(schema.pop("$defs", {}))
    components["Problem"] = schema
