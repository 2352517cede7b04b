"""The digits dashboard: navigation between the pages and the sidebar they share.

Run with `streamlit run app.py`. Pages are scripts in pages/; none of Home, Explore or this
file imports TensorFlow, so the app paints at once.
"""

import streamlit as st

from ui.jobs import collect
from ui.keras_guard import keep_keras_state
from ui.nav import leave_legacy_navigation, sidebar

st.set_page_config(page_title="digits", page_icon="✍️", layout="wide")
leave_legacy_navigation(entry_script=True)
keep_keras_state()

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/explore.py", title="Explore", icon=":material/grid_view:", url_path="explore"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:", url_path="train"),
    st.Page("pages/evaluate.py", title="Evaluate", icon=":material/analytics:", url_path="evaluate"),
    st.Page("pages/draw.py", title="Draw", icon=":material/draw:", url_path="draw"),
]

page = st.navigation(PAGES)
collect()
sidebar()
page.run()
