"""Every page opens from its own URL without an exception, shows its content, and the sidebar lists them all."""

import re

import pytest
from playwright.sync_api import Page, expect

from st_page import SLOW_MS, button, canvas, open_page
from ui.routes import URLS as PAGES


def main_content(page: Page, title: str):
    """The element that shows a page did its job, beyond its title."""
    return {
        "Home": lambda: page.get_by_text("The dataset", exact=True),
        "Lesson": lambda: button(page, "Open Explore"),
        "Explore": lambda: page.get_by_test_id("stImage").first,
        "Train": lambda: button(page, "Train"),
        "Evaluate": lambda: page.get_by_test_id("stPlotlyChart").first,
        "Compare": lambda: page.get_by_text(re.compile("^(Comparing needs two models|Learning curves)")).first,
        "Draw": lambda: canvas(page),
        "Handwriting": lambda: page.get_by_text("Digits in the collection", exact=True),
        "Inside": lambda: canvas(page),
        "Board": lambda: page.get_by_text(re.compile("^(No posts yet|Ranked by)")).first,
    }[title]()


@pytest.mark.parametrize("title", PAGES)
def test_page_opens_from_its_url(page: Page, title: str):
    open_page(page, PAGES[title])
    expect(page.locator("h1").first).to_be_visible()
    expect(main_content(page, title)).to_be_visible(timeout=SLOW_MS)


def test_sidebar_lists_every_page(page: Page):
    open_page(page, "/")
    links = page.get_by_test_id("stSidebarNav").get_by_test_id("stSidebarNavLink")
    expect(links).to_have_count(len(PAGES))
    for title in PAGES:
        expect(links.filter(has_text=title)).to_be_visible()


def test_sidebar_link_opens_the_page(page: Page):
    open_page(page, "/")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Explore").click()
    expect(page).to_have_url(re.compile(r"/explore(\?|$)"))  # the browser's id may follow (ui/identity.py)
    expect(main_content(page, "Explore")).to_be_visible(timeout=SLOW_MS)
