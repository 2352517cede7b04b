"""finetune(): a copy of the model trained on MNIST plus a tiny class collection; held-out accuracy before and after."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest

from digits_core.classroom.scoring import held_out, held_out_mask
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
    held = int(held_out_mask(range(1, 41)).sum())  # digits without sample ids: their places stand in
    assert result.held_out_count == held and 0 <= result.held_out_before <= 1 and 0 <= result.held_out_after <= 1
    assert 0 < result.test_accuracy <= 1 and len(result.history) == 1 and "val_accuracy" in result.history[0]
    assert any(isinstance(e, dict) and e.get("epoch") == 1 for e in epochs)
    assert any(not np.array_equal(a, b) for a, b in zip(result.model.get_weights(), weights))
    assert all(np.array_equal(a, b) for a, b in zip(tiny_model.get_weights(), weights))  # the original is untouched
    assert result.model.inputs[0].dtype == "uint8"
    assert result.seed == 0 and result.train_samples == QUICK.mnist_samples + 40 - held and result.test_seconds > 0
    assert result.test_probabilities.shape == (10_000, 10)


def test_fine_tuning_never_trains_on_the_boards_held_out_digits(mnist):
    ids = tuple(range(101, 201))  # the collection's sample ids; each image's first pixel is its place
    digits = LabelledSet(np.arange(100, dtype=np.uint8)[:, None, None] * np.ones((1, 28, 28), np.uint8),
                         mnist.y_test[:100], ids)
    kept, held = split(digits)
    board = {place for place, sample in enumerate(ids) if held_out(sample)}
    assert set(held.x_test[:, 0, 0]) == board and not board & set(kept.x_test[:, 0, 0])
    assert len(kept.y_test) + len(held.y_test) == 100 and 10 < len(held.y_test) < 30
    assert split(digits)[1].x_test.tobytes() == held.x_test.tobytes()  # the same every time: no random draw


def test_without_a_held_out_digit_fine_tuning_says_to_add_more(mnist):
    ids = [i for i in range(1, 200) if not held_out(i)][:12]
    with pytest.raises(HandwritingError, match="held out"):
        split(LabelledSet(mnist.x_test[:12], mnist.y_test[:12], tuple(ids)))


def test_too_few_digits_are_refused(tiny_model, mnist):
    with pytest.raises(HandwritingError, match="at least 10"):
        finetune(tiny_model, None, mnist, class_digits(mnist, 5), QUICK)


def test_a_fine_tune_as_a_run_keeps_its_progress_and_held_out_figures(tiny_model, tiny_training, mnist):
    job = SimpleNamespace(stop=threading.Event(), on_epoch=lambda record: None, on_batch=lambda update: None)
    run = finetune_run(tiny_model, tiny_training.spec, mnist, class_digits(mnist), "tiny tuned", job)
    assert run.preset == "tiny tuned" and run.spec == tiny_training.spec and run.batches and run.model_bytes
    assert set(run.meta["held_out"]) == {"before", "after", "count"}
    assert run.meta["held_out"]["count"] == held_out_mask(range(1, 41)).sum()
    assert run.parameters == tiny_model.count_params() and run.probabilities.shape == (10_000, 10)
