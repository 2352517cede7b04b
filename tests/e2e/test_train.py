"""Train: a short run grows its live chart and ends with the test accuracy; Stop ends a run early."""

import re

from playwright.sync_api import Locator, Page, expect

from st_page import TRAIN_MS, button, idle, metric, no_exception, open_page, start_training


def chart(page: Page):
    """The learning-curve chart."""
    return page.get_by_test_id("stPlotlyChart").filter(has_text="accuracy")


def curve_points(page: Page):
    """The epoch markers of the learning-curve chart (one per curve per finished epoch)."""
    return chart(page).locator(".scatterlayer path.point")


GROWING = """() => document.querySelector('[data-testid="stPlotlyChart"] .scatterlayer path.point') !== null
    && [...document.querySelectorAll('[data-testid="stMain"] button')].some(b => b.innerText.trim() === 'Stop')"""


def selected_cell(grid: Locator) -> Locator:
    """The grid's selected cell in its accessibility table (glide-cell-<column>-<row>; column 0 is the row marker)."""
    return grid.locator('td[aria-selected="true"]')


def test_short_training_grows_the_chart_and_ends_with_test_accuracy(page: Page):
    epochs = 4
    start_training(page, samples=20_000, epochs=epochs)  # epochs of a few seconds: the chart redraws every three
    page.wait_for_function(GROWING, timeout=TRAIN_MS)  # a finished epoch's markers while the run goes on (its Stop)
    expect(metric(page, "Test accuracy")).to_have_text(re.compile(r"\d+(\.\d+)?\s*%"), timeout=TRAIN_MS)
    expect(button(page, "Stop")).to_have_count(0)
    idle(page)
    expect(chart(page)).to_have_count(1)  # the live chart's last draw can linger beside the final one for a moment
    marked = chart(page).locator(".scatterlayer .trace").filter(has=page.locator("path.point"))
    expect(curve_points(page)).to_have_count(epochs * marked.count())  # one marker per curve per epoch
    no_exception(page)


def test_stop_ends_a_run_early(page: Page):
    start_training(page, samples=20_000, epochs=20)
    expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=TRAIN_MS)
    button(page, "Stop").click()
    expect(button(page, "Stop")).to_have_count(0, timeout=TRAIN_MS)
    expect(page.get_by_text(re.compile("stopped", re.I)).first).to_be_visible(timeout=TRAIN_MS)
    expect(metric(page, "Test accuracy")).to_be_visible(timeout=TRAIN_MS)
    no_exception(page)


def test_train_is_taken_before_the_layer_table_is_built(page: Page):
    """The button is drawn before the training process has built the table, and a click then starts the run."""
    page.goto("/train")
    expect(button(page, "Train")).to_be_enabled(timeout=TRAIN_MS)
    button(page, "Train").click()  # at once: the table may still be a placeholder
    expect(button(page, "Stop")).to_be_visible(timeout=TRAIN_MS)
    button(page, "Stop").click()
    expect(metric(page, "Test accuracy")).to_be_visible(timeout=TRAIN_MS)
    expect(page.get_by_text("Total parameters")).to_be_visible(timeout=TRAIN_MS)
    no_exception(page)


def test_an_impossible_network_says_why_beside_the_train_button(page: Page):
    open_page(page, "/train")
    expect(page.get_by_text("Total parameters")).to_be_visible(timeout=TRAIN_MS)  # the table's rerun came...
    idle(page)  # ...and went: it redraws the grids, so a key pressed during it is lost
    page.get_by_text("Customise the network and its training").click()
    conv = page.get_by_test_id("stDataFrame").nth(1)  # the convolution blocks (0 is the summary)
    conv.scroll_into_view_if_needed()
    box = conv.bounding_box()
    page.mouse.click(box["x"] + 80, box["y"] + 55)  # the first block's filters cell...
    expect(selected_cell(conv)).to_have_id("glide-cell-1-0")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # ...then its strides: 4 leaves nothing of the image for the third block
    expect(selected_cell(conv)).to_have_id("glide-cell-3-0")
    page.keyboard.press("Enter")  # opens the grid's cell editor (an input over the canvas)
    cell = page.locator("input.gdg-input")
    expect(cell).to_have_value("2")
    cell.fill("4")
    cell.press("Enter")
    idle(page)
    reason = page.get_by_test_id("stAlert").filter(has_text="Train is off")
    expect(reason).to_contain_text("shrinks to nothing", timeout=TRAIN_MS)
    expect(button(page, "Train")).to_be_disabled()
    train_box, reason_box = button(page, "Train").bounding_box(), reason.bounding_box()
    assert 0 <= reason_box["y"] - (train_box["y"] + train_box["height"]) < 40  # right under the button
    no_exception(page)
