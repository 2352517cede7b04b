"""Corrections in a real browser: a drawn digit corrected on Draw appears on /handwriting; a digit on paper
shown to Chromium's fake camera (a y4m video of a rendered photo) is read; a class's collection, imported into a
server of its own, fine-tunes the model to a better held-out accuracy."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from benchmarks.appserver import running_app, scratch_env, scratch_models
from benchmarks.finetune import class_digits
from st_page import (SCREENSHOTS, SLOW_MS, button, correct_drawing, fine_tune, import_collection, metric,
                     no_exception, open_page, tab_on, take_photo)


def test_a_corrected_drawing_lands_in_the_collection(page: Page):
    correct_drawing(page, 7, 1)  # "it was a 1"
    no_exception(page)
    open_page(page, "/handwriting")
    assert int(metric(page, "Digits in the collection").inner_text()) >= 1
    page.get_by_test_id("stButtonGroup").get_by_role("radio", name="1 (").first.click()
    expect(page.get_by_text("read as 7").first).to_be_visible(timeout=SLOW_MS)
    edit = button(page, "Edit").first  # eight samples a row: its text must fit the narrow column
    assert edit.get_by_test_id("stMarkdownContainer").evaluate("label => label.scrollWidth <= label.clientWidth")
    edit.click()
    menu = page.get_by_test_id("stPopoverBody")  # drawn over the page, outside its main area
    expect(menu.get_by_role("button", name="Delete")).to_be_visible()
    menu.get_by_role("radio", name="7", exact=True).click()  # it was a 7 after all
    expect(page.get_by_text("Relabelled as a 7.")).to_be_visible(timeout=SLOW_MS)
    no_exception(page)


def test_a_digit_shown_to_the_camera_is_read(camera_browser, server):
    with tab_on(camera_browser, server, "test_a_digit_shown_to_the_camera_is_read", permissions=["camera"]) as tab:
        open_page(tab, "/draw")
        take_photo(tab)
        expect(metric(tab, "Prediction")).to_have_text("2", timeout=SLOW_MS)
        expect(tab.get_by_text("the digit found on the paper").first).to_be_visible()
        no_exception(tab)


def percent(page: Page, label: str) -> float:
    return float(metric(page, label).inner_text().rstrip("%"))


@pytest.fixture
def empty_class_server(tmp_path_factory) -> Iterator[str]:
    """A server whose class collection starts empty; yields its base URL. The session's server holds the digits
    other tests added (MNIST's own, which the model reads at 99%), and they would dilute the held-out figures."""
    env = scratch_env(scratch_models(tmp_path_factory.mktemp("models")), tmp_path_factory.mktemp("classdb"))
    SCREENSHOTS.mkdir(exist_ok=True)
    with running_app(SCREENSHOTS / "streamlit-finetune.log", env) as (base_url, _):
        yield base_url


def test_an_imported_class_collection_fine_tunes_the_model(browser, empty_class_server, tmp_path):
    digits = class_digits(250)  # photos of a European class's hand: flagged 1s, crossed 7s, a backward lean
    collection = tmp_path / "class.npz"
    np.savez_compressed(collection, x_test=digits.x_test, y_test=digits.y_test)
    with tab_on(browser, empty_class_server, "test_an_imported_class_collection_fine_tunes_the_model") as page:
        open_page(page, "/handwriting")
        import_collection(page, collection)
        expect(metric(page, "Digits in the collection")).to_have_text(str(len(digits.y_test)))
        expect(metric(page, "Accuracy on the class's digits")).to_be_visible()  # the scores include the import at once
        fine_tune(page)  # in the training process
        before, after = (percent(page, f"Held-out class digits, {when}") for when in ("before", "after"))
        assert after > before, f"held-out class digits {before}% before fine-tuning, {after}% after"
