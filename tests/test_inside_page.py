"""The Inside page under AppTest: a test image, a drawing, the last digit from Draw, a dense and a conv model."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

from test_app import digit_picture, open_page

PAGE = "pages/inside.py"


@pytest.fixture
def dense_store(store, tiny_training):
    store.save("default", tiny_training.model, {"test_accuracy": tiny_training.test_accuracy, "preset": "tiny"})
    return store


@pytest.fixture
def conv_store(store, tiny_conv_training):
    store.save("default", tiny_conv_training.model, {"test_accuracy": tiny_conv_training.test_accuracy})
    return store


def charts_named(at, text: str) -> bool:
    return any(text in m.value for m in at.markdown)


def test_a_test_image_on_a_conv_model(conv_store, mnist):
    at = open_page(PAGE)
    at.radio(key="inside_source").set_value("A test image").run()
    at.number_input(key="inside_index").set_value(1).run()
    assert not at.exception
    assert next(m for m in at.metric if m.label == "Prediction").value == str(mnist.y_test[1])
    assert charts_named(at, "**conv1_relu**") and charts_named(at, "**conv2_relu**")
    assert any("Grad-CAM:" in c.value for c in at.caption)
    assert any("nearest in its last hidden layer" in c.value for c in at.caption)
    assert any("PCA" in c.value for c in at.caption)  # no stored t-SNE for this model
    at.selectbox(key="why_digit").set_value(4).run()
    assert not at.exception


def test_a_dense_model_says_why_it_has_no_feature_maps(dense_store, mnist):
    drawn = mock.Mock(image_data=digit_picture(mnist, 0))
    with mock.patch("streamlit_drawable_canvas.st_canvas", return_value=drawn):
        at = open_page(PAGE)
    assert not at.exception
    assert next(m for m in at.metric if m.label == "Prediction").value == str(mnist.y_test[0])
    assert any("no convolutions, so no feature maps" in i.value for i in at.info)
    assert charts_named(at, "**dense1_relu**: 128 units")
    assert any("needs a convolution" in c.value for c in at.caption)


def test_nothing_drawn_gives_a_hint_and_the_last_digit_from_draw_is_used(dense_store, mnist):
    empty = mock.Mock(image_data=np.zeros((280, 280, 4), np.uint8))
    with mock.patch("streamlit_drawable_canvas.st_canvas", return_value=empty):
        at = open_page(PAGE)
    assert not at.exception and any("Draw a digit" in i.value for i in at.info)
    at.radio(key="inside_source").set_value("Last digit from Draw").run()
    assert any("Nothing read on Draw yet" in c.value for c in at.caption)
    at.session_state["last_digit"] = mnist.x_test[2]
    at.run()
    assert next(m for m in at.metric if m.label == "Prediction").value == str(mnist.y_test[2])


def test_a_damaged_model_file_gives_a_message(dense_store):
    (dense_store.root / "default.keras").write_bytes(b"not a keras file")
    at = open_page(PAGE)
    at.radio(key="inside_source").set_value("A test image").run()  # read through LiteRT, then looked inside
    assert not at.exception
    assert at.error and "default" in at.error[0].value
