"""The class board under AppTest: posting a run from Train, the ranking page, using a post as the active model, what a
student and the teacher may do, and the projector view."""

from __future__ import annotations

from dataclasses import replace
import pytest
from streamlit.testing.v1 import AppTest

from digits_core import DEFAULT_PRESET
from digits_core.classroom.board import Board, Entry
from digits_core.classroom.roles import PASSCODE_ENV
from digits_core.classroom.samples import Collection
from digits_core.handwriting import LabelledSet
from digits_core.models import post_label
from test_app import APP, TIMEOUT, open_page, stored_store  # noqa: F401 (a fixture)

BOARD = "pages/board.py"
ADA, BO = "ada-browser-0001", "bo-browser-00001"  # browser ids as the app makes them: 16 URL-safe characters


@pytest.fixture(scope="module")
def entry(tiny_training) -> Entry:
    from digits_core.lite import convert
    from digits_core.store import model_to_bytes

    model = tiny_training.model
    return Entry("dense-128x2-1", model_to_bytes(model), convert(model), model.count_params(),
                 tiny_training.test_accuracy, "dense-128x2", tiny_training.spec, 1, 6000, tiny_training.train_seconds)


@pytest.fixture
def posted(entry, mnist, store):
    """Two posts, Ada's and a student's whose nickname has markup in it, and 400 class digits (80 or so held out)."""
    board = Board()
    first = board.post(entry, ADA, "Ada")
    second = board.post(replace(entry, name="copy", mnist_accuracy=0.5), BO,
                        "**Bo** :red[x]")
    Collection().add_many(LabelledSet(mnist.x_test[:400], mnist.y_test[:400]))
    return first, second


def as_browser(page: str, browser: str, teacher: bool = False) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["id"] = browser
    at.session_state["teacher"] = teacher
    at.run()
    return at.switch_page(page).run()


def test_an_empty_board_says_how_to_post():
    at = open_page(BOARD)
    assert not at.exception
    assert any("No posts yet" in info.value for info in at.info)


def test_the_board_ranks_the_posts_with_both_accuracies(posted):
    at = open_page(BOARD)
    assert not at.exception
    (table,) = at.dataframe
    frame = table.value
    assert list(frame["nickname"]) == ["Ada", "**Bo** :red[x]"]  # the better first; a nickname is data, not markup
    assert frame["class accuracy"].notna().all() and frame["MNIST accuracy"].notna().all()
    assert list(frame.columns) == ["place", "nickname", "model", "preset", "parameters", "epochs", "training time (s)",
                                   "MNIST accuracy", "class accuracy", "posted at"]
    assert any(text.value.startswith("Ranked by class accuracy") for text in at.markdown)
    assert any("a tie" in info.value for info in at.info)  # the same network twice: McNemar has nothing to test
    assert [chart.key for chart in at.get("plotly_chart")] == ["board_scatter"]
    (missed,) = [element for element in at.main if type(element).__name__ == "Image"]
    first = missed.proto.imgs[0]
    assert "read wrong by" in first.alt and "of 2 wrong" in first.caption  # alt text for screen readers


def test_use_this_model_makes_a_post_the_active_model_of_every_page(posted, mnist):
    first, _ = posted
    at = open_page(BOARD)
    at.session_state["board_selected"] = first.id
    at.run()
    next(b for b in at.button if b.label == "Use this model").click().run()
    assert not at.exception
    assert at.session_state["active_model"].name == post_label(first)
    at.switch_page("pages/draw.py").run()
    assert not at.exception and at.selectbox(key="model_choice_draw").value == post_label(first)
    at.switch_page("pages/evaluate.py").run()
    assert not at.exception
    accuracy = next(m for m in at.metric if m.label == "Test accuracy").value
    assert accuracy == f"{first.mnist_accuracy:.2%}"
    at.switch_page("pages/compare.py").run()
    assert not at.exception and at.multiselect(key="compared").value[0] == post_label(first)
    compared = next(t.value for t in at.table if "test accuracy" in t.value.index)  # a column a model
    assert compared.loc["test accuracy"].iloc[0] == f"{first.mnist_accuracy:.2%}"
    at.switch_page("pages/inside.py").run()
    at.radio(key="inside_source").set_value("A test image").run()
    at.number_input(key="inside_index").set_value(1).run()
    assert not at.exception  # looked inside by the training process, from the post's .keras bytes
    assert next(m for m in at.metric if m.label == "Prediction").value == str(mnist.y_test[1])


def test_a_markup_nickname_is_shown_as_typed(posted):
    _, second = posted
    at = open_page(BOARD)
    at.session_state["board_selected"] = second.id
    at.run()
    chosen = next(m.value for m in at.markdown if m.value.startswith("Chosen"))
    assert r"\*\*Bo\*\* \:red\[x\]" in chosen


def test_a_student_takes_down_only_their_own_post_and_the_teacher_any(posted, monkeypatch):
    first, second = posted
    monkeypatch.setenv(PASSCODE_ENV, "letmein")
    from ui.identity import teacher_gate

    teacher_gate.clear()
    student = as_browser(BOARD, ADA)
    assert next(t for t in student.toggle if t.label == "Posting open").disabled
    student.session_state["board_selected"] = second.id
    student.run()
    assert next(b for b in student.button if b.label == "Take down").disabled
    assert next(b for b in student.button if b.label == "Rename").disabled
    student.session_state["board_selected"] = first.id
    student.run()
    next(b for b in student.button if b.label == "Take down").click().run()
    assert [post.id for post in Board().posts()] == [second.id]

    teacher = as_browser(BOARD, "teacher-browser1", teacher=True)
    teacher.session_state["board_selected"] = second.id
    teacher.run()
    next(b for b in teacher.button if b.label == "Take down").click().run()
    assert not teacher.exception and Board().posts() == []
    teacher_gate.clear()


def test_without_a_passcode_anyone_closes_posting(posted):
    at = open_page(BOARD)
    next(t for t in at.toggle if t.label == "Posting open").set_value(False).run()
    assert not at.exception and not Board().is_open()
    assert any("Posting is closed" in caption.value for caption in at.caption)


def test_a_run_is_posted_from_train(store):
    at = open_page("pages/train.py")
    next(n for n in at.number_input if n.label == "Training samples").set_value(300).run()
    next(b for b in at.button if b.label == "Train").click().run()
    at.session_state["job"].join(TIMEOUT)
    at.run()
    next(b for b in at.button if b.label == "Post").click().run()
    assert not at.exception
    assert any("Posted as number" in s.value for s in at.success)
    (post,) = Board().posts()
    assert (post.preset, post.nickname) == (DEFAULT_PRESET, "anonymous")
    assert post.browser_id == at.session_state["browser_id"]
    Board().set_open(False, teacher=True)
    at.run()
    assert any("Posting is closed" in info.value for info in at.info)


def test_the_projector_view_is_a_large_table_without_controls(posted):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(BOARD)
    at.query_params["view"] = "projector"
    at.run()
    assert not at.exception
    assert len(at.table) == 1 and not at.dataframe
    assert not [b for b in at.button if b.label in ("Use this model", "Take down")]
    assert not at.toggle


@pytest.mark.usefixtures("stored_store")
def test_without_the_class_database_draw_works_and_the_board_says_why(monkeypatch):
    monkeypatch.setenv("DIGITS_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/nothing")
    at = open_page("pages/draw.py")
    assert not at.exception and at.selectbox(key="model_choice_draw").options == ["default"]
    at.switch_page(BOARD).run()
    assert not at.exception and any("cannot be reached" in error.value for error in at.error)
