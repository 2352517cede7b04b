"""When a queued run should start: the record of run times, the line ahead, and a run's own pace (real threads)."""

import threading

import pytest

from digits_core.estimate import DEFAULT_STARTUP, DEFAULT_TAIL, RunTimes, Work, wait_before_start
from digits_core.jobs import DONE, Job, Slots
from digits_core.progress import BatchUpdate
from test_jobs import finished, wait_until

FAST = Work("cnn-fast x1", 60_000)


def test_a_run_is_expected_to_take_the_median_body_of_runs_like_it_and_a_startup_without_a_trace():
    times = RunTimes()
    assert times.expected(FAST) is None
    times.add(FAST, startup=4.0, body=9.0)  # the first run traced its network
    assert times.expected(FAST) == 9.0 + 4.0
    times.add(FAST, startup=0.4, body=8.0)
    assert times.expected(FAST) == 8.5 + 0.4  # the slowest start-up, the trace, is left out
    times.add(FAST, startup=0.6, body=8.5)
    assert times.expected(FAST) == 8.5 + 0.5


def test_other_images_are_scaled_and_a_run_under_way_stands_for_its_kind():
    times = RunTimes()
    times.add(FAST, startup=0.5, body=8.0)
    assert times.expected(Work(FAST.network, 30_000)) == pytest.approx(4.0 + 0.5)
    assert times.expected(Work("dense-512 x5", 60_000)) is None
    assert times.expected(Work("dense-512 x5", 60_000), running={Work("dense-512 x5", 60_000): 6.0}) == 6.0 + 0.5
    assert RunTimes().expected(FAST, running={FAST: 6.0}) == 6.0 + DEFAULT_TAIL + DEFAULT_STARTUP
    times.add(FAST, startup=0.5, body=8.0, tail=0.7)  # the scoring after its last progress report
    assert times.expected(Work("dense-512 x5", 60_000), running={Work("dense-512 x5", 60_000): 6.0}) == \
        pytest.approx(6.0 + 0.35 + 0.5)


def test_a_run_under_way_counts_with_the_runs_before_it():
    times = RunTimes()
    times.add(FAST, startup=0.5, body=9.0, tail=1.0)  # a network's first fit in the process is the slowest
    assert times.expected(FAST, running={FAST: 5.0}) == pytest.approx((9.0 + 5.0 + 1.0) / 2 + 0.5)


def test_the_wait_adds_the_runs_ahead_to_the_first_free_slot():
    assert wait_before_start(1, [3.0], [8.0, 8.0]) == 19.0
    assert wait_before_start(2, [3.0], [8.0, 8.0]) == 8.0  # one slot is free: the first ahead starts now
    assert wait_before_start(2, [3.0, 5.0], [8.0]) == 5.0
    assert wait_before_start(1, [3.0], [None]) is None


def update(share: float) -> BatchUpdate:
    return BatchUpdate(1, 1, round(share * 1000), 1000, 0.5, 0.9, 100.0, 1.0)


def test_queued_jobs_see_their_start_from_the_record_and_the_running_jobs_pace():
    slots, go_on = Slots(1), threading.Event()
    slots.times.add(FAST, startup=0.5, body=20.0, tail=2.0)  # 2 s of its 20 after its last progress report

    def steady(job):  # a run that reports its first batch, then is a fifth through 1 s later
        job.on_batch(update(0.1))
        go_on.wait(1.0)
        job.on_batch(update(0.2))
        go_on.wait(30)

    first = Job("train", steady, slots, work=FAST).start()
    wait_until(lambda: slots.running == 1)
    second, third = (Job("train", lambda job: None, slots, work=FAST).start() for _ in range(2))
    wait_until(lambda: third.snapshot().queue_position == 2)
    # The record: 20.5 s a run; a start shows once its own run has started up (0.5 s).
    assert third.snapshot().estimated_start == pytest.approx(20.5 + 20.5 + 0.5, abs=1.0)
    wait_until(lambda: first.projected_body() is not None, timeout=5)
    # From its own pace (a tenth of the fit in a second) the first's fit ends about 8 s after its second report,
    # then its tail; the second then starts up. The second's run counts the first's pace with the record: the
    # median of 20 s and 9 + 2 s.
    assert second.snapshot().estimated_start == pytest.approx(8.0 + 2.0 + 0.5, abs=1.0)
    assert third.snapshot().estimated_start == pytest.approx(8.0 + 2.0 + 15.5 + 0.5 + 0.5, abs=1.0)
    assert third.change_work(Work(FAST.network, 30_000)) and third.work.samples == 30_000
    go_on.set()
    assert finished(third).snapshot().state == DONE
    assert not third.change_work(FAST)  # too late: it has run
    assert first.snapshot().estimated_start is None  # only a queued job has one


def test_a_done_run_joins_the_record_and_a_stopped_one_does_not():
    slots = Slots(1)
    finished(Job("train", lambda job: job.on_batch(update(0.5)), slots, work=FAST).start())
    stopped = Job("train", lambda job: job.stop.wait(5), slots, work=Work("other", 10))
    stopped.start().request_stop()
    finished(stopped)
    assert slots.times.expected(FAST) is not None and slots.times.expected(Work("other", 10)) is None
