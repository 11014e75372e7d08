"""What routes get through `Depends`: the caller, handlers from the container, If-Match.

All of it is async, so a request never hops to the threadpool.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any, TypeVar, cast

import punq
from fastapi import Depends, Header, Request
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase
from pydantic import StringConstraints
from pydantic.json_schema import SkipJsonSchema
from starlette.routing import BaseRoute

from application.access import require_write_scope
from application.authentication import Caller, PersonalAccessToken
from application.commands import Authenticate
from application.errors import NotAuthenticated
from application.handlers.users import AuthenticateHandler
from application.ports import SessionTokens
from application.tokens import TOKEN_PREFIX
from application.views import ANONYMOUS, Actor

T = TypeVar("T")

# One strong ETag, as ours are: a version in quotes.
_ETAG = r'^\s*"\d{1,18}"\s*$'
# An empty list of ETags is valid syntax (RFC 9110 #rule): on an optional If-Match it
# sets no condition.
_ETAG_OR_BLANK = r'^\s*(?:"\d{1,18}")?\s*$'


class Services:
    """Handlers and ports from the container; the stateless ones built once, up front."""

    def __init__(self, container: punq.Container, shared: Iterable[type[Any]]) -> None:
        self.container = container
        self._shared: dict[type[Any], Any] = {cls: container.resolve(cls) for cls in shared}
        self.session_tokens: SessionTokens = container.resolve(SessionTokens)

    def get(self, cls: type[T]) -> T:
        shared = self._shared.get(cls)
        if shared is not None:
            return cast(T, shared)
        return self.container.resolve(cls)


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def provide(cls: type[T]) -> Callable[[Request], Awaitable[T]]:
    """A dependency giving an instance of `cls`: a fresh one, unless it is stateless."""

    async def resolve(request: Request) -> T:
        return services_of(request).get(cls)

    return resolve


_SEND_TOKEN = "send 'Authorization: Bearer <token>'"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerCredentials(SecurityBase):
    """What the caller presents in `Authorization: Bearer <token>`, not yet checked: the
    handler's read checks it in the same statement (application.authentication). 401
    when the header is malformed, and when it is absent unless anonymous callers may come.

    A security scheme itself, so it is documented in OpenAPI without a second
    dependency on the hot path.
    """

    def __init__(self, *, anonymous: bool) -> None:
        self.model = HTTPBearerModel(
            description="A personal access token: POST /v1/tokens, or "
            "`adr-registry users create`. Reading a public log needs none."
        )
        self.scheme_name = "bearer"
        self.anonymous = anonymous

    async def __call__(self, request: Request) -> Caller:
        return presented_caller(request, anonymous=self.anonymous)


class BearerAuthentication(BearerCredentials):
    """The caller as an Actor, its credentials checked by a lookup of their own: for
    routes whose handler makes no read that checks them (the writes). A request that
    may change something (any method but GET, HEAD, OPTIONS) needs the write scope,
    unless the route says it changes nothing (`writes=False`)."""

    def __init__(self, *, anonymous: bool, writes: bool = True) -> None:
        super().__init__(anonymous=anonymous)
        self.writes = writes

    async def __call__(self, request: Request) -> Actor:
        caller = await super().__call__(request)
        actor = caller if isinstance(caller, Actor) else await authenticate_caller(request, caller)
        if self.writes and request.method not in _SAFE_METHODS:
            require_write_scope(actor)
        return actor


async def authenticate_caller(request: Request, caller: Caller) -> Actor:
    authenticate = services_of(request).get(AuthenticateHandler)
    return await authenticate(Authenticate(caller))


def presented_caller(request: Request, *, anonymous: bool = True) -> Caller:
    """What the request presents in `Authorization: Bearer <token>`, not yet checked."""
    header = request.headers.get("authorization")
    if header is None:
        if anonymous:
            return ANONYMOUS
        raise NotAuthenticated(f"this needs a signed-in caller: {_SEND_TOKEN}")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated(f"the Authorization header is malformed: {_SEND_TOKEN}")
    if token.startswith(TOKEN_PREFIX):
        return PersonalAccessToken.presented(token)
    # Anything else can only be a sign-in JWT: its signature and claims are checked here,
    # in memory; its user is checked by the read, as a token's is.
    return services_of(request).session_tokens.verified(token)


# For the hot paths, which take the caller straight from the request (`presented_caller`)
# rather than through a dependency: the security they document, as CurrentCaller's.
ANONYMOUS_READ: dict[str, Any] = {"security": [{"bearer": []}, {}]}

# Anyone may read a public log; everything else needs a token.
CurrentCaller = Annotated[Caller, Depends(BearerCredentials(anonymous=True))]
SignedInCaller = Annotated[Caller, Depends(BearerCredentials(anonymous=False))]
CurrentActor = Annotated[Actor, Depends(BearerAuthentication(anonymous=True))]
SignedInActor = Annotated[Actor, Depends(BearerAuthentication(anonymous=False))]
# A POST that changes nothing (lint): a read-only token may call it.
CurrentReader = Annotated[Actor, Depends(BearerAuthentication(anonymous=True, writes=False))]


def document_anonymous_reads(openapi: dict[str, Any], routes: Iterable[BaseRoute]) -> None:
    """Mark the bearer token optional (`{}`) where the route lets anonymous callers in."""
    for route in routes:
        if not isinstance(route, APIRoute):
            continue
        if not any(
            isinstance(dependency.call, BearerCredentials) and dependency.call.anonymous
            for dependency in route.dependant.dependencies
        ):
            continue
        for method in route.methods or ():
            security = openapi["paths"][route.path_format][method.lower()]["security"]
            if {} not in security:
                security.append({})


SIGN_IN_SCHEME: dict[str, Any] = {
    "type": "oauth2",
    "description": "Sign in with a username and password: the JWT it issues is sent as "
    "the same bearer token.",
    "flows": {
        "password": {
            "tokenUrl": "/v1/auth/token",
            # None chosen is `read write`, as for a token.
            "scopes": {
                "read": "Read what your roles let you see",
                "write": "Change what your roles let you change",
            },
        }
    },
}


def document_sign_in(openapi: dict[str, Any]) -> None:
    """Offer the password flow wherever a bearer token is taken, so /docs can sign in."""
    schemes = openapi.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["oauth2"] = SIGN_IN_SCHEME
    for operations in openapi["paths"].values():
        for operation in operations.values():
            security = operation.get("security")
            if security and {"bearer": []} in security and {"oauth2": []} not in security:
                security.insert(security.index({"bearer": []}) + 1, {"oauth2": []})


_IF_MATCH_DOC = (
    'The ETag of your last read, e.g. "3": the change is made only if it is still current '
    "(else 412)."
)


async def if_match(
    if_match: Annotated[
        Annotated[str, StringConstraints(pattern=_ETAG_OR_BLANK)] | SkipJsonSchema[None],
        Header(description=_IF_MATCH_DOC),
    ] = None,
) -> int | None:
    """The version an optional If-Match header expects; a blank one is no condition."""
    return None if if_match is None or not if_match.strip() else _version_of(if_match)


async def required_if_match(
    if_match: Annotated[str, Header(description=_IF_MATCH_DOC, pattern=_ETAG)],
) -> int:
    """The version a required If-Match expects; problems.py turns its absence into 428."""
    return _version_of(if_match)


def _version_of(etag: str) -> int:
    return int(etag.strip().strip('"'))


IfMatch = Annotated[int | None, Depends(if_match)]
RequiredIfMatch = Annotated[int, Depends(required_if_match)]
