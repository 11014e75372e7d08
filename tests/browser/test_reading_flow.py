"""A person reads the registry in Chromium: each step checks what they see."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import Visit
from tests.browser.pages import expect_not_found, sign_in
from tests.browser.registry import MEMBER


def test_a_member_signs_in_reads_filters_follows_searches_downloads_and_signs_out(
    visit: Visit,
) -> None:
    page = visit.page

    sign_in(page, MEMBER)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="Secret vault plans")).to_be_visible()
    visit.screenshot("home-signed-in")

    # Open a log: its table, timeline and graph.
    page.get_by_role("link", name="Engineering handbook").click()
    expect(page.get_by_role("heading", name="Engineering handbook", level=1)).to_be_visible()
    table = page.locator("table.decisions tbody tr")
    expect(table).to_have_count(3)
    graph = page.get_by_role("group", name="Links between decisions")
    expect(graph.get_by_role("link")).to_have_count(3)
    visit.screenshot("log")

    # Filter by status.
    page.get_by_label("Status").select_option("accepted")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"status=accepted"))
    expect(table).to_have_count(1)
    expect(table.first).to_contain_text("Store decisions in PostgreSQL")
    expect(table.first).to_contain_text("accepted")
    page.get_by_role("link", name="Clear filters").click()
    expect(table).to_have_count(3)

    # Open the superseded decision: the banner says what is in force now.
    table.get_by_role("link", name="Store decisions in SQLite").click()
    expect(page.get_by_role("heading", name="ADR-0001 Store decisions in SQLite")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text(
        "This decision is superseded. In force now: ADR-0002 Store decisions in PostgreSQL"
    )
    expect(page.locator(".facts")).to_contain_text("superseded since")
    expect(page.locator(".facts")).to_contain_text("Ada Lovelace")
    expect(page.locator("main strong", has_text="database")).to_be_visible()
    visit.screenshot("decision-superseded")

    # Follow "superseded by" to the current decision.
    page.locator(".links li", has_text="Superseded by").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/logs/handbook/decisions/2$"))
    expect(
        page.get_by_role("heading", name="ADR-0002 Store decisions in PostgreSQL")
    ).to_be_visible()
    expect(page.locator(".facts .status")).to_have_text("accepted")
    expect(page.get_by_role("note")).to_have_count(0)
    expect(page.locator(".links")).to_contain_text("Supersedes ADR-0001")
    visit.screenshot("decision-current")

    # Download it as Markdown.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as Markdown").click()
    download = download_info.value
    assert download.suggested_filename == "0002-store-decisions-in-postgresql.md"
    markdown = Path(download.path()).read_text()
    assert markdown.startswith("---\n")
    assert "# Store decisions in PostgreSQL" in markdown

    # Search as you type: the highlighted hits appear without a page load.
    page.evaluate("window.typedOnThisPage = true")
    page.get_by_role("searchbox", name="Search decisions").press_sequentially(
        "postgresql", delay=40
    )
    live = page.locator("#live-results")
    expect(live.locator("mark").first).to_have_text(re.compile("postgresql", re.IGNORECASE))
    expect(live.get_by_role("link", name="ADR-0002 Store decisions in PostgreSQL")).to_be_visible()
    assert page.evaluate("window.typedOnThisPage") is True, "the page was reloaded"
    visit.screenshot("search-as-you-type")

    # Sign out: the private log is gone again.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.get_by_role("link", name="Secret vault plans")).to_have_count(0)
    expect_not_found(page, "/logs/vault")
    assert visit.dialogs == []
    assert visit.page_errors == []


def test_the_search_page_refreshes_its_results_and_address_as_one_types(visit: Visit) -> None:
    page = visit.page
    page.goto("/search")
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()
    page.evaluate("window.typedOnThisPage = true")
    page.get_by_role("searchbox", name="Search decisions").press_sequentially("sqlite", delay=40)
    results = page.locator("#results")
    expect(results.get_by_role("status")).to_have_text(re.compile(r"^\d+ decisions? match"))
    expect(results.locator(".hit mark").first).to_have_text(re.compile("sqlite", re.IGNORECASE))
    expect(results.get_by_role("link", name="ADR-0001 Store decisions in SQLite")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/search\?q=sqlite$"))
    assert page.evaluate("window.typedOnThisPage") is True, "the page was reloaded"
    expect(results.get_by_role("navigation", name="Status")).to_contain_text("superseded")
    visit.screenshot("search")
    page.get_by_role("searchbox", name="Search decisions").fill("")
    page.get_by_role("searchbox", name="Search decisions").press("End")
    page.get_by_role("searchbox", name="Search decisions").press_sequentially("zzzqx", delay=40)
    expect(results.get_by_role("status")).to_have_text("0 decisions match “zzzqx”")
