"""The teacher's role: a passcode checked in constant time, and a server-wide wait after wrong tries.

One `PasscodeGate` serves the whole server: five wrong tries from any browser make every try
wait a minute, so thirty students cannot guess the passcode in turn. Without a passcode
there is no gate and everyone is the teacher (one person at home).
"""

from __future__ import annotations

import hmac
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

PASSCODE_ENV = "DIGITS_TEACHER_PASSCODE"
MAX_TRIES = 5
WAIT_SECONDS = 60.0

# What only the teacher may do once a passcode is set, and how the pages name it.
TEACHER_ACTIONS = {
    "delete": "delete class samples",
    "relabel": "relabel class samples",
    "import": "import digits into the class collection",
    "clear": "clear the class collection",
    "model": "delete or overwrite someone else's stored model",
    "board": "take posts down, rename them, or open and close posting",
    "settings": "set the class's training defaults",
    "wipe": "wipe the class's data",
}


class RoleError(Exception):
    """A passcode try that is refused or must wait, or an action only the teacher may take."""


class TryLater(RoleError):
    """Too many wrong tries on this server: every try waits until `seconds` have passed."""

    def __init__(self, seconds: float):
        self.seconds = max(1, round(seconds))
        super().__init__(f"too many wrong passcodes: try again in {self.seconds} s")


def passcode_from_env() -> str | None:
    """The teacher's passcode from $DIGITS_TEACHER_PASSCODE, or None when none is set (or it is blank)."""
    return (os.environ.get(PASSCODE_ENV) or "").strip() or None


@dataclass
class PasscodeGate:
    """Checks passcode tries for the whole server; thread-safe, since every session runs in its own thread."""

    passcode: str | None
    max_tries: int = MAX_TRIES
    wait_seconds: float = WAIT_SECONDS
    clock: Callable[[], float] = time.monotonic
    _wrong: int = 0
    _closed_until: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def enabled(self) -> bool:
        """Whether a passcode is set: without one, everyone is the teacher."""
        return self.passcode is not None

    def check(self, attempt: str) -> bool:
        """True for the passcode; False for a wrong try; TryLater while the server waits after wrong tries."""
        if not self.enabled:
            return True
        with self._lock:
            left = self._closed_until - self.clock()
            if left > 0:
                raise TryLater(left)
            if hmac.compare_digest(attempt.encode(), self.passcode.encode()):
                self._wrong = 0
                return True
            self._wrong += 1
            if self._wrong >= self.max_tries:
                self._wrong, self._closed_until = 0, self.clock() + self.wait_seconds
            return False

    def tries_left(self) -> int:
        """Wrong tries the server takes before every try waits; 0 while it waits."""
        with self._lock:
            return 0 if self._closed_until > self.clock() else self.max_tries - self._wrong

    def require(self, attempt: str | None) -> None:
        """For the command line: RoleError unless `attempt` is the passcode (or none is set)."""
        if self.enabled and (attempt is None or not self.check(attempt)):
            raise RoleError("this needs the teacher's passcode: give --passcode (a wrong one is refused)")


def teacher_only_reason(action: str) -> str:
    """The one line a student sees beside a control only the teacher may use."""
    return f"Only the teacher can {TEACHER_ACTIONS[action]}: unlock Teacher in the sidebar."


