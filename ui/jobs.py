"""Run a Job for this session and draw its progress live, without the thread touching Streamlit."""

from __future__ import annotations

import time
from typing import Any, Callable, Sequence

import streamlit as st

from digits_core.estimate import Work
from digits_core.jobs import FAILED, QUEUED, Job, JobSnapshot

from .describe import curves_summary
from .plots import learning_curves
from .runs import keep_runs
from .session import session_alive
from .state import COLLECTED, CV_RESULT, JOB, job_slots

POLL_SECONDS = 1.0
# A place in line changes once a run, not every second: with 29 students waiting, a redraw a second each (and one of
# the chart's every three) took about a fifth of the trainings' speed on two cores.
QUEUED_POLL_SECONDS = 3.0
# The live curves redraw every few seconds, the bar every second: a Plotly redraw a second took the
# browser's main thread 5.3 s of every 10 (1.9 s without the chart), on the machine that also trains.
CHART_SECONDS = 3.0
SEND_SECONDS = 0.1  # Streamlit sends queued elements every 5 ms (runtime_util.MESSAGE_FLUSH_INTERVAL_SECS)
NAMES = {"train": "Training", "finetune": "Fine-tuning", "cv": "Cross-validation"}
LIVE_PAGES = {"train": "train", "finetune": "handwriting", "cv": "evaluate"}  # a job's kind: the page drawing it live
Draw = Callable[[JobSnapshot, Job], None]  # what a page draws of its job's snapshot


def current_job(kind: str | None = None) -> Job | None:
    """This session's latest job (of `kind`, if given), running or finished."""
    job = st.session_state.get(JOB)
    return job if job is not None and kind in (None, job.kind) else None


def busy(kind: str | None = None) -> bool:
    """True while this session's job (of `kind`, if given) waits or runs: one at a time per session."""
    job = current_job(kind)
    return job is not None and not job.finished


def start(kind: str, label: str, target: Callable[[Job], Any], work: Work | None = None) -> Job:
    """Start `target(job)` in a background thread owned by this session (unless one is under way already); the
    run's `work` (its size) lets the queue tell those behind it when they should start."""
    if busy():
        return current_job()
    job = Job(kind, target, job_slots(), label=label, alive=session_alive(), work=work).start()
    st.session_state[JOB] = job
    return job


def collect() -> None:
    """Take in a finished job's result once: a cross-validation's is kept, a training's or a fine-tune's Run (or list
    of Runs) joins the session's runs (it reads drawings only once the student chooses it)."""
    job = current_job()
    if job is None or st.session_state.get(COLLECTED) == job.ticket:
        return
    snap = job.snapshot()
    if not snap.finished:
        return
    st.session_state[COLLECTED] = job.ticket
    if snap.result is None:
        return
    if snap.kind == "cv":
        st.session_state[CV_RESULT] = snap.result
    else:
        keep_runs(snap.result if isinstance(snap.result, list) else [snap.result])


def live(kind: str, draw: Draw, chart: Draw | None = None, waiting: Callable[[Job], None] | None = None) -> None:
    """Draw the session's `kind` job: `draw` every second while it runs, `chart` below it every few seconds;
    while it waits in line, its place, when it should start, and what `waiting` draws (a way to make it smaller).
    When it ends, `draw` shows its result at once (from the snapshot), then the whole app reruns."""
    job = current_job(kind)
    if job is None:
        return
    queued, running = job.waiting, not job.finished
    every = QUEUED_POLL_SECONDS if queued else POLL_SECONDS if running else None
    st.fragment(_live_body, run_every=every)(job, draw, waiting, queued)
    if chart is not None and not queued:  # its fragment starts with the run (a whole run of the page then)
        st.fragment(_chart_body, run_every=CHART_SECONDS if running else None)(job, chart)


def sidebar_status(page_path: str) -> None:
    """A line on the session's run, updated every second (every few while it waits in line), so it can be followed
    from any page but its own.

    The page that draws the run live (its url path in LIVE_PAGES) goes without: each fragment rerun costs
    the browser and the server CPU that the training shares, and a training watched on Train took 9.3 s
    to fit against 7.4 s on Home."""
    job = current_job()
    if job is not None and not job.finished and LIVE_PAGES.get(job.kind) != page_path:
        st.fragment(_status_body, run_every=QUEUED_POLL_SECONDS if job.waiting else POLL_SECONDS)(job)


def _status_body(job: Job) -> None:
    snap = job.snapshot()
    what = f"{NAMES.get(snap.kind, snap.kind)} {snap.label}"
    if snap.state == QUEUED:
        st.caption(f"{what}: queued, number {snap.queue_position or 1} in line{start_estimate(snap)}")
    elif not snap.finished:
        batch = snap.batch
        where = "starting" if batch is None else (
            f"epoch {batch.epoch}/{batch.epochs}, {batch.samples_done / batch.samples_total:.0%} through it")
        st.caption(f"{what}: {where}")
    if snap.finished and not taken_in(job):
        st.rerun(scope="app")


def taken_in(job: Job) -> bool:
    """Whether app.py's collect() has taken in the job's result: not yet in the fragment run that sees it end.

    It is taken in at the top of a whole run of the app, never in a fragment: the model pickers and the runs table,
    drawn outside the fragment, must all see the new run at once."""
    return st.session_state.get(COLLECTED) == job.ticket


def start_estimate(snap: JobSnapshot) -> str:
    """", should start in about 1 min 20 s" for a queued job whose start can be estimated, else ""."""
    if snap.estimated_start is None:
        return ""
    seconds = round(snap.estimated_start)
    return f", should start in about {seconds // 60} min {seconds % 60} s" if seconds >= 60 else \
        f", should start in about {seconds} s"


def _live_body(job: Job, draw: Draw, waiting: Callable[[Job], None] | None, drawn_queued: bool) -> None:
    snap = _snapshot_at_end(job)
    if snap.state == QUEUED:
        st.info(f"Queued: number {snap.queue_position or 1} in line{start_estimate(snap)}. This server runs "
                f"{job_slots().capacity} training(s) at a time; yours starts as soon as a slot is free.")
        if waiting is not None:
            waiting(job)
        st.button("Stop", key=f"stop-{job.ticket}", on_click=job.request_stop, help="Leave the queue")
        return
    ended_now = snap.finished and not taken_in(job)  # the page's draw shows the result from the snapshot
    draw(snap, job)
    if not snap.finished:
        st.button("Stop", key=f"stop-{job.ticket}", on_click=job.request_stop, type="secondary",
                  help="End the run after the current batch and keep the model trained so far")
    elif snap.state == FAILED:
        st.error(f"The run failed: {snap.error}")
    if ended_now or (drawn_queued and not snap.finished):  # started: the page's timers become a running job's
        rerun_app_after_sending()


def rerun_app_after_sending() -> None:
    """Rerun the whole app once what this run drew has reached the browser.

    A new run drops the elements still waiting to be sent (streamlit#9163), so the result drawn just
    before would only show with the rerun, which takes the browser about half a second to draw here.
    The server sends every few milliseconds: a short pause lets the result go first."""
    time.sleep(SEND_SECONDS)
    st.rerun(scope="app")


def _snapshot_at_end(job: Job) -> JobSnapshot:
    """The job's snapshot; in the last second of its last epoch, taken once the job has ended (waiting up to a
    poll), so the result shows as soon as it is there instead of at the next poll, half a second later on average.
    """
    snap = job.snapshot()
    batch = snap.batch
    if not snap.finished and batch and batch.epoch == batch.epochs and batch.eta_seconds <= POLL_SECONDS:
        job.join(POLL_SECONDS)
        snap = job.snapshot()
    return snap


def _chart_body(job: Job, chart: Draw) -> None:
    snap = job.snapshot()
    if snap.state != QUEUED:
        chart(snap, job)


def draw_progress(snap: JobSnapshot, job: Job | None = None) -> None:
    """While the run goes on, where its current epoch stands: samples, speed and time left."""
    if snap.finished:
        return
    batch = snap.batch
    if batch is None:
        st.progress(0.0, text="Starting: building the network...")
        return
    st.progress(min(batch.samples_done / batch.samples_total, 1.0),
                text=f"Epoch {batch.epoch}/{batch.epochs} · {batch.samples_done:,}/{batch.samples_total:,} samples"
                     f" · {batch.samples_per_second:,.0f} samples/s · about {batch.eta_seconds:,.0f} s left")


def draw_curves(snap: JobSnapshot, job: Job, plan: Sequence[str] = ()) -> None:
    """The runs' learning curves as they grow, within each epoch too (a colour per run of `plan`)."""
    if snap.epochs or snap.batches:
        several = len(plan) > 1
        total = snap.batch.epochs if snap.batch and not several else None  # several runs: the axis fits them all
        st.plotly_chart(learning_curves(snap.epochs, snap.batches, total, by_run=several,
                                        names=dict(enumerate(plan, start=1))), width="stretch",
                        key=f"curves-{job.ticket}")
        if snap.epochs:
            st.caption(curves_summary(snap.epochs))
