"""Background threads run at a lower CPU priority than the thread that starts them (Linux: nice per thread)."""

from pathlib import Path

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


def test_tensorflow_compute_threads_start_at_the_background_priority():
    from digits_core.backend import tf

    tf.constant(1.0).numpy()
    tasks = Path("/proc/self/task")
    compute = [task for task in tasks.iterdir() if (task / "comm").read_text().strip() == "tf_Compute"]
    assert compute, "TensorFlow started no compute threads"
    for task in compute:
        nice = int((task / "stat").read_text().rpartition(")")[2].split()[16])
        assert nice == max(thread_nice(), background_nice())
