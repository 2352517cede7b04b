"""Per-session state (runs, the active model) and server-wide caches (MNIST, stored models, job slots)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import streamlit as st

from digits_core import MnistData, ModelSpec, load_mnist
from digits_core.background import Answers
from digits_core.classroom.defaults import ClassDefaults
from digits_core.jobs import Slots, max_trainings
from digits_core.runs import Run, RunBook
from digits_core.store import DEFAULT_MODEL, ModelStore, StoreError, StoredModel
from digits_core.worker import Worker

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


@dataclass(frozen=True)
class ActiveModel:
    """The model the pages use: a stored one (`name` is its store name) or a run of this session (its label)."""

    name: str
    accuracy: float | None
    stored: bool


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


@st.cache_resource(show_spinner=False)
def layer_tables() -> Answers[str, list[dict]]:
    """The Train page's layer table of each network (its spec as JSON), built by the training process in the
    background, once for every session: the page draws while the process starts."""
    worker = training_worker()
    return Answers(lambda spec_json: worker.summary(ModelSpec.from_json(spec_json)))


@st.cache_resource(show_spinner=False)
def class_defaults() -> ClassDefaults:
    """The training images and epochs every student's Train form starts with, set by the teacher."""
    return ClassDefaults()


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


def derived(choice: str, slot: str, make: Callable[[Any], Any] | None, from_store: Callable[[str], Any] | None = None,
            from_run: Callable[[Run], Any] | None = None) -> Any:
    """`make(model)` for a model choice: shared by all sessions for a stored model, kept in the session for a run.

    With `from_store` or `from_run`, a stored model's result is `from_store(name)`, a run's `from_run(run)`,
    instead: neither need load Keras into the server.
    """
    run = book().find(choice)
    if run is None:
        return _shared(slot, choice, stored_version(choice), make, from_store)
    made = st.session_state.setdefault(DERIVED, {})
    if slot not in made or made[slot][0] != run.id:
        made[slot] = (run.id, from_run(run) if from_run else make(run_model(run.id, run.model_bytes)))
    return made[slot][1]


@st.cache_resource(show_spinner=False, max_entries=16)
def _shared(slot: str, name: str, version: str | None, _make: Callable[[Any], Any],
            _from_store: Callable[[str], Any] | None) -> Any:
    """One result per stored model version (the makers are not hashed: `slot` tells them apart)."""
    return _from_store(name) if _from_store else _make(stored_model(name))


def book() -> RunBook:
    """This session's runs (created empty on first use)."""
    if RUNS not in st.session_state:
        st.session_state[RUNS] = RunBook()
    return st.session_state[RUNS]


@st.cache_resource(show_spinner="Loading the model...", max_entries=4)
def run_model(run_id: int, _model_bytes: bytes) -> Any:
    """A run's Keras model, rebuilt from its bytes; a few stay loaded for the whole server (run ids are unique)."""
    from digits_core.store import model_from_bytes

    return model_from_bytes(_model_bytes)


def active_model() -> ActiveModel | None:
    """The session's active model: chosen, trained here, or the shipped default (also when its run was dropped)."""
    active = st.session_state.get(ACTIVE)
    if active is None or (not active.stored and book().find(active.name) is None):
        st.session_state[ACTIVE] = active = _default_active()
    return active


def activate(run: Run) -> None:
    """A run of this session becomes the active model on every page."""
    st.session_state[ACTIVE] = _active_run(run)
    st.session_state.pop(DERIVED, None)  # what pages made from the previous model goes with it
    st.session_state.pop(PICKED, None)


def _active_run(run: Run) -> ActiveModel:
    return ActiveModel(run.label, run.test_accuracy, stored=False)


def model_choices() -> list[str]:
    """Names a page may offer: this session's runs, newest first, then the stored models."""
    return [run.label for run in reversed(book().runs)] + [m.name for m in stored_models()]


def pick_model() -> str | None:
    """The Model select box, starting at the active model; a pick becomes the active model. None: no model."""
    choices = model_choices()
    if not choices:
        return None
    return st.selectbox("Model", choices, _default_choice(choices), key=PICKED, on_change=_activate_pick)


def _activate_pick() -> None:
    choice = st.session_state[PICKED]
    run = book().find(choice)
    if run is not None:
        st.session_state[ACTIVE] = _active_run(run)
        return
    entry = next((m for m in stored_models() if m.name == choice), None)
    st.session_state[ACTIVE] = ActiveModel(choice, entry.test_accuracy if entry else None, stored=True)


def _default_choice(choices: list[str]) -> int:
    """Index of the active model among `choices` (0 when it is not there)."""
    active = active_model()
    wanted = active.name if active else DEFAULT_MODEL
    return choices.index(wanted) if wanted in choices else 0


def _default_active() -> ActiveModel | None:
    for entry in stored_models():
        if entry.name == DEFAULT_MODEL:
            return ActiveModel(entry.name, entry.test_accuracy, stored=True)
    return None
