"""Inside: a digit drawn on /inside shows feature maps, the saliency overlay and a star on the map; a dense
model says why it has no feature maps; so does a model trained in the session; Evaluate's images open here."""

import re

import pytest
from playwright.sync_api import Page, expect

from st_page import DIGITS, SLOW_MS, TRAIN_MS, button, canvas, draw, metric, no_exception, open_page, start_training


def chart_with(page: Page, text: str):
    """A Plotly chart showing `text` (a title or legend entry), once painted."""
    return page.get_by_test_id("stPlotlyChart").filter(has_text=text).first


def test_a_drawn_digit_shows_every_panel(page: Page):
    open_page(page, "/inside")
    expect(canvas(page)).to_be_visible(timeout=SLOW_MS)
    draw(page, DIGITS[7])
    expect(metric(page, "Prediction")).to_have_text("7", timeout=SLOW_MS)
    expect(page.get_by_text("conv1_relu").first).to_be_visible(timeout=SLOW_MS)  # the feature maps' heading
    expect(chart_with(page, "pixels for 7")).to_be_visible(timeout=SLOW_MS)  # the saliency overlay
    expect(chart_with(page, "Grad-CAM for 7")).to_be_visible(timeout=SLOW_MS)
    star = chart_with(page, "yours (7)")
    star.scroll_into_view_if_needed()
    expect(star).to_be_visible(timeout=SLOW_MS)
    expect(star.locator("path.point").last).to_be_visible()
    no_exception(page)
    page.set_viewport_size({"width": 1280, "height": 4200})  # the screenshot shows every panel


@pytest.fixture(scope="module")
def dense_model(models_dir):
    """A tiny dense model saved in the server's store (the store is read at every page run)."""
    from digits_core import get_preset, load_mnist
    from digits_core.store import ModelStore
    from digits_core.training import train

    result = train(get_preset("dense-128x2").spec.with_changes(epochs=1), load_mnist().subset(3000), seed=0)
    ModelStore(models_dir).save("tiny-dense", result.model, {"test_accuracy": result.test_accuracy})
    return "tiny-dense"


def test_a_dense_model_shows_what_it_has(page: Page, dense_model):
    open_page(page, "/inside")
    page.get_by_test_id("stSelectbox").filter(has_text="Model").click()
    page.get_by_role("option", name=dense_model).click()
    page.get_by_text("A test image", exact=True).click()
    expect(metric(page, "Prediction")).to_have_text("7", timeout=SLOW_MS)  # test image 0 is a 7
    expect(page.get_by_text("no convolutions, so no feature maps")).to_be_visible(timeout=SLOW_MS)
    expect(page.get_by_text("dense1_relu").first).to_be_visible()
    expect(chart_with(page, "pixels for 7")).to_be_visible(timeout=SLOW_MS)
    no_exception(page)
    page.set_viewport_size({"width": 1280, "height": 3000})


def test_a_model_trained_in_this_session_shows_inside(page: Page):
    start_training(page, samples=1000, epochs=1)
    expect(metric(page, "Test accuracy")).to_be_visible(timeout=TRAIN_MS)
    button(page, "Use this model to read drawings").click()  # a new run reads drawings only once chosen
    expect(page.get_by_text("reads your drawings (since")).to_be_visible(timeout=SLOW_MS)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Inside").click()  # same session, its new run
    expect(page.get_by_test_id("stSidebar").get_by_text("cnn-fast-1 (this session)")).to_be_visible(timeout=SLOW_MS)
    page.get_by_text("A test image", exact=True).click()
    expect(metric(page, "Prediction")).to_be_visible(timeout=SLOW_MS)
    expect(page.get_by_text("conv1_relu").first).to_be_visible(timeout=SLOW_MS)
    expect(chart_with(page, "Grad-CAM for")).to_be_visible(timeout=SLOW_MS)
    no_exception(page)
    page.set_viewport_size({"width": 1280, "height": 4200})


def test_evaluate_opens_a_mistake_inside(page: Page):
    open_page(page, "/evaluate")
    button(page, "Inside").first.click()
    page.wait_for_url(re.compile(r"/inside(\?|$)"), timeout=SLOW_MS)
    expect(page.get_by_text("A test image", exact=True)).to_be_visible(timeout=SLOW_MS)
    expect(metric(page, "Prediction")).to_be_visible(timeout=SLOW_MS)
    expect(page.get_by_text("is labelled")).to_be_visible()
    no_exception(page)
