"""A decision written to attack its readers is shown as text, runs nothing, and keeps the
layout on a phone's width."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import Visit, open_visit
from tests.browser.registry import Registry
from tests.web.seed import HOSTILE_WORD

HOSTILE = "/logs/handbook/decisions/3"
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser: Browser, registry: Registry) -> Iterator[Visit]:
    opened = open_visit(browser, registry, viewport=PHONE, is_mobile=True, has_touch=True)
    yield opened
    opened.context.close()
    assert opened.off_host() == []


def overflow(visit: Visit) -> int:
    """By how many pixels the page is wider than the screen (0: no sideways scrolling)."""
    width: int = visit.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return width


def test_hostile_markdown_is_shown_as_text_and_runs_nothing(phone: Visit) -> None:
    page = phone.page
    reply = page.goto(HOSTILE)
    assert reply is not None
    assert reply.status == 200
    expect(page.get_by_role("heading", name="Render hostile markdown safely")).to_be_visible()
    context = page.locator("section", has=page.get_by_role("heading", name="Context"))
    expect(context).to_contain_text("<script>alert('script')</script>")
    expect(context).to_contain_text('<img src="x" onerror="alert(\'img\')">')
    expect(context).to_contain_text("[click me](javascript:alert('link'))")
    expect(context.locator("script, img, iframe, object, embed")).to_have_count(0)
    expect(context.get_by_role("link")).to_have_count(0)
    expect(page.locator('[href^="javascript:" i], [src^="javascript:" i]')).to_have_count(0)
    assert page.evaluate("document.querySelectorAll('[onerror], [onclick], [onload]').length") == 0
    # Give an injected handler every chance to fire before looking for its effects.
    page.wait_for_load_state("networkidle")
    assert phone.dialogs == []
    assert phone.page_errors == []
    assert phone.console_errors == []
    phone.screenshot("decision-hostile-phone")


def test_a_ten_thousand_character_word_wraps_instead_of_widening_the_page(phone: Visit) -> None:
    page = phone.page
    page.goto(HOSTILE)
    word = page.get_by_text(HOSTILE_WORD)
    expect(word).to_be_visible()
    assert overflow(phone) == 0
    box = word.bounding_box()
    assert box is not None
    assert box["width"] <= PHONE["width"]


@pytest.mark.parametrize(
    "path", ["/", "/logs/handbook", "/logs/handbook/decisions/1", "/search?q=store", "/signin"]
)
def test_every_page_fits_a_phone_without_sideways_scrolling(phone: Visit, path: str) -> None:
    phone.page.goto(path)
    assert overflow(phone) == 0
    assert phone.console_errors == []
