"""Plotly charts that wait for a new tab's first paint, so a first visit shows the page before its charts.

A tab's first Plotly chart makes the browser fetch Plotly's 4.7 MB of script and run it for about
0.7 s, and the page's other elements waited for it: Explore's first digits showed 2.9 s after
the address was typed, 2.0 s without charts. So until a session has drawn its first chart, a chart
leaves its space empty, and a fragment reruns the page once, a moment after the browser has
painted it, this time with the charts. Later pages in the tab have Plotly loaded and draw at once.
The moment is a guess the browser times: a rerun that arrives while the browser still renders
the page starts that render again (after 1 s, Evaluate's metric sometimes waited for its charts).
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

CHARTS_SHOWN = "charts_shown"  # session state: Plotly is loaded in this tab
CHARTS_WAITING = "charts_waiting"  # session state: how many charts this run left waiting
WAITING_KEY = "waiting-chart"  # their spaces' key (and CSS class): tests wait for the charts in their place
RERUN_ARMED = "charts_rerun_armed"  # session state: the one rerun after the first paint is scheduled
FIRST_PAINT_SECONDS = 1.5  # after the run reaches the browser: a heavy page (Evaluate) has painted by then here
PLOTLY_HEIGHT = 450  # Plotly's own default, for figures that set none


def chart(figure: go.Figure, where: DeltaGenerator | None = None, **options: Any) -> None:
    """`where.plotly_chart(figure, width="stretch", **options)`, or its space left empty in a tab with no chart yet."""
    target = st if where is None else where  # st: the block the caller is in
    if st.session_state.get(CHARTS_SHOWN):
        target.plotly_chart(figure, width="stretch", **options)
        return
    waiting = st.session_state[CHARTS_WAITING] = st.session_state.get(CHARTS_WAITING, 0) + 1
    target.container(height=int(figure.layout.height or PLOTLY_HEIGHT), border=False, key=f"{WAITING_KEY}-{waiting}")


def show_waiting_charts() -> None:
    """At the end of a page's run: when charts waited, rerun the page once after the browser has painted it."""
    if st.session_state.pop(CHARTS_WAITING, False):
        st.session_state[RERUN_ARMED] = False
        st.fragment(_rerun_with_charts, run_every=FIRST_PAINT_SECONDS)()


def _rerun_with_charts() -> None:
    """Nothing in the run that declares it; in the browser's timed rerun, the whole page again, charts drawn (the
    full run ends the timer: nothing declares it again)."""
    if st.session_state.get(RERUN_ARMED):
        st.session_state[CHARTS_SHOWN] = True
        st.rerun(scope="app")
    st.session_state[RERUN_ARMED] = True
