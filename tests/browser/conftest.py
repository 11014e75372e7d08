"""Real headless Chromium, driven by Playwright, on the registry served as in production.

Debian's `chromium` package is the browser (Playwright's own browser builds are never
downloaded); axe-core comes from the npm registry into `tests/browser/node_modules`
(`npm ci` there; `.ci/run` does it). When either is missing the tests skip and say why,
or fail under ADR_REGISTRY_REQUIRE_SERVICES=1, as those needing a server do.

The server and the browser are started once for this folder; every test gets a fresh
browser context (no cookies), and every request any page makes is recorded: one to
another host than the server fails the test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from tests.browser.registry import Registry, running_registry
from tests.services import unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_VARIABLE = "ADR_REGISTRY_TEST_CHROMIUM"
# Screenshots of the main pages land here (git-ignored), for a person to look at.
SCREENSHOTS = HERE.parents[1] / "test-output" / "browser"
# No step of a flow waits longer than this for what it expects to see, and no test runs
# longer than its limit (the first one also starts the server and the browser).
STEP_TIMEOUT_MS = 10_000
TEST_TIMEOUT_S = 240


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.timeout(TEST_TIMEOUT_S))


def _chromium() -> str:
    path = os.environ.get(CHROMIUM_VARIABLE) or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        unavailable(
            f"Chromium is not installed at {path} (apt-get install chromium, or set "
            f"{CHROMIUM_VARIABLE})"
        )
    return path


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (uv sync installs the dev group)")
    executable = _chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, timeout=60_000)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with running_registry(tmp_path_factory.mktemp("registry")) as running:
        yield running


@pytest.fixture(scope="package")
def axe_source() -> str:
    if not AXE.is_file():
        unavailable(f"axe-core is not installed at {AXE} (run `npm ci` in {HERE})")
    return AXE.read_text()


@dataclass
class Visit:
    """One visitor's browser tab, and everything it saw happen."""

    context: BrowserContext
    page: Page
    base_url: str
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def off_host(self) -> list[str]:
        """Every request that went anywhere but the registry's own address."""
        here = urlsplit(self.base_url).netloc
        return [url for url in self.requests if urlsplit(url).netloc != here]

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path


def open_visit(browser: Browser, registry: Registry, **options: Any) -> Visit:
    context = browser.new_context(base_url=registry.base_url, accept_downloads=True, **options)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    visit = Visit(context=context, page=page, base_url=registry.base_url)
    context.on("request", lambda request: visit.requests.append(request.url))
    page.on("pageerror", lambda error: visit.page_errors.append(str(error)))

    def on_console(message: Any) -> None:
        if message.type == "error":
            visit.console_errors.append(message.text)

    def on_dialog(dialog: Any) -> None:
        visit.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("console", on_console)
    page.on("dialog", on_dialog)
    return visit


@pytest.fixture
def visit(browser: Browser, registry: Registry) -> Iterator[Visit]:
    """A fresh, anonymous visitor at desktop width."""
    opened = open_visit(browser, registry)
    yield opened
    opened.context.close()
    assert opened.off_host() == [], "a page made requests to another host"
