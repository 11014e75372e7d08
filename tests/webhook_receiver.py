"""A tiny HTTP/1.1 server on 127.0.0.1 for webhook tests: it keeps every request, and
answers as its path says, including the ways a receiver can misbehave.

    /status/NNN   NNN with a short body
    /slow/MS      200 after MS milliseconds (a request stays in flight that long)
    /redirect     302 to /status/200
    /hang         reads the request, never answers
    /dribble      200, then the body one byte every 50 ms
    /huge         200 with a 100 MB body, as fast as the client reads
    /bytes/HEX    200 with those bytes (hex-encoded in the path) as the body
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

HUGE = 100 * 1024 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names in lowercase
    body: bytes


@dataclass
class Receiver:
    received: list[Received] = field(default_factory=list)
    # How much of /huge's body went out before the client stopped reading.
    huge_bytes_sent: int = 0
    # Requests read and not yet answered.
    in_flight: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            request = await self._read(reader)
            self.received.append(request)
            self.in_flight += 1
            try:
                await self._answer(request.path, writer)
            finally:
                self.in_flight -= 1
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away: what the misbehaving paths are about
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _read(self, reader: asyncio.StreamReader) -> Received:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        request_line, *lines = head.split("\r\n")
        method, path, _ = request_line.split(" ", 2)
        headers = {}
        for line in lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        return Received(method, path, headers, body)

    async def _answer(self, path: str, writer: asyncio.StreamWriter) -> None:
        if path.startswith("/status/"):
            status = int(path.removeprefix("/status/"))
            await _reply(writer, status, f"status {status}".encode())
        elif path.startswith("/slow/"):
            await asyncio.sleep(int(path.removeprefix("/slow/")) / 1000)
            await _reply(writer, 200, b"ok")
        elif path.startswith("/bytes/"):
            await _reply(writer, 200, bytes.fromhex(path.removeprefix("/bytes/")))
        elif path == "/redirect":
            await _reply(writer, 302, b"", location="/status/200")
        elif path == "/hang":
            await asyncio.sleep(3600)
        elif path == "/dribble":
            writer.write(_head(200, 100_000))
            while True:
                writer.write(b"x")
                await writer.drain()
                await asyncio.sleep(0.05)
        elif path == "/huge":
            writer.write(_head(200, HUGE))
            chunk = b"y" * _CHUNK
            while self.huge_bytes_sent < HUGE:
                writer.write(chunk)
                await writer.drain()
                self.huge_bytes_sent += _CHUNK
        else:
            await _reply(writer, 404, b"no such path")


def _head(status: int, length: int, location: str | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} X", f"Content-Length: {length}", "Connection: close"]
    if location is not None:
        lines.append(f"Location: {location}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _reply(
    writer: asyncio.StreamWriter, status: int, body: bytes, location: str | None = None
) -> None:
    writer.write(_head(status, len(body), location) + body)
    await writer.drain()
