"""One resolver from a picker's label to a model, whether stored, a session's run or a class board post: every page
reads each the same way, and all three read digits as Keras does."""

from __future__ import annotations

import numpy as np
import pytest

from digits_core.classroom.board import Board, Entry
from digits_core.lite import LiteModel, convert
from digits_core.models import BOARD, POST, RUN, STORED, Models, post_label
from digits_core.runs import run_from_training
from digits_core.store import StoreError, model_to_bytes


@pytest.fixture(scope="module")
def tiny_run(tiny_training, mnist):
    return run_from_training(tiny_training, "dense-128x2", [], mnist.x_test)


@pytest.fixture
def three(store, class_database, tiny_training, tiny_run):
    """A stored model, a run and a post of the same network; the Models that lists them."""
    model = tiny_training.model
    store.save("tiny", model, tiny_run.meta, test_probabilities=tiny_run.probabilities)
    board = Board()
    board.post(Entry("posted", model_to_bytes(model), convert(model), model.count_params(),
                     tiny_training.test_accuracy, "dense-128x2", tiny_training.spec, 1), "browser-a", "Ada")
    return Models([tiny_run], store, board.posts(), board)


def test_a_picker_lists_runs_then_stored_models_then_posts(three, tiny_run):
    assert three.labels() == [tiny_run.label, "tiny", post_label(three.posts[0])]
    assert [three.find(label).kind for label in three.labels()] == [RUN, STORED, POST]
    assert three.labels()[-1].startswith(f"{BOARD} #") and "Ada" in three.labels()[-1]
    assert three.find("nothing") is None
    assert len({picked.key for picked in three.choices}) == 3


def test_every_source_reads_digits_as_keras_does(three, tiny_model, mnist):
    expected = np.asarray(tiny_model(mnist.x_test[:200, :, :, None], training=False))
    for picked in three.choices:
        reader = three.reader(picked)
        assert isinstance(reader.model, LiteModel) and reader.name in (picked.label, picked.name)
        np.testing.assert_allclose(reader.probabilities(mnist.x_test[:200]), expected, atol=1e-5)


def test_every_source_is_a_run_and_an_evaluation(three, tiny_training, mnist):
    for picked in three.choices:
        run = three.as_run(picked, mnist)
        assert run.probabilities.shape == (10_000, 10)
        assert run.test_accuracy == pytest.approx(tiny_training.test_accuracy, abs=2e-3)
        assert run.parameters == tiny_training.model.count_params()
        assert three.evaluation(picked, mnist).accuracy == pytest.approx(tiny_training.test_accuracy, abs=2e-3)


def test_every_source_loads_in_keras_and_in_the_training_process(three, tiny_model, mnist):
    for picked in three.choices:
        model = three.keras_model(picked)
        np.testing.assert_allclose(np.asarray(model(mnist.x_test[:5, :, :, None])),
                                   np.asarray(tiny_model(mnist.x_test[:5, :, :, None])), atol=1e-5)
        source = three.worker_source(picked)
        assert source.key and (source.name == "tiny" or source.model_bytes)


def test_a_post_taken_down_since_it_was_listed_is_a_store_error_as_for_a_stored_model(three):
    picked = three.find(three.labels()[-1])
    Board().take_down(picked.post.id, None, teacher=True)
    with pytest.raises(StoreError, match="cannot be read: there is no post"):
        three.reader(picked)
    assert Models([], three.store).find(picked.label) is None  # without the board, no posts


def test_without_a_board_a_post_is_a_clear_error(three):
    picked = three.find(three.labels()[-1])
    with pytest.raises(StoreError, match="class board"):
        Models([], three.store, three.posts).keras_model(picked)
