"""The session's runs: taking in finished trainings, renaming, saving, deleting, and stored models as runs."""

from __future__ import annotations

import streamlit as st

from digits_core.runs import Run, stored_run

from .state import NOTICES, activate, active_model, book, completed, mnist, store, stored_version, training_worker


def keep_runs(runs: list[Run]) -> None:
    """Finished trainings join the session's runs and the last becomes active; a dropped unsaved run leaves a notice."""
    for run in runs:
        run, dropped = book().add(run)
        notices = st.session_state.setdefault(NOTICES, [])
        notices += [f"Run **{old.name}** was dropped: a session keeps its last {book().limit} runs "
                    "(save a run to keep it)." for old in dropped if old.stored_as is None]
        activate(run)


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


@st.cache_resource(show_spinner="Scoring the stored model on the test set...", max_entries=32)
def _stored_as_run(name: str, version: str | None) -> Run:
    """A stored model as a run, once per model version for the whole server."""
    completed(name)
    return stored_run(store(), name, mnist().x_test)


def run_for(label: str) -> Run:
    """The run a picker shows as `label`: this session's, or a stored model's (StoreError when it is unreadable,
    WorkerError when it is an old one the training process could not complete)."""
    return book().find(label) or _stored_as_run(label, stored_version(label))


def take_notices() -> list[str]:
    """The notices about dropped runs, once."""
    return st.session_state.pop(NOTICES, [])
