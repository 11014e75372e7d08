"""What a visitor may read is what the API lets them read, and no page calls another host."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Visit
from tests.browser.pages import expect_not_found, sign_in
from tests.browser.registry import MEMBER, STRANGER

PRIVATE_PAGES = (
    "/logs/vault",
    "/logs/vault?status=proposed",
    "/logs/vault/decisions/1",
    "/logs/vault/ADR-0001",
    "/logs/vault/decisions/1/markdown",
)


def test_no_page_asks_anything_of_another_host(visit: Visit) -> None:
    page = visit.page
    sign_in(page, MEMBER)
    for path in (
        "/",
        "/logs/handbook",
        "/logs/handbook/decisions/1",
        "/logs/handbook/decisions/3",
        "/logs/vault/decisions/1",
        "/search?q=store",
        "/signin",
        "/logs/nowhere",
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.get_by_role("searchbox", name="Search decisions").press_sequentially("store", delay=30)
    expect(page.locator("#live-results mark").first).to_be_visible()
    assert len(visit.requests) > 8
    assert visit.off_host() == []
    # The stylesheet and the script were loaded, from the server itself.
    assert any(url.endswith("/static/style.css") for url in visit.requests)
    assert any(url.endswith("/static/search.js") for url in visit.requests)


def test_an_anonymous_visitor_sees_public_logs_only(visit: Visit) -> None:
    page = visit.page
    page.goto("/")
    expect(page.get_by_role("heading", name="Engineering handbook")).to_be_visible()
    expect(page.get_by_text("Secret vault plans")).to_have_count(0)
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    for path in PRIVATE_PAGES:
        expect_not_found(page, path)
    page.goto("/search?q=vault")
    expect(page.get_by_role("status")).to_have_text("0 decisions match “vault”")


@pytest.mark.parametrize("path", PRIVATE_PAGES)
def test_a_user_without_a_role_sees_the_404_page_for_a_private_logs_pages(
    visit: Visit, path: str
) -> None:
    sign_in(visit.page, STRANGER)
    expect_not_found(visit.page, path)
    expect(visit.page.get_by_text(f"Signed in as {STRANGER}")).to_be_visible()


def test_a_member_reads_the_private_log_that_strangers_cannot(visit: Visit) -> None:
    page = visit.page
    sign_in(page, MEMBER)
    page.goto("/logs/vault")
    expect(page.get_by_role("heading", name="Secret vault plans", level=1)).to_be_visible()
    page.get_by_role("link", name="Hide the vault key").first.click()
    expect(page.get_by_role("heading", name="ADR-0001 Hide the vault key")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Nobody outside may read this.")
