"""Corrections on Draw land in the class collection; the Handwriting page shows, scores, exports and deletes them."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from digits_core.handwriting import Collection, LabelledSet
from test_app import digit_picture, open_page


@pytest.fixture
def stored_store(store, tiny_training):
    store.save("default", tiny_training.model, {"test_accuracy": tiny_training.test_accuracy, "preset": "tiny"})
    return store


def upload_digit(mnist, index: int = 0):
    at = open_page("pages/draw.py")
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


def test_a_picked_digit_saves_the_correction(stored_store, mnist):
    at = upload_digit(mnist)
    at.button_group[0].set_value(3).run()
    assert not at.exception
    (sample,) = Collection().samples()
    assert sample.label == 3 and sample.predicted == int(mnist.y_test[0])


def test_the_page_shows_counts_accuracy_and_the_matrix(stored_store, mnist):
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
