"""The lesson: each step's button opens its page set up for it, and each step ticks off once the session has done it."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import numpy as np
from streamlit.testing.v1 import AppTest

from digits_core.runs import RunBook, run_from_training
from ui import lesson
from ui.corrections import SAVED
from ui.state import RUNS

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 120
TITLES = [step.title for step in lesson.STEPS]


def statuses(at: AppTest) -> dict[str, str]:
    """Each step's title and its status word on the lesson page: Done, Next or To do."""
    found = {}
    for block in at.markdown:
        for title in TITLES:
            if f"· {title}\n" in block.value:
                found[title] = next(word for word in ("Done", "Next", "To do") if word in block.value)
    return found


def done(at: AppTest) -> list[str]:
    return [title for title, status in statuses(at).items() if status == "Done"]


def follow(at: AppTest, label: str) -> AppTest:
    """Back to the lesson page, then click the step button called `label`: it sets its page up and opens it.

    AppTest draws the page that st.switch_page opened, but runs the lesson again on the next run()
    (a browser stays on the new page): the test then opens that page itself, as the browser would show it."""
    at.switch_page("pages/lesson.py").run()
    next(b for b in at.button if b.label == label).click().run()
    script = next(link.script for step in lesson.STEPS for link in step.links if link.label == label)
    assert not at.exception and at.title[0].value != "The lesson: teach a computer to read handwriting"
    at.switch_page(script).run()
    assert not at.exception
    return at


def train_small(at: AppTest) -> None:
    """Press Train on the Train page with 300 samples and wait for the run to be taken in."""
    next(n for n in at.number_input if n.label == "Training samples").set_value(300).run()
    next(b for b in at.button if b.label == "Train").click().run()
    at.session_state["job"].join(TIMEOUT)
    at.run()
    assert not at.exception


def drawing(mnist, index: int) -> mock.Mock:
    """What the canvas returns for a large test digit (white ink on black, RGBA)."""
    big = np.kron(mnist.x_test[index], np.ones((10, 10), np.uint8))
    return mock.Mock(image_data=np.dstack([big, big, big, np.full_like(big, 255)]))


def test_the_checks_read_the_session_state(tiny_training, tiny_conv_training, mnist):
    book = RunBook()
    state = {RUNS: book}
    assert lesson.progress({}) == [False] * len(lesson.STEPS)
    book.add(run_from_training(tiny_training, "dense-128x2", [], mnist.x_test))
    assert lesson.trained_dense(state) and not lesson.trained_cnn_and_compared(state)
    book.add(run_from_training(tiny_conv_training, "cnn-small", [], mnist.x_test))
    state[lesson.EVENTS] = {lesson.COMPARED, lesson.OPENED_EXPLORE}
    assert lesson.trained_cnn_and_compared(state) and lesson.looked_at_data(state)
    assert lesson.compared_kinds(book.runs) and not lesson.compared_kinds(book.runs[:1])
    state[SAVED] = {f"canvas-{i}": i for i in range(lesson.CORRECTIONS - 1)}
    assert not lesson.drew_and_corrected(state)
    state[SAVED]["canvas-last"] = 3
    assert lesson.drew_and_corrected(state)
    assert not lesson.posted_to_board(state)
    state[lesson.EVENTS].add(lesson.POSTED)
    assert lesson.posted_to_board(state)


def test_a_session_that_does_every_step_sees_each_tick_off(mnist):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/lesson.py").run()
    assert not at.exception and done(at) == [] and statuses(at)["Look at the data"] == "Next"

    follow(at, "Open Explore")
    assert at.title[0].value == "Explore the data"

    follow(at, "Train dense-512")  # Train opens with the step's preset and sample count
    assert at.selectbox(key="train_preset").value == "dense-512"
    assert at.number_input(key="train_samples").value == lesson.LESSON_SAMPLES
    train_small(at)

    follow(at, "Train cnn-fast")
    assert at.selectbox(key="train_preset").value == "cnn-fast"
    train_small(at)
    follow(at, "Compare the two")
    assert at.multiselect(key="compared").value == ["cnn-fast-1 (this session)", "dense-512-1 (this session)"]

    follow(at, "Evaluate my CNN")  # Evaluate opens on the student's CNN, not on the model that reads drawings
    assert next(s for s in at.selectbox if s.label == "Model").value == "cnn-fast-1 (this session)"
    assert any(m.label == "Test accuracy" for m in at.metric)

    follow(at, "Open Draw")
    for index in range(lesson.CORRECTIONS):  # ten different digits, each labelled with one click
        with mock.patch("streamlit_drawable_canvas.st_canvas", return_value=drawing(mnist, index)):
            at.run()
            next(b for b in at.button if b.label == "Right").click().run()
        assert not at.exception

    follow(at, "Look inside my last digit")
    assert at.radio(key="inside_source").value == "Last digit from Draw"
    assert any(m.label == "Prediction" for m in at.metric)

    follow(at, "Open Train")  # the selected run (the CNN) goes to the class board
    next(b for b in at.button if b.label == "Post").click().run()
    assert any("Posted as number" in s.value for s in at.success)

    at.switch_page("pages/lesson.py").run()
    assert done(at) == TITLES
    assert any("Every step is done" in s.value for s in at.success)
