"""Inside: what each layer of the network sees, which pixels decided, and where a digit sits among the others.

The prediction comes first, read in the server through LiteRT as on Draw; the panels follow as the
training process answers (seconds for a model it has not looked inside yet), so they never hold it up.
"""

import threading

import numpy as np
import streamlit as st

from digits_core.explained import ExplainError, blocks, overlay, shipped_embedding, tile
from digits_core.preprocess import ImageError, TooSmallError, to_mnist
from digits_core.store import StoreError
from digits_core.worker import ModelSource, RemoteExplainer, Worker, WorkerError
from ui.describe import digit_alt, neighbourhood_summary, probabilities_summary
from ui.draw import CANVAS_PX, drawing_pad, predictor, sharp_image
from ui.layout import fixed_and_beside
from ui.glossary import explain, meaning
from ui.inside import INDEX, LAST_DIGIT, MAP_SIZES, SOURCE, SOURCES
from ui.lesson import LOOKED_INSIDE, note
from ui.nav import leave_legacy_navigation
from ui.plots import embedding_scatter, feature_grid, network_dot, picture, probability_bars, unit_strip
from ui.state import derived, mnist, model_source, models, pick_model, store, training_worker, warm_training_process

leave_legacy_navigation()
warm_training_process()  # TensorFlow's import starts now, not when the first digit is chosen
PREPARED = "inside_prepared"  # the model choice whose explainer the training process was asked to build ahead


def explainer(choice: str) -> RemoteExplainer:
    """The chosen model's explainer, in the training process: TensorFlow stays out of the server."""
    worker = training_worker()
    return derived(choice, "explainer", lambda models, picked: worker.explainer(models.worker_source(picked)))


def prepare(choice: str) -> None:
    """Have the training process build the model's explainer in the background, once a session and choice, while
    the student picks a digit: the panels then come as soon as the digit does. Its errors show when it is used."""
    if st.session_state.get(PREPARED) == choice:
        return
    st.session_state[PREPARED] = choice
    worker, source = training_worker(), model_source(choice)
    threading.Thread(target=_build_quietly, args=(worker, source), name="digits-inside-prepare", daemon=True).start()


def _build_quietly(worker: Worker, source: ModelSource) -> None:
    try:
        worker.explain(source, None)
    except Exception:  # noqa: BLE001 - the page asks again, and says what went wrong, when it needs the model
        pass


def chosen_image() -> np.ndarray | None:
    """The 28x28 digit to look inside: drawn here, the last one read on Draw, or a test image."""
    source = st.radio("Input", SOURCES, key=SOURCE, horizontal=True)
    if source == SOURCES[0]:
        st.caption(f"Drawing needs a mouse, a pen or a finger; with the keyboard, choose {SOURCES[2].lower()} above.")
        drawing = drawing_pad("inside")
        try:
            return None if drawing is None else to_mnist(drawing).image
        except TooSmallError as exc:
            st.info(str(exc).capitalize())
            return None
        except ImageError:
            return None
    if source == SOURCES[1]:
        if st.session_state.get(LAST_DIGIT) is None:
            st.caption("Nothing read on Draw yet in this session.")
        return st.session_state.get(LAST_DIGIT)
    index = st.number_input("Test image", 0, len(mnist().x_test) - 1, key=INDEX)
    st.caption(f"Test image {index} is labelled {mnist().y_test[index]}.")
    return mnist().x_test[index]


def feature_maps(outputs, helper) -> None:
    """Each convolution's channels, strongest first; each dense layer's units as a strip."""
    ends = [outputs[end] for _, end in blocks([o.kind for o in outputs])]
    convs = [o for o in ends if o.values.ndim == 3]
    if not convs:
        st.info("This is a dense network: it has no convolutions, so no feature maps. Its first layer flattens "
                "the 28x28 image into 784 numbers, so each unit below looks at the whole image at once.")
    else:
        st.caption("Each small square is one channel of a convolution: a detector slid over the image. Bright "
                   "where it found its pattern. Strongest channels first; deeper layers are smaller and coarser.")
        for column, output in zip(st.columns(len(convs)), convs):
            column.markdown(f"**{output.name}**: {output.shape[2]} channels of {output.shape[0]}x{output.shape[1]}")
            column.plotly_chart(feature_grid(tile(output.values)), width="stretch", key=f"maps-{output.name}")
    for output in (o for o in ends if o.values.ndim == 1):
        st.markdown(f"**{output.name}**: {output.shape[0]} units")
        st.plotly_chart(unit_strip(output.values), width="stretch", key=f"units-{output.name}")
    filters = helper.first_filters()
    if filters is not None:
        st.caption("The first convolution's filters (its learned weights): the small patterns it looks for.")
        st.plotly_chart(feature_grid(tile(np.moveaxis(filters, 0, -1), columns=16), height=160), width="stretch")


def saliency_panel(helper, image: np.ndarray, read: int) -> None:
    """Integrated gradients for the digit read (or one chosen), Grad-CAM beside it."""
    digit = st.selectbox("Why this digit?", range(10), index=read, key="why_digit",
                         help="Pick another digit to ask 'why not a 7?'")
    found = helper.saliency(image, digit)
    st.caption("Red to yellow: the pixels that pushed the model most toward this digit (integrated gradients: "
               "the image faded in from black, the push of each pixel added up).")
    columns = st.columns(3)
    columns[0].plotly_chart(picture(overlay(image, found.integrated_gradients), f"pixels for {digit}"),
                            width="stretch")
    if found.grad_cam is not None:
        columns[1].plotly_chart(picture(overlay(image, found.grad_cam), f"Grad-CAM for {digit}"), width="stretch")
        columns[1].caption("Grad-CAM: the regions the last convolution used; coarse, since its maps are small.")
    else:
        columns[1].caption("Grad-CAM needs a convolution: a dense network has none.")


def embedding_panel(helper, choice: str, image: np.ndarray, read: int) -> None:
    """Test images on a map of the model's last hidden layer, the digit as a star, its nearest training images."""
    count = st.selectbox("Test images on the map", MAP_SIZES, key="map_size")
    picked = models().find(choice)
    shipped = shipped_embedding(store(), picked.name) if picked is not None and picked.stored else None
    emap = helper.embedding(count, shipped)
    star = emap.place(helper.features(image[None]))
    hover = [f"test image {i}: a {label}" for i, label in enumerate(emap.labels)]
    plot, near = st.columns([3, 2])
    plot.caption(f"Each point is a test image where the model's last hidden layer puts it ({emap.method}, two "
                 "dimensions of many). Digits the model finds alike lie close; the star is yours.")
    plot.plotly_chart(embedding_scatter(emap.positions, emap.labels, star, read, hover), width="stretch")
    plot.caption(neighbourhood_summary(emap.positions, emap.labels, star))
    near.caption("To the model it looks like these training images (nearest in its last hidden layer; "
                 "label · distance):")
    columns = near.columns(4)
    for slot, neighbour in enumerate(helper.nearest(image)):
        sharp_image(columns[slot % 4], mnist().x_train[neighbour.index], 84,
                    f"{neighbour.label} · {neighbour.distance:.1f}",
                    digit_alt(neighbour.label, "from the training set") + f", distance {neighbour.distance:.1f}")


st.title("Inside the network")
choice = pick_model("inside")
if choice is None:
    st.info("No model is available yet: train one on the Train page and come back.")
    st.stop()
pad, result = fixed_and_beside(CANVAS_PX, "pad")
with pad:
    image = chosen_image()
if image is None:
    prepare(choice)
    result.info("Draw a digit, or take a test image: every panel below shows what the model does with it.")
    st.stop()
try:
    with result, st.spinner("Loading the model..."):
        probabilities = predictor(choice).probabilities(image[None])[0]
except (StoreError, WorkerError) as exc:
    st.error(str(exc))
    st.stop()
read = int(probabilities.argmax())
note(LOOKED_INSIDE)
with result:
    verdict, seen = st.columns(2)
    verdict.metric("Prediction", read, help="The digit with the highest probability")
    verdict.caption(f"Confidence {probabilities[read]:.1%}", help=meaning("confidence"))
    sharp_image(seen, image, 140, "the 28x28 input", digit_alt(where="as the network gets it, 28 by 28 pixels",
                                                                read=read, confidence=probabilities[read]))
    st.plotly_chart(probability_bars(probabilities, height=220), width="stretch")
    st.caption("The last layer (softmax): ten probabilities that add up to one. "
               + probabilities_summary(probabilities), help=meaning("softmax"))
try:
    with st.spinner("Looking inside the model (the first time, the training process starts TensorFlow)..."):
        helper = explainer(choice)
        outputs = helper.layer_outputs(image)
except (StoreError, ExplainError, WorkerError) as exc:
    st.error(str(exc))
    st.stop()

st.subheader("The network")
st.caption("The layers from left to right, each with the shape of what it hands on; a convolution or dense "
           "layer's normalisation and activation are in its box.")
st.graphviz_chart(network_dot(outputs))
explain("convolution", "dense layer", "pooling", "batch norm", "activation", "softmax")
st.subheader("What each layer sees", help=meaning("feature map"))
feature_maps(outputs, helper)
st.subheader("Which pixels decided")
saliency_panel(helper, image, read)
explain("integrated gradients", "Grad-CAM")
st.subheader("Where it sits among the others")
embedding_panel(helper, choice, image, read)
explain("last hidden layer", "t-SNE", "PCA", "nearest training images")
