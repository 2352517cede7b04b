"""Per-session state (the active model) and server-wide caches (MNIST, stored models, job slots)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from digits_core import MnistData, load_mnist
from digits_core.jobs import Slots, max_trainings
from digits_core.store import DEFAULT_MODEL, ModelStore, StoreError, StoredModel

SESSION_MODEL = "This session's model"
ACTIVE = "active_model"
TRAINED = "trained"  # the latest TrainResult of this session


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
    return load_stored(name, store().info(name).meta.get("created_at"))


def active_model() -> ActiveModel | None:
    """The session's active model: chosen, trained here, or the shipped default if it exists."""
    if ACTIVE not in st.session_state:
        st.session_state[ACTIVE] = _default_active()
    return st.session_state[ACTIVE]


def set_active(model: ActiveModel) -> None:
    st.session_state[ACTIVE] = model


def trained_result() -> Any:
    """This session's latest training result (training.TrainResult) or None."""
    return st.session_state.get(TRAINED)


def model_choices() -> list[str]:
    """Names a page may offer: this session's model first (if any), then the stored ones."""
    names = [m.name for m in stored_models()]
    return ([SESSION_MODEL] if trained_result() is not None else []) + names


def keras_model(choice: str) -> Any:
    """The Keras model behind a choice from model_choices()."""
    if choice == SESSION_MODEL:
        return trained_result().model
    return stored_model(choice)


def default_choice(choices: list[str]) -> int:
    """Index of the active model among `choices` (0 when it is not there)."""
    active = active_model()
    wanted = (SESSION_MODEL if active and not active.stored else active.name) if active else DEFAULT_MODEL
    return choices.index(wanted) if wanted in choices else 0


def _default_active() -> ActiveModel | None:
    for entry in stored_models():
        if entry.name == DEFAULT_MODEL:
            return ActiveModel(entry.name, entry.test_accuracy, stored=True)
    return None
