"""Many students on one server: a closed tab's run ends and frees the slot; a broken model hurts nobody else."""

import re

import pytest
from playwright.sync_api import Page, expect

from st_page import DIGITS, SLOW_MS, TRAIN_MS, canvas, draw, metric, no_exception, open_page, start_training

CLOSED_TAB_MS = 60_000  # the run of a closed tab ends within 30 s (10 s of grace, then its next batch): headroom
BROKEN = "broken"


def pick_model(page: Page, name: str) -> None:
    page.get_by_role("combobox", name="Model", exact=True).click()  # not "Evaluate a model", the heading
    page.get_by_role("option", name=name, exact=True).click()


def test_closing_a_training_tab_ends_its_run_and_the_next_in_line_starts(student):
    first, second = student(), student()
    start_training(first, samples=20_000, epochs=20)
    expect(first.get_by_test_id("stProgress")).to_be_visible(timeout=TRAIN_MS)  # running: it holds the slot
    start_training(second, samples=3000, epochs=1)
    expect(second.get_by_text(re.compile(r"Queued: number 1 in line"))).to_be_visible()
    first.context.close()
    expect(second.get_by_text(re.compile(r"Queued:"))).to_have_count(0, timeout=CLOSED_TAB_MS)
    expect(metric(second, "Test accuracy")).to_have_text(re.compile(r"\d+(\.\d+)?\s*%"), timeout=TRAIN_MS)
    no_exception(second)


@pytest.fixture
def broken_model(models_dir):
    """A copy of the default model under another name, every file but its metadata overwritten with junk."""
    made = []
    for path in models_dir.glob("default.*"):
        copy = path.with_name(BROKEN + path.name.removeprefix("default"))
        if path.suffix == ".json":
            copy.write_text(path.read_text().replace('"shipped": true', '"shipped": false'))
        else:
            copy.write_bytes(b"not a model" * 100)
        made.append(copy)
    yield BROKEN
    for path in made:
        path.unlink(missing_ok=True)


@pytest.mark.parametrize("path", ["/draw", "/evaluate"])
def test_a_broken_model_file_gives_a_message_and_the_others_still_work(student, broken_model, path):
    broken, other = student(), student()
    open_page(broken, path)
    pick_model(broken, broken_model)
    expect(broken.get_by_test_id("stAlertContentError").filter(has_text=broken_model)).to_be_visible()
    no_exception(broken)
    open_page(other, "/draw")
    expect(canvas(other)).to_be_visible(timeout=SLOW_MS)  # a new tab's canvas, on a busy machine
    draw(other, DIGITS[7])
    expect(metric(other, "Prediction")).to_have_text("7", timeout=SLOW_MS)
    pick_model(broken, "default")  # the same tab goes on with a sound model
    expect(broken.get_by_test_id("stAlertContentError")).to_have_count(0)
    no_exception(broken)


def test_a_file_that_is_no_picture_gives_a_message(student, tmp_path):
    junk = tmp_path / "digit.png"
    junk.write_bytes(b"this is no picture")
    page = student()
    open_page(page, "/draw")
    page.get_by_role("tab", name="Upload a picture").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(junk)
    expect(page.get_by_test_id("stAlertContentError").filter(has_text="cannot be read")).to_be_visible()
    no_exception(page)
