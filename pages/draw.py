"""Draw: write a digit with the mouse, upload a photo or show one to the camera, and watch the model read it."""

import streamlit as st

from digits_core.preprocess import MAX_BYTES
from digits_core.store import StoreError
from digits_core.worker import WorkerError
from ui.corrections import ask
from ui.draw import CANVAS_PX, drawing_pad, empty_bars, predictor, show_prediction
from ui.layout import fixed_and_beside
from ui.nav import leave_legacy_navigation
from ui.state import DRAW, pick_model

leave_legacy_navigation()
HINT = "Draw a digit in the black square: the prediction appears when you release the mouse."
KEYBOARD = ("Drawing needs a mouse, a pen or a finger. With the keyboard alone, take the **Upload a picture** tab "
            "(a photo or scan of one digit) or the **Camera** tab: the arrow keys move between the tabs.")


def read(source: object, hint: str, where: str) -> None:
    """Predict and show; then one click says whether it was right, for the class collection."""
    prediction = show_prediction(reader, source, hint)
    if prediction is not None:
        ask(source, prediction, where)


st.title("Draw a digit")
choice = pick_model(DRAW)
if choice is None:
    st.info("No model is available yet. The shipped default model is not in models/ yet; "
            "train one on the Train page and come back.")
    st.stop()
try:
    with st.spinner("Loading the model..."):
        reader = predictor(choice)
except (StoreError, WorkerError) as exc:  # a damaged stored model, or no training process to convert a run
    st.error(str(exc))
    st.stop()

st.caption(KEYBOARD)
draw_tab, upload_tab, camera_tab = st.tabs(["Draw", "Upload a picture", "Camera"])
with draw_tab:
    pad, result_area = fixed_and_beside(CANVAS_PX, "pad")
    with pad:
        image = drawing_pad("canvas")
    with result_area:
        if image is None:
            st.info(HINT)
            empty_bars()
        else:
            read(image, HINT, "canvas")
with upload_tab:
    upload = st.file_uploader("A PNG or JPEG of one digit", type=["png", "jpg", "jpeg"],
                              max_upload_size=MAX_BYTES // 1_000_000)  # a phone's photo (the server's cap too)
    if upload is None:
        st.info("Any photo or scan of one digit works: dark ink on light paper or light on dark.")
    else:
        read(upload.getvalue(), "No ink found in this picture: is the digit there?", "upload")
with camera_tab:
    shot = st.camera_input("Hold a digit written on paper up to the camera, then take the picture")
    if shot is None:
        st.info("Dark pen on white paper, the digit large in the picture; the table and shadows are left out.")
    else:
        read(shot.getvalue(), "No digit found in this picture: hold the paper nearer the camera.", "camera")
