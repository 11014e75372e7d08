"""/metrics: the named series with their labels, counted by route template."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import ON_BOTH, MakeUser

pytestmark = ON_BOTH

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient) -> Samples:
    reply = await client.get("/metrics")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(reply.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_requests_are_counted_by_route_template_and_status(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    headers = await make_user("ada", admin=True)
    assert (
        await client.post("/v1/logs", json={"slug": "arch", "title": "A"}, headers=headers)
    ).status_code == 201
    before = await scrape(client)
    for number in (1, 2, 3):
        await client.get(f"/v1/logs/arch/decisions/{number}", headers=headers)
    await client.get("/no/such/page")
    after = await scrape(client)

    route = "/v1/logs/{log}/decisions/{n}"
    counted = "adr_registry_http_requests_total"
    assert (
        value(after, counted, method="GET", route=route, status="404")
        - value(before, counted, method="GET", route=route, status="404")
        == 3
    )
    assert (
        value(after, counted, method="GET", route="<unmatched>", status="404")
        - value(before, counted, method="GET", route="<unmatched>", status="404")
        == 1
    )
    timed = "adr_registry_http_request_duration_seconds_count"
    assert (
        value(after, timed, method="GET", route=route)
        - value(before, timed, method="GET", route=route)
        == 3
    )
    # The scrape itself is in flight while it is written.
    assert value(after, "adr_registry_http_requests_in_flight") >= 1


async def test_pool_outbox_and_webhook_series_are_present(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    headers = await make_user("ada", admin=True)
    await client.post("/v1/logs", json={"slug": "arch", "title": "A"}, headers=headers)
    samples = await scrape(client)
    names = {name for name, _ in samples}
    assert {
        "adr_registry_db_pool_size",
        "adr_registry_db_pool_checked_out",
        "adr_registry_outbox_unsent_events",
        "adr_registry_outbox_oldest_unsent_age_seconds",
    } <= names
    assert value(samples, "adr_registry_db_pool_size") > 0
    assert value(samples, "adr_registry_outbox_oldest_unsent_age_seconds") >= 0
