"""TensorFlow's work for the server done in a process of its own: trainings, cross-validations, fine-tunes,
summaries, saving, completing stored models, and looking inside a model.

Imported in the server, TensorFlow held the GIL for about 13 s (every session's drawing waited)
and kept some 620 MB for the life of the process. The worker process imports it once and serves
the server over a local socket, one connection a request, each in a thread of its own, at the
background priority. The server starts it when a request comes and stops it once nothing has
used it for `idle_seconds`, which gives its memory back; it also ends if the server dies.

    python -m digits_core.worker ADDRESS   # what Worker starts; it reads its key on stdin
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import numpy as np

from .crossval import CrossValidation
from .data import REPO_ROOT, load_mnist
from .explained import EmbeddingMap, LayerOutput, Neighbour, Saliency
from .priority import lower_this_thread
from .runs import Run, TrainingJob, with_new_id
from .spec import ModelSpec
from .store import ModelStore, StoredModel

if TYPE_CHECKING:
    from .handwriting import LabelledSet

IDLE_ENV = "DIGITS_WORKER_IDLE_SECONDS"
DEFAULT_IDLE_SECONDS = 45.0
POLL_SECONDS = 0.2
DYING_SECONDS = 5.0  # how long a refused connection waits for a dying process to exit
READY = b"ready\n"
# glibc gives threads that allocate at once arenas of their own, up to 8 a core, and keeps what each frees; the
# process serves every request in a thread, beside TensorFlow's pools (a training's peak: 7 MB less with two).
ENVIRONMENT = {"MALLOC_ARENA_MAX": "2"}
EXPLAINERS = 4  # models looked inside that the process keeps ready
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelSource:
    """A model the process can load to look inside: a stored model's version, or a session run's bytes."""

    key: str  # the process keeps one explainer a key
    root: Path | None = None
    name: str | None = None
    model_bytes: bytes | None = field(default=None, repr=False)

    @classmethod
    def stored(cls, root: Path, name: str, version: str | None) -> ModelSource:
        return cls(f"stored {root} {name} {version}", Path(root), name)

    @classmethod
    def run(cls, run: Run) -> ModelSource:
        return cls(f"run {run.id}", model_bytes=run.model_bytes)


class RemoteExplainer:
    """explain.Explainer's answers for one model, computed in the process: the Inside page needs no Keras here."""

    def __init__(self, worker: Worker, source: ModelSource):
        self._worker, self._source = worker, source
        self._maps: dict[tuple[int, bool], EmbeddingMap] = {}  # megabytes each: fetched once

    def layer_outputs(self, image: np.ndarray) -> list[LayerOutput]:
        return self._ask("layer_outputs", image)

    def saliency(self, image: np.ndarray, digit: int | None = None) -> Saliency:
        return self._ask("saliency", image, digit)

    def features(self, images: np.ndarray) -> np.ndarray:
        return self._ask("features", images)

    def nearest(self, image: np.ndarray) -> list[Neighbour]:
        return self._ask("nearest", image)

    def first_filters(self) -> np.ndarray | None:
        return self._ask("first_filters")

    def embedding(self, count: int, shipped: np.ndarray | None = None) -> EmbeddingMap:
        key = (count, shipped is not None)
        if key not in self._maps:
            self._maps[key] = self._ask("embedding", count, shipped)
        return self._maps[key]

    def _ask(self, question: str, *args: Any) -> Any:
        return self._worker.explain(self._source, question, *args)


class WorkerError(RuntimeError):
    """The training process could not start, or ended before it answered."""


def idle_seconds() -> float:
    """How long the process may go unused before it is stopped: $DIGITS_WORKER_IDLE_SECONDS, default 45."""
    try:
        return max(float(os.environ.get(IDLE_ENV, DEFAULT_IDLE_SECONDS)), 0.0)
    except ValueError:
        return DEFAULT_IDLE_SECONDS


class Worker:
    """The server's handle on the process: started on demand, shared by every session, stopped when idle."""

    def __init__(self, idle: float | None = None):
        self.idle = idle_seconds() if idle is None else idle
        self._key = secrets.token_bytes(32)
        # Removed with its socket when the Worker is collected or the server exits (it used to stay in /tmp).
        self._socket_dir = tempfile.TemporaryDirectory(prefix="digits-worker-", ignore_cleanup_errors=True)
        self._address = str(Path(self._socket_dir.name) / "socket")
        self._lock = threading.Lock()  # guards the four fields below
        self._process: subprocess.Popen | None = None
        self._in_use = 0
        self._last_used = time.monotonic()
        self._hold_until = 0.0  # no start before this (warm_up's `after`)
        self._start_lock = threading.Lock()  # one start at a time; callers behind it find the process running
        threading.Thread(target=self._stop_when_idle, name="digits-worker-reaper", daemon=True).start()

    @property
    def pid(self) -> int | None:
        """The process's id while it runs, else None."""
        with self._lock:
            running = self._process is not None and self._process.poll() is None
            return self._process.pid if running else None

    def warm_up(self, after: float = 0.0) -> None:
        """Start the process in a background thread, `after` seconds from now, unless it runs or is starting: a
        page that may need it soon calls this, so that its first request does not wait for TensorFlow's import.

        Until then any start waits too: the page that asked paints first, its browser not sharing the cores with
        the import (on a laptop that serves its own class, 2.6 s to Train's button against 1.9 s). It returns at
        once."""
        if self.pid is not None or self._start_lock.locked():
            return
        with self._lock:
            if self._hold_until <= time.monotonic():  # an earlier page's hold is kept, not lengthened
                self._hold_until = time.monotonic() + after
        threading.Thread(target=self._start_quietly, name="digits-worker-warm-up", daemon=True).start()

    def _start_quietly(self) -> None:
        try:
            self._ensure_started()
        except (WorkerError, OSError) as exc:  # the request that needs the process will say so
            _log.warning("training process: the warm-up failed (%s)", exc)

    def summary(self, spec: ModelSpec) -> list[dict]:
        """The Train page's table of the network `spec` builds: a row a layer (network.summarize)."""
        return self._ask("summary", spec)

    def lite(self, model_bytes: bytes) -> bytes:
        """A .keras model (a run's bytes) converted to LiteRT (lite.convert), so the server reads it without Keras."""
        return self._ask("lite", model_bytes)

    def save(self, root: Path, name: str, model_bytes: bytes, meta: dict[str, Any],
             test_probabilities: np.ndarray | None) -> StoredModel:
        """ModelStore(root).save of a .keras model (a run's bytes): its LiteRT file is converted in the process."""
        return self._ask("save", root, name, model_bytes, meta, test_probabilities)

    def complete(self, root: Path, name: str) -> StoredModel:
        """ModelStore(root).complete: what a model saved by an older version lacks, written from its Keras file."""
        return self._ask("complete", root, name)

    def explainer(self, source: ModelSource) -> RemoteExplainer:
        """The model's explainer, built in the process now: ExplainError or StoreError here if it cannot be."""
        self.explain(source, None)
        return RemoteExplainer(self, source)

    def explain(self, source: ModelSource, question: str | None, *args: Any) -> Any:
        """One question (an explain.Explainer method and its arguments) to the source model's explainer."""
        return self._ask("explain", source, question, *args)

    def train_plan(self, plan: Sequence[tuple[str, ModelSpec]], samples: int, job: TrainingJob) -> list[Run]:
        """runs.train_plan on the first `samples` training images, in the process; progress goes to `job`."""
        return [with_new_id(run) for run in self._run("train", job, plan, samples)]

    def cross_validate(self, spec: ModelSpec, samples: int, folds: int, job: TrainingJob) -> CrossValidation:
        """crossval.cross_validate on the first `samples` training images, in the process; progress goes to `job`."""
        return self._run("cv", job, spec, samples, folds)

    def finetune(self, source: ModelSource, spec: ModelSpec | None, digits: LabelledSet, label: str,
                 job: TrainingJob) -> Run:
        """finetune.finetune_run of the source model on the class's digits, in the process; progress goes to `job`."""
        return with_new_id(self._run("finetune", job, source, spec, digits, label))

    def _ask(self, question: str, *args: Any) -> Any:
        """ANSWERS[question](*args) in the process."""
        with self._connection() as conn:
            conn.send((question, *args))
            return _answer(conn)

    def _run(self, task: str, job: TrainingJob, *args: Any) -> Any:
        """TASKS[task](relay, *args) in the process, its progress passed on to `job`, its result returned.

        Setting job.stop ends the run after its batch, as in the server. When job.on_batch raises
        (jobs.RunAbandoned: nobody waits for the run), the exception ends this call and closing
        the connection ends the run in the process.
        """
        with self._connection() as conn:
            conn.send((task, *args))
            stop_sent = False
            while True:
                if job.stop.is_set() and not stop_sent:
                    conn.send(("stop",))
                    stop_sent = True
                if not conn.poll(POLL_SECONDS):
                    continue
                kind, payload = _receive(conn)
                if kind == "epoch":
                    job.on_epoch(payload)
                elif kind == "batch":
                    job.on_batch(payload)
                else:
                    return _result((kind, payload))

    def close(self) -> None:
        """Stop the process now (a running request fails with WorkerError)."""
        with self._lock:
            self._stop_process()

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        with self._lock:
            self._in_use += 1
        try:
            conn = self._connect()
            try:
                yield conn
            finally:
                conn.close()
        except (ConnectionError, EOFError, FileNotFoundError) as exc:
            raise WorkerError(f"the training process is not answering ({type(exc).__name__}: {exc})") from exc
        finally:
            with self._lock:
                self._in_use -= 1
                self._last_used = time.monotonic()

    def _connect(self) -> Connection:
        """A connection to the process, started if needed.

        A process that is ending (killed, out of memory) closes its socket a moment before its exit
        can be seen, or resets a connection it had taken in before its handshake: a refused or reset
        connection waits for that exit and tries once more with a new process.
        """
        try:
            return Client(self._ensure_started(), family="AF_UNIX", authkey=self._key)
        except (ConnectionRefusedError, ConnectionResetError, FileNotFoundError):
            if not self._ended_within(DYING_SECONDS):
                raise
            return Client(self._ensure_started(), family="AF_UNIX", authkey=self._key)

    def _ended_within(self, seconds: float) -> bool:
        with self._lock:
            process = self._process
        try:
            return process is None or process.wait(timeout=seconds) is not None
        except subprocess.TimeoutExpired:
            return False

    def _ensure_started(self) -> str:
        with self._start_lock:
            if self.pid is not None:
                return self._address
            with self._lock:
                hold = self._hold_until - time.monotonic()
            time.sleep(max(hold, 0.0))
            started = time.perf_counter()
            with self._lock:
                self._stop_process()  # one that died on its own (out of memory): its pipe is closed
            Path(self._address).unlink(missing_ok=True)  # left behind by a process that was killed
            process = subprocess.Popen([sys.executable, "-m", __name__, self._address], cwd=REPO_ROOT,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, **ENVIRONMENT})
            process.stdin.write(self._key)
            process.stdin.close()
            if process.stdout.readline() != READY:  # it imports TensorFlow first: seconds, or longer under load
                process.kill()
                raise WorkerError(f"the training process could not start (exit code {process.wait()}; "
                                  "its error is in the server's log)")
            with self._lock:
                self._process, self._last_used = process, time.monotonic()  # the idle time counts from here
            _log.info("training process %d started in %.1f s", process.pid, time.perf_counter() - started)
            return self._address

    def _stop_when_idle(self) -> None:
        while True:
            time.sleep(1.0)
            with self._lock:
                if self._process is not None and not self._in_use and time.monotonic() - self._last_used > self.idle:
                    _log.info("training process %d unused for %.0f s: it stops", self._process.pid, self.idle)
                    self._stop_process()

    def _stop_process(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait()
            self._process.stdout.close()
            self._process = None


def _receive(conn: Connection) -> tuple[str, Any]:
    try:
        return conn.recv()
    except (EOFError, OSError) as exc:
        raise WorkerError("the training process ended before the run did (out of memory, or stopped)") from exc


def _result(message: tuple[str, Any]) -> Any:
    """A final message's value, or its exception raised here."""
    kind, payload = message
    if kind == "error":
        raise payload
    return payload


def _answer(conn: Connection) -> Any:
    return _result(_receive(conn))


# The process's side.

class _Relay:
    """The TrainingJob train_plan reports to in the process: progress goes to the server, its stop comes back."""

    def __init__(self, conn: Connection):
        self.conn, self.stop = conn, threading.Event()
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        """A "stop" from the server, or its end of the connection closed: the run ends after its batch."""
        try:
            while self.conn.recv() != ("stop",):
                pass
        except (EOFError, OSError):
            pass
        self.stop.set()

    def on_epoch(self, record: dict[str, float]) -> None:
        self.conn.send(("epoch", record))

    def on_batch(self, update: Any) -> None:
        self.conn.send(("batch", update))


@functools.lru_cache(maxsize=1)
def _mnist():
    return load_mnist()


def _summary(spec: ModelSpec) -> list[dict]:
    from .network import build_model, summarize

    return summarize(build_model(spec))


@functools.lru_cache(maxsize=1)
def _compiled():
    """The networks this process has trained, kept compiled: the next run of one needs no new trace."""
    from .compiled import CompiledModels

    return CompiledModels()


def _train(job: _Relay, plan: list[tuple[str, ModelSpec]], samples: int) -> list[Run]:
    from .runs import train_plan

    return train_plan(plan, _mnist().subset(samples), job, _compiled())


def _cross_validate(job: _Relay, spec: ModelSpec, samples: int, folds: int) -> CrossValidation:
    from .crossval import cross_validate

    return cross_validate(spec, _mnist().subset(samples), folds=folds, progress=job, stop=job.stop,
                          models=_compiled())


def _lite(model_bytes: bytes) -> bytes:
    from .lite import convert
    from .store import model_from_bytes

    return convert(model_from_bytes(model_bytes))


def _save(root: Path, name: str, model_bytes: bytes, meta: dict[str, Any],
          test_probabilities: np.ndarray | None) -> StoredModel:
    from .store import model_from_bytes

    return ModelStore(root).save(name, model_from_bytes(model_bytes), meta, test_probabilities=test_probabilities)


def _complete(root: Path, name: str) -> StoredModel:
    return ModelStore(root).complete(name)


def _finetune(job: _Relay, source: ModelSource, spec: ModelSpec | None, digits: LabelledSet, label: str) -> Run:
    from .finetune import finetune_run

    return finetune_run(_model(source), spec, _mnist(), digits, label, job)


def _model(source: ModelSource) -> Any:
    """The source's Keras model, loaded as the store loads one."""
    from .store import model_from_bytes

    if source.model_bytes is None:
        return ModelStore(source.root).load(source.name)
    return model_from_bytes(source.model_bytes)


_explainers: OrderedDict[str, Any] = OrderedDict()  # ModelSource.key: explain.Explainer, the newest last
_explainers_lock = threading.Lock()
EXPLAINER_QUESTIONS = {"layer_outputs", "saliency", "features", "nearest", "first_filters", "embedding"}


def _explain(source: ModelSource, question: str | None, *args: Any) -> Any:
    """The answer of the source model's Explainer to `question`; with None, the explainer is only built."""
    helper = _explainer(source)
    if question is None:
        return None
    if question not in EXPLAINER_QUESTIONS:
        raise ValueError(f"an explainer has no question {question!r}")
    return getattr(helper, question)(*args)


def _explainer(source: ModelSource) -> Any:
    from .explain import Explainer

    with _explainers_lock:
        if source.key not in _explainers:
            _explainers[source.key] = Explainer(_model(source), _mnist())
            while len(_explainers) > EXPLAINERS:
                _explainers.popitem(last=False)
        _explainers.move_to_end(source.key)
        return _explainers[source.key]


# What the server asks for, answered at once; what it asks for with progress and a stop.
ANSWERS = {"summary": _summary, "lite": _lite, "save": _save, "complete": _complete, "explain": _explain}
TASKS = {"train": _train, "cv": _cross_validate, "finetune": _finetune}


def _serve_one(conn: Connection) -> None:
    task = None
    try:
        task, *args = conn.recv()
        answer = ANSWERS[task](*args) if task in ANSWERS else TASKS[task](_Relay(conn), *args)
        conn.send(("done", answer))
    except (EOFError, OSError):  # the server went away (a closed tab's run): nothing to tell
        pass
    except Exception as exc:  # the server raises it where the request was made
        _tell(conn, exc)
    finally:
        conn.close()
        if task in TASKS:
            _free_run()


def _free_run() -> None:
    """A task's models and traced functions freed, once its answer has gone: the student waits 0.1 to 0.3 s less.

    A Keras model is a web of reference cycles, which only the collector's full collections free, and those are
    rare: four cnn-fast trainings in a row left the process 36 MB larger without this one."""
    gc.collect()


def _tell(conn: Connection, exc: Exception) -> None:
    """Send the server an exception to raise; as a WorkerError with its text if it does not pickle."""
    for error in (exc, WorkerError(f"{type(exc).__name__}: {exc}")):
        try:
            conn.send(("error", error))
            return
        except OSError:  # the server is gone
            return
        except Exception:  # noqa: BLE001 - pickling failed: try the plain text
            continue


def _end_with_parent() -> None:
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def main(address: str) -> None:
    """Import TensorFlow, then serve every connection in a thread of its own until stopped."""
    lower_this_thread()  # before any thread starts: TensorFlow's pools inherit it
    key = sys.stdin.buffer.read()
    ready = os.fdopen(os.dup(sys.stdout.fileno()), "wb")  # the pipe the server waits on; whatever else is
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())     # printed goes to the server's log, never fills the pipe
    from . import backend  # noqa: F401 - the import that takes seconds, done before saying ready
    _mnist()  # 0.3 s that a first training or explainer would otherwise wait for after the click

    threading.Thread(target=_end_with_parent, daemon=True).start()
    with Listener(address, family="AF_UNIX", authkey=key) as listener:
        with ready:
            ready.write(READY)
        while True:
            try:
                conn = listener.accept()
            except (OSError, EOFError) as exc:  # a client that failed the handshake
                _log.warning("training process: a connection refused (%s)", exc)
                continue
            threading.Thread(target=_serve_one, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main(sys.argv[1])
