"""The sidebar every page shares, and the guard against Streamlit's legacy pages/ mode."""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from .jobs import sidebar_status
from .state import active_model

APP = Path(__file__).resolve().parents[1] / "app.py"


def leave_legacy_navigation(entry_script: bool = False) -> None:
    """Hand the run to app.py's st.navigation if Streamlit started it in legacy pages/ mode.

    Streamlit 1.67 decides on a session's first run (and AppTest on every run) that an app
    with a pages/ folder is a legacy multipage app: it runs the page file without app.py,
    with file names in the sidebar. Only st.navigation switches that off, so the first
    script to run switches it off; a page then runs app.py in its place (which runs the
    page again, properly) and stops. No rerun, so a button click is not lost.
    """
    if not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False
    if not entry_script:
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()


def sidebar() -> None:
    """The active model (name, test accuracy) and the progress of this session's run, if any."""
    with st.sidebar:
        model = active_model()
        if model is None:
            st.caption("No active model yet: train one on Train, or wait for the shipped default model.")
        else:
            accuracy = "not measured" if model.accuracy is None else f"{model.accuracy:.2%} on the test set"
            st.markdown(f"**Active model**  \n`{model.name}`  \n{accuracy}")
        sidebar_status()
