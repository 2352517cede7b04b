"""The class board in two browsers: a student trains a quick run and posts it; the teacher's projector view shows it
within 5 s, with its MNIST and class accuracies, without reloading the page."""

import re

import pytest
from playwright.sync_api import expect

from digits_core import load_mnist
from digits_core.classroom.samples import Collection
from digits_core.handwriting import LabelledSet
from st_page import TRAIN_MS, metric, no_exception, open_page, post_to_board, start_training

APPEARS_MS = 5_000  # the promise: a new post on the projector within 5 s
NICKNAME = "Ada <b>"  # markup in a nickname stays text
PERCENT = r"\d+\.\d%"


@pytest.fixture
def class_digits(server_env):
    """400 class digits in the server's collection: some 80 held out, enough for the board to rank by them."""
    data = load_mnist()
    Collection(server_env["DIGITS_DATABASE_URL"]).add_many(LabelledSet(data.x_test[:400], data.y_test[:400]))


def test_a_students_post_reaches_the_projector_within_five_seconds(student, class_digits):
    teacher, pupil = student(), student()  # two browsers: the teacher's at the projector
    open_page(teacher, "/board?view=projector")
    expect(teacher.get_by_test_id("stSidebar")).to_be_hidden()
    teacher.evaluate("window.notReloaded = true")

    start_training(pupil, samples=300, epochs=1)
    expect(metric(pupil, "Test accuracy")).to_have_text(re.compile(r"\d+(\.\d+)?\s*%"), timeout=TRAIN_MS)
    post_to_board(pupil, NICKNAME)

    row = teacher.get_by_test_id("stTable").locator("tr").filter(has_text=NICKNAME)
    expect(row).to_have_count(1, timeout=APPEARS_MS)
    expect(row).to_contain_text(re.compile(f"{PERCENT}.*{PERCENT}"))  # MNIST's accuracy and the class's
    assert teacher.evaluate("window.notReloaded") is True  # the fragment redrew it in place
    no_exception(teacher)
    no_exception(pupil)
