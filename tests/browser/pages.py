"""What a person does on the registry's pages, as steps the tests share."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.registry import PASSWORD
from tests.services import REQUIRE_SERVICES_VARIABLE, services_required

try:
    from playwright.sync_api import expect
except ImportError:
    # The test modules import this one first: without Playwright they are skipped
    # whole, or fail to collect when the services are required.
    _REASON = "Playwright for Python is not installed (uv sync installs the dev group)"
    if services_required():
        pytest.fail(f"{_REASON} ({REQUIRE_SERVICES_VARIABLE}=1)", pytrace=False)
    pytest.skip(_REASON, allow_module_level=True)

if TYPE_CHECKING:
    from playwright.sync_api import Page


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in from the header's link, as a person would, and land back home."""
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()


def expect_not_found(page: Page, path: str) -> None:
    reply = page.goto(path)
    assert reply is not None
    assert reply.status == 404, path
    expect(page.get_by_role("heading", name="Not found", level=1)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("vault", ignore_case=True)
