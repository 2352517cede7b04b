"""Plotly charts and data tables that wait for a new tab's first paint, so a first visit shows the page first.

A tab's first Plotly chart makes the browser fetch Plotly's 4.7 MB of script and run it for about
0.7 s, and the page's other elements waited for it: Explore's first digits showed 2.9 s after
the address was typed, 2.0 s without charts. A tab's first table does the same with 1.5 MB (Arrow's
and the grid's): Evaluate's metric came 0.5 s later with its two tables than without them. So
until a session has painted a page, a chart or a table leaves its space empty, and a fragment
reruns the page once, a moment after the browser has painted it, this time with them. Later pages
in the tab draw theirs at once.
The moment is a guess the browser times: a rerun that arrives while the browser still renders
the page starts that render again (after 1 s, Evaluate's metric sometimes waited for its charts).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

PAINTED = "tab_painted"  # session state: the tab has painted a page, charts and tables draw at once
WAITING = "elements_waiting"  # session state: how many charts and tables this run left waiting
WAITING_KEY = "after-paint"  # their spaces' key (and CSS class): tests wait for them in their place
RERUN_ARMED = "paint_rerun_armed"  # session state: the one rerun after the first paint is scheduled
FIRST_PAINT_SECONDS = 1.5  # after the run reaches the browser: a heavy page (Evaluate) has painted by then here
PLOTLY_HEIGHT = 450  # Plotly's own default, for figures that set none
TABLE_ROW_PX = 35  # a data frame's row (and header) height, Streamlit's default
TABLE_MAX_PX = 400  # the height Streamlit gives a data frame of many rows when it sets none


def chart(figure: go.Figure, where: DeltaGenerator | None = None, **options: Any) -> None:
    """`where.plotly_chart(figure, width="stretch", **options)`, or its space left empty in a tab not yet painted."""
    target = st if where is None else where  # st: the block the caller is in
    if st.session_state.get(PAINTED):
        target.plotly_chart(figure, width="stretch", **options)
    else:
        _leave_space(target, int(figure.layout.height or PLOTLY_HEIGHT))


def table(data: pd.DataFrame, where: DeltaGenerator | None = None, **options: Any) -> None:
    """`where.dataframe(data, **options)`, or its space left empty in a tab not yet painted."""
    target = st if where is None else where
    if st.session_state.get(PAINTED):
        target.dataframe(data, **options)
    else:
        _leave_space(target, options.get("height") or min((len(data) + 1) * TABLE_ROW_PX + 3, TABLE_MAX_PX))


def _leave_space(target: DeltaGenerator, height: int) -> None:
    waiting = st.session_state[WAITING] = st.session_state.get(WAITING, 0) + 1
    target.container(height=height, border=False, key=f"{WAITING_KEY}-{waiting}")


def show_waiting_elements() -> None:
    """At the end of a page's run: when charts or tables waited, rerun the page once after the browser painted it."""
    if st.session_state.pop(WAITING, False):
        st.session_state[RERUN_ARMED] = False
        st.fragment(_rerun_with_charts, run_every=FIRST_PAINT_SECONDS)()


def _rerun_with_charts() -> None:
    """Nothing in the run that declares it; in the browser's timed rerun, the whole page again, charts and tables
    drawn (the full run ends the timer: nothing declares it again)."""
    if st.session_state.get(RERUN_ARMED):
        st.session_state[PAINTED] = True
        st.rerun(scope="app")
    st.session_state[RERUN_ARMED] = True
