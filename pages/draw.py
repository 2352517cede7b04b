"""Draw: write a digit with the mouse (or upload a photo) and watch the model read it."""

import streamlit as st

from digits_core.store import StoreError
from ui.draw import predictor, show_prediction
from ui.nav import leave_legacy_navigation
from ui.state import default_choice, model_choices

leave_legacy_navigation()

st.title("Draw a digit")
choices = model_choices()
if not choices:
    st.info("No model is available yet. The shipped default model is not in models/ yet; "
            "train one on the Train page and come back.")
    st.stop()
choice = st.selectbox("Model", choices, default_choice(choices))
try:
    reader = predictor(choice)
except StoreError as exc:
    st.error(str(exc))
    st.stop()

draw_tab, upload_tab = st.tabs(["Draw", "Upload a picture"])
with draw_tab:
    from streamlit_drawable_canvas import st_canvas

    pad, result_area = st.columns([1, 2])
    with pad:
        stroke = st.slider("Stroke width", 8, 40, 20)
        if st.button("Clear"):
            st.session_state["canvas_round"] = st.session_state.get("canvas_round", 0) + 1
        canvas = st_canvas(stroke_width=stroke, stroke_color="#FFFFFF", background_color="#000000",
                           height=280, width=280, drawing_mode="freedraw", return_image_data=True,
                           key=f"canvas-{st.session_state.get('canvas_round', 0)}")
    with result_area:
        image = getattr(canvas, "image_data", None) if canvas is not None else None
        if image is None:
            st.info("Draw a digit in the black square: the prediction appears when you release the mouse.")
        else:
            show_prediction(reader, image, "Draw a digit in the black square: the prediction appears "
                                           "when you release the mouse.")
with upload_tab:
    upload = st.file_uploader("A PNG or JPEG of one digit", type=["png", "jpg", "jpeg"])
    if upload is not None:
        show_prediction(reader, upload.getvalue(), "No ink found in this picture: is the digit there?")
