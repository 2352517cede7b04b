"""Home: what the app is, the way through it, the data at a glance and the active model."""

import streamlit as st

from ui.nav import leave_legacy_navigation
from ui.routes import HOME, ROUTES
from ui.state import active_model, mnist, stored_models

leave_legacy_navigation()

st.title("Handwritten digits, from pixels to predictions")
st.markdown(
    "This dashboard walks through the classic first project of deep learning: teaching a "
    "neural network to read handwritten digits from the **MNIST** dataset with TensorFlow/Keras. "
    "Look at the data, train a network while its learning curves grow, find out what it gets "
    "wrong, then draw digits for it to read."
)

steps = [route for route in ROUTES if route is not HOME]
for column, (number, route) in zip(st.columns(len(steps)), enumerate(steps, start=1)):
    with column.container(border=True):
        st.page_link(route.script, label=f"{number} · {route.title}")
        st.caption(route.pitch)

data = mnist()
left, right = st.columns(2)
with left:
    st.subheader("The dataset")
    st.markdown(
        f"- **{len(data.x_train):,}** training and **{len(data.x_test):,}** test images\n"
        f"- each **28 x 28** pixels, grey levels 0-255 (`{data.x_train.dtype}`), white digit on black\n"
        "- ten classes, the digits 0 to 9, written by American students and census employees"
    )
with right:
    st.subheader("The active model")
    model = active_model()
    if model is None:
        st.info("No model is ready yet. Train one on the Train page (about a minute with the "
                "default preset), or wait for the shipped default model.")
    else:
        st.metric("Accuracy on the test set", "n/a" if model.accuracy is None else f"{model.accuracy:.2%}",
                  help="Share of the 10,000 test images the model reads correctly")
        st.caption(f"Model `{model.name}`. {len(stored_models())} model(s) in the store.")
