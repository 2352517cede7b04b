"""Answers computed in the background, once each, for a page that must not wait for them to draw.

A page asks for an answer by key and gets a Future at once: it draws a placeholder while the
future runs and the answer once it is done (a Streamlit fragment asks again every moment). One
answer is computed once for every session that asks. A failure is kept a short while, so every
page run in that while tells the same story, then computed again (the training process may have
been restarting).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Generic, Hashable, TypeVar

Key = TypeVar("Key", bound=Hashable)
Answer = TypeVar("Answer")
KEEP = 64
RETRY_SECONDS = 30.0


class Answers(Generic[Key, Answer]):
    """`compute(key)` run in a background thread once per key; the last `keep` answers kept; thread-safe."""

    def __init__(self, compute: Callable[[Key], Answer], keep: int = KEEP, threads: int = 2,
                 retry_seconds: float = RETRY_SECONDS):
        self._compute, self._keep, self._retry = compute, keep, retry_seconds
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="digits-answers")
        self._futures: OrderedDict[Key, Future[Answer]] = OrderedDict()
        self._failed: dict[Key, float] = {}  # key: when its failure was first seen
        self._lock = threading.Lock()

    def ask(self, key: Key) -> Future[Answer]:
        """The future answer for `key`: under way, done, or started now (again, for a failure older than the
        retry time)."""
        with self._lock:
            future = self._futures.get(key)
            if future is not None and self._stale(key, future):
                future = None
            if future is None:
                future = self._futures[key] = self._pool.submit(self._compute, key)
                while len(self._futures) > self._keep:
                    self._failed.pop(self._futures.popitem(last=False)[0], None)
            self._futures.move_to_end(key)
            return future

    def _stale(self, key: Key, future: Future[Answer]) -> bool:
        """Whether a failed answer has been shown for its retry time (the lock is held)."""
        if not future.done() or future.exception() is None:
            return False
        failed = self._failed.setdefault(key, time.monotonic())
        if time.monotonic() - failed < self._retry:
            return False
        del self._failed[key]
        return True
