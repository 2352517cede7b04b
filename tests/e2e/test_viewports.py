"""Every page fits the screens a class uses (issue #28): a 1366x768 laptop, a 1920x1080 projector at 150% zoom, a
1024x768 tablet and a 390x844 phone. After its main action no page has a clipped title, button or table column, a
word broken inside, chart labels over each other, or anything that needs sideways scrolling (fits.misfits); on the
phone only a wide st.dataframe (Train's runs and layers, the board's ranking) scrolls inside itself, its name pinned.

One tab per screen opens every page with the browser id of a session that trained a quick run and posted it, so
Train, Evaluate, Compare and the board show that run on every screen (a new session of the id restores its runs).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from benchmarks.a11y import look_inside_a_test_image, read_a_drawing
from benchmarks.appserver import VIEWPORTS
from digits_core import load_mnist
from digits_core.classroom.samples import Collection
from digits_core.handwriting import LabelledSet
from fits import misfits, painted
from st_page import SCREENSHOTS, TIMEOUT_MS, TRAIN_MS, confusion_matrix, idle, metric, no_exception, start_training, \
    tab_on
from ui.routes import URLS

PAGES = {**URLS, "Board on the projector": "/board?view=projector"}
CLASS_DIGITS = 400  # the board ranks by the class's held-out digits, and Handwriting shows them
GRIDS_SCROLL_ON = {"phone"}  # the screens where a wide st.dataframe scrolls inside itself


def wait_for_verdict(page: Page, scratch) -> None:
    """Compare's pair has been scored."""
    page.get_by_text(re.compile(r"luck \(p = ")).first.wait_for()


def wait_for_matrix(page: Page, scratch) -> None:
    """Evaluate's confusion matrix is painted."""
    confusion_matrix(page).wait_for()


ACTIONS = {"Draw": read_a_drawing, "Inside": look_inside_a_test_image, "Compare": wait_for_verdict,
           "Evaluate": wait_for_matrix}  # the other pages show all they have on opening


@pytest.fixture(scope="module")
def posted_run(browser, server, server_env) -> str:
    """The browser id of a session with a quick run of its own, posted to the class board among class digits."""
    data = load_mnist()
    Collection(server_env["DIGITS_DATABASE_URL"]).add_many(LabelledSet(data.x_test[:CLASS_DIGITS],
                                                                       data.y_test[:CLASS_DIGITS]))
    with tab_on(browser, server, "viewports-posted-run") as tab:
        start_training(tab, samples=500, epochs=1)
        expect(metric(tab, "Test accuracy")).to_have_text(re.compile(r"\d"), timeout=TRAIN_MS)
        tab.get_by_role("button", name=re.compile("Post to the class board")).click()
        tab.get_by_role("button", name="Post", exact=True).click()
        expect(tab.get_by_text(re.compile(r"Posted as number \d+"))).to_be_visible(timeout=TRAIN_MS)
        return re.search(r"[?&]id=([^&]+)", tab.url).group(1)


@pytest.fixture(scope="module", params=list(VIEWPORTS))
def screen(request, browser, server) -> tuple[str, Page]:
    """One tab at the screen's size (a touch screen's for the tablet and the phone) for all its pages."""
    context = browser.new_context(base_url=server, **VIEWPORTS[request.param])
    context.set_default_timeout(TIMEOUT_MS)
    yield request.param, context.new_page()
    context.close()


@pytest.mark.parametrize("title", PAGES)
def test_page_fits_the_screen(screen: tuple[str, Page], title: str, posted_run: str, tmp_path):
    name, page = screen
    path = PAGES[title]
    page.goto(f"{path}{'&' if '?' in path else '?'}id={posted_run}")
    page.locator("h1").first.wait_for()
    idle(page)
    ACTIONS.get(title, lambda *_: None)(page, tmp_path)
    painted(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"viewport-{name}-{title.lower().replace(' ', '-')}.png", scale="css")
    no_exception(page)
    found = misfits(page, grids_may_scroll=name in GRIDS_SCROLL_ON)
    assert not found, f"{title} at {name}:\n" + "\n".join(found)
