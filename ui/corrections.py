"""One click after every prediction on Draw, "right" or the digit it really was: the sample joins the collection."""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st

from digits_core.handwriting import Collection, HandwritingError

from .state import active_model

SAVED = "corrections_saved"  # sample key -> the label saved for it, so a saved drawing is not asked about again
FAILED = "corrections_failed"
KEEP = 50  # saved keys a session remembers (a long lesson must not grow the session without bound)


def ask(source: Any, prediction: Any, where: str) -> None:
    """Under a prediction: a Right button and the ten digits as pills; a click stores the labelled sample."""
    key = f"{where}-{hashlib.sha1(prediction.image.tobytes()).hexdigest()[:12]}"
    saved = st.session_state.setdefault(SAVED, {})
    if st.session_state.get(FAILED):
        st.error(f"The sample could not be saved: {st.session_state.pop(FAILED)}")
    if key in saved:
        st.success(f"Saved as a {saved[key]} in the class collection (see Handwriting).", icon=":material/check:")
        return
    right, other = st.columns([1, 3], vertical_alignment="bottom")
    right.button("Right", key=f"right-{key}", icon=":material/check:", on_click=_save,
                 args=(key, source, prediction, prediction.digit), help="Keep this digit, read right, for the class")
    other.pills("Wrong? It was", list(range(10)), key=f"pills-{key}", on_change=_save_picked,
                args=(key, source, prediction), help="The digit you meant: kept in the class collection with it")


def _save_picked(key: str, source: Any, prediction: Any) -> None:
    label = st.session_state.get(f"pills-{key}")
    if label is not None:
        _save(key, source, prediction, int(label))


def _save(key: str, source: Any, prediction: Any, label: int) -> None:
    """Store the 28x28 image the model saw, the raw input, the model, its prediction and the label."""
    model = active_model()
    try:
        Collection().add(prediction.image, label, raw=source, model=model.name if model else None,
                         predicted=prediction.digit)
    except HandwritingError as exc:
        st.session_state[FAILED] = str(exc)
        return
    saved = st.session_state[SAVED]
    saved[key] = label
    while len(saved) > KEEP:
        saved.pop(next(iter(saved)))
