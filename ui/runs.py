"""The session's runs: taking in finished trainings, renaming, saving, deleting, and stored models as runs.

Each run is also kept in the class database under the browser's id, so a reload of the tab brings
the runs back; a write that fails leaves a notice, and the session goes on.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from digits_core.classroom.database import ClassDatabaseError
from digits_core.runs import Run

from .classdb import kept_runs, owners
from .identity import browser_id, is_teacher, nickname
from .state import (KEPT, NOTICES, RESTORED, activate, active_model, book, clock, derived, follow_rename, mnist, store,
                    training_worker)
from .text import plain


def keep_runs(runs: list[Run]) -> None:
    """Finished trainings join the session's runs; a dropped unsaved run leaves a notice. None of them reads
    drawings until the student chooses it (offer_for_drawing)."""
    for run in runs:
        run, dropped = book().add(run)
        _notice(*(f"Run **{old.name}** was dropped: a session keeps its last {book().limit} runs "
                  "(save a run to keep it)." for old in dropped if old.stored_as is None))
        _keep(run, dropped)


def restore_runs() -> None:
    """A new session of a browser that kept runs takes them back, once: a reload of the tab loses none."""
    browser = browser_id()
    if browser is None or st.session_state.get(RESTORED) == browser:
        return
    st.session_state[RESTORED] = browser
    if book().runs:
        return
    try:
        kept = kept_runs().load_runs(browser)
    except ClassDatabaseError as exc:
        _notice(f"The runs of your earlier visit could not be brought back: {exc}")
        return
    book().restore([run for _, run in kept])
    st.session_state[KEPT] = {run.id: row for row, run in kept}


def offer_for_drawing(run: Run) -> None:
    """One click makes `run` the model that reads drawings; or a line saying that it already is, and since when."""
    drawing = active_model()
    if drawing is not None and drawing.name == run.label:
        st.success(f"**{run.name}** reads your drawings (since {clock(drawing.since)}).", icon=":material/draw:")
        return
    with st.container(horizontal=True, vertical_alignment="center"):  # the line goes under the button where it must
        st.button("Use this model to read drawings", key=f"use-{run.id}", icon=":material/draw:", on_click=activate,
                  args=(run,), help="Draw, and Evaluate and Inside until you pick another there, will use this model")
        st.caption(f"Draw reads with **{plain(drawing.name)}** now." if drawing else "No model reads drawings yet.")


def active_run() -> Run | None:
    """The run of this session that is the active model, or None (a stored model is active)."""
    active = active_model()
    return None if active is None or active.stored else book().find(active.name)


def rename_run(run: Run, name: str) -> Run:
    """Rename a run (RunError for a bad or taken name); the model that reads drawings follows it."""
    renamed = book().rename(run.id, name)
    follow_rename(run.label, renamed)
    _rewrite(renamed)
    return renamed


def save_run(run: Run, name: str) -> Run:
    """Write the run to the store under `name` and remember it was saved. Refused (StoreError) for a bad name, a
    shipped model or one someone else saved; ClassDatabaseError when the owners cannot be checked."""
    name = owners().claim(store().check_writable(name), browser_id(), nickname(), is_teacher())
    with st.spinner("Saving..."):
        saved = training_worker().save(store().root, name, run.model_bytes, run.meta, run.probabilities)
    marked = book().mark_saved(run.id, saved.name)
    _rewrite(marked)
    return marked


def delete_run(run_id: int) -> None:
    """Remove a run from the session and from the class database."""
    run = book().remove(run_id)
    row = st.session_state.get(KEPT, {}).pop(run_id, None)
    if row is not None:
        _write(f"Run **{run.name}** could not be removed from the class database", kept_runs().delete_run, row)


def run_for(label: str) -> Run:
    """The run a picker shows as `label`: this session's, a stored model's or a post's, once per model version for
    the whole server (StoreError when it is unreadable)."""
    return derived(label, "run", lambda models, picked: models.as_run(picked, mnist()))


def take_notices() -> list[str]:
    """The notices about dropped runs and the class database, once."""
    return st.session_state.pop(NOTICES, [])


def _keep(run: Run, dropped: list[Run]) -> None:
    """Keep a new run under the browser's id (the database drops the browser's runs beyond the book's limit)."""
    rows = st.session_state.setdefault(KEPT, {})
    for old in dropped:
        rows.pop(old.id, None)
    browser = browser_id()
    if browser is not None:
        row = _write(f"Run **{run.name}** is not kept for a reload", kept_runs().save_run, browser, run)
        if row is not None:
            rows[run.id] = row


def _rewrite(run: Run) -> None:
    """Write a kept run's new name or saved name."""
    row = st.session_state.get(KEPT, {}).get(run.id)
    if row is not None:
        _write(f"Run **{run.name}** changed here but not in the class database", kept_runs().update_run, row, run)


def _write(failure: str, write: Any, *args: Any) -> Any:
    """`write(*args)`; when the class database refuses, a notice saying so, and None."""
    try:
        return write(*args)
    except ClassDatabaseError as exc:
        _notice(f"{failure}: {exc}")
        return None


def _notice(*notices: str) -> None:
    st.session_state.setdefault(NOTICES, []).extend(notices)
