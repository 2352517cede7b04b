"""Compare: two presets trained back to back stand side by side, and a click on the difference matrix shows images."""

import re

from playwright.sync_api import Page, expect

from st_page import SLOW_MS, TRAIN_MS, button, click_cell, confusion_matrix, idle, metric, no_exception, set_number

FIRST, SECOND = "cnn-fast", "dense-128x2"  # the Train page's default preset, then the one added after it


def train_two_back_to_back(page: Page) -> None:
    page.goto("/train")
    idle(page)
    set_number(page, "Training samples", 500)
    then = page.get_by_test_id("stMultiSelect").filter(has_text="Then train")
    then.locator("input").fill(SECOND)
    then.locator("input").press("Enter")
    then.locator("input").press("Escape")  # close the list, which lies over the Train button
    idle(page)
    button(page, "Train").click()
    expect(button(page, "Stop")).to_be_visible(timeout=SLOW_MS)
    expect(page.get_by_role("heading", name=re.compile(f"The latest run: {SECOND}-1"))).to_be_visible(
        timeout=3 * TRAIN_MS)  # two trainings on a shared, often overloaded machine
    idle(page)


def test_two_runs_side_by_side_with_galleries_and_p_value(page: Page):
    train_two_back_to_back(page)
    curves = page.get_by_test_id("stPlotlyChart").filter(has_text="accuracy").first
    expect(curves.get_by_text(f"train {FIRST}")).to_have_count(1)  # one live chart, a curve per run
    expect(curves.get_by_text(f"train {SECOND}")).to_have_count(1)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Compare").click()  # same session
    idle(page)
    picked = page.get_by_test_id("stMultiSelect").filter(has_text="Models")
    for name in (FIRST, SECOND):
        expect(picked.get_by_text(f"{name}-1 (this session)")).to_be_visible(timeout=SLOW_MS)
    expect(metric(page, "They disagree on")).to_have_text(re.compile(r"\d"), timeout=SLOW_MS)
    expect(page.get_by_text(re.compile(r"be luck \(p = [\d.e+-]+\)\. Of these 10,000 images"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^A right, B wrong: \d+"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^B right, A wrong: \d+"))).to_be_visible()
    expect(page.get_by_test_id("stImage").first).to_be_visible()  # the two galleries, painted
    before = page.get_by_test_id("stImage").count()
    expect(confusion_matrix(page)).to_be_visible(timeout=SLOW_MS)
    click_cell(page, 3, 3)  # the diagonal: the 3s that only one of the two reads right
    expect(page.get_by_role("heading", name="True 3, read as 3")).to_be_visible(timeout=SLOW_MS)
    idle(page)
    expect(page.get_by_text(re.compile(r"^By A only: \d+ image"))).to_be_visible()
    assert page.get_by_test_id("stImage").count() > before
    no_exception(page)
