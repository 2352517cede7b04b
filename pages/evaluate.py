"""Evaluate: test metrics, the clickable confusion matrix, per-digit scores, mistakes, k-fold CV."""

import streamlit as st

from digits_core import PRESETS
from digits_core.preprocess import upscale
from digits_core.store import StoreError
from digits_core.worker import WorkerError
from ui.charts import chart, table
from ui.inside import INDEX, SOURCE, SOURCES
from ui.jobs import busy, draw_progress, live, start
from ui.layout import side_by_side
from ui.forms import bounded_number
from ui.glossary import explain, meaning
from ui.lesson import EVALUATED_OWN, note
from ui.nav import leave_legacy_navigation
from ui.describe import curves_summary, digit_alt
from ui.matrix import pick_cell, show_confusion
from ui.plots import fold_box, learning_curves
from ui.state import CV_RESULT, book, derived, mnist, pick_model, training_worker

leave_legacy_navigation()
GALLERY = 24
CV_PRESET = "cnn-small"  # no batch norm: it learns well from the small default subset, in seconds a fold
# Each column as wide as its heading needs (75 px each, "small", were too wide for a phone)
PER_DIGIT = {term: st.column_config.NumberColumn(format="%.3f", width=px, help=meaning(term))
             for term, px in (("precision", 80), ("recall", 64), ("f1", 56))}


def evaluation(choice: str):
    """The chosen model scored on the test set: once per stored model, once for the session's own."""
    with st.spinner("Scoring the 10,000 test images..."):
        return derived(choice, "evaluation", lambda models, picked: models.evaluation(picked, mnist()))


def images_with_probabilities(result, indices, gallery: str) -> None:
    """A gallery: each image with its true label, prediction, probability bar and a way to look inside."""
    images = mnist().x_test
    columns = st.columns(6)
    for slot, index in enumerate(indices):
        with columns[slot % 6]:
            predicted = int(result.predicted[index])
            st.image(upscale(images[index], 3), width=84, alt=digit_alt(
                result.labels[index], "from the test set", predicted, result.probabilities[index, predicted]))
            st.progress(float(result.probabilities[index, predicted]),
                        text=f"true {result.labels[index]} → {predicted}: "
                             f"{result.probabilities[index, predicted]:.0%}")
            if st.button("Inside", key=f"{gallery}-{index}", help="Open this image on the Inside page"):
                st.session_state.update({SOURCE: SOURCES[2], INDEX: int(index)})
                st.switch_page("pages/inside.py")


def most_confused(result) -> tuple[int, int] | None:
    """The (true, predicted) pair the model mixes up most: the cell shown until one is picked."""
    if not len(result.confused_pairs):
        return None
    top = result.confused_pairs.iloc[0]
    return int(top["true"]), int(top["predicted"])


def start_cv(preset: str, folds: int, samples: int, epochs: int) -> None:
    """Start the run in the training process (taken here: the thread must not touch st.*)."""
    spec, worker = PRESETS[preset].spec.with_changes(epochs=epochs), training_worker()
    start("cv", preset, lambda job: worker.cross_validate(spec, samples, folds, job))


def draw_cv_curves(snap, job) -> None:
    """While it runs: every fold's learning curves so far."""
    if not snap.finished and snap.epochs:
        st.plotly_chart(learning_curves(snap.epochs, by_run=True), width="stretch", key=f"cv-{job.ticket}")


def show_cv(cv) -> None:
    """The folds' held-out accuracies as a box plot, and each fold's learning curves."""
    st.metric("Mean held-out accuracy", f"{cv.mean:.2%} ± {cv.std:.2%}",
              help="The average accuracy of the k networks on the slices they did not learn from, ± how much "
                   "they differ (the standard deviation)")
    if cv.stopped:
        st.caption(f"Stopped after {len(cv.fold_accuracies)} fold(s); the last one did not finish its epochs.")
    box, curves = st.columns([1, 2])
    chart(fold_box(cv.fold_accuracies), box)
    box.caption("Held-out accuracy of each fold: " + ", ".join(f"{a:.2%}" for a in cv.fold_accuracies) + ".")
    records = [{**record, "run": fold} for fold, history in enumerate(cv.histories, start=1) for record in history]
    chart(learning_curves(records, by_run=True), curves)
    curves.caption(" ".join(curves_summary(history, f"Fold {fold}") for fold, history in enumerate(cv.histories, 1)))


st.title("Evaluate a model")
choice = pick_model("evaluate")
if choice is None:
    st.info("No model yet: train one on the Train page. The shipped default model appears here once it is in models/.")
else:
    try:
        result = evaluation(choice)
    except (StoreError, WorkerError) as exc:  # a damaged model, or an old one the training process could not complete
        st.error(str(exc))
        result = None
    if result is not None:
        if book().find(choice) is not None:
            note(EVALUATED_OWN)
        with st.container(horizontal=True):
            st.metric("Test accuracy", f"{result.accuracy:.2%}", help=f"{meaning('accuracy')} {meaning('test set')}")
            st.metric("Test loss", f"{result.loss:.4f}", help=meaning("loss"))
            st.metric("Mistakes", f"{len(result.mistakes):,} of {len(result.labels):,}",
                      help="Test images the model reads wrong")

        matrix, scores = side_by_side("evaluate", 20, 20)
        with matrix:
            st.subheader("Confusion matrix", help=meaning("confusion matrix"))
            st.caption("Rows: the true digit; columns: what the model read. Click a cell to see its images.")
            show_confusion(result.confusion, "confusion")
            cell = pick_cell(result.confusion, "confusion", most_confused(result))
        with scores:
            st.subheader("Per digit")
            table(result.per_class, width="stretch", column_config={
                **PER_DIGIT, "support": st.column_config.NumberColumn("images", width=64, help=meaning("images"))})
            explain("precision", "recall", "f1")
            st.subheader("Most confused pairs")
            table(result.confused_pairs, width="stretch", hide_index=True, height=220)
        if cell is not None:
            indices = result.cell_indices(*cell)
            st.subheader(f"True {cell[0]}, read as {cell[1]}: {len(indices)} image(s)")
            images_with_probabilities(result, indices[:GALLERY], "cell")
        st.subheader("The most confident mistakes", help=meaning("confidence"))
        images_with_probabilities(result, result.mistakes[:GALLERY], "mistake")

st.divider()
st.header("k-fold cross-validation", help=meaning("cross-validation"))
st.caption("Train the same preset k times, each time holding out a different slice of the training "
           "set, to see how much the accuracy depends on the split.")
a, b, c, d = side_by_side("cv", 10, 10, 10, 10, gap="small")
cv_preset = a.selectbox("Preset", list(PRESETS), list(PRESETS).index(CV_PRESET), key="cv_preset")
folds = bounded_number(b, "Folds", 2, 10, 5, "cv_folds", help="k: how many networks to train, each with a different "
                       "slice held out.")
cv_samples = bounded_number(c, "Samples", 500, 60_000, 5_000, "cv_samples", step=500, help=meaning("training samples"))
cv_epochs = bounded_number(d, "Epochs per fold", 1, 20, 2, "cv_epochs", help=meaning("epoch"))
if st.button("Run cross-validation", disabled=busy()):  # not on_click: see the Train button
    start_cv(cv_preset, int(folds), int(cv_samples), int(cv_epochs))
    st.rerun()
live("cv", draw_progress, draw_cv_curves)
if st.session_state.get(CV_RESULT) is not None and not busy("cv"):
    show_cv(st.session_state[CV_RESULT])
