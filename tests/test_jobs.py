"""The background job and the server-wide cap, with real threads (no Streamlit, no Keras)."""

import threading
import time

import pytest

from digits_core.jobs import DONE, FAILED, QUEUED, STOPPED, Job, Slots, max_trainings

WAIT = 10  # seconds: far beyond what any of these steps takes, so only a bug reaches it


def wait_until(condition, timeout: float = WAIT) -> None:
    """Return once `condition()` is true; fail the test (instead of hanging the suite) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {timeout} s")
        time.sleep(0.005)


def finished(job: Job) -> Job:
    """The job, once it has ended; the test fails if it does not end."""
    wait_until(lambda: job.snapshot().finished)
    return job


def test_job_records_epochs_and_result():
    def target(job):
        for epoch in (1, 2, 1, 2):  # two folds of two epochs
            job.on_epoch({"epoch": epoch, "loss": 1.0 / epoch})
        return "model"

    snap = finished(Job("train", target, Slots(1)).start()).snapshot()
    assert snap.state == DONE and snap.finished and snap.result == "model"
    assert [r["run"] for r in snap.epochs] == [1, 1, 2, 2]


def test_failure_is_reported_not_raised():
    job = finished(Job("train", lambda job: 1 / 0, Slots(1)).start())
    assert job.snapshot().state == FAILED and "ZeroDivisionError" in job.snapshot().error


def test_cap_queues_the_second_job_and_stop_leaves_the_queue():
    slots, release = Slots(1), threading.Event()
    first = Job("train", lambda job: release.wait(WAIT), slots).start()
    wait_until(lambda: slots.running == 1)
    second = Job("train", lambda job: "ran", slots).start()
    wait_until(lambda: second.snapshot().queue_position is not None)
    assert second.snapshot().state == QUEUED and second.snapshot().queue_position == 1
    second.request_stop()
    assert finished(second).snapshot().state == STOPPED and second.snapshot().result is None
    release.set()
    assert finished(first).snapshot().state == DONE


def test_stop_during_run_marks_stopped():
    def target(job):
        job.stop.wait(WAIT)
        return "partial"

    job = Job("train", target, Slots(1)).start()
    job.request_stop()
    assert finished(job).snapshot().state == STOPPED and job.snapshot().result == "partial"


def test_max_trainings_reads_the_environment(monkeypatch):
    monkeypatch.setenv("DIGITS_MAX_TRAININGS", "3")
    assert max_trainings() == 3
    monkeypatch.setenv("DIGITS_MAX_TRAININGS", "nonsense")
    assert max_trainings() == 1
    with pytest.raises(ValueError):
        Slots(0)


def test_a_queued_job_whose_session_is_gone_leaves_the_queue():
    slots, release, gone = Slots(1), threading.Event(), threading.Event()
    first = Job("train", lambda job: release.wait(5), slots).start()
    while slots.running == 0:
        pass
    second = Job("train", lambda job: "ran", slots, alive=lambda: not gone.is_set()).start()
    while second.snapshot().queue_position is None:
        pass
    gone.set()
    second.join(5)
    assert second.snapshot().state == STOPPED and second.abandoned and second.snapshot().queue_position is None
    release.set()
    first.join(5)
    assert first.snapshot().state == DONE


def test_a_running_job_whose_session_is_gone_ends_at_its_next_batch_and_frees_the_slot():
    slots, gone = Slots(1), threading.Event()

    def target(job):
        while True:  # a run that would never end by itself
            job.on_batch("batch")
            gone.set()

    first = Job("train", target, slots, alive=lambda: not gone.is_set()).start()
    after = Job("train", lambda job: "ran", slots).start()
    first.join(5)
    after.join(5)
    snap = first.snapshot()
    assert snap.state == STOPPED and snap.result is None and snap.error is None and snap.batches == ["batch"]
    assert after.snapshot().state == DONE and after.snapshot().result == "ran"
