"""Run a Job for this session and draw its progress live, without the thread touching Streamlit."""

from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from digits_core.jobs import FAILED, QUEUED, Job, JobSnapshot

from .state import TRAINED, ActiveModel, job_slots, set_active

JOB = "job"
ANNOUNCED = "job_announced"  # ticket of the finished job the app has already rerun for
COLLECTED = "job_collected"  # ticket of the finished job whose result was taken in
CV_RESULT = "cv_result"
POLL_SECONDS = 1.0


def current_job() -> Job | None:
    return st.session_state.get(JOB)


def busy() -> bool:
    """True while this session's job waits or runs: one at a time per session."""
    job = current_job()
    return job is not None and not job.snapshot().finished


def start(kind: str, label: str, target: Callable[[Job], Any]) -> Job:
    """Start `target(job)` in a background thread owned by this session."""
    job = Job(kind, target, job_slots(), label=label).start()
    st.session_state[JOB] = job
    return job


def collect() -> None:
    """Take in a finished job's result once: a training becomes the active model."""
    job = current_job()
    if job is None or st.session_state.get(COLLECTED) == job.ticket:
        return
    snap = job.snapshot()
    if not snap.finished:
        return
    st.session_state[COLLECTED] = job.ticket
    if snap.result is None:
        return
    if snap.kind == "train":
        st.session_state[TRAINED] = snap.result
        set_active(ActiveModel(f"{snap.label} (this session)", snap.result.test_accuracy, stored=False))
    else:
        st.session_state[CV_RESULT] = snap.result


def live(kind: str, draw: Callable[[JobSnapshot, Job], None]) -> None:
    """Draw the session's `kind` job; poll every second while it runs, rerun the app once when it ends."""
    job = current_job()
    if job is None or job.kind != kind:
        return
    running = not job.snapshot().finished
    st.fragment(_live_body, run_every=POLL_SECONDS if running else None)(job, draw)


def _live_body(job: Job, draw: Callable[[JobSnapshot, Job], None]) -> None:
    snap = job.snapshot()
    if snap.state == QUEUED:
        st.info(f"Queued: number {snap.queue_position or 1} in line. This server runs "
                f"{job_slots().capacity} training(s) at a time; yours starts as soon as a slot is free.")
        st.button("Stop", key=f"stop-{job.ticket}", on_click=job.request_stop, help="Leave the queue")
        return
    draw(snap, job)
    if not snap.finished:
        st.button("Stop", key=f"stop-{job.ticket}", on_click=job.request_stop, type="secondary",
                  help="End the run after the current batch and keep the model trained so far")
    elif snap.state == FAILED:
        st.error(f"The run failed: {snap.error}")
    if snap.finished and st.session_state.get(ANNOUNCED) != job.ticket:
        st.session_state[ANNOUNCED] = job.ticket
        st.rerun(scope="app")


def progress_bar(snap: JobSnapshot) -> None:
    """Where the current epoch stands: samples, speed and time left."""
    batch = snap.batch
    if batch is None:
        st.progress(0.0, text="Starting: building the network...")
        return
    st.progress(min(batch.samples_done / batch.samples_total, 1.0),
                text=f"Epoch {batch.epoch}/{batch.epochs} · {batch.samples_done:,}/{batch.samples_total:,} samples"
                     f" · {batch.samples_per_second:,.0f} samples/s · about {batch.eta_seconds:,.0f} s left")
