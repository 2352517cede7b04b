"""The store's models on the Train page: who saved one, and a Delete for its owner or the teacher.

The shipped models are read-only for everyone; a model saved from the terminal (no owner
recorded) is the teacher's. The class database is asked only once a model is chosen, so Train
stays quick when the database cannot be reached.
"""

from __future__ import annotations

import streamlit as st

from digits_core.classroom.database import ClassDatabaseError
from digits_core.classroom.owners import Owner
from digits_core.store import StoreError, StoredModel

from .classdb import owners
from .identity import browser_id, is_teacher, locked
from .state import local, stored_models
from .text import plain

OUTCOME = "stored_outcome"  # (succeeded, message) of the last delete, shown once
READ_ONLY = "A shipped model is read-only for everyone."


def stored_list() -> None:
    """Choose a stored model: who saved it, and Delete behind a confirmation (greyed out with the reason)."""
    _show_outcome()
    entries = {entry.name: entry for entry in stored_models()}
    if not entries:
        st.caption("No stored model yet: save a run above.")
        return
    name = st.selectbox("Stored model", list(entries), index=None, key="stored_model",
                        placeholder="Choose one to see who saved it, or to delete it")
    if name is None:
        return
    entry = entries[name]
    try:
        owner = None if entry.shipped else owners().owner(name)
    except ClassDatabaseError as exc:
        st.error(plain(f"Who saved {name} cannot be read, so it cannot be deleted now: {exc}"))
        return
    st.caption(_who(entry, owner))
    reason = _refusal(entry, owner)
    with st.popover(f"Delete {plain(name)}", icon=":material/delete:", disabled=reason is not None, help=reason):
        st.write(f"Delete the stored model **{plain(name)}**? No page will list it any more. This cannot be undone.")
        st.button("Yes, delete it", type="primary", key="stored_delete", on_click=_delete, args=(name,))
    if reason:
        st.caption(reason)


def _who(entry: StoredModel, owner: Owner | None) -> str:
    """Who saved the model, in words (a nickname as typed, never as markup)."""
    if entry.shipped:
        return "Shipped with the app."
    if owner is None:
        return "Saved from the terminal or before owners were kept: the teacher's."
    who = "you" if owner.browser_id == browser_id() else plain(owner.nickname or f"browser {owner.browser_id}"[:16])
    return f"Saved by {who}, {local(owner.saved_at):%Y-%m-%d %H:%M}."


def _refusal(entry: StoredModel, owner: Owner | None) -> str | None:
    """Why this session may not delete the model, or None."""
    if entry.shipped:
        return READ_ONLY
    if owner is not None and owner.browser_id == browser_id():
        return None
    return locked("model")


def _delete(name: str) -> None:
    try:
        owners().delete(name, browser_id(), is_teacher())
        st.session_state[OUTCOME] = True, f"Deleted the stored model **{plain(name)}**."
    except (StoreError, ClassDatabaseError) as exc:
        st.session_state[OUTCOME] = False, plain(exc)


def _show_outcome() -> None:
    if OUTCOME in st.session_state:
        succeeded, text = st.session_state.pop(OUTCOME)
        (st.success if succeeded else st.error)(text)
