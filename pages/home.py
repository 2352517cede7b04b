"""Home: what the app is, the lesson to start with, a map of the pages, the data and the model that reads drawings."""

import streamlit as st

from ui.glossary import meaning
from ui.nav import leave_legacy_navigation
from ui.routes import HOME, LESSON, ROUTES
from ui.state import active_model, mnist, stored_models

leave_legacy_navigation()
CARD_PX = 240  # a page's card: cards wrap onto more rows on a narrow screen instead of squeezing their titles

st.title("Handwritten digits, from pixels to predictions")
st.markdown(
    "This dashboard walks through the classic first project of deep learning: teaching a "
    "neural network to read handwritten digits from the **MNIST** dataset with TensorFlow/Keras. "
    "Look at the data, train a network while its learning curves grow, find out what it gets "
    "wrong, then draw digits for it to read.",
    help=meaning("MNIST"),
)

with st.container(border=True):
    st.subheader("New here? Follow the lesson")
    st.markdown("Seven steps, about 45 minutes: each says what to do, asks one question, opens the page it needs, "
                "and ticks itself off when you have done it.")
    if st.button("Start the lesson", type="primary", icon=":material/school:"):
        st.switch_page(LESSON.script)
    st.caption("Teachers: the notes for this lesson (timing, what to say, the answers, what usually goes wrong) "
               "are at the end of the lesson page, and in docs/lesson.md in the repository.")

st.subheader("Every page")
with st.container(horizontal=True, gap="small"):
    for number, route in enumerate((r for r in ROUTES if r not in (HOME, LESSON)), start=1):
        with st.container(border=True, width=CARD_PX):
            st.page_link(route.script, label=f"{number} · {route.title}", icon=route.icon)
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
    st.subheader("The model that reads your drawings", help=meaning("model"))
    model = active_model()
    if model is None:
        st.info("No model is ready yet. Train one on the Train page (about a minute with the "
                "default preset), or wait for the shipped default model.")
    else:
        st.metric("Accuracy on the test set", "n/a" if model.accuracy is None else f"{model.accuracy:.2%}",
                  help=f"{meaning('accuracy')} {meaning('test set')}")
        st.caption(f"Model **{model.name}**. {len(stored_models())} model(s) in the store. A new training does not "
                   "replace it: you choose on Train or Draw.")
