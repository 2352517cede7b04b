"""Background work (trainings, TensorFlow's thread pools) at a lower CPU priority than the server's sessions.

On Linux a nice value belongs to a thread, and threads inherit it from the thread that starts
them: a training thread raised to nice 10 gets about a tenth of a core's share against a
session's thread at 0, yet still uses every core the sessions leave idle. Elsewhere (macOS has
no per-thread nice) these calls do nothing. $DIGITS_BACKGROUND_NICE sets the value (0: off).
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any, Callable

NICE_ENV = "DIGITS_BACKGROUND_NICE"
DEFAULT_NICE = 10
PER_THREAD = sys.platform.startswith("linux")


def background_nice() -> int:
    """The nice value background threads take: $DIGITS_BACKGROUND_NICE, default 10, within 0-19."""
    try:
        return min(max(int(os.environ.get(NICE_ENV, DEFAULT_NICE)), 0), 19)
    except ValueError:
        return DEFAULT_NICE


def thread_nice() -> int:
    """The calling thread's nice value (the process's where threads have none of their own)."""
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id() if PER_THREAD else 0)


def lower_this_thread() -> None:
    """Raise the calling thread's nice value to background_nice() (never lowers it: that needs privileges)."""
    if PER_THREAD and thread_nice() < background_nice():
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), background_nice())


def run_lowered(function: Callable[[], Any]) -> Any:
    """`function()` in a fresh thread at the background priority, so the threads it starts inherit it."""
    outcome: dict[str, Any] = {}

    def body() -> None:
        lower_this_thread()
        try:
            outcome["value"] = function()
        except BaseException as exc:  # handed back to the caller's thread below
            outcome["error"] = exc

    thread = threading.Thread(target=body, name="digits-lowered")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
