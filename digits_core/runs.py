"""Every training kept as a run: a small record (the model as .keras bytes, float16 test probabilities), the last 8.

A Run is what the Train and Compare pages show of one training or one stored model; a
RunBook is one session's runs, named "preset-N" and bounded, so a class of students
cannot fill the server's memory with models.
"""

from __future__ import annotations

import itertools
import threading
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol, Sequence

import numpy as np

from .data import MnistData
from .spec import ModelSpec
from .store import ModelStore, StoreError, sanitize_name

if TYPE_CHECKING:  # compiled imports TensorFlow; a Run is read without it
    from .compiled import CompiledModels

MAX_RUNS = 8


class RunError(ValueError):
    """A run name or run operation the session refuses, with the reason."""


@dataclass(frozen=True, eq=False)
class Run:
    """One trained model with what the pages show of it; model_bytes is None for a stored model (the store has it)."""

    id: int  # unique in the server, stable across renames
    name: str
    preset: str | None
    spec: ModelSpec | None
    history: tuple[dict[str, float], ...]  # one record per epoch, as training reports them
    batches: tuple[Any, ...]  # progress.BatchUpdate within the epochs, thinned
    train_seconds: float | None
    stopped: bool
    test_loss: float | None
    test_accuracy: float | None
    train_samples: int | None
    parameters: int
    file_size: int  # bytes of the .keras file
    probabilities: np.ndarray  # (10000, 10) float16 on the test set
    meta: dict[str, Any]  # what the store keeps beside the weights (TrainResult.metadata, or a stored model's JSON)
    model_bytes: bytes | None = None
    stored_as: str | None = None  # the store's name for it: saved from the session, or a stored model

    @property
    def label(self) -> str:
        """How model pickers list it: a session's run is marked, so it never reads like a stored name."""
        return self.stored_as if self.model_bytes is None else f"{self.name} (this session)"

    @property
    def stored(self) -> bool:
        return self.model_bytes is None



_ids = itertools.count(1)
_ids_lock = threading.Lock()


def _next_id() -> int:
    with _ids_lock:
        return next(_ids)


def with_new_id(run: Run) -> Run:
    """The same run under an id of this process: a run made in the training process came with one of its own."""
    return replace(run, id=_next_id())


def run_from_training(result: Any, preset: str, batches: Sequence[Any], x_test: np.ndarray) -> Run:
    """A Run from a training.TrainResult: the model to bytes, the test set's probabilities to float16 (unnamed yet).

    The probabilities the training scored its test metrics with are reused when it kept them (on `x_test`)."""
    from .evaluation import probabilities
    from .store import model_to_bytes

    data, parameters = model_to_bytes(result.model), result.model.count_params()
    probs = result.test_probabilities
    if probs is None or len(probs) != len(x_test):
        probs = probabilities(result.model, x_test)
    return Run(_next_id(), "", preset, result.spec, tuple(result.history), tuple(batches), result.train_seconds,
               result.stopped, result.test_loss, result.test_accuracy, result.train_samples, parameters, len(data),
               probs.astype(np.float16), {**result.metadata(preset), "parameters": parameters}, model_bytes=data)


def stored_run(store: ModelStore, name: str, x_test: np.ndarray) -> Run:
    """A stored model as a Run, read without Keras: history, metrics and parameter count from its JSON, test
    probabilities from NAME.test.npy. StoreError for a model saved without them (ModelStore.complete writes them)."""
    entry, probs = store.info(name), store.test_probabilities(name)
    meta = entry.meta
    if probs is None or probs.shape != (len(x_test), 10) or "parameters" not in meta:
        raise StoreError(f"model {entry.name!r} was saved without its test probabilities or parameter count: "
                         "ModelStore.complete writes them")
    spec = ModelSpec.from_dict(meta["spec"]) if isinstance(meta.get("spec"), dict) else None
    return Run(_next_id(), entry.name, meta.get("preset"), spec, tuple(meta.get("history") or ()), (),
               meta.get("train_seconds"), bool(meta.get("stopped")), meta.get("test_loss"), entry.test_accuracy,
               meta.get("train_samples"), meta["parameters"], (store.root / f"{entry.name}.keras").stat().st_size,
               probs.astype(np.float16), meta, stored_as=entry.name)


class TrainingJob(Protocol):
    """What train_plan reports to and obeys: a digits_core.jobs.Job, or anything with these three."""

    stop: threading.Event

    def on_epoch(self, record: dict[str, float]) -> None: ...

    def on_batch(self, update: Any) -> None: ...


def train_plan(plan: Sequence[tuple[str, ModelSpec]], data: MnistData, job: TrainingJob,
               models: CompiledModels | None = None) -> list[Run]:
    """Train each (preset, spec) in turn on the same data, one Run each; a stop ends the current one and the rest.

    With `models` (the training process's), a network trained before is lent compiled instead of built again."""
    from .jobs import thinned
    from .training import train

    runs = []
    for preset, spec in plan:
        if job.stop.is_set():
            break
        recorder = Recorder(job)
        with models.lend(spec) if models else nullcontext() as compiled:
            result = train(spec, data, progress=recorder, stop=job.stop, compiled=compiled)
            runs.append(run_from_training(result, preset, thinned(recorder.batches), data.x_test))
    return runs


class Recorder:
    """Passes progress on to the job and keeps this run's batch updates (bounded, like the job's) for its Run."""

    def __init__(self, job: TrainingJob):
        self.job, self.batches = job, []

    def on_epoch(self, record: dict[str, float]) -> None:
        self.job.on_epoch(record)

    def on_batch(self, update: Any) -> None:
        from .jobs import thinned

        self.job.on_batch(update)
        self.batches.append(update)
        self.batches = thinned(self.batches)


class RunBook:
    """One session's runs, oldest first: at most `limit`, names unique, "preset-N" until renamed."""

    def __init__(self, limit: int = MAX_RUNS):
        self.limit = limit
        self.runs: list[Run] = []
        self._counters: dict[str, int] = {}

    def add(self, run: Run) -> tuple[Run, list[Run]]:
        """Name the run and keep it; the oldest runs beyond the limit are dropped and returned."""
        named = replace(run, name=self._next_name(run.preset or "run"))
        self.runs.append(named)
        dropped, self.runs = self.runs[:-self.limit], self.runs[-self.limit:]
        return named, dropped

    def restore(self, runs: Sequence[Run]) -> None:
        """Take back the runs an earlier session of the same browser kept, oldest first, named as they were."""
        self.runs = list(runs)[-self.limit:]

    def get(self, run_id: int) -> Run:
        for run in self.runs:
            if run.id == run_id:
                return run
        raise RunError(f"no run number {run_id} in this session (it may have been dropped or deleted)")

    def find(self, label: str) -> Run | None:
        """The run a model picker lists as `label`, or None."""
        return next((run for run in self.runs if run.label == label), None)

    def rename(self, run_id: int, name: str) -> Run:
        """Give the run a name by the store's rule (sanitize_name), so that it can be saved under the same name."""
        try:
            name = sanitize_name(name)
        except StoreError as exc:
            raise RunError(str(exc)) from None
        if any(run.name == name and run.id != run_id for run in self.runs):
            raise RunError(f"another run is already called {name!r}")
        return self._replace(run_id, name=name)

    def mark_saved(self, run_id: int, stored_name: str) -> Run:
        return self._replace(run_id, stored_as=sanitize_name(stored_name))

    def remove(self, run_id: int) -> Run:
        run = self.get(run_id)
        self.runs.remove(run)
        return run

    def _replace(self, run_id: int, **changes: Any) -> Run:
        old = self.get(run_id)
        new = replace(old, **changes)
        self.runs[self.runs.index(old)] = new
        return new

    def _next_name(self, preset: str) -> str:
        """preset-1, preset-2, ...: never reused in the session, and never a name a renamed run took."""
        taken = {run.name for run in self.runs}
        while True:
            self._counters[preset] = self._counters.get(preset, 0) + 1
            name = f"{preset}-{self._counters[preset]}"
            if name not in taken:
                return name
