"""Who this browser is, and what it may do: a stand-in until the class's identity and teacher role are wired.

browser_id() and locked() keep their names and signatures when the real identity replaces this file.
"""

from __future__ import annotations

import streamlit as st


def browser_id() -> str | None:
    """This browser's random id (kept in the URL once identity is wired), or None when it has none yet."""
    return st.session_state.get("browser_id")


def nickname() -> str | None:
    """The nickname this browser chose, or None."""
    return st.session_state.get("nickname")


def is_teacher() -> bool:
    """Whether this session may do the teacher's actions: everyone, until a teacher's passcode exists."""
    return True


def locked(action: str) -> str | None:
    """Why this session may not do `action` (delete, relabel, import, clear, ...), in one line; None when it may.

    Every guarded button takes its `disabled=` from here, so the teacher's gate is one place."""
    return None
