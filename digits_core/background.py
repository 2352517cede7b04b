"""Answers computed in the background, once each, for a page that must not wait for them to draw.

A page asks for an answer by key and gets a Future at once: it draws a placeholder while the
future runs and the answer once it is done (a Streamlit fragment asks again every moment). One
answer is computed once for every session that asks; a failed one is forgotten once it has been
handed out, so the next ask tries again (the training process may have been restarting).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Generic, Hashable, TypeVar

Key = TypeVar("Key", bound=Hashable)
Answer = TypeVar("Answer")
KEEP = 64


class Answers(Generic[Key, Answer]):
    """`compute(key)` run in a background thread once per key; the last `keep` answers kept; thread-safe."""

    def __init__(self, compute: Callable[[Key], Answer], keep: int = KEEP, threads: int = 2):
        self._compute, self._keep = compute, keep
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="digits-answers")
        self._futures: OrderedDict[Key, Future[Answer]] = OrderedDict()
        self._lock = threading.Lock()

    def ask(self, key: Key) -> Future[Answer]:
        """The future answer for `key`: under way, done, or started now."""
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                future = self._futures[key] = self._pool.submit(self._compute, key)
                while len(self._futures) > self._keep:
                    self._futures.popitem(last=False)
            elif future.done() and future.exception() is not None:
                del self._futures[key]  # handed out once more, then computed again at the next ask
                return future
            self._futures.move_to_end(key)
            return future
