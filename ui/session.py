"""Whether this browser session is still there: a background run asks, so a closed tab's run ends."""

from __future__ import annotations

import time
from typing import Callable

from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

GRACE_SECONDS = 10.0  # a dropped connection that comes back within this long keeps its run


def session_alive(grace: float = GRACE_SECONDS) -> Callable[[], bool]:
    """A check, callable from any thread, that is False once this session has been disconnected `grace` seconds.

    Streamlit has no session-end hook; Runtime.is_active_session (thread-safe) is False from the
    moment the browser's connection closes and True again if the same session reconnects.
    """
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():  # no server (a bare script or AppTest): always there
        return lambda: True
    server, session_id, last_seen = runtime.get_instance(), ctx.session_id, [time.monotonic()]

    def alive() -> bool:
        now = time.monotonic()
        if server.is_active_session(session_id):
            last_seen[0] = now
        return now - last_seen[0] < grace

    return alive
