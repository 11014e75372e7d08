"""/docs and /redoc load with every asset from the service itself."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.e2e.conftest import ON_SQLITE

pytestmark = ON_SQLITE

# src="..." and href="..." attributes, and url: '...' (Swagger UI's spec URL).
_ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*["']([^"']+)["']""")
# spec-url="..." is Redoc's.
_SPEC = re.compile(r"""spec-url\s*=\s*["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_a_docs_page_names_only_assets_the_service_serves(
    client: httpx.AsyncClient, page: str
) -> None:
    reply = await client.get(page)
    assert reply.status_code == 200
    html = reply.text
    urls = {a or b for a, b in _ASSET.findall(html)} | set(_SPEC.findall(html))
    assert urls, html
    for url in urls:
        # Nothing leaves the host: every asset is a path on the service.
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.content, url
    assert "cdn" not in html.lower()
    assert "fonts.googleapis" not in html


async def test_only_the_named_assets_are_served(client: httpx.AsyncClient) -> None:
    assert (await client.get("/docs-assets/swagger-ui.css")).status_code == 200
    for name in ("core.py", "..%2Fcore.py", "%2E%2E%2F__init__.py"):
        reply = await client.get(f"/docs-assets/{name}")
        assert reply.status_code == 404, name
        assert reply.headers["content-type"] == "application/problem+json"
