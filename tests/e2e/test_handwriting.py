"""Corrections in a real browser: a drawn digit corrected on Draw appears on /handwriting; a digit on paper
shown to Chromium's fake camera (a y4m video of a rendered photo) is read; a class's collection, imported,
fine-tunes the model to a better held-out accuracy."""

from __future__ import annotations

import io
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from benchmarks.appserver import VIEWPORT, launch_chromium
from benchmarks.finetune import class_digits
from digits_core import load_mnist
from st_page import DIGITS, SLOW_MS, TRAIN_MS, button, canvas, draw, idle, metric, no_exception, open_page
from tests.photos import Look, photo

SCREENSHOTS = Path(__file__).with_name("screenshots")
TIMEOUT_MS = 60_000


def y4m(picture: bytes, path: Path, frames: int = 3) -> Path:
    """A short 640x480 YUV 4:2:0 video of one picture, the format Chromium's fake camera plays."""
    image = Image.open(io.BytesIO(picture)).convert("YCbCr")
    y, cb, cr = image.split()
    half = (image.width // 2, image.height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    header = f"YUV4MPEG2 W{image.width} H{image.height} F5:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"".join(b"FRAME\n" + planes for _ in range(frames)))
    return path


@pytest.fixture(scope="module")
def camera_browser(browser, tmp_path_factory):
    """A second Chromium whose camera plays a photo of a test digit 2 on paper (no permission prompt).

    Launched through the session browser's Playwright: a second sync_playwright() in one thread is refused."""
    data = load_mnist()
    index = int((data.y_test == 2).argmax())
    video = y4m(photo(data.x_test[index], index, Look(tilt=4)), tmp_path_factory.mktemp("camera") / "two.y4m")
    chromium = launch_chromium(SimpleNamespace(chromium=browser.browser_type),
                               ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                                f"--use-file-for-fake-video-capture={video}"))
    yield chromium
    chromium.close()


def test_a_corrected_drawing_lands_in_the_collection(page: Page):
    open_page(page, "/draw")
    expect(canvas(page)).to_be_visible(timeout=SLOW_MS)
    draw(page, DIGITS[7])
    expect(metric(page, "Prediction")).to_have_text("7", timeout=SLOW_MS)
    page.get_by_test_id("stButtonGroup").get_by_role("radio", name="1", exact=True).click()  # "it was a 1"
    expect(page.get_by_text("Saved as a 1 in the class collection")).to_be_visible(timeout=SLOW_MS)
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
    context = camera_browser.new_context(viewport=VIEWPORT, base_url=server, permissions=["camera"])
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        open_page(tab, "/draw")
        tab.get_by_role("tab", name="Camera").click()
        take = tab.get_by_role("button", name="Take Photo")
        expect(take).to_be_enabled(timeout=SLOW_MS)
        tab.wait_for_timeout(1500)  # let the fake camera's first frames reach the preview
        take.click()
        expect(metric(tab, "Prediction")).to_have_text("2", timeout=SLOW_MS)
        expect(tab.get_by_text("the digit found on the paper").first).to_be_visible()
        no_exception(tab)
    finally:
        SCREENSHOTS.mkdir(exist_ok=True)
        tab.screenshot(path=SCREENSHOTS / "test_a_digit_shown_to_the_camera_is_read.png", full_page=True)
        context.close()


def percent(page: Page, label: str) -> float:
    return float(metric(page, label).inner_text().rstrip("%"))


def test_an_imported_class_collection_fine_tunes_the_model(page: Page, tmp_path):
    digits = class_digits(250)  # photos of a European class's hand: flagged 1s, crossed 7s, a backward lean
    collection = tmp_path / "class.npz"
    np.savez_compressed(collection, x_test=digits.x_test, y_test=digits.y_test)
    open_page(page, "/handwriting")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(collection)
    idle(page)
    button(page, "Add its digits to the collection").click()
    expect(page.get_by_text(re.compile(r"Added \d+ digits"))).to_be_visible(timeout=SLOW_MS)
    expect(metric(page, "Accuracy on the class's digits")).to_be_visible()  # the scores include the import at once
    button(page, "Fine-tune").click()
    after = "Held-out class digits, after"
    expect(metric(page, after)).to_be_visible(timeout=TRAIN_MS)
    assert percent(page, after) > percent(page, "Held-out class digits, before")
    no_exception(page)
