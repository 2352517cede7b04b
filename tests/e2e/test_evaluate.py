"""Evaluate: a click on a confusion-matrix cell shows the test images of that cell."""

import re

import pytest
from playwright.sync_api import Page, expect

from st_page import SLOW_MS, click_cell, confusion_matrix, no_exception, open_page


GALLERY = 24  # images the page shows at most per gallery (the cell's, the most confident mistakes)


@pytest.fixture(scope="module")
def truth(models_dir):
    """The default model's evaluation, computed here independently of the page."""
    from digits_core import load_mnist
    from digits_core.evaluation import evaluate
    from digits_core.store import DEFAULT_MODEL, ModelStore

    return evaluate(ModelStore(models_dir).load(DEFAULT_MODEL), load_mnist())


def cell_title(true: int, predicted: int):
    """The heading above a cell's images, e.g. "True 4, read as 9: 3 image(s)"."""
    return re.compile(rf"^True {true}, (read as|predicted) {predicted}\b")


@pytest.mark.parametrize("rank", [1, None], ids=["second-confusion", "diagonal"])
def test_confusion_cell_click_shows_its_images(page: Page, truth, rank):
    pair = truth.confused_pairs.iloc[rank] if rank is not None else None  # the page opens on the first one
    true, predicted = (int(pair["true"]), int(pair["predicted"])) if pair is not None else (3, 3)
    open_page(page, "/evaluate")
    expect(confusion_matrix(page)).to_be_visible(timeout=SLOW_MS)
    expect(page.get_by_role("heading", name=cell_title(true, predicted))).to_have_count(0)
    click_cell(page, true, predicted)
    expect(page.get_by_role("heading", name=cell_title(true, predicted))).to_be_visible(timeout=SLOW_MS)
    shown = min(len(truth.cell_indices(true, predicted)), GALLERY) + min(len(truth.mistakes), GALLERY)
    expect(page.get_by_test_id("stImage")).to_have_count(shown, timeout=SLOW_MS)
    no_exception(page)
