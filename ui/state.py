"""Per-session state (the active model) and server-wide caches (MNIST, stored models, job slots)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import streamlit as st

from digits_core import MnistData, load_mnist
from digits_core.jobs import Slots, max_trainings
from digits_core.store import DEFAULT_MODEL, ModelStore, StoreError, StoredModel

SESSION_MODEL = "This session's model"
ACTIVE = "active_model"
TRAINED = "trained"  # the latest TrainResult of this session
TRAINED_AS = "trained_as"  # the ActiveModel that stands for it
PICKED = "model_choice"  # the Model select box of Evaluate and Draw
DERIVED = "derived"  # slot -> (this session's model, what a page made from it): dropped with the model


@dataclass(frozen=True)
class ActiveModel:
    """The model the pages use: a stored one (by name) or the one trained in this session."""

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
    return load_stored(name, _version(name))


def _version(name: str) -> str | None:
    return store().info(name).meta.get("created_at")


def derived(choice: str, slot: str, make: Callable[[Any], Any], from_store: Callable[[str], Any] | None = None) -> Any:
    """`make(model)` for a model choice: shared by all sessions for a stored model, kept in the session for its own.

    With `from_store`, a stored model's result is `from_store(name)` instead, which need not load Keras.
    """
    if choice != SESSION_MODEL:
        return _shared(slot, choice, _version(choice), make, from_store)
    model, made = trained_result().model, st.session_state.setdefault(DERIVED, {})
    if slot not in made or made[slot][0] is not model:
        made[slot] = (model, make(model))
    return made[slot][1]


@st.cache_resource(show_spinner=False, max_entries=16)
def _shared(slot: str, name: str, version: str | None, _make: Callable[[Any], Any],
            _from_store: Callable[[str], Any] | None) -> Any:
    """One result per stored model version (the makers are not hashed: `slot` tells them apart)."""
    return _from_store(name) if _from_store else _make(stored_model(name))


def active_model() -> ActiveModel | None:
    """The session's active model: chosen, trained here, or the shipped default once it exists."""
    if st.session_state.get(ACTIVE) is None:
        st.session_state[ACTIVE] = _default_active()
    return st.session_state[ACTIVE]


def activate_trained(result: Any, label: str) -> None:
    """A training of this session has ended: its model becomes the active one on every page."""
    st.session_state[TRAINED] = result
    st.session_state.pop(DERIVED, None)  # what was made from the previous model goes with it
    st.session_state[TRAINED_AS] = st.session_state[ACTIVE] = ActiveModel(
        f"{label} (this session)", result.test_accuracy, stored=False)
    st.session_state.pop(PICKED, None)


def trained_result() -> Any:
    """This session's latest training result (training.TrainResult) or None."""
    return st.session_state.get(TRAINED)


def model_choices() -> list[str]:
    """Names a page may offer: this session's model first (if any), then the stored ones."""
    names = [m.name for m in stored_models()]
    return ([SESSION_MODEL] if trained_result() is not None else []) + names


def pick_model() -> str | None:
    """The Model select box, starting at the active model; a pick becomes the active model. None: no model."""
    choices = model_choices()
    if not choices:
        return None
    return st.selectbox("Model", choices, _default_choice(choices), key=PICKED, on_change=_activate_pick)


def _activate_pick() -> None:
    choice = st.session_state[PICKED]
    if choice == SESSION_MODEL:
        st.session_state[ACTIVE] = st.session_state[TRAINED_AS]
        return
    entry = next((m for m in stored_models() if m.name == choice), None)
    st.session_state[ACTIVE] = ActiveModel(choice, entry.test_accuracy if entry else None, stored=True)


def _default_choice(choices: list[str]) -> int:
    """Index of the active model among `choices` (0 when it is not there)."""
    active = active_model()
    wanted = (SESSION_MODEL if active and not active.stored else active.name) if active else DEFAULT_MODEL
    return choices.index(wanted) if wanted in choices else 0


def _default_active() -> ActiveModel | None:
    for entry in stored_models():
        if entry.name == DEFAULT_MODEL:
            return ActiveModel(entry.name, entry.test_accuracy, stored=True)
    return None
