"""Run a Job for this session and draw its progress live, without the thread touching Streamlit."""

from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from digits_core.jobs import FAILED, QUEUED, Job, JobSnapshot

from .plots import learning_curves
from .session import session_alive
from .state import activate_trained, job_slots

JOB = "job"
ANNOUNCED = "job_announced"  # ticket of the finished job the app has already rerun for
COLLECTED = "job_collected"  # ticket of the finished job whose result was taken in
CV_RESULT = "cv_result"
POLL_SECONDS = 1.0
TRAININGS = ("train", "finetune")  # job kinds whose result is a model that becomes the session's
NAMES = {"train": "Training", "finetune": "Fine-tuning", "cv": "Cross-validation"}


def current_job(kind: str | None = None) -> Job | None:
    """This session's latest job (of `kind`, if given), running or finished."""
    job = st.session_state.get(JOB)
    return job if job is not None and kind in (None, job.kind) else None


def busy(kind: str | None = None) -> bool:
    """True while this session's job (of `kind`, if given) waits or runs: one at a time per session."""
    job = current_job(kind)
    return job is not None and not job.snapshot().finished


def start(kind: str, label: str, target: Callable[[Job], Any]) -> Job:
    """Start `target(job)` in a background thread owned by this session (unless one is under way already)."""
    if busy():
        return current_job()
    job = Job(kind, target, job_slots(), label=label, alive=session_alive()).start()
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
    if snap.kind in TRAININGS:
        activate_trained(snap.result, snap.label)
    else:
        st.session_state[CV_RESULT] = snap.result


def live(kind: str, draw: Callable[[JobSnapshot, Job], None]) -> None:
    """Draw the session's `kind` job; poll every second while it runs, rerun the app once when it ends."""
    job = current_job(kind)
    if job is None:
        return
    running = not job.snapshot().finished
    st.fragment(_live_body, run_every=POLL_SECONDS if running else None)(job, draw)


def sidebar_status() -> None:
    """A line on the session's run, updated every second, so it can be followed from any page."""
    job = current_job()
    if job is not None and not job.snapshot().finished:
        st.fragment(_status_body, run_every=POLL_SECONDS)(job)


def _status_body(job: Job) -> None:
    snap = job.snapshot()
    what = f"{NAMES.get(snap.kind, snap.kind)} {snap.label}"
    if snap.state == QUEUED:
        st.caption(f"{what}: queued, number {snap.queue_position or 1} in line")
    elif not snap.finished:
        batch = snap.batch
        where = "starting" if batch is None else (
            f"epoch {batch.epoch}/{batch.epochs}, {batch.samples_done / batch.samples_total:.0%} through it")
        st.caption(f"{what}: {where}")
    _rerun_once_finished(job, snap)


def _rerun_once_finished(job: Job, snap: JobSnapshot) -> None:
    """Rerun the whole app once when the run has ended, so every page takes in its result."""
    if snap.finished and st.session_state.get(ANNOUNCED) != job.ticket:
        st.session_state[ANNOUNCED] = job.ticket
        st.rerun(scope="app")


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
    _rerun_once_finished(job, snap)


def progress_bar(snap: JobSnapshot) -> None:
    """Where the current epoch stands: samples, speed and time left."""
    batch = snap.batch
    if batch is None:
        st.progress(0.0, text="Starting: building the network...")
        return
    st.progress(min(batch.samples_done / batch.samples_total, 1.0),
                text=f"Epoch {batch.epoch}/{batch.epochs} · {batch.samples_done:,}/{batch.samples_total:,} samples"
                     f" · {batch.samples_per_second:,.0f} samples/s · about {batch.eta_seconds:,.0f} s left")


def draw_progress(snap: JobSnapshot, job: Job) -> None:
    """The progress bar while a training runs, and its learning curves as they grow."""
    if not snap.finished:
        progress_bar(snap)
    if snap.epochs or snap.batches:
        total = snap.batch.epochs if snap.batch else None
        st.plotly_chart(learning_curves(snap.epochs, snap.batches, total), width="stretch",
                        key=f"curves-{job.ticket}")
