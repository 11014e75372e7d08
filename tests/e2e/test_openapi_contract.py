"""The app keeps the promises of its own /openapi.json: Schemathesis sends every operation
generated requests, in process, and checks each reply.

Checks, on every reply: no 5xx; the status is one the operation documents; the content
type is one documented for that status; the body matches the documented schema.

Runs, on SQLite and on PostgreSQL: as a site admin (who may do everything, so replies
get past authorization) with valid requests and with invalid ones (which include leaving
the token out); and without a token, with valid requests. Many cases name the seeded log
'demo', its decisions and its users, so that paths reach real records; the rest are wholly
generated. Then the stateful phase, with and without a token: sequences of calls that
follow the document's links (a created log's slug into the operations on it, a created
decision's number into the operations on it), with the same checks on every reply.
Generation is derandomized and the operations run in a fixed order, so a run is
repeatable. The numbers of examples keep the whole file within about three minutes on a
loaded two-core machine.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from application.commands import CreateUser
from application.cursors import CURSOR_PATTERN
from application.handlers.users import CreateUserHandler
from application.views import OPERATOR
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import bearer
from tests.integration import conftest as integration
from tests.services import run_in_new_loop
from tests.webhook_fakes import no_webhook_traffic

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 10
# The stateful phase: scenarios, and calls in each.
SCENARIOS = 15
STEPS_PER_SCENARIO = 8

# The document, without a database: collection needs only its operations.
OPENAPI: dict[str, Any] = create_app(Settings(database_url="sqlite+aiosqlite://")).openapi()


def _takes_input(operation: dict[str, Any]) -> bool:
    return bool(operation.get("parameters") or operation.get("requestBody"))


def _runs() -> Iterator[Any]:
    for path, item in OPENAPI["paths"].items():
        for method, operation in item.items():
            label = f"{method.upper()} {path}"
            yield pytest.param(method, path, "site admin", GenerationMode.POSITIVE, id=label)
            # Nothing to make invalid in an operation without parameters or body
            # (/healthz, /readyz): Hypothesis would find no input at all.
            if _takes_input(operation):
                yield pytest.param(
                    method, path, "site admin", GenerationMode.NEGATIVE, id=f"{label} invalid"
                )
            yield pytest.param(
                method, path, "anonymous", GenerationMode.POSITIVE, id=f"{label} anonymous"
            )


# -- the world ------------------------------------------------------------------

SEEDED: dict[str, list[Any]] = {
    "log": ["demo"],
    # 1 proposed, 2 accepted, 3 rejected, 4 accepted, 5 proposed superseding 2.
    "n": [1, 2, 3, 4, 5],
    "username": ["root", "ann"],
    # Webhook 1 of 'demo', and its delivery 1 (a ping).
    "id": [1],
    "delivery_id": [1],
}


@dataclass(frozen=True)
class Api:
    schema: Any
    token: str


async def _seed(settings: Settings) -> str:
    """A public log 'demo' with decisions in several states, and a member; returns the
    site admin's token."""
    app = create_app(settings, overrides=no_webhook_traffic())
    async with app.router.lifespan_context(app):
        create: CreateUserHandler = app.state.services.get(CreateUserHandler)
        issued = await create(CreateUser(actor=OPERATOR, username="root", is_admin=True))
        await create(CreateUser(actor=OPERATOR, username="ann"))
        root = bearer(issued.token)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as api:

            async def send(method: str, url: str, status: int, **kwargs: Any) -> None:
                reply = await api.request(method, url, headers=root, **kwargs)
                assert reply.status_code == status, reply.text

            log = {"slug": "demo", "title": "Demo", "visibility": "public"}
            await send("POST", "/v1/logs", 201, json=log)
            await send("PUT", "/v1/logs/demo/members/ann", 200, json={"role": "author"})
            decisions = "/v1/logs/demo/decisions"
            for title in ("Use a queue", "Use PostgreSQL", "Use MongoDB", "Use Kafka"):
                await send("POST", decisions, 201, json={"title": title, "tags": ["storage"]})
            await send("POST", decisions + "/2/accept", 200)
            await send("POST", decisions + "/3/reject", 200)
            await send("POST", decisions + "/4/accept", 200)
            await send(
                "POST", decisions, 201, json={"title": "Use CockroachDB", "supersedes": ["2"]}
            )
            await send(
                "POST", decisions + "/1/links", 201, json={"kind": "relates-to", "target": "4"}
            )
            hook = {"url": "https://hooks.example.com/adr", "events": ["*"]}
            await send("POST", "/v1/logs/demo/webhooks", 201, json=hook)
            await send("POST", "/v1/logs/demo/webhooks/1/ping", 200)
    return issued.token


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    directory = tmp_path_factory.mktemp("openapi-contract")
    with _database(request, directory) as database_url:
        settings = Settings(data_dir=directory, database_url=database_url)
        token = run_in_new_loop(lambda: _seed(settings))
        # Schemathesis runs the app, lifespan included, on an event loop of its own.
        # Webhooks reach nothing: generated URLs must never be sent to.
        app = create_app(settings, overrides=no_webhook_traffic())
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        yield Api(schema=schema, token=token)
        shutdown_lifespans()


@contextmanager
def _database(request: pytest.FixtureRequest, directory: Path) -> Iterator[str]:
    """A fresh, migrated database of the backend the fixture is run for."""
    if request.param == "sqlite":
        database = directory / "registry.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), database)
        yield f"sqlite+aiosqlite:///{database}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"adr_contract_{uuid.uuid4().hex[:12]}"
    run_in_new_loop(lambda: integration.create_from_template(template, name))
    try:
        yield template.url_of(name)
    finally:
        integration.drop(template.admin, name)


def _cases(operation: Any, mode: GenerationMode) -> st.SearchStrategy[Any]:
    """Cases whose path names the seeded records, and wholly generated ones."""
    names = re.findall(r"{(\w+)}", operation.path)
    generated = operation.as_strategy(generation_mode=mode)
    if not names:
        return generated
    seeded = st.fixed_dictionaries({name: st.sampled_from(SEEDED[name]) for name in names})
    anchored = seeded.flatmap(
        lambda values: operation.as_strategy(generation_mode=mode, path_parameters=values)
    )
    return st.one_of(anchored, generated)


@pytest.mark.parametrize(("method", "path", "caller", "mode"), list(_runs()))
def test_every_reply_keeps_the_documented_contract(
    api: Api, method: str, path: str, caller: str, mode: GenerationMode
) -> None:
    operation = api.schema[path][method.upper()]

    @given(case=_cases(operation, mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
    )
    def check(case: Any) -> None:
        headers: dict[str, str] = {}
        if caller == "anonymous":
            # Schemathesis fills in the bearer scheme with made-up tokens; send none.
            case.headers = {
                k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"
            }
        else:
            headers = bearer(api.token)
        case.call_and_validate(checks=CHECKS, headers=headers)

    check()


@pytest.mark.parametrize("caller", ["site admin", "anonymous"])
def test_sequences_along_the_links_keep_the_documented_contract(api: Api, caller: str) -> None:
    """Schemathesis' stateful phase: each scenario chains calls along the document's
    links, so a created record is read, changed and deleted by the calls that follow."""
    headers = bearer(api.token) if caller == "site admin" else {}

    class Workflow(api.schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: Any) -> None:
            # As above: the generated bearer tokens are replaced, or dropped.
            case.headers = {
                k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"
            }

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any, *_: Any, **__: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    Workflow.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS_PER_SCENARIO,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )


def test_a_created_record_links_to_the_operations_on_it() -> None:
    decisions = OPENAPI["paths"]["/v1/logs/{log}/decisions"]["post"]["responses"]["201"]
    get = decisions["links"]["get_decision_v1_logs__log__decisions__n__get"]
    assert get["parameters"] == {"log": "$request.path.log", "n": "$response.body#/number"}
    logs = OPENAPI["paths"]["/v1/logs"]["post"]["responses"]["201"]["links"]
    assert logs["get_log_v1_logs__log__get"]["parameters"] == {"log": "$response.body#/slug"}
    # An operation that needs a parameter the reply does not give gets no link.
    assert "set_member_v1_logs__log__members__username__put" not in logs


# -- what the document says, against what the app enforces --------------------


def test_every_api_route_is_in_the_document() -> None:
    documented = {
        (method.upper(), path) for path, item in OPENAPI["paths"].items() for method in item
    }
    routes = {
        (method, route.path_format)
        for route in create_app(Settings(database_url="sqlite+aiosqlite://")).routes
        if isinstance(route, APIRoute) and route.include_in_schema
        for method in route.methods
    }
    assert routes == documented


def test_every_if_match_header_documents_the_etag_it_takes() -> None:
    headers = {
        f"{method.upper()} {path}": parameter["schema"]
        for path, item in OPENAPI["paths"].items()
        for method, operation in item.items()
        for parameter in operation.get("parameters", ())
        if parameter["in"] == "header" and parameter["name"].lower() == "if-match"
    }
    assert headers
    assert {label: "pattern" in schema for label, schema in headers.items()} == dict.fromkeys(
        headers, True
    )


def test_a_log_title_is_documented_alike_on_create_and_update() -> None:
    schemas = OPENAPI["components"]["schemas"]
    created = schemas["LogCreate"]["properties"]["title"]
    updated = schemas["LogUpdate"]["properties"]["title"]
    assert updated.get("pattern") == created["pattern"]


@pytest.mark.xfail(
    strict=True,
    reason="the reference pattern cannot bound the slug's length: that needs a look-ahead, "
    "which pydantic's regex engine lacks; the app answers 422 naming the field",
)
def test_the_reference_pattern_refuses_what_the_app_refuses() -> None:
    reference = OPENAPI["components"]["schemas"]["Supersede"]["properties"]["by"]["items"]
    assert re.search(reference["pattern"], "a" * 65 + "/1") is None


def test_every_cursor_documents_the_pattern_the_app_holds_it_to() -> None:
    cursors = {
        f"{method.upper()} {path}": parameter["schema"]
        for path, item in OPENAPI["paths"].items()
        for method, operation in item.items()
        for parameter in operation.get("parameters", ())
        if parameter["in"] == "query" and parameter["name"] == "cursor"
    }
    assert len(cursors) == 9, sorted(cursors)
    assert {label: schema.get("pattern") for label, schema in cursors.items()} == dict.fromkeys(
        cursors, CURSOR_PATTERN
    )
    responses = {
        label: OPENAPI["paths"][label.split(" ")[1]]["get"]["responses"] for label in cursors
    }
    assert all("400" in documented for documented in responses.values())
