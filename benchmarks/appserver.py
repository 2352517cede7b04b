"""Start the real app (`streamlit run app.py`) and Debian's Chromium on it.

Shared by the browser tests (tests/e2e) and the memory and cold-start benchmarks, so all of
them measure and drive the very server a user gets.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import psutil

from digits_core.store import MODELS_DIR, MODELS_ENV, SUFFIXES

from ui.routes import URLS as PAGES  # noqa: F401  (the memory benchmark and the screenshots open them all)

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("DIGITS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
FIRST_PORT = 8700  # 8501 and 8601-8610 are for people running the app by hand
START_TIMEOUT = 180.0  # seconds for the health check on a busy shared machine
VIEWPORT = {"width": 1280, "height": 800}
# The screens a class uses (issue #28), as Playwright's browser-context options: a school laptop, a 1920x1080
# projector at 150% zoom (1280x720 CSS pixels), a tablet held landscape and a phone.
VIEWPORTS: dict[str, dict] = {
    "laptop": {"viewport": {"width": 1366, "height": 768}},
    "projector": {"viewport": {"width": 1280, "height": 720}, "device_scale_factor": 1.5},
    "tablet": {"viewport": {"width": 1024, "height": 768}, "device_scale_factor": 2, "is_mobile": True,
               "has_touch": True},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
              "has_touch": True},
}


class ChromiumMissing(RuntimeError):
    """Debian's Chromium is not installed where the tests look for it."""


def free_port(first: int = FIRST_PORT, last: int = FIRST_PORT + 99) -> int:
    """The first port from `first` on that is free on every interface (Streamlit binds them all)."""
    for port in range(first, last + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{last}")


def server_command(port: int) -> list[str]:
    """`streamlit run app.py` headless on `port`, without telemetry or file watching."""
    return [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
            "--server.port", str(port), "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none"]


def scratch_models(folder: Path) -> Path:
    """A copy of the store the app would use ($DIGITS_MODELS_DIR or models/), so what a run saves never reaches it."""
    source = Path(os.environ.get(MODELS_ENV) or MODELS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.name.endswith(SUFFIXES):
            shutil.copy2(path, folder / path.name)
    return folder


def scratch_env(models: Path, folder: Path) -> dict[str, str]:
    """The environment of a server that writes only to scratch: its model store, and a class database in `folder`
    (with no former collection to copy in), so what a test or benchmark corrects, imports or trains never reaches
    data/."""
    return {"DIGITS_MODELS_DIR": str(models), "DIGITS_DATABASE_URL": f"sqlite:///{folder / 'class.sqlite'}",
            "DIGITS_HANDWRITING_DB": str(folder / "handwriting.sqlite")}


def start_server(port: int, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start the app in a process group of its own, so stopping it takes every child along."""
    with log.open("wb") as out:
        return subprocess.Popen(server_command(port), cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})}, start_new_session=True)


def wait_healthy(proc: subprocess.Popen, url: str, log: Path, timeout: float = START_TIMEOUT) -> None:
    """Poll /_stcore/health until it answers ok from `proc` itself; raise with the server's log if it dies or hangs.

    Other runs on the machine start servers on the same ports: one that took the port first answers the health
    check too, while this one is still failing to bind it."""
    deadline = time.monotonic() + timeout
    port = int(url.rsplit(":", 1)[1])
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read().strip() == b"ok" and listens(proc, port):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def listens(proc: subprocess.Popen, port: int) -> bool:
    """Whether the process itself listens on `port`."""
    try:
        connections = psutil.Process(proc.pid).net_connections("tcp")
    except psutil.Error:
        return False
    return any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in connections)


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the server's whole process group: politely, then for good."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


@contextmanager
def running_app(log: Path, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """The app on a free port from 8700 up, healthy: yields (base URL, process); stops it afterwards.

    A port can be taken between the check and Streamlit's bind (other runs share the machine):
    then the next one is tried.
    """
    port = free_port()
    for attempt in range(5):
        proc = start_server(port, log, env)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(proc, url, log)
            break
        except RuntimeError:
            stop_server(proc)
            if "is not available" not in log.read_text() or attempt == 4:
                raise
            port = free_port(port + 1)
    try:
        yield url, proc
    finally:
        stop_server(proc)


def launch_chromium(playwright, extra_args: tuple[str, ...] = ()):
    """Debian's Chromium under Playwright (never a browser of Playwright's own download); `extra_args` add
    switches, such as a fake camera."""
    if not Path(CHROMIUM).exists():
        raise ChromiumMissing(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
                              "(these tools never use `playwright install`)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])


def tree_rss(proc: psutil.Process) -> int:
    """Resident memory of a process and all its children, in bytes (gone children count 0)."""
    total = 0
    for member in [proc, *proc.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total


def tensorflow_loaded(proc: psutil.Process) -> bool:
    """Whether TensorFlow's shared library is mapped into the server (i.e. something imported it)."""
    return any("tensorflow" in m.path for m in proc.memory_maps(grouped=True))


def wait_painted(page, ready: str, timeout_ms: float = 120_000) -> None:
    """Wait for `ready` (a selector) to be visible and the script run to be over."""
    page.wait_for_selector(ready, timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached",
                           timeout=timeout_ms)
