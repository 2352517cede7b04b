"""One click after every prediction on Draw, "right" or the digit it really was: the sample joins the collection.

A student who clicked the wrong digit can take their last correction back.
"""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st

from digits_core.classroom.database import ClassDatabaseError
from digits_core.handwriting import HandwritingError

from .classdb import collection
from .identity import browser_id
from .state import active_model

SAVED = "corrections_saved"  # sample key -> (the label saved for it, its id), so a saved drawing is not asked again
FAILED = "corrections_failed"
UNDONE = "corrections_undone"  # what the last Undo said, shown once
KEEP = 50  # saved keys a session remembers (a long lesson must not grow the session without bound)
SOURCES = {"canvas": "draw", "upload": "upload", "camera": "camera"}  # where on Draw -> the sample's source


def ask(source: Any, prediction: Any, where: str) -> None:
    """Under a prediction: a Right button and the ten digits as pills; a click stores the labelled sample."""
    key = f"{where}-{hashlib.sha1(prediction.image.tobytes()).hexdigest()[:12]}"
    saved = st.session_state.setdefault(SAVED, {})
    if st.session_state.get(FAILED):
        st.error(f"The sample could not be saved: {st.session_state.pop(FAILED)}")
    if st.session_state.get(UNDONE):
        st.info(st.session_state.pop(UNDONE), icon=":material/undo:")
    if key in saved:
        st.success(f"Saved as a {saved[key][0]} in the class collection (see Handwriting).", icon=":material/check:")
        if browser_id() is not None:
            st.button("Undo my last correction", key=f"undo-{key}", icon=":material/undo:", on_click=_undo,
                      help="Take your latest saved digit out of the class collection")
        return
    with st.container(horizontal=True, vertical_alignment="bottom"):  # the digits go under Right where they must
        st.button("Right", key=f"right-{key}", icon=":material/check:", on_click=_save,
                  args=(key, where, source, prediction, prediction.digit),
                  help="Keep this digit, read right, for the class")
        st.pills("Wrong? It was", list(range(10)), key=f"pills-{key}", on_change=_save_picked,
                 args=(key, where, source, prediction),
                 help="The digit you meant: kept in the class collection with it")


def _save_picked(key: str, where: str, source: Any, prediction: Any) -> None:
    label = st.session_state.get(f"pills-{key}")
    if label is not None:
        _save(key, where, source, prediction, int(label))


def _save(key: str, where: str, source: Any, prediction: Any, label: int) -> None:
    """Store the 28x28 image the model saw, the raw input, the model, its prediction, the label and where from."""
    model = active_model()
    try:
        sample_id = collection().add(prediction.image, label, raw=source, model=model.name if model else None,
                                     predicted=prediction.digit, source=SOURCES[where],
                                     browser_id=browser_id())
    except (HandwritingError, ClassDatabaseError) as exc:
        st.session_state[FAILED] = str(exc)
        return
    saved = st.session_state[SAVED]
    saved[key] = label, sample_id
    while len(saved) > KEEP:
        saved.pop(next(iter(saved)))


def _undo() -> None:
    """Remove this browser's latest correction; the drawing it was made on asks again."""
    try:
        sample = collection().undo_last(browser_id())
    except ClassDatabaseError as exc:
        st.session_state[FAILED] = str(exc)
        return
    if sample is None:
        st.session_state[UNDONE] = "Nothing to undo: your corrections are no longer in the collection."
        return
    saved = st.session_state[SAVED]
    for key in [key for key, (_, sample_id) in saved.items() if sample_id == sample.id]:
        del saved[key]
        st.session_state.pop(f"pills-{key}", None)
    st.session_state[UNDONE] = f"Taken back: the {sample.label} is out of the class collection."
