"""train(): progress reports, the stop flag, seeded repeats, and that a short run actually learns."""

from __future__ import annotations

import json
import math
import threading

import numpy as np
import pytest

from digits_core import Augmentation, DenseLayer, ModelSpec, get_preset
from digits_core.training import BatchUpdate, train

# Small batches make enough steps for several throttled batch updates even on a fast machine.
SPEC = get_preset("dense-128x2").spec.with_changes(epochs=2, batch_size=16, validation_split=0.1)


class Recorder:
    """A progress listener that keeps everything it is told."""

    def __init__(self):
        self.epochs, self.batches = [], []

    def on_epoch(self, record):
        self.epochs.append(record)

    def on_batch(self, update):
        self.batches.append(update)


@pytest.fixture(scope="module")
def recorded(mnist):
    recorder = Recorder()
    result = train(SPEC, mnist.subset(2999), progress=recorder, seed=1)
    return result, recorder


def test_result_fields(recorded):
    result, _ = recorded
    assert result.spec == SPEC and not result.stopped
    assert len(result.history) == 2 and result.train_seconds > 0
    assert 0 < result.test_loss < 2.3 and 0.5 < result.test_accuracy <= 1


def test_metadata_says_how_the_model_was_made(recorded):
    result, _ = recorded
    meta = result.metadata("dense-128x2")
    assert json.loads(json.dumps(meta))["history"] == result.history  # the store writes it as JSON
    assert meta["preset"] == "dense-128x2" and meta["seed"] == 1 and meta["train_samples"] == 2999
    assert ModelSpec.from_dict(meta["spec"]) == SPEC and meta["epochs"] == 2 and meta["history"] == result.history
    assert meta["test_accuracy"] == result.test_accuracy and not meta["stopped"]


def test_epoch_records(recorded):
    result, recorder = recorded
    assert recorder.epochs == result.history
    for number, record in enumerate(recorder.epochs, start=1):
        assert record["epoch"] == number
        assert {"loss", "accuracy", "val_loss", "val_accuracy", "seconds", "learning_rate"} <= set(record)
        assert 0 <= record["accuracy"] <= 1 and 0 <= record["val_accuracy"] <= 1
        assert record["seconds"] > 0 and math.isclose(record["learning_rate"], SPEC.learning_rate, rel_tol=1e-5)
    assert recorder.epochs[1]["loss"] < recorder.epochs[0]["loss"]


def test_batch_updates(recorded):
    _, recorder = recorded
    assert recorder.batches, "a run of a few seconds must report some batches"
    train_size = 2699  # Keras trains on floor(2999 * 0.9) samples and holds out the last 300
    for update in recorder.batches:
        assert isinstance(update, BatchUpdate)
        assert update.epochs == 2 and update.epoch in (1, 2)
        assert update.samples_total == train_size and 0 < update.samples_done <= train_size
        assert update.samples_per_second > 0 and update.eta_seconds >= 0
        assert 0 <= update.accuracy <= 1 and update.loss > 0
    progress = [(u.epoch, u.samples_done) for u in recorder.batches]
    assert progress == sorted(progress)


def test_plain_function_gets_both_kinds(mnist):
    seen = []
    train(SPEC.with_changes(epochs=1, validation_split=0.0), mnist.subset(1500), progress=seen.append)
    assert any(isinstance(item, dict) and item["epoch"] == 1 for item in seen)
    assert any(isinstance(item, BatchUpdate) for item in seen)


def test_listener_with_only_one_method(mnist):
    class EpochsOnly:
        def __init__(self):
            self.records = []

        def on_epoch(self, record):
            self.records.append(record)

    listener = EpochsOnly()
    train(SPEC.with_changes(epochs=1, validation_split=0.0), mnist.subset(1500), progress=listener)
    assert [record["epoch"] for record in listener.records] == [1]


def test_stop_from_a_listener_ends_the_run(mnist):
    stop = threading.Event()
    seen = []

    def progress(item):
        seen.append(item)
        if isinstance(item, BatchUpdate):
            stop.set()

    spec = SPEC.with_changes(epochs=3, validation_split=0.0)
    result = train(spec, mnist.subset(3000), progress=progress, stop=stop)
    assert result.stopped
    assert len(result.history) == 1  # stopped during the first epoch
    assert sum(isinstance(item, BatchUpdate) for item in seen) == 1
    assert 0 <= result.test_accuracy <= 1  # the model trained so far is scored and returned
    assert result.model.output_shape == (None, 10)


def test_stop_from_another_thread(mnist):
    stop = threading.Event()
    timer = threading.Timer(0.5, stop.set)
    timer.start()
    try:
        result = train(SPEC.with_changes(epochs=50, validation_split=0.0), mnist.subset(3000), stop=stop)
    finally:
        timer.cancel()
    assert result.stopped and len(result.history) < 50


def test_same_seed_same_result(mnist):
    spec = get_preset("dense-128x2").spec.with_changes(batch_size=64)
    data = mnist.subset(1000)
    first, second = train(spec, data, seed=3), train(spec, data, seed=3)
    assert first.test_accuracy == second.test_accuracy
    assert first.history[0]["loss"] == pytest.approx(second.history[0]["loss"], rel=1e-6)


def test_runs_at_once_keep_their_own_seeds(mnist):
    """Two runs in threads with one seed train the same weights as that seed alone (set_random_seed reset both)."""
    spec = ModelSpec(dense=(DenseLayer(16, dropout=0.3),), augmentation=Augmentation(shift=1), epochs=2, batch_size=50)
    data = mnist.subset(400)
    alone = train(spec, data, seed=5).model.get_weights()
    results = [None, None]

    def run(slot):
        results[slot] = train(spec, data, seed=5).model.get_weights()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for weights in results:
        assert weights is not None, "a training thread did not finish"
        for mine, reference in zip(weights, alone):
            np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)
    other = train(spec, data, seed=6).model.get_weights()
    assert not np.allclose(other[0], alone[0])


def test_a_short_run_learns(tiny_training):
    assert tiny_training.test_accuracy > 0.8  # chance is 0.1


def test_one_cycle_schedule_ends_low(mnist):
    spec = get_preset("dense-128x2").spec.with_changes(schedule="one-cycle", learning_rate=0.01, epochs=2)
    result = train(spec, mnist.subset(640))
    assert result.history[-1]["learning_rate"] < 0.001
