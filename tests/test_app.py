"""The dashboard under Streamlit's AppTest: every page runs, and the main interactions work."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from digits_core import load_mnist
from digits_core.preprocess import upscale
from digits_core.spec import LIMITS
from digits_core.store import MODELS_DIR
from ui.routes import ROUTES

PAGES = [route.script for route in ROUTES]
APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 120
BROWSER = "browser1abcdefgh"  # an id of the form the app gives, as a reload finds it in the URL


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    return at


@pytest.fixture
def stored_store(store, tiny_training):
    """A temporary store holding the tiny model as 'default', so Evaluate and Draw have one."""
    store.save("default", tiny_training.model, {"test_accuracy": tiny_training.test_accuracy, "preset": "tiny"})
    return store


def digit_picture(mnist, index: int = 0) -> np.ndarray:
    """A test digit, large, as the RGBA array a canvas returns (white ink on black)."""
    big = upscale(mnist.x_test[index], 10)
    return np.dstack([big, big, big, np.full_like(big, 255)])


def summary_table(at: AppTest):
    """The model summary (layer, type, output shape, parameters) shown on Train, once the training process has
    built it: the page shows an empty table until then, and a browser asks again every half second."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        table = next(d.value for d in at.dataframe if "parameters" in d.value.columns)
        if len(table) or time.monotonic() > deadline:
            return table
        time.sleep(0.5)
        at.run()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(page):
    at = open_page(page)
    assert not at.exception
    assert at.title or at.markdown


def test_choosing_a_preset_updates_the_summary():
    at = open_page("pages/train.py")
    before = summary_table(at)
    at.selectbox[0].select("dense-512").run()
    after = summary_table(at)
    assert not at.exception
    assert list(after["type"]) != list(before["type"])
    assert "Dense" in set(after["type"]) and after["parameters"].sum() == 784 * 512 + 512 + 512 * 10 + 10


def test_the_train_form_says_its_limits_and_clamps_a_number_beyond_them_visibly():
    at = open_page("pages/train.py")
    inputs = {n.label: n for n in at.number_input}
    for label, name in [("Validation split", "validation_split"), ("Learning rate", "learning_rate"),
                        ("Head dropout", "dropout"), ("Epochs", "epochs"), ("Augment: zoom", "zoom")]:
        assert f"Allowed: {LIMITS[name].low:,g} to {LIMITS[name].high:,g}." in inputs[label].help
    inputs["Epochs"].set_value(500).run()
    next(n for n in at.number_input if n.label == "Batch size").set_value(100_000).run()
    assert not at.exception
    inputs = {n.label: n for n in at.number_input}
    assert (inputs["Epochs"].value, inputs["Batch size"].value) == (100, 4096)  # in force, not just shown
    assert [w.value for w in at.warning] == ["Batch size: 100,000 is above the highest allowed, 4,096, so it is set "
                                             "to 4,096."]  # each message once, beside its box
    summary_table(at)  # the layer table's caption says what trains, once the training process has built it
    assert any("100 epoch(s), batch 4096" in c.value for c in at.caption)


def test_a_tiny_training_gives_the_test_accuracy_and_reads_drawings_only_once_chosen():
    at = open_page("pages/train.py")
    drawing = at.session_state["active_model"]  # the shipped default
    samples = next(n for n in at.number_input if n.label == "Training samples")
    samples.set_value(300).run()
    next(b for b in at.button if b.label == "Train").click().run()
    at.session_state["job"].join(TIMEOUT)
    at.run()
    assert not at.exception
    metric = next(m for m in at.metric if m.label == "Test accuracy")
    assert metric.value.endswith("%")
    assert at.session_state["active_model"] == drawing  # a new run does not replace the model Draw uses...
    next(b for b in at.button if b.label == "Use this model to read drawings").click().run()
    assert at.session_state["active_model"].name == "cnn-fast-1 (this session)"  # ...until the student chooses it
    assert any("reads your drawings" in s.value for s in at.success)
    at.switch_page("pages/draw.py").run()
    assert next(s for s in at.selectbox if s.label == "Model").value == "cnn-fast-1 (this session)"
    assert any(c.value.startswith("Reading your drawings: **cnn-fast-1 (this session)**") for c in at.caption)


def test_a_model_picked_on_evaluate_changes_that_page_only(stored_store, tiny_conv_training):
    stored_store.save("other", tiny_conv_training.model, {"test_accuracy": tiny_conv_training.test_accuracy})
    at = open_page("pages/evaluate.py")
    next(s for s in at.selectbox if s.label == "Model").select("other").run()
    assert not at.exception
    assert any(c.value.startswith("This page uses **other**") and "Draw still reads with **default**" in c.value
               for c in at.caption)
    assert at.session_state["active_model"].name == "default"
    at.switch_page("pages/inside.py").run()
    assert next(s for s in at.selectbox if s.label == "Model").value == "default"
    at.switch_page("pages/evaluate.py").run()
    assert next(s for s in at.selectbox if s.label == "Model").value == "other"  # the page keeps its own pick


def test_a_cross_validation_gives_every_fold_and_its_mean(stored_store):
    at = open_page("pages/evaluate.py")
    next(n for n in at.number_input if n.label == "Folds").set_value(2)
    next(n for n in at.number_input if n.label == "Samples").set_value(1000)
    next(n for n in at.number_input if n.label == "Epochs per fold").set_value(1)
    next(b for b in at.button if b.label == "Run cross-validation").click().run()
    at.session_state["job"].join(TIMEOUT)
    at.run()
    assert not at.exception
    assert at.session_state["cv_result"] is not None and len(at.session_state["cv_result"].fold_accuracies) == 2
    assert next(m for m in at.metric if m.label == "Mean held-out accuracy").value.endswith("%")


def test_evaluate_shows_the_matrix_and_a_clicked_cell(stored_store):
    at = open_page("pages/evaluate.py")
    assert not at.exception
    assert any(m.label == "Test accuracy" for m in at.metric)
    assert any("Confusion matrix" in s.value for s in at.subheader)
    assert any(s.value.startswith("True ") for s in at.subheader)  # the most confused cell by default


def test_the_keyboard_picks_a_confusion_cell_as_a_click_does(stored_store):
    at = open_page("pages/evaluate.py")
    at.selectbox(key="confusion-cell").set_value((2, 8)).run()
    assert not at.exception
    assert any(s.value.startswith("True 2, read as 8") for s in at.subheader)
    assert any(e.label == "The matrix as a table" for e in at.expander)


def test_an_upload_gives_a_prediction(stored_store, mnist):
    at = open_page("pages/draw.py")
    png = io.BytesIO()
    Image.fromarray(digit_picture(mnist)[..., 0]).save(png, format="PNG")
    at.file_uploader[0].set_value(("seven.png", png.getvalue(), "image/png")).run()
    assert not at.exception
    prediction = next(m for m in at.metric if m.label == "Prediction")
    assert prediction.value == str(mnist.y_test[0])


def test_the_canvas_drawing_gives_a_prediction_and_an_empty_one_a_hint(stored_store, mnist):
    drawn = mock.Mock(image_data=digit_picture(mnist, 1))
    with mock.patch("streamlit_drawable_canvas.st_canvas", return_value=drawn):
        at = open_page("pages/draw.py")
    assert not at.exception
    assert next(m for m in at.metric if m.label == "Prediction").value == str(mnist.y_test[1])

    empty = mock.Mock(image_data=np.zeros((280, 280, 4), np.uint8))
    with mock.patch("streamlit_drawable_canvas.st_canvas", return_value=empty):
        at = open_page("pages/draw.py")
    assert not at.exception and not any(m.label == "Prediction" for m in at.metric)
    assert any("Draw a digit" in i.value for i in at.info)


def test_draw_without_any_model_explains_instead_of_crashing(store):
    at = open_page("pages/draw.py")
    assert not at.exception
    assert any("No model" in i.value for i in at.info)


def visit_the_light_pages() -> None:
    """Home, Explore, Evaluate, Draw (a drawing read) and Inside of the stored default; then whether TF got imported.

    Run in a fresh interpreter by the next test: this process imported TensorFlow long ago.
    """
    for page in ("pages/home.py", "pages/explore.py", "pages/evaluate.py", "pages/draw.py"):
        assert not open_page(page).exception, page
    drawn = mock.Mock(image_data=digit_picture(load_mnist(), 1))
    with mock.patch("streamlit_drawable_canvas.st_canvas", return_value=drawn):  # importable once Draw has run
        at = open_page("pages/draw.py")
    assert not at.exception and any(m.label == "Prediction" for m in at.metric)
    look_inside(at)
    print("tensorflow" in sys.modules, "keras" in sys.modules)


def look_inside(at: AppTest) -> None:
    """Inside of the chosen model with a test image: its layers and saliency come from the training process."""
    at.switch_page("pages/inside.py").run()
    at.radio(key="inside_source").set_value("A test image").run()
    assert not at.exception and any(m.label == "Prediction" for m in at.metric)
    assert any(c.value.startswith("Red to yellow") for c in at.caption)


def train_save_evaluate_and_draw_a_run() -> None:
    """A tiny training on Train, saved, scored on Evaluate, read on Draw, looked inside; then was TF imported?"""
    at = open_page("pages/train.py")
    next(n for n in at.number_input if n.label == "Training samples").set_value(300).run()
    next(b for b in at.button if b.label == "Train").click().run()
    at.session_state["job"].join(TIMEOUT)
    at.run()
    next(t for t in at.text_input if t.label == "Name").set_value("light-run").run()
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception and any("Saved as" in s.value for s in at.success)
    at.switch_page("pages/evaluate.py").run()
    assert not at.exception and any(m.label == "Test accuracy" for m in at.metric)
    at.switch_page("pages/draw.py").run()
    drawn = mock.Mock(image_data=digit_picture(load_mnist(), 1))
    with mock.patch("streamlit_drawable_canvas.st_canvas", return_value=drawn):  # importable once Draw has run
        at.run()
    assert not at.exception and any(m.label == "Prediction" for m in at.metric)
    assert next(s for s in at.selectbox if s.label == "Model").value.endswith("(this session)")
    look_inside(at)
    print("tensorflow" in sys.modules, "keras" in sys.modules)


def test_a_run_trained_saved_evaluated_read_and_looked_inside_leaves_tensorflow_out_of_the_server(store):
    script = "import sys; sys.path[:0] = ['tests', '.']; import test_app; test_app.train_save_evaluate_and_draw_a_run()"
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(APP).parent, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[-2:] == ["False", "False"]  # the training process did all of TensorFlow's work
    assert [entry.name for entry in store.list()] == ["light-run"]


@pytest.mark.skipif(not (MODELS_DIR / "default.tflite").exists(), reason="the shipped default has no LiteRT file")
def test_home_explore_evaluate_draw_and_inside_of_a_stored_model_leave_tensorflow_unimported(monkeypatch):
    monkeypatch.delenv("DIGITS_MODELS_DIR", raising=False)  # the repository's store, with the shipped default
    script = "import sys; sys.path[:0] = ['tests', '.']; import test_app; test_app.visit_the_light_pages()"
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(APP).parent, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[-2:] == ["False", "False"]  # neither tensorflow nor keras in sys.modules


def kept_names(browser: str) -> list[str]:
    """The names of the runs the class database keeps for a browser, oldest first."""
    from digits_core.classroom.runs import KeptRuns

    return [run.name for _, run in KeptRuns().load_runs(browser)]


def test_runs_are_kept_renamed_and_the_oldest_dropped_and_a_reload_brings_them_back(tiny_training, mnist):
    from dataclasses import replace

    from digits_core.runs import MAX_RUNS, RunBook, run_from_training

    template = run_from_training(tiny_training, "tiny", [], mnist.x_test)
    book = RunBook()
    for number in range(MAX_RUNS):
        book.add(replace(template, id=-number - 1))
    book.mark_saved(-1, "kept")  # the oldest was saved: dropping it needs no notice
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["id"] = BROWSER
    at.run()
    at.session_state["runs"] = book
    at.switch_page("pages/train.py").run()
    next(n for n in at.number_input if n.label == "Training samples").set_value(300).run()
    next(m for m in at.multiselect if m.label.startswith("Then train")).select("dense-128x2").run()
    next(b for b in at.button if b.label == "Train").click().run()
    at.session_state["job"].join(TIMEOUT)
    at.run()
    assert not at.exception
    names = [run.name for run in at.session_state["runs"].runs]
    assert len(names) == MAX_RUNS and names[-2:] == ["cnn-fast-1", "dense-128x2-1"] and "tiny-1" not in names
    assert [w.value for w in at.warning] == [f"Run **tiny-2** was dropped: a session keeps its last {MAX_RUNS} runs "
                                             "(save a run to keep it)."]
    assert at.session_state["active_model"].stored  # new runs do not read drawings until chosen
    next(b for b in at.button if b.label == "Use this model to read drawings").click().run()
    assert at.session_state["active_model"].name == "dense-128x2-1 (this session)"
    assert kept_names(BROWSER) == ["cnn-fast-1", "dense-128x2-1"]  # the trainings, kept for a reload

    next(t for t in at.text_input if t.label == "Name").set_value("Anna's dense 🙂").run()
    assert any("This name cannot be used" in e.value for e in at.error)  # refused as typed, by the store's rule
    assert next(b for b in at.button if b.label == "Rename").disabled
    assert next(b for b in at.button if b.label == "Save").disabled
    next(t for t in at.text_input if t.label == "Name").set_value("baseline").run()
    next(b for b in at.button if b.label == "Rename").click().run()
    assert not at.exception and at.session_state["runs"].runs[-1].name == "baseline"
    assert at.session_state["active_model"].name == "baseline (this session)"
    assert not at.warning  # the notice is said once
    assert kept_names(BROWSER) == ["cnn-fast-1", "baseline"]
    next(b for b in at.button if b.label == "Delete").click().run()
    assert "baseline" not in [run.name for run in at.session_state["runs"].runs]
    assert not at.exception and at.session_state["active_model"].name != "baseline (this session)"
    assert kept_names(BROWSER) == ["cnn-fast-1"]

    reloaded = AppTest.from_file(APP, default_timeout=TIMEOUT)  # a new session of the same browser: a reload
    reloaded.query_params["id"] = BROWSER  # the id the URL keeps
    reloaded.run().switch_page("pages/train.py").run()
    assert not reloaded.exception and [run.name for run in reloaded.session_state["runs"].runs] == ["cnn-fast-1"]
    assert any(d.value["run"].tolist() == ["cnn-fast-1"] for d in reloaded.dataframe if "run" in d.value)


def test_the_sidebar_follows_a_run_on_every_page_but_the_one_drawing_it_live():
    at = open_page("pages/train.py")
    next(n for n in at.number_input if n.label == "Training samples").set_value(60_000).run()
    next(b for b in at.button if b.label == "Train").click().run()
    job = at.session_state["job"]
    try:
        assert not any(c.value.startswith("Training") for c in at.sidebar.caption)  # Train draws it live
        at.switch_page("pages/home.py").run()
        assert any(c.value.startswith("Training") for c in at.sidebar.caption) or job.finished
    finally:
        job.request_stop()
        job.join(TIMEOUT)
