"""Every page type passes axe-core without a serious or critical violation, in light and
dark mode, and a keyboard alone reaches the search box, the links and the sign-in form."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import Visit, open_visit
from tests.browser.pages import sign_in
from tests.browser.registry import MEMBER, PASSWORD, Registry

# One page of each type; the log and decision pages of the private log are read signed in.
PAGE_TYPES = {
    "home": "/",
    "log": "/logs/handbook",
    "log-filtered": "/logs/handbook?status=accepted",
    "decision": "/logs/handbook/decisions/1",
    "search": "/search?q=store",
    "search-empty": "/search",
    "sign-in": "/signin",
    "not-found": "/logs/nowhere",
    "bad-request": "/logs/handbook?status=bogus",
}
BLOCKING = ("serious", "critical")


def violations(visit: Visit, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it stands.

    The script is evaluated through the DevTools protocol, so the page's CSP (which
    allows no inline script) stays as it is.
    """
    visit.page.evaluate(axe_source)
    found: list[dict[str, Any]] = visit.page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in BLOCKING]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGE_TYPES.values(), ids=PAGE_TYPES.keys())
def test_a_page_has_no_serious_accessibility_violation(
    browser: Browser, registry: Registry, axe_source: str, path: str, scheme: str
) -> None:
    visit = open_visit(browser, registry, color_scheme=scheme)
    try:
        visit.page.goto(path)
        assert violations(visit, axe_source) == []
    finally:
        visit.context.close()


def test_the_live_search_results_have_no_serious_accessibility_violation(
    visit: Visit, axe_source: str
) -> None:
    page = visit.page
    page.goto("/logs/handbook/decisions/2")
    page.get_by_role("searchbox", name="Search decisions").press_sequentially("store", delay=30)
    expect(page.locator("#live-results mark").first).to_be_visible()
    assert violations(visit, axe_source) == []


def test_a_private_decision_read_signed_in_has_no_serious_accessibility_violation(
    visit: Visit, axe_source: str
) -> None:
    sign_in(visit.page, MEMBER)
    visit.page.goto("/logs/vault/decisions/1")
    expect(visit.page.get_by_role("heading", name="ADR-0001 Hide the vault key")).to_be_visible()
    assert violations(visit, axe_source) == []


def focused(visit: Visit) -> str:
    """The focused element as a person would name it: its role-ish tag and its label."""
    description: str = visit.page.evaluate(
        """() => {
            const e = document.activeElement;
            const label = e.labels && e.labels.length ? e.labels[0].textContent
                : e.getAttribute("aria-label") || e.textContent;
            return e.tagName.toLowerCase() + ":" + (label || "").trim().replace(/\\s+/g, " ");
        }"""
    )
    return description


def tab_until(visit: Visit, wanted: str, limit: int = 40) -> list[str]:
    """Press Tab until the focus is on `wanted`; every stop on the way."""
    stops: list[str] = []
    for _ in range(limit):
        visit.page.keyboard.press("Tab")
        stops.append(focused(visit))
        if stops[-1] == wanted:
            return stops
    raise AssertionError(f"Tab never reached {wanted!r}; it went {stops}")


def test_a_keyboard_alone_reaches_the_search_the_links_and_signs_in(visit: Visit) -> None:
    page = visit.page
    page.goto("/")
    stops = tab_until(visit, "a:Sign in")
    assert stops[0] == "a:Skip to content", "the first stop skips to the content"
    assert "input:Search decisions" in stops
    assert "button:Search" in stops
    tab_until(visit, "a:Engineering handbook")
    tab_until(visit, "a:ADR-0002 Store decisions in PostgreSQL")
    # Enter on a link opens it; back home, Enter on "Sign in" opens the form.
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("heading", name="ADR-0002 Store decisions in PostgreSQL")
    ).to_be_visible()
    page.go_back()
    page.get_by_role("link", name="Sign in").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    tab_until(visit, "input:Username")
    page.keyboard.type(MEMBER)
    page.keyboard.press("Tab")
    assert focused(visit) == "input:Password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert focused(visit) == "button:Sign in"
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Signed in as {MEMBER}")).to_be_visible()
    # The search box, typed into and sent with Enter.
    tab_until(visit, "input:Search decisions")
    page.keyboard.type("sqlite")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()
    expect(page.locator("#results .hit").first).to_contain_text("Store decisions in SQLite")


def test_the_skip_link_moves_the_focus_to_the_content(visit: Visit) -> None:
    page = visit.page
    page.goto("/logs/handbook")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(visit) == "a:Logs", "the next stop is the breadcrumb, past the header"
