"""Fine-tune a model to the class's handwriting: more training on MNIST plus the class's digits, weighted up.

The class board's held-out fifth of the class's digits (classroom.scoring.held_out, a hash of
each sample's id) is never trained on; the accuracy on it before and after is the honest measure
of what the tuning did, and the board scores every post on the same digits. The class's digits are few,
so each counts `class_weight` times an MNIST digit, and all are shifted and rotated at
random (Keras layers in front of the model, active only in training). The model given is
never changed: a copy is trained.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from .backend import keras
from .classroom.scoring import held_out_mask
from .data import MnistData
from .evaluation import probabilities, scores
from .handwriting import MIN_DIGITS, HandwritingError, LabelledSet
from .jobs import thinned
from .runs import Recorder, Run, TrainingJob, run_from_training
from .spec import ModelSpec
from .training import Progress, TrainResult, _as_listener, _Reporter, one_hot


@dataclass(frozen=True)
class FinetuneSettings:
    """How long and how hard to tune: epochs, the class's weight, the MNIST share, augmentation, held-out part."""

    epochs: int = 3
    class_weight: float = 10.0
    mnist_samples: int = 6000
    learning_rate: float = 3e-4
    batch_size: int = 64
    shift: float = 2.0  # pixels
    rotation: float = 10.0  # degrees


@dataclass
class FinetuneResult(TrainResult):
    """A TrainResult (so the pages treat it as a training) with the held-out class accuracy before and after.

    Its spec is the tuned model's architecture when known (a model saved without one has None)."""

    held_out_before: float = 0.0
    held_out_after: float = 0.0
    held_out_count: int = 0

    def metadata(self, preset: str | None = None) -> dict[str, Any]:
        """TrainResult's, with the held-out class accuracy before and after (a run's page shows them)."""
        return {**super().metadata(preset), "held_out": {"before": self.held_out_before, "after": self.held_out_after,
                                                         "count": self.held_out_count}}


def finetune(model: keras.Model, spec: ModelSpec | None, mnist: MnistData, digits: LabelledSet,
             settings: FinetuneSettings = FinetuneSettings(), progress: Progress | None = None,
             stop: threading.Event | None = None, seed: int = 0) -> FinetuneResult:
    """Continue training a copy of `model` on part of MNIST and the class's digits; score the held-out ones.

    The history's val_ metrics are the held-out class digits', so the live curves show them.
    """
    if len(digits.y_test) < MIN_DIGITS:
        raise HandwritingError(f"fine-tuning needs at least {MIN_DIGITS} digits in the collection, "
                               f"it has {len(digits.y_test)}")
    rng = np.random.default_rng(seed)
    train_part, held = split(digits)
    before = float(np.mean(_read(model, held.x_test) == held.y_test))
    tuned = keras.models.clone_model(model)
    tuned.set_weights(model.get_weights())
    x, y, weights = _mixed(mnist, train_part, settings, rng)
    trainer = _with_augmentation(tuned, settings, seed)
    trainer.compile(optimizer=keras.optimizers.Adam(settings.learning_rate), loss="categorical_crossentropy",
                    metrics=["accuracy"], weighted_metrics=[], jit_compile=False)
    pace = SimpleNamespace(epochs=settings.epochs, batch_size=settings.batch_size)  # all the reporter reads
    reporter = _Reporter(pace, len(y), _as_listener(progress), stop or threading.Event())
    started = time.perf_counter()
    trainer.fit(x[..., None], one_hot(y), sample_weight=weights, batch_size=settings.batch_size,
                epochs=settings.epochs, validation_data=(held.x_test[..., None], one_hot(held.y_test)),
                shuffle=True, callbacks=[reporter], verbose=0)
    fitted = time.perf_counter()
    after = float(np.mean(_read(tuned, held.x_test) == held.y_test))
    probs = probabilities(tuned, mnist.x_test)
    loss, accuracy = scores(probs, mnist.y_test)
    return FinetuneResult(tuned, spec, reporter.history, fitted - started, reporter.stopped, loss, accuracy,
                          test_seconds=time.perf_counter() - fitted, seed=seed, train_samples=len(y),
                          test_probabilities=probs, held_out_before=before, held_out_after=after,
                          held_out_count=len(held.y_test))


def finetune_run(model: keras.Model, spec: ModelSpec | None, mnist: MnistData, digits: LabelledSet, label: str,
                 job: TrainingJob) -> Run:
    """finetune() as a session's Run named after `label`, as runs.train_plan makes one of a training: its progress
    goes to `job`, whose stop it obeys."""
    recorder = Recorder(job)
    result = finetune(model, spec, mnist, digits, progress=recorder, stop=job.stop)
    return run_from_training(result, label, thinned(recorder.batches), mnist.x_test)


def split(digits: LabelledSet) -> tuple[LabelledSet, LabelledSet]:
    """The class's digits to train on, and the board's held-out fifth, chosen by their sample ids (by their place,
    counted from 1, for digits from a file); HandwritingError unless both parts have a digit."""
    held = held_out_mask(digits.ids or range(1, len(digits.y_test) + 1))
    if held.all() or not held.any():
        raise HandwritingError(f"none of the {len(held)} class digits is {'to train on' if held.all() else 'held out'}"
                               " yet (one in five is held out, by its id): add a few more")
    return (LabelledSet(digits.x_test[~held], digits.y_test[~held]),
            LabelledSet(digits.x_test[held], digits.y_test[held]))


def _mixed(mnist: MnistData, digits: LabelledSet, settings: FinetuneSettings, rng: np.random.Generator):
    """A random part of MNIST's training set and the class's digits, with the class's sample weight."""
    picked = rng.choice(len(mnist.x_train), min(settings.mnist_samples, len(mnist.x_train)), replace=False)
    x = np.concatenate([mnist.x_train[picked], digits.x_test])
    y = np.concatenate([mnist.y_train[picked], digits.y_test])
    weights = np.concatenate([np.ones(len(picked)), np.full(len(digits.y_test), settings.class_weight)])
    return x, y, weights.astype(np.float32)


def _with_augmentation(model: keras.Model, settings: FinetuneSettings, seed: int) -> keras.Model:
    """`model` behind random shifts and rotations of its uint8 input (pixels stay 0..255, the model rescales)."""
    layers = keras.layers
    inputs = keras.Input(shape=(28, 28, 1), dtype="uint8", name="pixels")
    x = layers.Rescaling(1.0, name="as_float")(inputs)
    x = layers.RandomTranslation(settings.shift / 28, settings.shift / 28, fill_mode="constant", seed=seed,
                                 name="shift")(x)
    x = layers.RandomRotation(settings.rotation / 360, fill_mode="constant", seed=seed, name="rotate")(x)
    return keras.Model(inputs, model(x), name="finetune")


def _read(model: keras.Model, images: np.ndarray) -> np.ndarray:
    return probabilities(model, images).argmax(axis=1)
