"""Corrections on Draw land in the class collection, with where they came from, and can be undone; the Handwriting
page shows, scores, relabels, deletes, exports and imports them, and removes an import, a browser's samples or all."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from digits_core.classroom.board import Board
from digits_core.classroom.samples import Collection
from digits_core.handwriting import LabelledSet
from streamlit.testing.v1 import AppTest

from test_app import APP, TIMEOUT, digit_picture, open_page

STUDENT = "student1abcdefgh"  # a browser id of the form the app gives, kept in the URL


@pytest.fixture
def stored_store(store, tiny_training):
    store.save("default", tiny_training.model, {"test_accuracy": tiny_training.test_accuracy, "preset": "tiny"})
    return store


def upload_digit(mnist, index: int = 0, browser: str | None = None):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if browser:
        at.query_params["id"] = browser
    at.run().switch_page("pages/draw.py").run()
    png = io.BytesIO()
    Image.fromarray(digit_picture(mnist, index)[..., 0]).save(png, format="PNG")
    return at.file_uploader[0].set_value(("digit.png", png.getvalue(), "image/png")).run()


def test_right_saves_the_sample_with_its_prediction(stored_store, mnist):
    at = upload_digit(mnist)
    next(b for b in at.button if b.label == "Right").click().run()
    assert not at.exception
    (sample,) = Collection().samples()
    assert sample.label == sample.predicted == int(mnist.y_test[0]) and sample.model == "default"
    assert Collection().raw(sample.id)[:4] == b"\x89PNG"
    assert any("Saved as a 7" in s.value for s in at.success)


def test_a_picked_digit_saves_the_correction_and_undo_takes_it_back(stored_store, mnist):
    at = upload_digit(mnist, browser=STUDENT)
    at.button_group[0].set_value(3).run()
    assert not at.exception
    (sample,) = Collection().samples()
    assert sample.label == 3 and sample.predicted == int(mnist.y_test[0])
    assert (sample.source, sample.browser_id) == ("upload", STUDENT)
    next(b for b in at.button if b.label == "Undo my last correction").click().run()
    assert not at.exception and Collection().samples() == []
    assert any("Taken back: the 3" in i.value for i in at.info)
    assert at.button_group[0].value is None  # asked again
    at.button_group[0].set_value(7).run()
    assert [s.label for s in Collection().samples()] == [7]


def test_another_browser_has_nothing_to_undo(stored_store, mnist):
    at = upload_digit(mnist, browser=STUDENT)
    next(b for b in at.button if b.label == "Right").click().run()
    other = upload_digit(mnist, browser="student2abcdefgh")
    assert not other.exception and not [b for b in other.button if b.label == "Undo my last correction"]


def test_the_page_shows_counts_accuracy_and_the_matrix_and_relabels_and_deletes(stored_store, mnist):
    Collection().add_many(LabelledSet(mnist.x_test[:30], mnist.y_test[:30]))
    at = open_page("pages/handwriting.py")
    assert not at.exception
    assert next(m for m in at.metric if m.label == "Digits in the collection").value == "30"
    assert next(m for m in at.metric if m.label == "Accuracy on the class's digits").value.endswith("%")
    assert any("Community Cloud" in w.value for w in at.warning)
    zeros = int(np.sum(mnist.y_test[:30] == 0))
    deletes = [b for b in at.button if b.label == "Delete"]
    assert len(deletes) == zeros
    deletes[0].click().run()
    assert not at.exception and Collection().counts()[0] == zeros - 1
    assert any(s.value == "Sample deleted." for s in at.success)
    newest_zero = Collection().samples(0)[0]
    at.button_group(key=f"relabel-{newest_zero.id}").set_value(6).run()
    assert not at.exception and Collection().counts()[0] == zeros - 2
    assert next(s for s in Collection().samples(6) if s.id == newest_zero.id)
    assert any(s.value == "Relabelled as a 6." for s in at.success)


def npz_upload(mnist, count: int) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, x_test=mnist.x_test[:count], y_test=mnist.y_test[:count])
    return buffer.getvalue()


def test_an_import_is_listed_and_removed_whole(stored_store, mnist):
    own = Collection().add(mnist.x_test[0], int(mnist.y_test[0]), browser_id="student-00000001")
    batch = Collection().import_npz(npz_upload(mnist, 25), "teacher", "week-1.npz")
    at = open_page("pages/handwriting.py")
    assert any("week-1.npz: 25 digits" in t.value for t in at.text)  # plain text: a file's name is never markup
    next(b for b in at.button if b.key == f"remove-batch-{batch.id}").click().run()
    assert not at.exception and [s.id for s in Collection().samples()] == [own]
    assert any(s.value == "Removed 25 digits of the import." for s in at.success)
    assert any(c.value == "No import yet." for c in at.caption)


def test_one_browsers_samples_then_the_whole_collection_are_removed_after_a_confirmation(stored_store, mnist):
    for index in range(3):
        Collection().add(mnist.x_test[index], int(mnist.y_test[index]), browser_id="noisy")
    Collection().add(mnist.x_test[3], int(mnist.y_test[3]), browser_id="careful")
    at = open_page("pages/handwriting.py")
    assert next(s for s in at.selectbox if s.label == "Browser").options == ["noisy (3 samples)", "careful (1 samples)"]
    next(b for b in at.button if b.label == "Yes, delete them").click().run()
    assert not at.exception and Collection().browsers() == {"careful": 1}
    assert any(s.value == "Removed 3 samples." for s in at.success)
    next(b for b in at.button if b.label == "Yes, remove all 1 digits").click().run()
    assert not at.exception and Collection().counts().sum() == 0


def test_an_import_through_the_page_and_a_bad_file_in_one_line(stored_store, mnist):
    at = open_page("pages/handwriting.py")
    at.file_uploader[0].set_value(("class.npz", npz_upload(mnist, 12), "application/octet-stream")).run()
    next(b for b in at.button if b.label == "Add its digits to the collection").click().run()
    assert not at.exception and any(s.value == "Added 12 digits." for s in at.success)
    assert [(b.name, b.count) for b in Collection().batches()] == [("class.npz", 12)]
    at.file_uploader[0].set_value(("noise.npz", b"\x00" * 400, "application/octet-stream")).run()
    next(b for b in at.button if b.label == "Add its digits to the collection").click().run()
    (error,) = at.error
    assert "not a readable .npz file in MNIST's layout" in error.value and "\n" not in error.value
    assert Collection().counts().sum() == 12


def test_a_class_database_that_cannot_be_reached_is_one_line_and_draw_still_reads(stored_store, mnist, monkeypatch):
    monkeypatch.setenv("DIGITS_DATABASE_URL", "postgresql://teacher:secret@127.0.0.1:9/class")
    at = open_page("pages/handwriting.py")
    (error,) = at.error
    assert not at.exception and "cannot be reached" in error.value and "secret" not in error.value
    at = upload_digit(mnist)
    assert any(m.label == "Prediction" for m in at.metric)
    next(b for b in at.button if b.label == "Right").click().run()
    assert not at.exception and any("could not be saved" in e.value and "cannot be reached" in e.value
                                    for e in at.error)


def test_the_page_with_an_empty_collection_says_so(stored_store):
    at = open_page("pages/handwriting.py")
    assert not at.exception
    assert any("collection is empty" in i.value for i in at.info)


def test_fine_tune_runs_as_a_job_and_is_offered_for_drawing(stored_store, mnist):
    Collection().add_many(LabelledSet(np.roll(mnist.x_test[:40], 2, axis=2), mnist.y_test[:40]))
    at = open_page("pages/handwriting.py")
    next(b for b in at.button if b.label == "Fine-tune").click().run()
    at.session_state["job"].join(300)
    at.run()
    snap = at.session_state["job"].snapshot()
    assert snap.state == "done", snap.error
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Held-out class digits, before" in labels and "Held-out class digits, after" in labels
    assert at.session_state["active_model"].name == "default"  # kept as a run; Draw's model changes only by choice
    assert at.session_state["runs"].runs[-1].name == "default-tuned-1"
    next(b for b in at.button if b.label == "Use this model to read drawings").click().run()
    assert at.session_state["active_model"].name == "default-tuned-1 (this session)"
    next(b for b in at.button if b.label == "Post").click().run()  # to the class board, from here too
    (post,) = Board().posts()
    assert not at.exception and post.name == "default-tuned-1" and post.preset == "custom"
