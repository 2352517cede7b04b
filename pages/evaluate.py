"""Evaluate: test metrics, the clickable confusion matrix, per-digit scores, mistakes, k-fold CV."""

import numpy as np
import streamlit as st

from digits_core import PRESETS, DEFAULT_PRESET
from digits_core.store import StoreError
from ui.jobs import CV_RESULT, busy, live, progress_bar, start
from ui.nav import leave_legacy_navigation
from ui.plots import confusion_figure, fold_box, learning_curves
from ui.state import SESSION_MODEL, default_choice, keras_model, mnist, model_choices, stored_model

leave_legacy_navigation()
GALLERY = 24


@st.cache_resource(show_spinner="Scoring the 10,000 test images...", max_entries=8)
def stored_evaluation(name: str):
    from digits_core.evaluation import evaluate

    return evaluate(stored_model(name), mnist())


def evaluation(choice: str):
    """Evaluation of the chosen model: cached per stored name, kept in the session for a trained one."""
    if choice != SESSION_MODEL:
        return stored_evaluation(choice)
    from digits_core.evaluation import evaluate

    model = keras_model(choice)
    if st.session_state.get("session_eval_of") is not model:
        with st.spinner("Scoring the 10,000 test images..."):
            st.session_state["session_eval"] = evaluate(model, mnist())
        st.session_state["session_eval_of"] = model
    return st.session_state["session_eval"]


def images_with_probabilities(result, indices) -> None:
    """A gallery: each image with its true label, prediction and probability bar."""
    images = mnist().x_test
    columns = st.columns(6)
    for slot, index in enumerate(indices):
        with columns[slot % 6]:
            predicted = int(result.predicted[index])
            st.image(np.kron(images[index], np.ones((3, 3), np.uint8)), width=84)
            st.progress(float(result.probabilities[index, predicted]),
                        text=f"true {result.labels[index]} → {predicted}: "
                             f"{result.probabilities[index, predicted]:.0%}")


def cv_job(preset: str, folds: int, samples: int, epochs: int):
    """The run for the background thread; the data is taken here, since the thread must not touch st.*."""
    from digits_core.crossval import cross_validate

    spec, data = PRESETS[preset].spec.with_changes(epochs=epochs), mnist().subset(samples)
    return lambda job: cross_validate(spec, data, folds=folds, progress=job, stop=job.stop)


def draw_cv(snap, job) -> None:
    if not snap.finished:
        progress_bar(snap)
    if snap.epochs:
        st.plotly_chart(learning_curves(snap.epochs, by_run=True), width="stretch", key=f"cv-{job.ticket}")


st.title("Evaluate a model")
choices = model_choices()
if not choices:
    st.info("No model yet: train one on the Train page. The shipped default model appears here once it is in models/.")
else:
    choice = st.selectbox("Model", choices, default_choice(choices))
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

        left, right = st.columns([3, 2])
        with left:
            st.subheader("Confusion matrix")
            st.caption("Rows: the true digit; columns: what the model read. Click a cell to see its images.")
            event = st.plotly_chart(confusion_figure(result.confusion), width="stretch", on_select="rerun",
                                    selection_mode="points", key="confusion")
        from digits_core.evaluation import cell_from_point

        points = event.selection.points if event and event.selection else []
        cell = cell_from_point(points[0]) if points else None
        if cell is None and len(result.confused_pairs):
            top = result.confused_pairs.iloc[0]
            cell = int(top["true"]), int(top["predicted"])
        with right:
            st.subheader("Per digit")
            st.dataframe(result.per_class.style.format({"precision": "{:.3f}", "recall": "{:.3f}", "f1": "{:.3f}"}),
                         width="stretch")
            st.subheader("Most confused pairs")
            st.dataframe(result.confused_pairs, width="stretch", hide_index=True)
        if cell is not None:
            indices = result.cell_indices(*cell)
            st.subheader(f"True {cell[0]}, read as {cell[1]}: {len(indices)} image(s)")
            images_with_probabilities(result, indices[:GALLERY])
        st.subheader("The most confident mistakes")
        images_with_probabilities(result, result.mistakes[:GALLERY])

st.divider()
st.header("k-fold cross-validation")
st.caption("Train the same preset k times, each time holding out a different slice of the training "
           "set, to see how much the accuracy depends on the split.")
a, b, c, d = st.columns(4)
cv_preset = a.selectbox("Preset", list(PRESETS), list(PRESETS).index(DEFAULT_PRESET), key="cv_preset")
folds = b.number_input("Folds", 2, 10, 3)
cv_samples = c.number_input("Samples", 500, 60_000, 3_000, 500)
cv_epochs = d.number_input("Epochs per fold", 1, 20, 2)
st.button("Run cross-validation", disabled=busy(),
          on_click=lambda: start("cv", cv_preset, cv_job(cv_preset, int(folds), int(cv_samples), int(cv_epochs))))
live("cv", draw_cv)
cv = st.session_state.get(CV_RESULT)
if cv is not None and not busy():
    st.metric("Mean held-out accuracy", f"{cv.mean:.2%} ± {cv.std:.2%}")
    st.plotly_chart(fold_box(cv.fold_accuracies), width="stretch")
