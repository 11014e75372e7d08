"""The SSRF guard at registration: it resolves the URL's host (here with a fake resolver,
no DNS) and refuses any forbidden address among the answers."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from adapters.webhooks.addresses import AllowedTargets
from adapters.webhooks.guard import SsrfGuard, TargetRefused
from domain.webhooks import WebhookUrl
from tests.unit.webhooks.test_addresses import FORBIDDEN
from tests.webhook_fakes import FakeResolver


def guard(resolver: FakeResolver, allow: str = "") -> SsrfGuard:
    return SsrfGuard(resolver, AllowedTargets.parse(allow))


@pytest.mark.parametrize(("address", "reason"), FORBIDDEN)
async def test_a_host_resolving_to_a_forbidden_address_is_refused(
    address: str, reason: str
) -> None:
    resolver = FakeResolver({"hooks.example.com": [[address]]})
    refusal = await guard(resolver).refusal(WebhookUrl("https://hooks.example.com/adr"))
    assert refusal is not None
    assert f"resolves to {ip_address(address)}," in refusal
    assert reason in refusal


@pytest.mark.parametrize(("address", "reason"), FORBIDDEN)
async def test_a_forbidden_address_written_in_the_url_is_refused_without_dns(
    address: str, reason: str
) -> None:
    resolver = FakeResolver()
    host = f"[{address}]" if ":" in address else address
    refusal = await guard(resolver).refusal(WebhookUrl(f"http://{host}:8080/hook"))
    assert refusal is not None
    assert reason in refusal
    assert resolver.asked == []


async def test_a_host_with_public_addresses_only_is_allowed() -> None:
    resolver = FakeResolver({"hooks.example.com": [["93.184.215.14", "2606:2800:21f::1"]]})
    target = await guard(resolver).target("https://hooks.example.com/adr")
    assert [str(a) for a in target.addresses] == ["93.184.215.14", "2606:2800:21f::1"]
    assert target.host == "hooks.example.com"


async def test_dns_answering_public_then_private_is_refused_the_second_time() -> None:
    """DNS rebinding: the check at registration passes, the one at delivery does not."""
    resolver = FakeResolver({"rebind.example.com": [["93.184.215.14"], ["10.0.0.7"]]})
    checks = guard(resolver)
    url = "https://rebind.example.com/adr"
    assert await checks.refusal(WebhookUrl(url)) is None
    with pytest.raises(TargetRefused, match=r"resolves to 10\.0\.0\.7, a private address"):
        await checks.target(url)


async def test_one_answer_with_a_public_and_a_private_address_is_refused() -> None:
    resolver = FakeResolver({"mixed.example.com": [["93.184.215.14", "127.0.0.1"]]})
    refusal = await guard(resolver).refusal(WebhookUrl("https://mixed.example.com/"))
    assert refusal is not None
    assert "resolves to 127.0.0.1, a loopback address" in refusal


async def test_a_host_that_does_not_resolve_is_refused_saying_so() -> None:
    refusal = await guard(FakeResolver()).refusal(WebhookUrl("https://nowhere.example/"))
    assert refusal is not None
    assert "'nowhere.example' does not resolve" in refusal


async def test_the_allow_list_lets_local_development_targets_through() -> None:
    resolver = FakeResolver({"localhost": [["127.0.0.1", "::1"]]})
    checks = guard(resolver, "127.0.0.1, ::1")
    assert await checks.refusal(WebhookUrl("http://localhost:9000/hook")) is None
    assert await checks.refusal(WebhookUrl("http://127.0.0.1:9000/hook")) is None
    refusal = await checks.refusal(WebhookUrl("http://10.0.0.1/hook"))
    assert refusal is not None
    assert "private" in refusal


async def test_the_host_is_checked_as_the_http_client_will_read_it() -> None:
    resolver = FakeResolver({"xn--bcher-kva.example": [["10.0.0.1"]]})
    refusal = await guard(resolver).refusal(WebhookUrl("https://bücher.example/"))
    assert refusal is not None
    assert resolver.asked == ["xn--bcher-kva.example"]
