"""The sidebar every page shares, and the one line every page starts with.

The rule for a page's author (pages/README.md has the template): call
`leave_legacy_navigation()` first, after the imports and before any other st.* call
(decorators such as @st.cache_data and module-level st.column_config count as calls).
tests/test_nav.py checks every pages/*.py for it.

Why: the project keeps its pages in a top-level pages/ folder, and Streamlit 1.67 treats an
app with a pages/ folder as a legacy multipage app until the first st.navigation call in the
process (AppTest: in every run). A page opened by its URL in that state runs on its own,
without app.py, with file names in the sidebar. The line notices that the page was not
reached through app.py and runs app.py in its place; app.py's st.navigation switches the
legacy mode off (public API only) and runs the page again, properly. No rerun, so a button
click is not lost.
"""

from __future__ import annotations

import runpy
import threading
from pathlib import Path
from typing import Any

import streamlit as st

from .jobs import sidebar_status
from .lesson import note
from .state import active_model, clock
from .text import plain

APP = Path(__file__).resolve().parents[1] / "app.py"
_through_app = threading.local()  # each session's script runs in its own thread


def run_page(page: Any) -> None:
    """Run the page st.navigation chose (app.py's last line), marked as reached through app.py."""
    _through_app.active = True
    note(f"opened {page.url_path}")
    try:
        page.run()
    finally:
        _through_app.active = False


def leave_legacy_navigation() -> None:
    """Every page's first call: if Streamlit ran this page without app.py, run app.py instead and stop."""
    if getattr(_through_app, "active", False):
        return
    runpy.run_path(str(APP), run_name="__main__")
    st.stop()


def sidebar(page: Any) -> None:
    """The model that reads drawings (name, test accuracy, since when) and the progress of this session's run, if
    any, beside `page`."""
    with st.sidebar:
        model = active_model()
        if model is None:
            st.caption("No model reads drawings yet: train one on Train, or wait for the shipped default model.")
        else:
            accuracy = "not measured" if model.accuracy is None else f"{model.accuracy:.2%} on the test set"
            st.markdown(f"**The model that reads your drawings**  \n{plain(model.name)}  \n{accuracy}, "
                        f"since {clock(model.since)}")  # a post's name is a student's text
        sidebar_status(page.url_path)
