"""Handwriting: the class's own digits, corrected on Draw; how a model reads them; export, import, fine-tune."""

import io

import streamlit as st

from digits_core.handwriting import MIN_DIGITS, Collection, HandwritingError
from digits_core.preprocess import upscale
from digits_core.models import Models
from digits_core.store import StoreError
from ui.board import post_controls
from ui.jobs import busy, current_job, draw_curves, draw_progress, live, start
from ui.draw import predictor
from ui.nav import leave_legacy_navigation
from ui.plots import confusion_figure
from ui.state import active_model, book, derived, mnist, models, pick_model

leave_legacy_navigation()
SHOWN = 40  # samples of one digit in the grid, newest first
PER_ROW = 8
IMPORTED = "handwriting_imported"  # (succeeded, message) of the last import, shown once


def class_evaluation(choice: str, digits):
    """The chosen model scored on the class's digits by Draw's reader (a stored model without TensorFlow);
    not cached, since the collection changes with every correction."""
    from digits_core.evaluation import from_probabilities

    return from_probabilities(predictor(choice).probabilities(digits.x_test), digits.y_test)


def sample_grid(collection: Collection, digit: int) -> None:
    """The newest samples of one digit, each with what the model read and a Delete button."""
    samples = collection.samples(digit)[:SHOWN]
    if not samples:
        st.info(f"No {digit} yet: correct a prediction on Draw, or import a collection below.")
        return
    columns = st.columns(PER_ROW)
    for slot, sample in enumerate(samples):
        with columns[slot % PER_ROW]:
            st.image(upscale(sample.image, 3), width=84)
            read = "imported" if sample.predicted is None else f"read as {sample.predicted}"
            st.caption(read)
            st.button("Delete", key=f"delete-{sample.id}", on_click=collection.delete, args=(sample.id,),
                      help="Remove this sample from the class collection")


def start_finetune(choice: str, digits) -> None:
    """Start the fine-tune as this session's job; model, spec and data are taken here (the thread never calls st.*)."""
    from digits_core.finetune import finetune

    model, picked = derived(choice, "keras_model", Models.keras_model), models().find(choice)
    data = mnist()
    start("finetune", f"{picked.name} tuned to the class",
          lambda job: finetune(model, picked.spec, data, digits, progress=job, stop=job.stop))


def tuned_figures() -> None:
    """The latest fine-tune of this session: held-out class accuracy before and after, and MNIST's."""
    job = current_job("finetune")
    result = job.snapshot().result if job is not None and job.finished else None
    if result is None:
        return
    a, b, c = st.columns(3)
    a.metric("Held-out class digits, before", f"{result.held_out_before:.1%}",
             help=f"{result.held_out_count} digits of the class the tuning never saw")
    b.metric("Held-out class digits, after", f"{result.held_out_after:.1%}",
             delta=f"{(result.held_out_after - result.held_out_before) * 100:+.1f} points")
    c.metric("MNIST test set, after", f"{result.test_accuracy:.2%}")
    st.success("The tuned model is now this session's model: try it on Draw; save it on Train.")
    tuned = next((run for run in reversed(book().runs) if run.preset == job.label), None)
    if tuned is not None:
        post_controls(tuned)


def export_import(collection: Collection) -> None:
    """Download the collection as an .npz in MNIST's layout; add the digits of one."""
    st.warning("Streamlit Community Cloud forgets its disk whenever the app restarts: download the collection "
               "at the end of a lesson and import it at the start of the next.", icon=":material/cloud_off:")
    left, right = st.columns(2)
    buffer = io.BytesIO()
    collection.export_npz(buffer)
    left.download_button("Download the collection (.npz)", buffer.getvalue(), "handwriting.npz",
                         "application/octet-stream", on_click="ignore",
                         help="x_test (N, 28, 28) uint8 and y_test (N,): the layout of MNIST's test set")
    upload = right.file_uploader("Import a collection (.npz in MNIST's layout)", type=["npz"])
    if upload is not None:  # a callback: it runs before the page, so the counts and scores above include the import
        right.button("Add its digits to the collection", on_click=import_upload, args=(collection, upload))
    if IMPORTED in st.session_state:
        added, text = st.session_state.pop(IMPORTED)
        (right.success if added else right.error)(text)


def import_upload(collection: Collection, upload) -> None:
    """Add the uploaded file's digits; say how many, or why not, on the next run."""
    try:
        st.session_state[IMPORTED] = True, f"Added {collection.import_npz(upload.getvalue())} digits."
    except HandwritingError as exc:
        st.session_state[IMPORTED] = False, str(exc)


st.title("The class's handwriting")
st.caption("Every correction made on Draw lands here: the 28x28 image the model saw and the digit it really was. "
           "Only images and labels are kept, no names.")
collection = Collection()
try:
    counts = collection.counts()
except HandwritingError as exc:
    st.error(str(exc))
    st.stop()

st.metric("Digits in the collection", f"{counts.sum():,}")
picked = st.segmented_control("Digit", list(range(10)), default=0, key="handwriting_digit",
                              format_func=lambda d: f"{d} ({counts[d]})")
if picked is not None:
    sample_grid(collection, int(picked))

st.header("How a model reads the class's digits")
choice = pick_model()
digits = collection.digits()
if choice is None:
    st.info("No model yet: train one on the Train page.")
elif not len(digits.y_test):
    st.info("The collection is empty: correct a few predictions on Draw first.")
else:
    try:
        result = class_evaluation(choice, digits)
    except StoreError as exc:
        st.error(str(exc))
    else:
        model = active_model()
        a, b = st.columns(2)
        a.metric("Accuracy on the class's digits", f"{result.accuracy:.1%}", help=f"{len(digits.y_test)} digits")
        b.metric("Accuracy on MNIST's test set", "not measured" if model is None or model.accuracy is None
                 else f"{model.accuracy:.2%}")
        st.caption("Rows: the digit the student meant; columns: what the model read.")
        st.plotly_chart(confusion_figure(result.confusion), width="stretch", key="class_confusion")

st.header("Fine-tune the model to the class")
st.caption("Train the model a little more on MNIST and the class's digits (each worth ten MNIST digits, shifted "
           "and turned at random). A fifth of the class's digits is kept aside: the accuracy on them before and "
           "after says whether the model learnt the class's handwriting or only remembered it.")
enough = len(digits.y_test) >= MIN_DIGITS
if st.button("Fine-tune", type="primary", disabled=choice is None or not enough or busy()):
    start_finetune(choice, digits)
    st.rerun()
if not enough:
    st.caption(f"Fine-tuning needs at least {MIN_DIGITS} digits in the collection.")
live("finetune", draw_progress, draw_curves)
tuned_figures()

st.header("Export and import")
export_import(collection)
