"""Train a ModelSpec on MNIST with live progress and a stop flag another thread can set."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from .backend import keras, tf
from .data import MnistData
from .evaluation import BATCH, scores
from .network import build_model
from .progress import BatchUpdate, ProgressListener
from .spec import ModelSpec

BATCH_UPDATES_PER_SECOND = 4
# Batches run in one call of the traced train step: Keras's per-call overhead (Python, dispatch,
# the callbacks) is paid once for four. The stop flag and progress are still seen every few batches.
STEPS_PER_EXECUTION = 4


Progress = ProgressListener | Callable[[BatchUpdate | dict], None]


@dataclass
class TrainResult:
    """A trained model with its spec, per-epoch history and test metrics."""

    model: keras.Model
    spec: ModelSpec
    history: list[dict[str, float]]
    train_seconds: float
    stopped: bool
    test_loss: float
    test_accuracy: float
    test_seconds: float  # scoring the test set after the fit, which train_seconds leaves out
    seed: int = 0
    train_samples: int = 0
    test_probabilities: np.ndarray | None = None  # (N, 10) float32, kept so a Run need not score the test set again

    def metadata(self, preset: str | None = None) -> dict[str, Any]:
        """What the store keeps beside the weights: how the model was made and how well it did (JSON-ready)."""
        return {"preset": preset, "spec": self.spec and self.spec.to_dict(), "seed": self.seed,
                "train_samples": self.train_samples,
                "epochs": len(self.history), "stopped": self.stopped, "history": self.history,
                "train_seconds": self.train_seconds, "test_loss": self.test_loss, "test_accuracy": self.test_accuracy}


def train(
    spec: ModelSpec,
    data: MnistData,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    seed: int = 0,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    compiled: Trainable | None = None,
) -> TrainResult:
    """Build and fit `spec` on data's training set, then score it on its test set.

    `progress` gets every epoch's metrics and batch updates; setting `stop` ends the run
    after the current batch, and the model trained so far is returned, marked stopped.
    Extra Keras `callbacks` run after the progress reporter, so an epoch's `seconds` leave
    out what they do at its end (the benchmark scores the test set there). A `compiled`
    network with fresh weights for `seed` (compiled.CompiledModels lends one) is fitted
    instead of a new one, without a new trace.
    """
    spec.validate()
    compiled = compiled or Trainable.of(spec, seed)
    model = compiled.model
    train_size = math.floor(len(data.x_train) * (1.0 - spec.validation_split))  # Keras's own split, to the sample
    compiled.set_run_length(spec, math.ceil(train_size / spec.batch_size) * spec.epochs)
    reporter = _Reporter(spec, train_size, _as_listener(progress), stop or threading.Event())
    started = time.perf_counter()
    x, y = data.x_train[..., None], one_hot(data.y_train)
    model.fit(
        shuffled_batches(x[:train_size], y[:train_size], spec.batch_size, seed),
        epochs=spec.epochs,
        shuffle=False,  # the batches are shuffled already, by this run's seed
        validation_data=(x[train_size:], y[train_size:]) if train_size < len(x) else None,
        callbacks=[reporter, *callbacks],
        verbose=0,
    )
    fitted = time.perf_counter()
    probs = test_probabilities(model, data.x_test)
    loss, accuracy = scores(probs, data.y_test)
    return TrainResult(model, spec, reporter.history, fitted - started, reporter.stopped, loss, accuracy,
                       time.perf_counter() - fitted, seed, len(data.x_train), probs)


@dataclass(eq=False)
class Trainable:
    """A compiled network that can train again, any number of steps, from fresh weights, without a new trace.

    Its schedule's step counts are variables that the traced train step reads; the optimizer's
    variables are kept as they were before the first step, to be restored for the next run.
    """

    spec: ModelSpec
    model: keras.Model
    run_length: dict[str, keras.Variable]
    optimizer_start: list[np.ndarray]

    @classmethod
    def of(cls, spec: ModelSpec, seed: int = 0) -> Trainable:
        """build_model(spec, seed), compiled for training."""
        model, run_length = build_model(spec, seed), schedule_variables(spec)
        model.compile(
            optimizer=make_optimizer(spec, run_length),
            loss=keras.losses.CategoricalCrossentropy(label_smoothing=spec.label_smoothing),
            metrics=["accuracy"],
            jit_compile=False,  # XLA is 4-8x slower on CPU here
            steps_per_execution=STEPS_PER_EXECUTION,
        )
        model.optimizer.build(model.trainable_variables)
        return cls(spec, model, run_length, [keras.ops.convert_to_numpy(v) for v in model.optimizer.variables])

    def renew(self, seed: int) -> None:
        """Back to build_model(spec, seed)'s weights and random states, and the optimizer before its first step."""
        fresh = build_model(self.spec, seed)
        for layer, new in zip(self.model.layers, fresh.layers, strict=True):
            for variable, value in zip(layer.variables, new.variables, strict=True):
                variable.assign(value)
        for variable, value in zip(self.model.optimizer.variables, self.optimizer_start, strict=True):
            variable.assign(value)

    def set_run_length(self, spec: ModelSpec, total_steps: int) -> None:
        """Stretch the schedule over a run of `total_steps` batches of `spec` (this network, any number of epochs)."""
        for name, value in schedule_steps(spec, total_steps).items():
            self.run_length[name].assign(value)


def test_probabilities(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """Softmax outputs for uint8 images (N, 28, 28) through the model's traced predict step, traced once a model."""
    return model.predict(images[..., None], batch_size=BATCH, verbose=0).astype(np.float32, copy=False)


def shuffled_batches(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int) -> tf.data.Dataset:
    """Batches in a new order each epoch, drawn from this run's own seed.

    Keras's own shuffle draws on TensorFlow's process-wide random state, so two runs at once
    would change each other's order; shuffling indices, then gathering a batch, is what Keras does.
    NumPy gathers each batch from the arrays as they are: handing them to TensorFlow (tf.constant)
    copied the training set into the process once more (about 50 MB for MNIST's).
    tf.data's autotuning is off: at the end of a fit, its model thread held the iterator's
    destructor for up to 9 s after a 15 s epoch (it wakes on its own timer, not when cancelled),
    and a gather needs no tuning: two batches prepared ahead keep the step fed.
    """
    def gather(indices: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        images, labels = tf.numpy_function(lambda i: (x[i], y[i]), [indices], (x.dtype, y.dtype), stateful=False)
        images.set_shape((None, *x.shape[1:]))
        labels.set_shape((None, *y.shape[1:]))
        return images, labels

    order = tf.data.Dataset.range(len(x)).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    batches = order.batch(batch_size).map(gather)
    options = tf.data.Options()
    options.autotune.enabled = False
    return batches.prefetch(2).with_options(options)


def make_optimizer(spec: ModelSpec, run_length: dict[str, keras.Variable] | int) -> keras.optimizers.Optimizer:
    """The spec's optimizer with its learning-rate schedule over a run: `run_length` is schedule_variables' dict
    (Trainable.set_run_length sets it) or a number of batches."""
    if isinstance(run_length, int):
        run_length = schedule_steps(spec, run_length)
    rate = learning_rate_schedule(spec, run_length)
    if spec.optimizer == "adam":
        return keras.optimizers.Adam(rate, beta_1=spec.beta_1)
    if spec.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(rate)
    return keras.optimizers.SGD(rate, momentum=spec.momentum, nesterov=True)


def learning_rate_schedule(
    spec: ModelSpec, steps: dict[str, Any]
) -> float | keras.optimizers.schedules.LearningRateSchedule:
    """Constant, one-cycle (warm up to the peak for 25% of the run, then cosine to ~0), cosine or exponential;
    `steps` are its step counts (schedule_steps), as numbers or variables."""
    peak, schedules = spec.learning_rate, keras.optimizers.schedules
    if spec.schedule == "one-cycle":
        return schedules.CosineDecay(peak / 20, alpha=0.002, warmup_target=peak, **steps)
    if spec.schedule == "cosine":
        return schedules.CosineDecay(peak, alpha=0.01, **steps)
    if spec.schedule == "exponential":
        return schedules.ExponentialDecay(peak, decay_rate=0.8, **steps)
    return peak


def schedule_steps(spec: ModelSpec, total_steps: int) -> dict[str, int]:
    """The step counts of the spec's schedule over `total_steps` batches, by their Keras argument names."""
    total_steps = max(total_steps, 1)
    if spec.schedule == "one-cycle":
        warmup = max(total_steps // 4, 1)
        return {"decay_steps": max(total_steps - warmup, 1), "warmup_steps": warmup}
    if spec.schedule == "cosine":
        return {"decay_steps": total_steps}
    if spec.schedule == "exponential":
        return {"decay_steps": max(total_steps // spec.epochs, 1)}
    return {}


def schedule_variables(spec: ModelSpec) -> dict[str, keras.Variable]:
    """The schedule's step counts as variables (a one-step run until set), read by the traced train step."""
    return {name: keras.Variable(value, dtype="float32", trainable=False, name=name)
            for name, value in schedule_steps(spec, 1).items()}


def one_hot(labels: np.ndarray) -> np.ndarray:
    """Labels 0..9 as uint8 one-hot rows (label smoothing needs the categorical loss)."""
    return np.eye(10, dtype=np.uint8)[labels]


class _NoListener:
    def on_epoch(self, record: dict[str, float]) -> None:
        pass

    def on_batch(self, update: BatchUpdate) -> None:
        pass


class _FunctionListener:
    """Adapts a plain function: it gets each epoch record (dict) and each BatchUpdate."""

    def __init__(self, function: Callable[[BatchUpdate | dict], None]):
        self.on_epoch = self.on_batch = function


def _as_listener(progress: Progress | None) -> ProgressListener:
    if progress is None:
        return _NoListener()
    if hasattr(progress, "on_epoch") or hasattr(progress, "on_batch"):
        listener = _NoListener()  # a listener may implement only one of the two methods
        listener.on_epoch = getattr(progress, "on_epoch", listener.on_epoch)
        listener.on_batch = getattr(progress, "on_batch", listener.on_batch)
        return listener
    return _FunctionListener(progress)


class _Reporter(keras.callbacks.Callback):
    """Collects the history, throttles batch updates and honours the stop flag after each batch."""

    def __init__(self, spec: ModelSpec, train_size: int, listener: ProgressListener, stop: threading.Event):
        super().__init__()
        self.spec, self.train_size, self.listener, self.stop = spec, train_size, listener, stop
        self.history: list[dict[str, float]] = []
        self.stopped = False
        self._epoch = 0
        self._epoch_start = self._last_update = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch
        self._epoch_start = self._last_update = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.stop.is_set():
            self.stopped = self.model.stop_training = True
        now = time.perf_counter()
        if now - self._last_update < 1 / BATCH_UPDATES_PER_SECOND:
            return
        self._last_update = now
        self.listener.on_batch(self._batch_update(batch, logs or {}, now))

    def _batch_update(self, batch: int, logs: dict[str, Any], now: float) -> BatchUpdate:
        done = min((batch + 1) * self.spec.batch_size, self.train_size)
        speed = done / max(now - self._epoch_start, 1e-9)
        remaining = (self.spec.epochs - self._epoch) * self.train_size - done
        return BatchUpdate(self._epoch + 1, self.spec.epochs, done, self.train_size,
                           float(logs.get("loss", math.nan)), float(logs.get("accuracy", math.nan)),
                           speed, remaining / speed)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        record = {"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()}}
        record["seconds"] = time.perf_counter() - self._epoch_start
        record["learning_rate"] = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        self.history.append(record)
        self.listener.on_epoch(record)
