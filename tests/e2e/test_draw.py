"""Draw: digits drawn with the mouse, or a finger on a tablet or a phone, are read right, anywhere on the canvas and
to its edges; a dot is too small to read; reset clears; uploads are read, a phone's 9 MB photo too, and a file over
20 MB gets a clear message."""

import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from benchmarks.appserver import VIEWPORTS
from digits_core import load_mnist
from digits_core.preprocess import MAX_BYTES
from st_page import DIGITS, SLOW_MS, canvas, draw, idle, metric, no_exception, open_page, tab_on, touch_draw
from tests.photos import phone_photo

RESET = "Reset canvas & history"  # the canvas toolbar's own reset button


def reset_canvas(page: Page, name: str = RESET) -> None:
    """Press a reset button (the toolbar's, or the page's Clear) and wait for the prediction to go and the run to
    end: Clear's rerun puts a new canvas in the old one's place, and a stroke or scroll meanwhile finds neither."""
    page.get_by_role("button", name=name, exact=True).click()
    expect(metric(page, "Prediction")).to_have_count(0, timeout=SLOW_MS)
    idle(page)
    expect(canvas(page)).to_be_visible()


@pytest.fixture
def draw_page(page: Page) -> Page:
    open_page(page, "/draw")
    expect(canvas(page)).to_be_visible(timeout=SLOW_MS)
    return page


def test_drawn_digits_are_read(draw_page: Page):
    for digit, strokes in DIGITS.items():
        draw(draw_page, strokes)
        expect(metric(draw_page, "Prediction"), f"drawn {digit}").to_have_text(str(digit), timeout=SLOW_MS)
        no_exception(draw_page)
        reset_canvas(draw_page)


@pytest.mark.parametrize("corner", [(0.04, 0.55, 0.32, 0.4), (0.62, 0.58, 0.32, 0.38)],
                         ids=["bottom-left", "bottom-right"])
def test_small_digit_in_a_corner_is_read(draw_page: Page, corner):
    draw(draw_page, DIGITS[7], box=corner)
    expect(metric(draw_page, "Prediction")).to_have_text("7", timeout=SLOW_MS)


def test_a_digit_drawn_to_the_canvas_edges_is_read(draw_page: Page):
    draw(draw_page, [[(0.05, 0.01), (0.7, 0.01), (0.35, 0.99)]])  # a 7 whose bar and foot touch the canvas's edges
    expect(metric(draw_page, "Prediction")).to_have_text("7", timeout=SLOW_MS)


def test_a_dot_is_too_small_to_read(draw_page: Page):
    draw(draw_page, [[(0.5, 0.5), (0.51, 0.51)]])
    expect(draw_page.get_by_text("Too small to read: draw the digit bigger")).to_be_visible(timeout=SLOW_MS)
    expect(metric(draw_page, "Prediction")).to_have_count(0)
    no_exception(draw_page)


@pytest.mark.parametrize("reset", [RESET, "Clear"], ids=["toolbar-reset", "page-clear"])
def test_reset_clears_the_prediction(draw_page: Page, reset: str):
    draw(draw_page, DIGITS[1])
    expect(metric(draw_page, "Prediction")).to_have_text("1", timeout=SLOW_MS)
    reset_canvas(draw_page, reset)
    no_exception(draw_page)


@pytest.mark.parametrize("screen", ["tablet", "phone"])
def test_digits_drawn_with_a_finger_are_read_and_the_page_stays_put(browser, server, screen: str, request):
    """Touch strokes on a touch screen's canvas draw (the canvas takes them, so the page does not scroll)."""
    with tab_on(browser, server, request.node.name, **VIEWPORTS[screen]) as page:
        open_page(page, "/draw")
        expect(canvas(page)).to_be_visible(timeout=SLOW_MS)
        for digit in (1, 7, 0):
            canvas(page).scroll_into_view_if_needed()
            before = canvas(page).bounding_box()
            touch_draw(page, DIGITS[digit])
            assert canvas(page).bounding_box() == before, f"the page moved while a {digit} was drawn"
            expect(metric(page, "Prediction"), f"drawn {digit}").to_have_text(str(digit), timeout=SLOW_MS)
            reset_canvas(page, "Clear")
        no_exception(page)


def upload(page: Page, path) -> None:
    """Give Draw's Upload a picture tab the file at `path`."""
    page.get_by_role("tab", name="Upload a picture").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(path)


def test_uploaded_mnist_digit_is_read(draw_page: Page, tmp_path):
    data = load_mnist()
    index = int((data.y_test == 2).argmax())  # the first 2 of the test set
    path = tmp_path / "two.png"
    Image.fromarray(data.x_test[index]).resize((112, 112)).save(path)
    upload(draw_page, path)
    expect(metric(draw_page, "Prediction")).to_have_text("2", timeout=SLOW_MS)
    no_exception(draw_page)


def test_a_phone_photo_of_9_mb_is_read(draw_page: Page, tmp_path):
    """A 12-megapixel photo of a 2 on paper, as a phone takes it: within the 20 MB an upload may be (the server's
    cap: the 4 MB it was refused this photo) and the 4096 px cap."""
    data = load_mnist()
    index = int((data.y_test == 2).argmax())
    path = tmp_path / "phone.jpg"
    path.write_bytes(phone_photo(data.x_test[index], index))
    assert path.stat().st_size > 8e6
    upload(draw_page, path)
    expect(metric(draw_page, "Prediction")).to_have_text("2", timeout=SLOW_MS)
    no_exception(draw_page)


def test_a_file_over_20_mb_gets_a_clear_message(draw_page: Page, tmp_path):
    path = tmp_path / "huge.jpg"
    path.write_bytes(b"\xff\xd8\xff" + bytes(MAX_BYTES + 1_000_000))
    upload(draw_page, path)
    expect(draw_page.get_by_text(re.compile(r"20(\.0)? ?MB"))).to_be_visible(timeout=SLOW_MS)
    expect(metric(draw_page, "Prediction")).to_have_count(0)
    no_exception(draw_page)
