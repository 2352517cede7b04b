"""finetune(): a copy of the model trained on MNIST plus a tiny class collection; held-out accuracy before and after."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest

from digits_core.finetune import FinetuneSettings, finetune, finetune_run, split
from digits_core.handwriting import HandwritingError, LabelledSet

QUICK = FinetuneSettings(epochs=1, mnist_samples=300, batch_size=32)


def class_digits(mnist, count: int = 40) -> LabelledSet:
    """Test digits drawn 'differently': shifted two pixels right, as a class's habits might."""
    return LabelledSet(np.roll(mnist.x_test[:count], 2, axis=2), mnist.y_test[:count])


def test_held_out_accuracy_is_reported_and_the_model_changes(tiny_model, tiny_training, mnist):
    weights = [w.copy() for w in tiny_model.get_weights()]
    epochs = []
    result = finetune(tiny_model, tiny_training.spec, mnist, class_digits(mnist), QUICK, progress=epochs.append)
    assert result.held_out_count == 8 and 0 <= result.held_out_before <= 1 and 0 <= result.held_out_after <= 1
    assert 0 < result.test_accuracy <= 1 and len(result.history) == 1 and "val_accuracy" in result.history[0]
    assert any(isinstance(e, dict) and e.get("epoch") == 1 for e in epochs)
    assert any(not np.array_equal(a, b) for a, b in zip(result.model.get_weights(), weights))
    assert all(np.array_equal(a, b) for a, b in zip(tiny_model.get_weights(), weights))  # the original is untouched
    assert result.model.inputs[0].dtype == "uint8"
    assert result.seed == 0 and result.train_samples == QUICK.mnist_samples + 40 - 8 and result.test_seconds > 0
    assert result.test_probabilities.shape == (10_000, 10)


def test_the_held_out_part_is_a_fifth_and_disjoint(mnist):
    digits = LabelledSet(np.arange(50, dtype=np.uint8)[:, None, None] * np.ones((1, 28, 28), np.uint8),
                         mnist.y_test[:50])
    kept, held = split(digits, 0.2, np.random.default_rng(0))
    assert len(held.y_test) == 10 and len(kept.y_test) == 40
    assert not set(held.x_test[:, 0, 0]) & set(kept.x_test[:, 0, 0])


def test_too_few_digits_are_refused(tiny_model, mnist):
    with pytest.raises(HandwritingError, match="at least 10"):
        finetune(tiny_model, None, mnist, class_digits(mnist, 5), QUICK)


def test_a_fine_tune_as_a_run_keeps_its_progress_and_held_out_figures(tiny_model, tiny_training, mnist):
    job = SimpleNamespace(stop=threading.Event(), on_epoch=lambda record: None, on_batch=lambda update: None)
    run = finetune_run(tiny_model, tiny_training.spec, mnist, class_digits(mnist), "tiny tuned", job)
    assert run.preset == "tiny tuned" and run.spec == tiny_training.spec and run.batches and run.model_bytes
    assert set(run.meta["held_out"]) == {"before", "after", "count"} and run.meta["held_out"]["count"] == 8
    assert run.parameters == tiny_model.count_params() and run.probabilities.shape == (10_000, 10)
