"""Per-session state (runs, the active model) and server-wide caches (MNIST, stored models, job slots)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import streamlit as st

from digits_core import MnistData, load_mnist
from digits_core.classroom.board import Post
from digits_core.classroom.database import ClassDatabaseError
from digits_core.jobs import Slots, max_trainings
from digits_core.models import RUN, STORED, Models, Picked
from digits_core.runs import Run, RunBook
from digits_core.store import DEFAULT_MODEL, ModelStore, StoreError, StoredModel
from digits_core.worker import Worker

from .classdb import class_board

# Every session_state key of the session's runs and models, in one place.
JOB = "job"  # the session's latest Job (digits_core.jobs), running or finished
COLLECTED = "job_collected"  # ticket of the finished job whose result was taken in (and the app rerun for)
CV_RESULT = "cv_result"  # the latest cross-validation result
RUNS = "runs"  # the session's RunBook: its last trainings
PLAN = "train_plan"  # the presets of the session's latest training job, in order
NOTICES = "run_notices"  # what the Train page says once about runs dropped from the book
ACTIVE = "active_model"  # the ActiveModel every page uses
PICKED = "model_choice"  # the Model select box of Evaluate and Draw
DERIVED = "derived"  # slot -> (this session's model, what a page made from it): dropped with the model
KEPT = "kept_runs"  # run id -> its row in the class database, where the session's runs outlive a reload
RESTORED = "runs_restored"  # the browser id whose kept runs this session took back


@dataclass(frozen=True)
class ActiveModel:
    """The model the pages use, by the label its pickers list (digits_core.models): stored, a run, or a post."""

    name: str
    accuracy: float | None
    kind: str  # digits_core.models.STORED, RUN or POST

    @property
    def stored(self) -> bool:
        return self.kind == STORED


@st.cache_resource(show_spinner=False)
def mnist() -> MnistData:
    """MNIST, read once per server and shared read-only by every session."""
    return load_mnist()


@st.cache_resource(show_spinner=False)
def job_slots() -> Slots:
    """The server-wide cap on simultaneous trainings and cross-validations."""
    return Slots(max_trainings())


@st.cache_resource(show_spinner=False)
def training_worker() -> Worker:
    """The process that trains and builds networks for every session, so TensorFlow stays out of the server."""
    return Worker()


def store() -> ModelStore:
    return ModelStore()


def stored_models() -> list[StoredModel]:
    """The store's listing (cheap: reads the small JSON files, never Keras)."""
    try:
        return store().list()
    except (OSError, StoreError):
        return []


@st.cache_resource(show_spinner="Loading the model...", max_entries=8)
def load_stored(name: str, created_at: str | None) -> Any:
    """A stored Keras model, loaded once per server (created_at refreshes it when it is saved again)."""
    return store().load(name)


def stored_model(name: str) -> Any:
    """The stored model `name` from the cache; StoreError when it is missing or damaged."""
    return load_stored(name, stored_version(name))


def stored_version(name: str) -> str | None:
    """The version of a stored model (its created_at): caches keyed by it refresh when it is saved again."""
    return store().info(name).meta.get("created_at")


def board_posts() -> list[Post]:
    """The board's posts; none while the class database cannot be reached (the pickers still offer the rest)."""
    try:
        return class_board().posts()
    except ClassDatabaseError:
        return []


def models() -> Models:
    """Every model this session may pick, and how to read each: its runs, the stored models, the board's posts."""
    return Models(book().runs, store(), board_posts(), class_board(), training_worker().lite)


def derived(choice: str, slot: str, make: Callable[[Models, Picked], Any]) -> Any:
    """`make(models, picked)` for a model choice: shared by every session for a stored model or a post (once per
    version), kept in the session for a run. StoreError when the choice names no model any more."""
    known = models()
    picked = known.find(choice)
    if picked is None:
        raise StoreError(f"there is no model {choice!r} any more (deleted, dropped or taken down): pick another")
    if picked.kind != RUN:
        return _shared(slot, picked.key, known, picked, make)
    made = st.session_state.setdefault(DERIVED, {})
    if slot not in made or made[slot][0] != picked.key:
        made[slot] = (picked.key, make(known, picked))
    return made[slot][1]


@st.cache_resource(show_spinner=False, max_entries=16)
def _shared(slot: str, key: str, _models: Models, _picked: Picked, _make: Callable[[Models, Picked], Any]) -> Any:
    """One result per model version (the makers are not hashed: `slot` tells them apart)."""
    return _make(_models, _picked)


def book() -> RunBook:
    """This session's runs (created empty on first use)."""
    if RUNS not in st.session_state:
        st.session_state[RUNS] = RunBook()
    return st.session_state[RUNS]


def active_model() -> ActiveModel | None:
    """The session's active model: chosen, trained here, or the shipped default (also when its run was dropped or its
    post taken down)."""
    active = st.session_state.get(ACTIVE)
    if active is None or (not active.stored and models().find(active.name) is None):
        st.session_state[ACTIVE] = active = _default_active()
    return active


def activate(run: Run) -> None:
    """A run of this session becomes the active model on every page."""
    _make_active(ActiveModel(run.label, run.test_accuracy, RUN))


def activate_choice(label: str) -> None:
    """The model a picker lists as `label` (a stored model, a run or a post) becomes the active model."""
    picked = models().find(label)
    if picked is not None:
        _make_active(ActiveModel(picked.label, picked.accuracy, picked.kind))


def _make_active(active: ActiveModel) -> None:
    st.session_state[ACTIVE] = active
    st.session_state.pop(DERIVED, None)  # what pages made from the previous model goes with it
    st.session_state.pop(PICKED, None)


def model_choices() -> list[str]:
    """Labels a page may offer: this session's runs, newest first, the stored models, then the class board's posts."""
    return models().labels()


def pick_model() -> str | None:
    """The Model select box, starting at the active model; a pick becomes the active model. None: no model."""
    choices = model_choices()
    if not choices:
        return None
    return st.selectbox("Model", choices, _default_choice(choices), key=PICKED, on_change=_activate_pick)


def _activate_pick() -> None:
    picked = models().find(st.session_state[PICKED])
    if picked is not None:
        st.session_state[ACTIVE] = ActiveModel(picked.label, picked.accuracy, picked.kind)


def _default_choice(choices: list[str]) -> int:
    """Index of the active model among `choices` (0 when it is not there)."""
    active = active_model()
    wanted = active.name if active else DEFAULT_MODEL
    return choices.index(wanted) if wanted in choices else 0


def _default_active() -> ActiveModel | None:
    for entry in stored_models():
        if entry.name == DEFAULT_MODEL:
            return ActiveModel(entry.name, entry.test_accuracy, STORED)
    return None
