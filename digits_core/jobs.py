"""Background runs (training, cross-validation) whose progress another thread reads safely.

A Job owns one thread. The thread waits for a slot in a server-wide Slots object (a
semaphore with a visible queue), runs its target and records epochs and batch updates
under a lock; readers take a consistent JobSnapshot. Nothing here knows about Streamlit.

A job may be given an `alive` callable (is anyone still waiting for this run?): it is asked
while the job waits in the queue and at each batch update, and once it says no the job
leaves the queue or its run ends at once, so a closed tab does not hold the server's slot.
The thread runs at the background priority (see priority.py).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from .estimate import RunTimes, Work, wait_before_start
from .priority import lower_this_thread

MAX_TRAININGS_ENV = "DIGITS_MAX_TRAININGS"
WAIT_POLL_SECONDS = 0.2
PACE_SECONDS = 1.0  # a run's pace is taken from at least this long of its progress
MAX_BATCHES = 512  # batch updates a job keeps for its curves: a long run is thinned, so it draws as fast as a short one

QUEUED, RUNNING, DONE, STOPPED, FAILED = "queued", "running", "done", "stopped", "failed"
FINISHED = (DONE, STOPPED, FAILED)
_log = logging.getLogger(__name__)


class RunAbandoned(Exception):
    """Raised inside a run whose `alive` check said no: it ends the run without finishing or scoring it."""


def _always() -> bool:
    return True


def max_trainings() -> int:
    """The server-wide cap on simultaneous runs: $DIGITS_MAX_TRAININGS, default 1, at least 1."""
    try:
        return max(1, int(os.environ.get(MAX_TRAININGS_ENV, "1")))
    except ValueError:
        return 1


class Slots:
    """At most `capacity` jobs run at once; the others wait first come, first served, told when they should start."""

    def __init__(self, capacity: int):
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self.times = RunTimes()  # how long recent runs took: the queue's estimates
        self._condition = threading.Condition()
        self._running: dict[int, Job] = {}
        self._waiting: list[Job] = []

    def acquire(self, job: Job, alive: Callable[[], bool] = _always) -> bool:
        """Wait for a free slot in turn; False if the job's stop is set or `alive()` turns False while waiting."""
        with self._condition:
            self._waiting.append(job)
            while not (len(self._running) < self.capacity and self._waiting[0] is job):
                if job.stop.is_set() or not alive():
                    self._waiting.remove(job)
                    self._condition.notify_all()
                    return False
                self._condition.wait(WAIT_POLL_SECONDS)
            self._waiting.pop(0)
            self._running[job.ticket] = job
            self._condition.notify_all()
            return True

    def release(self, ticket: int) -> None:
        with self._condition:
            self._running.pop(ticket, None)
            self._condition.notify_all()

    def position(self, ticket: int) -> int | None:
        """1 for the next job to run, 2 after it, ...; None when not waiting."""
        with self._condition:
            return next((place for place, job in enumerate(self._waiting, start=1) if job.ticket == ticket), None)

    def estimated_start(self, ticket: int) -> float | None:
        """Seconds until the waiting job `ticket` should start, as its student sees it (its first progress, after its
        start-up), from the record of runs like those ahead of it; None when it is not waiting or a run ahead is of a
        kind not measured yet."""
        with self._condition:
            running, waiting = list(self._running.values()), list(self._waiting)
        place = next((place for place, job in enumerate(waiting) if job.ticket == ticket), None)
        if place is None:
            return None
        under_way = {job.work: body for job in running if job.work and (body := job.projected_body()) is not None}
        remaining = [job.remaining(self.times.expected(job.work, under_way), self.times.tail()) for job in running]
        ahead = [self.times.expected(job.work, under_way) for job in waiting[:place]]
        wait = wait_before_start(self.capacity, remaining, ahead)
        return None if wait is None else wait + self.times.startup()

    @property
    def running(self) -> int:
        with self._condition:
            return len(self._running)


@dataclass(frozen=True)
class JobSnapshot:
    """A consistent copy of a job's state for drawing."""

    kind: str
    label: str
    state: str
    queue_position: int | None
    estimated_start: float | None  # seconds from the snapshot until a queued job should start; None if unknown
    epochs: list[dict[str, Any]]
    batches: list[tuple[int, Any]]  # (run, progress.BatchUpdate), at most MAX_BATCHES: curves within epochs
    batch: Any  # the latest batch update, or None before the first one
    result: Any
    error: str | None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


_tickets = iter(range(1, 1 << 62))
_tickets_lock = threading.Lock()


def _next_ticket() -> int:
    with _tickets_lock:
        return next(_tickets)


def thinned(items: list, limit: int = MAX_BATCHES) -> list:
    """`items` with every second element dropped once it holds more than `limit`: bounded, oldest points sparsest."""
    return items[::2] if len(items) > limit else items


class Job:
    """One run of `target(job)` in a daemon thread; the job is also its progress listener.

    Epoch records and batch updates carry a "run" number that goes up each time the epoch
    count starts again, so the folds of a cross-validation, or trainings run back to back,
    keep separate curves. A plain class: two jobs are equal only if they are the same job.
    """

    def __init__(self, kind: str, target: Callable[[Job], Any], slots: Slots, label: str = "",
                 alive: Callable[[], bool] = _always, work: Work | None = None):
        self.kind, self.target, self.slots, self.label = kind, target, slots, label
        self.alive = alive  # False once nobody waits for the run any more (its session is gone)
        self.work = work  # the run's size, for the queue's estimates; its owner may lower it while it waits
        self.stop = threading.Event()
        self.ticket = _next_ticket()
        self._lock = threading.Lock()
        self._state = QUEUED
        self._epochs: list[dict[str, Any]] = []
        self._batches: list[tuple[int, Any]] = []
        self._latest: Any = None
        self._result: Any = None
        self._error: str | None = None
        self._started: float | None = None  # time.monotonic() when it took its slot
        self._reports: list[tuple[float, float]] = []  # (time, share of the fit done): its first and latest batch
        self.abandoned = False
        self._thread = threading.Thread(target=self._run, name=f"digits-{self.kind}-{self.ticket}", daemon=True)

    def start(self) -> Job:
        self._thread.start()
        return self

    def request_stop(self) -> None:
        """Ask the run to end after its current batch (or to leave the queue)."""
        self.stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def finished(self) -> bool:
        """True once the job has ended (done, stopped or failed); cheap, copies nothing."""
        with self._lock:
            return self._state in FINISHED

    @property
    def waiting(self) -> bool:
        """True while the job waits in line for a slot; cheap, copies nothing."""
        with self._lock:
            return self._state == QUEUED

    def on_epoch(self, record: dict[str, Any]) -> None:
        with self._lock:
            self._epochs.append({**record, "run": self._run_of(record.get("epoch", 0))})

    def on_batch(self, update: Any) -> None:
        """Record a batch update; raise RunAbandoned (out of the run) when nobody waits for it any more."""
        if not self._still_wanted():
            raise RunAbandoned(f"{self.kind} {self.label}: nobody is waiting for this run any more")
        with self._lock:
            self._batches.append((self._run_of(update.epoch), update))
            self._batches = thinned(self._batches)
            self._latest = update
            self._reports = [*self._reports[:1], (time.monotonic(), _share_done(update))]

    def change_work(self, work: Work) -> bool:
        """A new size for the run (fewer images, say) while it waits in line; False once it has started."""
        with self._lock:
            if self._state != QUEUED:
                return False
            self.work = work
            return True

    def projected_body(self) -> float | None:
        """Seconds from its first batch update to the end of its fit, from its pace so far (one fit); None before it
        shows one."""
        with self._lock:
            if len(self._reports) < 2 or None in (share for _, share in self._reports):
                return None
            (first, done_first), (latest, done_latest) = self._reports[0], self._reports[-1]
        if latest - first < PACE_SECONDS or done_latest <= done_first:
            return None
        return (1.0 - done_first) * (latest - first) / (done_latest - done_first)

    def remaining(self, expected: float | None, tail: float) -> float | None:
        """Seconds until this running job ends: from its own pace (its fit's end, then a `tail`), else from the
        `expected` duration of runs like it."""
        body = self.projected_body()
        with self._lock:
            if self._started is None:
                return expected
            now = time.monotonic()
            if body is not None:
                return max(self._reports[0][0] + body - now, 0.0) + tail
            return None if expected is None else max(self._started + expected - now, 0.0)

    def _run_of(self, epoch: int) -> int:
        """The run an epoch number belongs to: the latest run, or the next one if the epoch count started again."""
        if not self._epochs:
            return 1
        last = self._epochs[-1]
        return last["run"] + 1 if epoch <= last.get("epoch", 0) else last["run"]

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            state = self._state
            snap = (list(self._epochs), list(self._batches), self._latest, self._result, self._error)
        waiting = state == QUEUED
        return JobSnapshot(self.kind, self.label, state, self.slots.position(self.ticket) if waiting else None,
                           self.slots.estimated_start(self.ticket) if waiting else None, *snap)

    def _still_wanted(self) -> bool:
        """Ask `alive` (until it first says no); an abandoned job is also stopped."""
        if not self.abandoned and not self.alive():
            self.abandoned = True
            self.stop.set()
            _log.warning("%s: nobody is waiting for it any more, it ends now", self._thread.name)
        return not self.abandoned

    def _run(self) -> None:
        lower_this_thread()
        if not self.slots.acquire(self, self._still_wanted):
            self._finish(STOPPED)
            return
        try:
            self._set_running()
            result = self.target(self)
        except RunAbandoned:
            self._finish(STOPPED)
        except Exception as exc:  # the thread must never die silently: the page shows the message
            self._finish(FAILED, error=f"{type(exc).__name__}: {exc}")
        else:  # a result nobody will collect is not kept (it may hold a model)
            self._finish(STOPPED if self.stop.is_set() else DONE, result=None if self.abandoned else result)
        finally:
            self.slots.release(self.ticket)

    def _set_running(self) -> None:
        with self._lock:
            self._state, self._started = RUNNING, time.monotonic()

    def _record_time(self) -> None:
        """A whole run's start-up and body join the server's record of run times (the lock is held)."""
        if self.work is None or self._started is None:
            return
        ended = time.monotonic()
        first_report, last_report = (self._reports[0][0], self._reports[-1][0]) if self._reports else (ended, ended)
        self.slots.times.add(self.work, first_report - self._started, ended - first_report, ended - last_report)

    def _finish(self, state: str, result: Any = None, error: str | None = None) -> None:
        with self._lock:
            self._state, self._result, self._error = state, result, error
            if state == DONE:
                self._record_time()


def _share_done(update: Any) -> float | None:
    """How much of its fit a batch update says is done, from 0 to 1; None for an update that does not say."""
    try:
        epochs_done = update.epoch - 1 + update.samples_done / update.samples_total
        return epochs_done / update.epochs
    except (AttributeError, TypeError, ZeroDivisionError):
        return None
