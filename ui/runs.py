"""The session's runs: taking in finished trainings, renaming, saving, deleting, and stored models as runs."""

from __future__ import annotations

from typing import Any

import streamlit as st

from digits_core.runs import Run, run_from_training

from .state import NOTICES, activate, active_model, book, derived, mnist, store, training_worker


def keep_runs(runs: list[Run]) -> None:
    """Finished trainings join the session's runs and the last becomes active; a dropped unsaved run leaves a notice."""
    for run in runs:
        run, dropped = book().add(run)
        notices = st.session_state.setdefault(NOTICES, [])
        notices += [f"Run **{old.name}** was dropped: a session keeps its last {book().limit} runs "
                    "(save a run to keep it)." for old in dropped if old.stored_as is None]
        activate(run)


def activate_trained(result: Any, label: str) -> None:
    """Compatibility for jobs that return a training.TrainResult: keep it as a run, made active."""
    keep_runs([run_from_training(result, label, (), mnist().x_test)])


def active_run() -> Run | None:
    """The run of this session that is the active model, or None (a stored model is active)."""
    active = active_model()
    return None if active is None or active.stored else book().find(active.name)


def rename_run(run: Run, name: str) -> Run:
    """Rename a run (RunError for a bad or taken name); the active model follows it."""
    was_active = active_model() is not None and active_model().name == run.label
    renamed = book().rename(run.id, name)
    if was_active:
        activate(renamed)
    return renamed


def save_run(run: Run, name: str) -> Run:
    """Write the run to the store under `name` (StoreError when refused) and remember it was saved."""
    with st.spinner("Saving..."):
        saved = training_worker().save(store().root, name, run.model_bytes, run.meta, run.probabilities)
    return book().mark_saved(run.id, saved.name)


def run_for(label: str) -> Run:
    """The run a picker shows as `label`: this session's, a stored model's or a post's, once per model version for
    the whole server (StoreError when it is unreadable)."""
    return derived(label, "run", lambda models, picked: models.as_run(picked, mnist()))


def take_notices() -> list[str]:
    """The notices about dropped runs, once."""
    return st.session_state.pop(NOTICES, [])
