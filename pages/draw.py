"""Draw: write a digit with the mouse (or upload a photo) and watch the model read it."""

import streamlit as st

from digits_core.store import StoreError
from ui.draw import drawing_pad, predictor, show_prediction
from ui.nav import leave_legacy_navigation
from ui.state import pick_model

leave_legacy_navigation()
HINT = "Draw a digit in the black square: the prediction appears when you release the mouse."


st.title("Draw a digit")
choice = pick_model()
if choice is None:
    st.info("No model is available yet. The shipped default model is not in models/ yet; "
            "train one on the Train page and come back.")
    st.stop()
try:
    with st.spinner("Loading the model..."):
        reader = predictor(choice)
except StoreError as exc:
    st.error(str(exc))
    st.stop()

draw_tab, upload_tab = st.tabs(["Draw", "Upload a picture"])
with draw_tab:
    pad, result_area = st.columns([5, 7], gap="medium")
    with pad:
        image = drawing_pad("canvas")
    with result_area:
        if image is None:
            st.info(HINT)
        else:
            show_prediction(reader, image, HINT)
with upload_tab:
    upload = st.file_uploader("A PNG or JPEG of one digit", type=["png", "jpg", "jpeg"])
    if upload is None:
        st.info("Any photo or scan of one digit works: dark ink on light paper or light on dark.")
    else:
        show_prediction(reader, upload.getvalue(), "No ink found in this picture: is the digit there?")
