"""Who may call which route: the expected status of every (route, caller, log visibility).

One row per route of the app, with the access it needs and the status it replies when
allowed; `expected_status` turns a row into the status for each caller, by the rules of
PRODUCT.md (Security) and application/access.py:

- a site admin may do anything; a member may do what their role includes
  (viewer < author < decider < admin);
- anyone may read a public log, without a token too;
- no token: 401 on every write; reading a private log is 404, as for a missing log;
- signed in without a role in a private log: 404, as if the log did not exist (never 403);
- the log is visible but the role is not enough: 403;
- a read-only token (the site admin's: it may read everything) reads what its user may,
  and gets 403 insufficient-scope on every request that may change something.

Each row also says how to make its request valid in every other respect (a fresh
proposal to accept, the current If-Match, ...), so that the status is about authorization
only. Setup runs as the site admin, who may do everything.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import urlencode

import httpx

from domain.values import Role, Visibility

Headers = dict[str, str]


class Caller(Enum):
    ANONYMOUS = "anonymous"
    NO_ROLE = "no role"
    VIEWER = "viewer"
    AUTHOR = "author"
    DECIDER = "decider"
    LOG_ADMIN = "log admin"
    SITE_ADMIN = "site admin"
    # The site admin's token with the `read` scope.
    READ_ONLY = "read-only token"

    @property
    def role(self) -> Role | None:
        """The caller's role in both logs of the world."""
        return _ROLE_OF.get(self)


_ROLE_OF = {
    Caller.VIEWER: Role.VIEWER,
    Caller.AUTHOR: Role.AUTHOR,
    Caller.DECIDER: Role.DECIDER,
    Caller.LOG_ADMIN: Role.ADMIN,
}


class Access(Enum):
    """What a route that is not about one log needs."""

    ANYONE = "anyone"
    SIGNED_IN = "signed in"
    SITE_ADMIN = "site admin"


@dataclass
class World:
    """Two logs, one private and one public, with the same members; a client; a token per
    caller (none for the anonymous one)."""

    client: httpx.AsyncClient
    headers: dict[Caller, Headers]
    slugs: dict[Visibility, str]
    # A proposal in each log that read routes look at, and relates-to links point to.
    read_number: int
    # A signed-in user who may be given a role and have it taken away.
    spare_user: str
    _serial: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def admin(self) -> Headers:
        return self.headers[Caller.SITE_ADMIN]

    def fresh(self, prefix: str) -> str:
        return f"{prefix}-{self.serial()}"

    def serial(self) -> int:
        return next(self._serial)


@dataclass(frozen=True)
class Prepared:
    """The request a case sends: the values of the path's parameters, a body, a query."""

    path: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    params: dict[str, str] | None = None
    headers: Headers = field(default_factory=dict)


Prepare = Callable[[World, str], Awaitable[Prepared]]


async def _nothing(world: World, slug: str) -> Prepared:
    return Prepared()


async def _a_docs_asset(world: World, slug: str) -> Prepared:
    return Prepared(path={"name": "swagger-ui.css"})


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    needs: Role | Access
    ok: int
    prepare: Prepare = _nothing
    # A second way to call the same route, that takes another path through the app.
    variant: str = ""
    # What a signed-in caller who is not a site admin gets on a SITE_ADMIN row.
    refused: int = 403

    @property
    def writes(self) -> bool:
        """Whether the request may change something, so needs the write scope."""
        return self.method not in ("GET", "HEAD") and self.route not in _CHANGE_NOTHING

    @property
    def route(self) -> tuple[str, str]:
        return self.method, self.path

    @property
    def in_a_log(self) -> bool:
        return isinstance(self.needs, Role)


# Posts that change nothing: a check, and signing in (which reads no bearer token).
_CHANGE_NOTHING = {("POST", "/v1/lint"), ("POST", "/v1/auth/token")}


def expected_status(row: Row, caller: Caller, visibility: Visibility | None) -> int:
    if caller is Caller.READ_ONLY:
        return 403 if row.writes else expected_status(row, Caller.SITE_ADMIN, visibility)
    if row.needs is Access.ANYONE:
        return row.ok
    if row.needs is Access.SIGNED_IN:
        return 401 if caller is Caller.ANONYMOUS else row.ok
    if row.needs is Access.SITE_ADMIN:
        if caller is Caller.ANONYMOUS:
            return 401
        return row.ok if caller is Caller.SITE_ADMIN else row.refused
    assert isinstance(row.needs, Role)
    assert visibility is not None
    if caller is Caller.SITE_ADMIN:
        return row.ok
    if caller.role is not None and caller.role.includes(row.needs):
        return row.ok
    if row.needs is Role.VIEWER and visibility is Visibility.PUBLIC:
        return row.ok
    if caller is Caller.ANONYMOUS:
        return 404 if row.needs is Role.VIEWER and visibility is Visibility.PRIVATE else 401
    if caller.role is None and visibility is Visibility.PRIVATE:
        return 404
    return 403


# -- setup, as the site admin -------------------------------------------------


def _ok(reply: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert reply.status_code == status, f"setup failed: {reply.request.url}: {reply.text}"
    body: dict[str, Any] = reply.json()
    return body


def _decisions(slug: str, suffix: str = "") -> str:
    return f"/v1/logs/{slug}/decisions{suffix}"


async def propose(world: World, slug: str, title: str = "Use a queue") -> int:
    reply = await world.client.post(_decisions(slug), json={"title": title}, headers=world.admin)
    number: int = _ok(reply, 201)["number"]
    return number


async def _decide(world: World, slug: str, number: int, step: str) -> None:
    _ok(await world.client.post(_decisions(slug, f"/{number}/{step}"), headers=world.admin))


async def _accepted(world: World, slug: str) -> int:
    number = await propose(world, slug)
    await _decide(world, slug, number, "accept")
    return number


async def _new_log_body(world: World, slug: str) -> Prepared:
    return Prepared(json={"slug": world.fresh("new-log"), "title": "A new log"})


async def _token_body(world: World, slug: str) -> Prepared:
    return Prepared(json={"name": "ci"})


async def _the_spare_users_tokens(world: World, slug: str) -> Prepared:
    return Prepared(params={"user": world.spare_user})


async def _a_token_of_the_site_admin(world: World, slug: str) -> Prepared:
    reply = await world.client.post("/v1/tokens", json={"name": "spare"}, headers=world.admin)
    return Prepared(path={"id": _ok(reply, 201)["id"]})


# A user who signs in with a password (the world fixture creates them).
PASSWORD_USER = ("signer", "a long pass phrase")


async def _a_password_grant(world: World, slug: str) -> Prepared:
    username, password = PASSWORD_USER
    return Prepared(
        content=urlencode(
            {"grant_type": "password", "username": username, "password": password}
        ).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


async def _the_read_decision(world: World, slug: str) -> Prepared:
    return Prepared(path={"n": world.read_number})


async def _log_if_match(world: World, slug: str) -> Prepared:
    reply = await world.client.get(f"/v1/logs/{slug}", headers=world.admin)
    _ok(reply)
    return Prepared(
        json={"description": world.fresh("changed")}, headers={"If-Match": reply.headers["etag"]}
    )


async def _give_spare_user_a_role(world: World, slug: str) -> Prepared:
    return Prepared(path={"username": world.spare_user}, json={"role": "viewer"})


async def _spare_user_is_member(world: World, slug: str) -> Prepared:
    reply = await world.client.put(
        f"/v1/logs/{slug}/members/{world.spare_user}", json={"role": "viewer"}, headers=world.admin
    )
    _ok(reply)
    return Prepared(path={"username": world.spare_user})


async def _new_proposal_body(world: World, slug: str) -> Prepared:
    return Prepared(json={"title": world.fresh("Proposal")})


async def _a_proposal(world: World, slug: str) -> Prepared:
    return Prepared(path={"n": await propose(world, slug)})


async def _a_proposal_with_if_match(world: World, slug: str) -> Prepared:
    return Prepared(path={"n": await propose(world, slug)}, headers={"If-Match": '"1"'})


async def _an_edit_with_if_match(world: World, slug: str) -> Prepared:
    prepared = await _a_proposal_with_if_match(world, slug)
    return Prepared(path=prepared.path, headers=prepared.headers, json={"tags": ["edited"]})


async def _a_rejected_decision(world: World, slug: str) -> Prepared:
    number = await propose(world, slug)
    await _decide(world, slug, number, "reject")
    return Prepared(path={"n": number})


async def _an_accepted_decision(world: World, slug: str) -> Prepared:
    return Prepared(path={"n": await _accepted(world, slug)})


async def _two_accepted_decisions(world: World, slug: str) -> Prepared:
    old, new = await _accepted(world, slug), await _accepted(world, slug)
    return Prepared(path={"n": old}, json={"by": [str(new)]})


async def _markdown_of_the_read_decision(world: World, slug: str) -> Prepared:
    return Prepared(path={"n": world.read_number}, headers={"Accept": "text/markdown"})


MADR_FILE = """\
---
status: accepted
date: 2024-03-04
decision-makers: [dee]
---

# Use PostgreSQL 16

## Context and Problem Statement

Upgrade.

## Decision Outcome

Chosen option: "PostgreSQL 16", because it is current.
"""


async def _a_file_to_import(world: World, slug: str) -> Prepared:
    # A number of its own, so that no import meets an earlier one's decision.
    number = 1000 + world.serial()
    return Prepared(
        content=MADR_FILE.encode(),
        params={"filename": f"{number:04d}-use-postgresql-16.md"},
        headers={"Content-Type": "text/markdown"},
    )


async def _a_search(world: World, slug: str) -> Prepared:
    return Prepared(params={"q": "everyone reads"})


async def _a_file_to_lint(world: World, slug: str) -> Prepared:
    return Prepared(
        content=MADR_FILE.encode(),
        params={"filename": "0001-use-postgresql-16.md"},
        headers={"Content-Type": "text/markdown"},
    )


async def _a_link_to_make(world: World, slug: str) -> Prepared:
    return Prepared(
        path={"n": await propose(world, slug)},
        json={"kind": "relates-to", "target": str(world.read_number)},
    )


async def _a_link_to_remove(world: World, slug: str) -> Prepared:
    prepared = await _a_link_to_make(world, slug)
    reply = await world.client.post(
        _decisions(slug, f"/{prepared.path['n']}/links"), json=prepared.json, headers=world.admin
    )
    _ok(reply, 201)
    return Prepared(path=prepared.path, params=prepared.json)


async def _new_webhook_body(world: World, slug: str) -> Prepared:
    return Prepared(json={"url": "https://hooks.example.com/adr", "events": ["*"]})


async def _a_webhook(world: World, slug: str) -> Prepared:
    prepared = await _new_webhook_body(world, slug)
    reply = await world.client.post(
        f"/v1/logs/{slug}/webhooks", json=prepared.json, headers=world.admin
    )
    return Prepared(path={"id": _ok(reply, 201)["id"]})


async def _a_webhook_change(world: World, slug: str) -> Prepared:
    prepared = await _a_webhook(world, slug)
    return Prepared(
        path=prepared.path, json={"description": "changed"}, headers={"If-Match": '"1"'}
    )


async def _a_webhook_delivery(world: World, slug: str) -> Prepared:
    prepared = await _a_webhook(world, slug)
    webhook = f"/v1/logs/{slug}/webhooks/{prepared.path['id']}"
    reply = await world.client.post(f"{webhook}/ping", headers=world.admin)
    return Prepared(path=prepared.path | {"delivery_id": _ok(reply)["delivery_id"]})


async def _set_source(world: World, slug: str, source: dict[str, str] | None) -> None:
    log = await world.client.get(f"/v1/logs/{slug}", headers=world.admin)
    _ok(log)
    reply = await world.client.patch(
        f"/v1/logs/{slug}",
        json={"source": source},
        headers={**world.admin, "If-Match": log.headers["etag"]},
    )
    _ok(reply)


async def _a_sync(world: World, slug: str) -> Prepared:
    """A sync of the log, queued while it had a source (taken away again, so that the
    other rows' writes are not refused as the repository's to make)."""
    await _set_source(world, slug, {"url": "https://git.example.com/team/adr.git"})
    reply = await world.client.post(f"/v1/logs/{slug}/sync", headers=world.admin)
    await _set_source(world, slug, None)
    return Prepared(path={"id": _ok(reply, 202)["id"]})


_LOG = "/v1/logs/{log}"
_DECISION = "/v1/logs/{log}/decisions/{n}"
_WEBHOOK = "/v1/logs/{log}/webhooks/{id}"

TABLE: tuple[Row, ...] = (
    # Not about one log.
    Row("GET", "/openapi.json", Access.ANYONE, 200),
    Row("GET", "/docs", Access.ANYONE, 200),
    Row("GET", "/docs/oauth2-redirect", Access.ANYONE, 200),
    Row("GET", "/redoc", Access.ANYONE, 200),
    Row("GET", "/docs-assets/{name}", Access.ANYONE, 200, _a_docs_asset),
    Row("GET", "/healthz", Access.ANYONE, 200),
    # Prometheus scrapes without a token; keep /metrics off the public ingress.
    Row("GET", "/metrics", Access.ANYONE, 200),
    Row("GET", "/readyz", Access.ANYONE, 200),
    Row("GET", "/v1/logs", Access.ANYONE, 200),
    Row("POST", "/v1/logs", Access.SIGNED_IN, 201, _new_log_body),
    Row("POST", "/v1/tokens", Access.SIGNED_IN, 201, _token_body),
    Row("GET", "/v1/tokens", Access.SIGNED_IN, 200),
    Row(
        "GET",
        "/v1/tokens",
        Access.SITE_ADMIN,
        200,
        _the_spare_users_tokens,
        variant="another user's",
    ),
    # Someone else's token looks missing to all but a site admin.
    Row(
        "DELETE", "/v1/tokens/{id}", Access.SITE_ADMIN, 204, _a_token_of_the_site_admin, refused=404
    ),
    Row("GET", "/v1/audit", Access.SITE_ADMIN, 200),
    # Signing in reads no bearer token: anyone with the password gets a JWT.
    Row("POST", "/v1/auth/token", Access.ANYONE, 200, _a_password_grant),
    Row("POST", "/v1/lint", Access.SIGNED_IN, 200, _a_file_to_lint),
    # Every caller may search: it covers only the logs they may read.
    Row("GET", "/v1/search", Access.ANYONE, 200, _a_search),
    # A log: its settings and its members.
    Row("GET", _LOG, Role.VIEWER, 200, _nothing),
    Row("PATCH", _LOG, Role.ADMIN, 200, _log_if_match),
    Row("GET", _LOG + "/members", Role.VIEWER, 200, _nothing),
    Row("PUT", _LOG + "/members/{username}", Role.ADMIN, 200, _give_spare_user_a_role),
    Row("DELETE", _LOG + "/members/{username}", Role.ADMIN, 204, _spare_user_is_member),
    # Its decisions.
    Row("POST", _LOG + "/decisions", Role.AUTHOR, 201, _new_proposal_body),
    Row("GET", _LOG + "/decisions", Role.VIEWER, 200, _nothing),
    Row("GET", _DECISION, Role.VIEWER, 200, _the_read_decision),
    Row(
        "GET",
        _DECISION,
        Role.VIEWER,
        200,
        _markdown_of_the_read_decision,
        variant="Accept: text/markdown",
    ),
    Row("PATCH", _DECISION, Role.AUTHOR, 200, _an_edit_with_if_match),
    Row("DELETE", _DECISION, Role.AUTHOR, 204, _a_proposal_with_if_match),
    Row("POST", _DECISION + "/accept", Role.DECIDER, 200, _a_proposal),
    Row("POST", _DECISION + "/reject", Role.DECIDER, 200, _a_proposal),
    Row("POST", _DECISION + "/reopen", Role.DECIDER, 200, _a_rejected_decision),
    Row("POST", _DECISION + "/deprecate", Role.DECIDER, 200, _an_accepted_decision),
    Row("POST", _DECISION + "/supersede", Role.DECIDER, 200, _two_accepted_decisions),
    Row("GET", _DECISION + "/links", Role.VIEWER, 200, _the_read_decision),
    Row("POST", _DECISION + "/links", Role.AUTHOR, 201, _a_link_to_make),
    Row("DELETE", _DECISION + "/links", Role.AUTHOR, 200, _a_link_to_remove),
    Row("GET", _DECISION + "/history", Role.VIEWER, 200, _the_read_decision),
    Row("GET", _DECISION + "/current", Role.VIEWER, 200, _the_read_decision),
    # MADR in and out.
    Row("POST", _LOG + "/imports", Role.ADMIN, 200, _a_file_to_import),
    Row("GET", _LOG + "/export", Role.VIEWER, 200),
    Row("GET", _LOG + "/graph", Role.VIEWER, 200),
    # Webhooks.
    Row("POST", _LOG + "/webhooks", Role.ADMIN, 201, _new_webhook_body),
    Row("GET", _LOG + "/webhooks", Role.ADMIN, 200),
    Row("GET", _WEBHOOK, Role.ADMIN, 200, _a_webhook),
    Row("PATCH", _WEBHOOK, Role.ADMIN, 200, _a_webhook_change),
    Row("DELETE", _WEBHOOK, Role.ADMIN, 204, _a_webhook),
    Row("POST", _WEBHOOK + "/ping", Role.ADMIN, 200, _a_webhook),
    # git sync. The world's logs mirror no repository (one that did would refuse every
    # other row's writes), so a caller who may sync gets past authorization to the 409
    # that says the log has no source (so does the drift); test_git_sync has the 202
    # and the drift.
    Row("POST", _LOG + "/sync", Role.ADMIN, 409),
    Row("GET", _LOG + "/syncs", Role.VIEWER, 200),
    Row("GET", _LOG + "/syncs/{id}", Role.VIEWER, 200, _a_sync),
    Row("POST", _LOG + "/numbers", Role.AUTHOR, 201),
    Row("GET", _LOG + "/drift", Role.VIEWER, 409),
    Row("GET", _WEBHOOK + "/deliveries", Role.ADMIN, 200, _a_webhook),
    Row(
        "POST",
        _WEBHOOK + "/deliveries/{delivery_id}/redeliver",
        Role.ADMIN,
        200,
        _a_webhook_delivery,
    ),
)


@dataclass(frozen=True)
class Case:
    row: Row
    caller: Caller
    visibility: Visibility | None
    expected: int

    @property
    def id(self) -> str:
        # ASCII: pytest would show a '·' as '\xb7'.
        where = "" if self.visibility is None else f" | {self.visibility.value}"
        variant = f" ({self.row.variant})" if self.row.variant else ""
        return f"{self.row.method} {self.row.path}{variant} | {self.caller.value}{where}"


def cases() -> list[Case]:
    """Every (row, caller, visibility) with its expected status: the matrix."""
    found = []
    for row in TABLE:
        for caller in Caller:
            for visibility in Visibility if row.in_a_log else (None,):
                found.append(
                    Case(row, caller, visibility, expected_status(row, caller, visibility))
                )
    return found
