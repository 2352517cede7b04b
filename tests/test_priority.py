"""Background threads run at a lower CPU priority than the thread that starts them (Linux: nice per thread)."""

import subprocess
import sys

import pytest

from digits_core.jobs import DONE, Job, Slots
from digits_core.priority import PER_THREAD, background_nice, run_lowered, thread_nice

pytestmark = pytest.mark.skipif(not PER_THREAD, reason="threads have their own nice value on Linux only")


def test_a_job_runs_at_the_background_priority_and_its_starter_keeps_its_own():
    before = thread_nice()
    job = Job("train", lambda job: thread_nice(), Slots(1)).start()
    job.join(5)
    assert job.snapshot().state == DONE
    assert job.snapshot().result == max(before, background_nice()) > before
    assert thread_nice() == before


def test_run_lowered_hands_back_value_and_error():
    assert run_lowered(thread_nice) == max(thread_nice(), background_nice())
    with pytest.raises(ZeroDivisionError):
        run_lowered(lambda: 1 / 0)


def test_nice_value_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DIGITS_BACKGROUND_NICE", "0")
    assert run_lowered(thread_nice) == thread_nice()
    monkeypatch.setenv("DIGITS_BACKGROUND_NICE", "nonsense")
    assert background_nice() == 10


COMPUTE_NICE = """
from pathlib import Path
from digits_core.backend import tf
tf.constant(1.0).numpy()
tasks = [t for t in Path("/proc/self/task").iterdir() if (t / "comm").read_text().strip() == "tf_Compute"]
print(sorted({int((t / "stat").read_text().rpartition(")")[2].split()[16]) for t in tasks}))
"""


def test_tensorflow_compute_threads_start_at_the_background_priority():
    # a fresh interpreter: in this one an earlier test may have started TensorFlow by another import
    out = subprocess.run([sys.executable, "-c", COMPUTE_NICE], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == f"[{max(thread_nice(), background_nice())}]"
