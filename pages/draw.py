"""Draw: write a digit with the mouse (or upload a photo) and watch the model read it."""

import streamlit as st

from digits_core.store import StoreError
from ui.draw import predictor, show_prediction
from ui.nav import leave_legacy_navigation
from ui.state import pick_model

leave_legacy_navigation()
CANVAS_PX = 280
ROUND = "canvas_round"  # part of the canvas key: a new round is a new, empty canvas
HINT = "Draw a digit in the black square: the prediction appears when you release the mouse."


def clear() -> None:
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1


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
    from streamlit_drawable_canvas import st_canvas  # a Components v2 module: importable only in a running app

    pad, result_area = st.columns([5, 7], gap="medium")
    with pad:
        stroke = st.slider("Stroke width", 8, 40, 20)
        canvas = st_canvas(stroke_width=stroke, stroke_color="#FFFFFF", background_color="#000000",
                           height=CANVAS_PX, width=CANVAS_PX, drawing_mode="freedraw", return_image_data=True,
                           key=f"canvas-{st.session_state.get(ROUND, 0)}")
        st.button("Clear", on_click=clear, help="Wipe the canvas and start again")
    with result_area:
        image = getattr(canvas, "image_data", None)
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
