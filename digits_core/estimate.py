"""When a queued run will start: the server's record of how long recent runs took, and the line ahead of it.

A run's time has two parts: its start-up, from taking its slot to its first progress report (the
connection, fresh weights, and a trace when the training process has not trained that network
yet), and its body, from there to its end: the fit, then its tail after the last progress report
(the scoring, the model's bytes, the answer's way back). The training process keeps
the networks it has trained, so only a network's first run pays the trace: a run is expected to
take the median body of recent runs like it plus the median start-up of recent runs but the
slowest, and the first run's trace is not counted again for everyone behind it.
"""

from __future__ import annotations

import statistics
import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Sequence

KEEP = 5  # recent runs kept for each kind of run
DEFAULT_STARTUP = DEFAULT_TAIL = 1.0  # seconds, until a run has shown its own


@dataclass(frozen=True)
class Work:
    """How big a run is, which decides how long it takes: what trains (presets and their epochs) on how many images."""

    network: str
    samples: int


class RunTimes:
    """The server's record of recent runs' start-ups, bodies and tails (seconds), by Work; thread-safe."""

    def __init__(self, keep: int = KEEP):
        self._bodies: dict[Work, deque[float]] = defaultdict(lambda: deque(maxlen=keep))
        self._startups: deque[float] = deque(maxlen=4 * keep)
        self._tails: deque[float] = deque(maxlen=4 * keep)
        self._lock = threading.Lock()

    def add(self, work: Work, startup: float, body: float, tail: float = 0.0) -> None:
        """A finished run: its start-up, its body, and the part of the body after its last progress report."""
        with self._lock:
            self._bodies[work].append(body)
            self._startups.append(startup)
            self._tails.append(tail)

    def expected(self, work: Work | None, running: dict[Work, float] | None = None) -> float | None:
        """Seconds a run of `work` should take: from runs like it and a run of it under way (`running`: the fits
        projected from their pace, to which a tail is added), else from runs of the same network on other images,
        in proportion; None if none."""
        if work is None:
            return None
        with self._lock:
            body = self._body(work, running or {})
            return None if body is None else body + self._startup()

    def startup(self) -> float:
        """A start-up's expected seconds: what a run that takes its slot needs before its first progress shows."""
        with self._lock:
            return self._startup()

    def tail(self) -> float:
        """A tail's expected seconds: what a run needs after its fit before its slot is free."""
        with self._lock:
            return self._tail()

    def _startup(self) -> float:
        """The median of recent start-ups without the slowest (a trace), when there are."""
        return statistics.median(sorted(self._startups)[:-1] or self._startups) if self._startups else DEFAULT_STARTUP

    def _tail(self) -> float:
        return statistics.median(self._tails) if self._tails else DEFAULT_TAIL

    def _body(self, work: Work, running: dict[Work, float]) -> float | None:
        seen = list(self._bodies.get(work, ()))
        if work in running:  # the latest evidence: a network's first fit in the process is slower than the next ones
            seen.append(running[work] + self._tail())
        if seen:
            return statistics.median(seen)
        alike = [(other.samples, statistics.median(bodies)) for other, bodies in self._bodies.items()
                 if other.network == work.network and bodies]
        if not alike:
            return None
        samples, body = min(alike, key=lambda pair: abs(pair[0] - work.samples))
        return body * work.samples / samples


def wait_before_start(capacity: int, remaining: Sequence[float | None], ahead: Sequence[float | None]) -> float | None:
    """Seconds until the next run starts after the `ahead` runs (their expected durations, in line order), when
    `capacity` run at once and those running need `remaining` seconds more; None when a duration is unknown."""
    if None in remaining or None in ahead:
        return None
    free = sorted([*remaining, *[0.0] * (capacity - len(remaining))])
    for duration in ahead:
        free[0] += duration
        free.sort()
    return free[0]
