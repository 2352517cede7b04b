"""Accessibility in the browser: axe-core finds no WCAG 2.2 AA violation on any page after its main action, in the
light and the dark theme; Draw and Train work with the keyboard alone, with a visible focus; a live training keeps
the focus where the student put it and announces nothing.

axe finds what a machine can see; benchmarks/a11y.py prints the same audit as figures (python -m benchmarks.a11y).
"""

from __future__ import annotations

import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from benchmarks.a11y import audit, report, visit
from digits_core import load_mnist
from st_page import (SCREENSHOTS, SLOW_MS, TRAIN_MS, button, focus_shows, idle, metric, no_exception, open_page, tab_on,
                     tab_to)
from ui.routes import URLS as PAGES

LIVE_REGIONS = ('[data-testid="stMain"] :is([aria-live]:not([aria-live="off"]), [role="alert"], [role="status"], '
                '[role="log"])')


@pytest.fixture(scope="module")
def student(browser, server):
    """One tab, one Streamlit session for every page: the run trained on Train is the one Evaluate scores and
    Compare sets beside the default model (pages are opened from the sidebar, as a student does)."""
    with tab_on(browser, server, "a11y-student") as tab:
        yield tab


@pytest.mark.parametrize("title", PAGES)
def test_page_has_no_wcag_violation_after_its_main_action(student: Page, title: str, tmp_path):
    visit(student, title, tmp_path)
    found = audit(student)
    SCREENSHOTS.mkdir(exist_ok=True)
    student.screenshot(path=SCREENSHOTS / f"a11y-{title.lower()}.png", full_page=True)
    assert not any(found.values()), report(found)


def test_draw_by_keyboard_alone(page: Page, tmp_path):
    """Tab to the tabs, arrow to Upload a picture, Enter on its Upload button, then Right: every stop visibly
    focused."""
    data = load_mnist()
    path = tmp_path / "two.png"
    Image.fromarray(data.x_test[int((data.y_test == 2).argmax())]).resize((112, 112)).save(path)
    open_page(page, "/draw")
    tab_to(page, page.get_by_role("tab", name="Draw"))
    assert focus_shows(page)
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Upload a picture")).to_have_attribute("aria-selected", "true")
    upload = page.get_by_test_id("stFileUploaderDropzone").locator("button")
    tab_to(page, upload)
    assert focus_shows(page)
    open_file_chooser_by_keyboard(page).set_files(path)
    expect(metric(page, "Prediction")).to_have_text("2", timeout=SLOW_MS)
    idle(page)
    tab_to(page, button(page, "Right"))
    assert focus_shows(page)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Saved as a 2 in the class collection")).to_be_visible(timeout=SLOW_MS)
    no_exception(page)


def open_file_chooser_by_keyboard(page: Page):
    """Enter on the focused Upload button; pressed once more if no file dialog came (seen once on a loaded
    machine: the browser let the key's user activation lapse before the page's handler ran)."""
    for timeout in (SLOW_MS // 8, SLOW_MS):
        try:
            with page.expect_file_chooser(timeout=timeout) as chooser:
                page.keyboard.press("Enter")
            return chooser.value
        except PlaywrightTimeout:
            continue
    raise AssertionError("Enter on the Upload button opened no file dialog")


def type_number(page: Page, label: str, number: str) -> None:
    """Tab to a number box, replace its value by typing, Enter."""
    tab_to(page, page.get_by_role("spinbutton", name=label))
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(number)
    page.keyboard.press("Enter")
    idle(page)


def test_train_by_keyboard_alone_and_the_live_run_keeps_the_focus_quietly(page: Page):
    """Type the samples and the epochs, Enter on Train, then on Stop: while the run redraws itself every second, the
    focus stays on Stop and no live region announces the progress."""
    open_page(page, "/train")
    type_number(page, "Training samples", "20000")
    # Ten epochs, so that the run is still going when Stop is pressed on a fast machine (one took 3.5 s)
    tab_to(page, page.locator("summary").filter(has_text="Customise the network"))
    page.keyboard.press("Enter")
    type_number(page, "Epochs", "10")
    tab_to(page, button(page, "Train"), key="Shift+Tab")
    assert focus_shows(page)
    page.keyboard.press("Enter")
    stop = button(page, "Stop")
    expect(stop).to_be_visible(timeout=SLOW_MS)
    page.get_by_test_id("stProgress").wait_for(timeout=TRAIN_MS)  # the run is under way, redrawn every second
    tab_to(page, stop)
    assert focus_shows(page)
    page.wait_for_timeout(3500)  # three redraws of the progress, at least one of the chart
    assert stop.evaluate("element => element === document.activeElement"), "a redraw took the focus away"
    expect(page.locator(LIVE_REGIONS)).to_have_count(0)
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile("stopped", re.I)).first).to_be_visible(timeout=TRAIN_MS)
    no_exception(page)


def test_the_lesson_by_keyboard_alone(page: Page):
    """Home's Start the lesson, step 1's page, back by the sidebar, step 2's training started and finished, and both
    steps ticked off: Tab and Enter only, each stop with a visible focus."""
    open_page(page, "/")
    tab_to(page, button(page, "Start the lesson"))
    assert focus_shows(page)
    page.keyboard.press("Enter")
    expect(page.get_by_text("The lesson: teach a computer to read handwriting")).to_be_visible(timeout=SLOW_MS)
    idle(page)
    tab_to(page, button(page, "Open Explore"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Explore", re.I)).first).to_be_visible(timeout=SLOW_MS)
    idle(page)
    back_to_lesson(page)
    expect(page.get_by_text("1 of 7 steps done")).to_be_visible(timeout=SLOW_MS)
    tab_to(page, button(page, "Train dense-512"))
    page.keyboard.press("Enter")
    idle(page)
    tab_to(page, button(page, "Train"))
    assert focus_shows(page)
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile("Test accuracy")).first).to_be_visible(timeout=TRAIN_MS)
    idle(page)
    back_to_lesson(page)
    expect(page.get_by_text("2 of 7 steps done")).to_be_visible(timeout=SLOW_MS)
    no_exception(page)


def back_to_lesson(page: Page) -> None:
    """The sidebar's Lesson link, reached with Tab and followed with Enter."""
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name="Lesson")
    tab_to(page, link, presses=200)
    assert focus_shows(page)
    page.keyboard.press("Enter")
    expect(page.get_by_text("The lesson: teach a computer to read handwriting")).to_be_visible(timeout=SLOW_MS)
    idle(page)
