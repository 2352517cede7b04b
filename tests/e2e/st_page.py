"""What the browser tests do on a Streamlit page: open it, wait for it, read metrics, draw, check errors."""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from benchmarks.appserver import VIEWPORT

SCREENSHOTS = Path(__file__).with_name("screenshots")
TIMEOUT_MS = 60_000  # a tab's default for every action
EXCEPTION = '[data-testid="stException"]'
WAITING_ELEMENTS = '[class*="st-key-after-paint"]'  # a chart's or table's space before the tab's first paint
SLOW_MS = 120_000  # a rerun that loads Keras and a model, on a shared and busy machine
TRAIN_MS = 300_000  # a tiny training, but on a shared two-core machine
UPLOAD_MS = 20_000  # a small file's upload and the rerun it starts

Point = tuple[float, float]


@contextmanager
def tab_on(browser, base_url: str, name: str, **options) -> Iterator[Page]:
    """A fresh tab at 1280x800 on `base_url` (a new Streamlit session), its context made with `options` (a screen of
    VIEWPORTS among them); its last view is saved as screenshots/<name>.png."""
    context = browser.new_context(base_url=base_url, **{"viewport": VIEWPORT, **options})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        SCREENSHOTS.mkdir(exist_ok=True)
        try:
            tab.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        finally:
            context.close()


def idle(page: Page, timeout: float = SLOW_MS) -> None:
    """Wait until the script run of this session is over (connected and not running)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]'
                           '[data-test-connection-state="CONNECTED"]', timeout=timeout, state="attached")


def open_page(page: Page, path: str) -> None:
    """Open `path`, wait for its first run to end (and a new tab's rerun with its charts, which redraws every
    element: a click during it can land elsewhere) and check that nothing raised."""
    page.goto(path)
    idle(page)
    charts_in_place(page)
    idle(page)
    no_exception(page)


def charts_in_place(page: Page) -> None:
    """Wait until no chart or table waits for the tab's first paint (ui/charts.py leaves its space, keyed,
    meanwhile)."""
    page.wait_for_function(f"() => !document.querySelector('{WAITING_ELEMENTS}')", timeout=SLOW_MS)


def no_exception(page: Page) -> None:
    """No exception box on the page (they would mean a traceback reached the user)."""
    expect(page.locator(EXCEPTION)).to_have_count(0)


def set_number(page: Page, label: str, value: int) -> None:
    """Type into the number input whose label starts with `label` and commit it (Enter reruns)."""
    field = page.get_by_label(re.compile(rf"^{label}", re.I)).first
    field.fill(str(value))
    field.press("Enter")
    expect(field).to_have_value(str(value))
    idle(page)  # the rerun that takes the value in is over before the next step


def start_training(page: Page, samples: int, epochs: int) -> None:
    """Open Train, set the sample and epoch counts, press Train and wait for its Stop (running or queued).

    A click that never reached the server is made once more: seen once in a full run on a loaded
    machine, the page showed no run at all two minutes after the click (a person clicks again).
    """
    open_page(page, "/train")
    set_number(page, "Training samples", samples)
    page.get_by_text("Customise the network and its training").click()  # the epochs live in this expander
    set_number(page, "Epochs", epochs)
    button(page, "Train").click()
    try:
        expect(button(page, "Stop")).to_be_visible(timeout=SLOW_MS // 4)
    except AssertionError:
        idle(page)
        button(page, "Train").click()
        expect(button(page, "Stop")).to_be_visible(timeout=SLOW_MS)


def switch_to(page: Page, title: str) -> None:
    """Open the page called `title` from the sidebar: the same session (page.goto would start a new one)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    idle(page)
    expect(page.locator("h1").first).to_be_visible()
    no_exception(page)


def take_photo(page: Page) -> None:
    """On Draw, take a picture with the browser's camera (Chromium's fake one plays a video)."""
    page.get_by_role("tab", name="Camera").click()
    take = page.get_by_role("button", name="Take Photo")
    expect(take).to_be_enabled(timeout=SLOW_MS)
    page.wait_for_timeout(1500)  # let the fake camera's first frames reach the preview
    take.click()


def save_run(page: Page, name: str) -> None:
    """On Train, save the selected run (the session's active one) under `name` and wait for the confirmation."""
    switch_to(page, "Train")
    field = page.get_by_label("Name", exact=True)
    field.fill(name)
    field.press("Enter")
    idle(page)
    button(page, "Save").click()
    expect(page.get_by_text(re.compile(r"^Saved as"))).to_be_visible(timeout=SLOW_MS)
    no_exception(page)


def correct_drawing(page: Page, drawn: int, label: int) -> None:
    """On Draw, draw the digit `drawn`, wait until the model reads it so, and save it in the class collection as a
    `label` (the "Wrong? It was" pills)."""
    open_page(page, "/draw")
    expect(canvas(page)).to_be_visible(timeout=SLOW_MS)
    draw(page, DIGITS[drawn])
    expect(metric(page, "Prediction")).to_have_text(str(drawn), timeout=SLOW_MS)
    page.get_by_test_id("stButtonGroup").get_by_role("radio", name=str(label), exact=True).click()
    expect(page.get_by_text(f"Saved as a {label} in the class collection")).to_be_visible(timeout=SLOW_MS)


def post_to_board(page: Page, nickname: str) -> None:
    """On Train, with a finished run: `nickname` typed in the sidebar, then the run posted to the class board."""
    field = page.get_by_role("textbox", name="Your nickname")
    field.fill(nickname)
    field.press("Enter")
    idle(page)
    page.get_by_role("button", name=re.compile("Post to the class board")).click()
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_text(re.compile(r"Posted as number \d+"))).to_be_visible(timeout=TRAIN_MS)


def import_collection(page: Page, npz: Path) -> None:
    """On Handwriting, add the digits of a collection file (.npz in MNIST's layout) to the class collection."""
    switch_to(page, "Handwriting")
    add = button(page, "Add its digits to the collection")
    for _ in range(3):  # a rerun that lands during the upload can remount the uploader and drop its file: again
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(npz)
        idle(page)
        try:
            add.wait_for(timeout=UPLOAD_MS)
            break
        except PlaywrightTimeout:
            continue
    add.click()
    expect(page.get_by_text(re.compile(r"Added \d+ digits"))).to_be_visible(timeout=SLOW_MS)
    no_exception(page)


def fine_tune(page: Page) -> None:
    """On Handwriting, fine-tune the session's model to the class collection and wait for its figures."""
    switch_to(page, "Handwriting")
    button(page, "Fine-tune").click()
    expect(metric(page, "Held-out class digits, after")).to_be_visible(timeout=TRAIN_MS)
    no_exception(page)


def compare(page: Page, *more: str) -> None:
    """On Compare, add the models called `more` to the two it picks itself, and wait for the pair's verdict."""
    switch_to(page, "Compare")
    picker = page.get_by_test_id("stMultiSelect").filter(has_text="Models").locator("input")
    for name in more:
        picker.fill(name)
        picker.press("Enter")
        idle(page)
    picker.press("Escape")
    expect(page.get_by_text(re.compile(r"luck \(p = [\d.e+-]+\)")).first).to_be_visible(timeout=SLOW_MS)
    no_exception(page)


def metric(page: Page, label: str) -> Locator:
    """The value of the visible st.metric whose label is exactly `label` (hidden tabs have their own)."""
    label_box = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    box = page.get_by_test_id("stMetric").filter(has=label_box)
    return box.filter(visible=True).get_by_test_id("stMetricValue")


def button(page: Page, name: str) -> Locator:
    """The app's button called `name`; the main area and sidebar only, so Streamlit's own
    toolbar (its "Stop" button shows while a script runs) never matches."""
    app = page.get_by_test_id("stMain").or_(page.get_by_test_id("stSidebar"))
    return app.get_by_role("button", name=name, exact=True)


def confusion_matrix(page: Page) -> Locator:
    """Evaluate's confusion-matrix chart, once Plotly has painted it (its axis title is SVG text)."""
    return page.get_by_test_id("stPlotlyChart").filter(has_text="predicted").first


def click_cell(page: Page, true: int, predicted: int) -> None:
    """Click the centre of a cell of the confusion matrix (x = predicted, y = true, 0 at the top left)."""
    surface = confusion_matrix(page).locator("rect.nsewdrag").first
    surface.scroll_into_view_if_needed()
    box = surface.bounding_box()
    assert box, "the confusion matrix is not on screen"
    page.mouse.click(box["x"] + (predicted + 0.5) / 10 * box["width"], box["y"] + (true + 0.5) / 10 * box["height"])


def canvas(page: Page) -> Locator:
    """The drawing surface of streamlit-drawable-canvas (Fabric.js's top canvas; no iframe in 0.13)."""
    return page.locator("canvas.upper-canvas").first


Box = tuple[float, float, float, float]  # x, y, width, height as fractions of the canvas
WHOLE: Box = (0, 0, 1, 1)


def draw(page: Page, strokes: Iterable[Sequence[Point]], box: Box = WHOLE) -> None:
    """Draw strokes with the mouse; points are 0-1 inside `box` (x, y, width, height as canvas fractions)."""
    surface = canvas(page)
    surface.scroll_into_view_if_needed()
    rect = surface.bounding_box()
    assert rect, "the canvas is not on screen"
    for points in on_screen(rect, strokes, box):
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=6)
        page.mouse.up()


def touch_draw(page: Page, strokes: Iterable[Sequence[Point]], box: Box = WHOLE, steps: int = 6) -> None:
    """Draw strokes with a finger, as `draw` does with the mouse: touch events sent through the DevTools protocol
    (the tab's context has touch), `steps` moves from each point to the next."""
    surface = canvas(page)
    surface.scroll_into_view_if_needed()
    rect = surface.bounding_box()
    assert rect, "the canvas is not on screen"
    devtools = page.context.new_cdp_session(page)

    def touch(kind: str, *points: Point) -> None:
        devtools.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y} for x, y in points]})

    for points in on_screen(rect, strokes, box):
        touch("touchStart", points[0])
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            for step in range(1, steps + 1):
                touch("touchMove", (x0 + (x1 - x0) * step / steps, y0 + (y1 - y0) * step / steps))
        touch("touchEnd")
    devtools.detach()


def on_screen(rect: dict, strokes: Iterable[Sequence[Point]], box: Box = WHOLE) -> list[list[Point]]:
    """Each stroke's points in page pixels, for a canvas whose bounding box is `rect`."""
    bx, by, bw, bh = box
    return [[(rect["x"] + (bx + x * bw) * rect["width"], rect["y"] + (by + y * bh) * rect["height"]) for x, y in stroke]
            for stroke in strokes]


def ellipse(cx: float, cy: float, rx: float, ry: float, n: int = 24) -> list[Point]:
    """A closed oval as a stroke, starting at the top."""
    return [(cx + rx * math.sin(2 * math.pi * i / n), cy - ry * math.cos(2 * math.pi * i / n)) for i in range(n + 1)]


# Digits as mouse strokes in a unit box, the way a student draws them. No stroke starts in the
# top-right corner: the canvas toolbar (undo, reset...) lies over it and takes those clicks.
DIGITS: dict[int, list[list[Point]]] = {
    0: [ellipse(0.5, 0.5, 0.24, 0.36)],
    1: [[(0.42, 0.22), (0.55, 0.12), (0.55, 0.88)]],
    7: [[(0.22, 0.15), (0.78, 0.15), (0.45, 0.9)]],
    4: [[(0.55, 0.18), (0.2, 0.62), (0.82, 0.62)], [(0.6, 0.38), (0.6, 0.92)]],
    3: [[(0.25, 0.18), (0.5, 0.1), (0.72, 0.2), (0.7, 0.38), (0.45, 0.48), (0.72, 0.58),
         (0.75, 0.78), (0.5, 0.9), (0.25, 0.82)]],
}


def tab_to(page: Page, target: Locator, presses: int = 80, key: str = "Tab") -> None:
    """Press Tab (or `key`: Shift+Tab goes back) until `target` has the keyboard focus (as a student without a mouse
    does); fail if it never does."""
    for _ in range(presses):
        page.keyboard.press(key)
        if target.evaluate("element => element === document.activeElement || element.contains(document.activeElement)"):
            return
    raise AssertionError(f"{presses} presses of Tab never reached {target}")


def focus_shows(page: Page) -> bool:
    """Whether the focused element looks different from itself unfocused (a ring, a border, a caret): its box and
    a margin around it are photographed focused, blurred, then it is focused again."""
    box = page.evaluate("""() => { const r = document.activeElement.getBoundingClientRect();
        return {x: Math.max(r.x - 6, 0), y: Math.max(r.y - 6, 0), width: r.width + 12, height: r.height + 12}; }""")
    focused = page.screenshot(clip=box)
    page.evaluate("window.__focused = document.activeElement; document.activeElement.blur()")
    blurred = page.screenshot(clip=box)
    page.evaluate("window.__focused.focus()")
    return focused != blurred
