"""The digits dashboard: navigation between the pages and the sidebar they share.

Run with `streamlit run app.py`. Pages are scripts in pages/; none of them imports TensorFlow (its work
runs in the training process, digits_core/worker.py), so the app paints at once and stays small.
"""

from pathlib import Path

import streamlit as st

from ui.charts import show_waiting_elements
from ui.identity import identity_sidebar, keep_identity
from ui.jobs import collect
from ui.nav import run_page, sidebar
from ui.routes import HOME, ROUTES
from ui.runs import restore_runs

st.set_page_config(page_title="digits", page_icon="✍️", layout="wide")
st.html(Path(__file__).with_name("ui") / "screens.css")  # what makes the pages fit small screens

page = st.navigation([
    st.Page(r.script, title=r.title, icon=r.icon, url_path=r.url_path or None, default=r is HOME) for r in ROUTES
])
keep_identity()
restore_runs()  # a reload brings back the runs this browser kept
collect()
sidebar(page)
identity_sidebar()
run_page(page)  # the page's leave_legacy_navigation() checks that it came this way
show_waiting_elements()  # a new tab's charts and tables come once it has painted the page
