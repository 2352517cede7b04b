"""Evaluate: test metrics, the clickable confusion matrix, per-digit scores, mistakes, k-fold CV."""

import streamlit as st

from digits_core import PRESETS
from digits_core.preprocess import upscale
from digits_core.store import StoreError
from ui.inside import INDEX, SOURCE, SOURCES
from ui.jobs import busy, draw_progress, live, start
from ui.nav import leave_legacy_navigation
from ui.plots import confusion_figure, fold_box, learning_curves, selected_cell
from ui.state import CV_RESULT, derived, mnist, pick_model, training_worker

leave_legacy_navigation()
GALLERY = 24
CV_PRESET = "cnn-small"  # no batch norm: it learns well from the small default subset, in seconds a fold
SCORE = st.column_config.NumberColumn(format="%.3f", width="small")


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
            st.image(upscale(images[index], 3), width=84)
            st.progress(float(result.probabilities[index, predicted]),
                        text=f"true {result.labels[index]} → {predicted}: "
                             f"{result.probabilities[index, predicted]:.0%}")
            if st.button("Inside", key=f"{gallery}-{index}", help="Open this image on the Inside page"):
                st.session_state.update({SOURCE: SOURCES[2], INDEX: int(index)})
                st.switch_page("pages/inside.py")


def clicked_cell(event, result) -> tuple[int, int] | None:
    """The (true, predicted) cell clicked in the matrix; the most confused pair until there is a click."""
    cell = selected_cell(event)
    if cell is None and len(result.confused_pairs):
        top = result.confused_pairs.iloc[0]
        cell = int(top["true"]), int(top["predicted"])
    return cell


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
    st.metric("Mean held-out accuracy", f"{cv.mean:.2%} ± {cv.std:.2%}")
    if cv.stopped:
        st.caption(f"Stopped after {len(cv.fold_accuracies)} fold(s); the last one did not finish its epochs.")
    box, curves = st.columns([1, 2])
    box.plotly_chart(fold_box(cv.fold_accuracies), width="stretch")
    records = [{**record, "run": fold} for fold, history in enumerate(cv.histories, start=1) for record in history]
    curves.plotly_chart(learning_curves(records, by_run=True), width="stretch")


st.title("Evaluate a model")
choice = pick_model()
if choice is None:
    st.info("No model yet: train one on the Train page. The shipped default model appears here once it is in models/.")
else:
    try:
        result = evaluation(choice)
    except StoreError as exc:
        st.error(str(exc))
        result = None
    if result is not None:
        a, b, c = st.columns(3)
        a.metric("Test accuracy", f"{result.accuracy:.2%}")
        b.metric("Test loss", f"{result.loss:.4f}")
        c.metric("Mistakes", f"{len(result.mistakes):,} of {len(result.labels):,}")

        matrix, scores = st.columns([4, 3], gap="medium")
        with matrix:
            st.subheader("Confusion matrix")
            st.caption("Rows: the true digit; columns: what the model read. Click a cell to see its images.")
            event = st.plotly_chart(confusion_figure(result.confusion), width="stretch", on_select="rerun",
                                    selection_mode="points", key="confusion")
        with scores:
            st.subheader("Per digit")
            st.dataframe(result.per_class, width="stretch", column_config={
                "precision": SCORE, "recall": SCORE, "f1": SCORE,
                "support": st.column_config.NumberColumn("images", width="small")})
            st.subheader("Most confused pairs")
            st.dataframe(result.confused_pairs, width="stretch", hide_index=True, height=220)
        cell = clicked_cell(event, result)
        if cell is not None:
            indices = result.cell_indices(*cell)
            st.subheader(f"True {cell[0]}, read as {cell[1]}: {len(indices)} image(s)")
            images_with_probabilities(result, indices[:GALLERY], "cell")
        st.subheader("The most confident mistakes")
        images_with_probabilities(result, result.mistakes[:GALLERY], "mistake")

st.divider()
st.header("k-fold cross-validation")
st.caption("Train the same preset k times, each time holding out a different slice of the training "
           "set, to see how much the accuracy depends on the split.")
a, b, c, d = st.columns(4)
cv_preset = a.selectbox("Preset", list(PRESETS), list(PRESETS).index(CV_PRESET), key="cv_preset")
folds = b.number_input("Folds", 2, 10, 5)
cv_samples = c.number_input("Samples", 500, 60_000, 5_000, 500)
cv_epochs = d.number_input("Epochs per fold", 1, 20, 2)
if st.button("Run cross-validation", disabled=busy()):  # not on_click: see the Train button
    start_cv(cv_preset, int(folds), int(cv_samples), int(cv_epochs))
    st.rerun()
live("cv", draw_progress, draw_cv_curves)
if st.session_state.get(CV_RESULT) is not None and not busy("cv"):
    show_cv(st.session_state[CV_RESULT])
