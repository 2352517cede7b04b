"""The session's runs: taking in finished trainings, renaming, saving, deleting, and stored models as runs."""

from __future__ import annotations

from typing import Any

import streamlit as st

from digits_core.runs import Run, run_from_training, stored_run

from .state import (NOTICES, activate, active_model, book, clock, follow_rename, mnist, store, stored_version,
                    training_worker)


def keep_runs(runs: list[Run]) -> None:
    """Finished trainings join the session's runs; a dropped unsaved run leaves a notice. None of them reads
    drawings until the student chooses it (offer_for_drawing)."""
    for run in runs:
        _, dropped = book().add(run)
        notices = st.session_state.setdefault(NOTICES, [])
        notices += [f"Run **{old.name}** was dropped: a session keeps its last {book().limit} runs "
                    "(save a run to keep it)." for old in dropped if old.stored_as is None]


def keep_trained(result: Any, label: str) -> None:
    """For jobs that return a training.TrainResult (a fine-tune): keep it as a run of the session."""
    keep_runs([run_from_training(result, label, (), mnist().x_test)])


def offer_for_drawing(run: Run) -> None:
    """One click makes `run` the model that reads drawings; or a line saying that it already is, and since when."""
    drawing = active_model()
    if drawing is not None and drawing.name == run.label:
        st.success(f"**{run.name}** reads your drawings (since {clock(drawing.since)}).", icon=":material/draw:")
        return
    left, right = st.columns([2, 3], vertical_alignment="center")
    left.button("Use this model to read drawings", key=f"use-{run.id}", icon=":material/draw:", on_click=activate,
                args=(run,), help="Draw, and Evaluate and Inside until you pick another there, will use this model")
    right.caption(f"Draw reads with **{drawing.name}** now." if drawing else "No model reads drawings yet.")


def active_run() -> Run | None:
    """The run of this session that is the active model, or None (a stored model is active)."""
    active = active_model()
    return None if active is None or active.stored else book().find(active.name)


def rename_run(run: Run, name: str) -> Run:
    """Rename a run (RunError for a bad or taken name); the model that reads drawings follows it."""
    renamed = book().rename(run.id, name)
    follow_rename(run.label, renamed)
    return renamed


def save_run(run: Run, name: str) -> Run:
    """Write the run to the store under `name` (StoreError when refused) and remember it was saved."""
    with st.spinner("Saving..."):
        saved = training_worker().save(store().root, name, run.model_bytes, run.meta, run.probabilities)
    return book().mark_saved(run.id, saved.name)


@st.cache_resource(show_spinner="Scoring the stored model on the test set...", max_entries=32)
def _stored_as_run(name: str, version: str | None) -> Run:
    """A stored model as a run, once per model version for the whole server."""
    return stored_run(store(), name, mnist().x_test)


def run_for(label: str) -> Run:
    """The run a picker shows as `label`: this session's, or a stored model's (StoreError when it is unreadable)."""
    return book().find(label) or _stored_as_run(label, stored_version(label))


def take_notices() -> list[str]:
    """The notices about dropped runs, once."""
    return st.session_state.pop(NOTICES, [])
