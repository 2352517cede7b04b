"""Evaluate: a click on a confusion-matrix cell shows the test images of that cell."""

import re

import pytest
from playwright.sync_api import Page, expect

from st_page import SLOW_MS, no_exception, open_page


@pytest.fixture(scope="module")
def worst_cell(models_dir) -> tuple[int, int, int]:
    """The default model's most frequent confusion: (true, predicted, count), computed here independently."""
    from digits_core import load_mnist
    from digits_core.evaluation import evaluate
    from digits_core.store import DEFAULT_MODEL, ModelStore

    pairs = evaluate(ModelStore(models_dir).load(DEFAULT_MODEL), load_mnist()).confused_pairs
    top = pairs.iloc[0]
    return int(top["true"]), int(top["predicted"]), int(top["count"])


def click_cell(page: Page, true: int, predicted: int) -> None:
    """Click the centre of a cell of the confusion matrix (x = predicted, y = true, 0 at the top left)."""
    chart = page.get_by_test_id("stPlotlyChart").filter(has_text="predicted").first
    surface = chart.locator("rect.nsewdrag").first
    surface.scroll_into_view_if_needed()
    box = surface.bounding_box()
    assert box, "the confusion matrix is not on screen"
    page.mouse.click(box["x"] + (predicted + 0.5) / 10 * box["width"], box["y"] + (true + 0.5) / 10 * box["height"])


def test_confusion_cell_click_shows_its_images(page: Page, worst_cell):
    true, predicted, count = worst_cell
    open_page(page, "/evaluate")
    expect(page.get_by_test_id("stPlotlyChart").filter(has_text="predicted").first).to_be_visible(timeout=SLOW_MS)
    images = page.get_by_test_id("stImage")
    images_before = images.count()
    click_cell(page, true, predicted)
    title = re.compile(rf"true\W*{true}\b.*predicted\W*{predicted}\b", re.I)  # e.g. "True 4, predicted 9: 3 images"
    expect(page.get_by_text(title).first).to_be_visible(timeout=SLOW_MS)
    expect(images.nth(images_before)).to_be_visible(timeout=SLOW_MS)  # at least one image more than before
    assert images.count() - images_before <= count, "more images than the cell holds"
    no_exception(page)
