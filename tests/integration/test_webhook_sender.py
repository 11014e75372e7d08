"""The httpx sender against a real receiver on 127.0.0.1: signed requests to the checked
address with the original Host, no redirects, and receivers that hang, dribble or send
100 MB cost one timeout and keep at most the first KiB. Forbidden targets get no socket.

Names resolve through a fake resolver (no DNS); the only address ever connected to is
127.0.0.1 (127.0.0.2 once, on the same machine).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook

from adapters.webhooks.addresses import AllowedTargets
from adapters.webhooks.guard import SsrfGuard
from adapters.webhooks.sender import HttpxWebhookSender
from application.webhook_messages import new_webhook_secret, webhook_body
from domain.webhooks import REPLY_EXCERPT_BYTES, WebhookMessage, WebhookUrl
from tests.unit.webhooks.test_addresses import FORBIDDEN
from tests.webhook_fakes import FakeResolver
from tests.webhook_receiver import HUGE, Receiver

TIMEOUT = 1.0
SECRET = new_webhook_secret()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with Receiver() as receiver:
        yield receiver


def sender(resolver: FakeResolver | None = None, allow: str = "127.0.0.0/8") -> HttpxWebhookSender:
    guard = SsrfGuard(resolver or FakeResolver(), AllowedTargets.parse(allow))
    return HttpxWebhookSender(guard, timeout=TIMEOUT)


def message(url: str, *, at: datetime | None = None) -> WebhookMessage:
    at = at or datetime.now(UTC)
    body = webhook_body("decision.accepted", at, {"log": {"slug": "platform"}})
    return WebhookMessage(WebhookUrl(url), "evt_1", at, body, (SECRET,))


class SocketCount:
    """Counts the sockets the process opens while it is on (the event loop's own, made
    before, are not counted)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened = 0
        self._monkeypatch = monkeypatch

    def start(self) -> None:
        count = self
        real = socket.socket

        class Counted(real):  # type: ignore[misc, valid-type]
            def __init__(self, *args: object, **kwargs: object) -> None:
                count.opened += 1
                super().__init__(*args, **kwargs)

        self._monkeypatch.setattr(socket, "socket", Counted)


@pytest.fixture
def sockets(monkeypatch: pytest.MonkeyPatch) -> SocketCount:
    return SocketCount(monkeypatch)


@pytest.mark.parametrize(("address", "reason"), FORBIDDEN)
async def test_a_forbidden_target_is_refused_without_opening_a_socket(
    address: str, reason: str, sockets: SocketCount
) -> None:
    resolver = FakeResolver({"hooks.example.com": [[address]]})
    sockets.start()
    outcome = await sender(resolver, allow="").send(message("https://hooks.example.com/adr"))
    host = f"[{address}]" if ":" in address else address
    literal = await sender(allow="").send(message(f"http://{host}:8080/adr"))
    for refused in (outcome, literal):
        assert refused.status_code is None
        assert refused.error is not None
        assert refused.error.startswith("not sent: ")
        assert reason in refused.error
    assert sockets.opened == 0


async def test_dns_answering_public_then_private_gets_no_socket_at_delivery(
    sockets: SocketCount,
) -> None:
    resolver = FakeResolver({"rebind.example.com": [["93.184.215.14"], ["10.0.0.7"]]})
    checks = SsrfGuard(resolver, AllowedTargets())
    assert await checks.refusal(WebhookUrl("https://rebind.example.com/adr")) is None
    sockets.start()
    outcome = await HttpxWebhookSender(checks, TIMEOUT).send(
        message("https://rebind.example.com/adr")
    )
    assert outcome.error is not None
    assert "resolves to 10.0.0.7, a private address" in outcome.error
    assert sockets.opened == 0


async def test_the_socket_count_does_see_a_connection_when_one_is_made(
    sockets: SocketCount,
) -> None:
    closed_port = _free_port()
    sockets.start()
    outcome = await sender().send(message(f"http://127.0.0.1:{closed_port}/"))
    assert outcome.error is not None
    assert outcome.error.startswith("could not connect")
    assert sockets.opened >= 1


async def test_a_delivery_arrives_signed_at_the_checked_address_with_its_own_host(
    receiver: Receiver,
) -> None:
    resolver = FakeResolver({"receiver.test": [["127.0.0.1"]]})
    sent = message(receiver.url("/status/204", host="receiver.test"))
    outcome = await sender(resolver).send(sent)
    assert (outcome.status_code, outcome.error, outcome.succeeded) == (204, None, True)
    assert resolver.asked == ["receiver.test"]
    [request] = receiver.received
    assert request.method == "POST"
    assert request.headers["host"] == f"receiver.test:{receiver.port}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == "evt_1"
    assert request.body == sent.body.encode()
    assert Webhook(SECRET).verify(request.body, request.headers) == {
        "type": "decision.accepted",
        "timestamp": sent.timestamp.isoformat().replace("+00:00", "Z"),
        "data": {"log": {"slug": "platform"}},
    }


async def test_the_next_checked_address_is_tried_when_one_refuses(receiver: Receiver) -> None:
    resolver = FakeResolver({"receiver.test": [["127.0.0.2", "127.0.0.1"]]})
    outcome = await sender(resolver).send(message(receiver.url("/status/200", "receiver.test")))
    assert outcome.status_code == 200
    assert len(receiver.received) == 1


async def test_a_redirect_is_not_followed(receiver: Receiver) -> None:
    outcome = await sender().send(message(receiver.url("/redirect")))
    assert (outcome.status_code, outcome.succeeded) == (302, False)
    assert [r.path for r in receiver.received] == ["/redirect"]


async def test_a_receiver_that_hangs_costs_one_timeout(receiver: Receiver) -> None:
    started = time.monotonic()
    outcome = await sender().send(message(receiver.url("/hang")))
    elapsed = time.monotonic() - started
    assert outcome.status_code is None
    assert outcome.error == f"no complete reply within {TIMEOUT:g} s"
    assert TIMEOUT <= elapsed < TIMEOUT + 1
    assert TIMEOUT * 1000 <= outcome.duration_ms < (TIMEOUT + 1) * 1000


async def test_a_receiver_that_dribbles_its_reply_costs_one_timeout(receiver: Receiver) -> None:
    started = time.monotonic()
    outcome = await sender().send(message(receiver.url("/dribble")))
    assert time.monotonic() - started < TIMEOUT + 1
    assert outcome.status_code == 200
    assert outcome.error == f"no complete reply within {TIMEOUT:g} s after the status line"
    assert 0 < len(outcome.reply_excerpt) < REPLY_EXCERPT_BYTES


async def test_a_100_mb_reply_is_cut_at_its_first_kib(receiver: Receiver) -> None:
    started = time.monotonic()
    outcome = await sender().send(message(receiver.url("/huge")))
    assert time.monotonic() - started < TIMEOUT
    assert (outcome.status_code, outcome.error) == (200, None)
    assert outcome.reply_excerpt == "y" * REPLY_EXCERPT_BYTES
    await asyncio.sleep(0.1)
    assert receiver.huge_bytes_sent < HUGE // 10


async def test_a_reply_that_is_not_utf8_is_kept_readable(receiver: Receiver) -> None:
    outcome = await sender().send(message(receiver.url("/bytes/" + "ff00e282ac")))
    assert outcome.reply_excerpt == "\ufffd\x00€"


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    try:
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
                *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=receiver.test"),
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
    except FileNotFoundError:
        pytest.skip("openssl is not installed: it makes the test's certificate")
    return key, cert


async def test_https_sends_the_original_host_as_sni_and_verifies_the_certificate(
    certificate: tuple[Path, Path],
) -> None:
    key, cert = certificate
    names: list[str | None] = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _socket, name, _context: names.append(name)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    try:
        resolver = FakeResolver({"receiver.test": [["127.0.0.1"]]})
        outcome = await sender(resolver).send(message(f"https://receiver.test:{port}/hook"))
    finally:
        server.close()
        await server.wait_closed()
    assert names == ["receiver.test"]
    # Self-signed: a certificate that public roots do not vouch for is refused.
    assert outcome.error is not None
    assert "CERTIFICATE_VERIFY_FAILED" in outcome.error


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
