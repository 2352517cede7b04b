"""Compare: two to four models side by side, what one gets right that the other gets wrong, and whether it is luck."""

import numpy as np
import pandas as pd
import streamlit as st

from digits_core.preprocess import upscale
from digits_core.store import StoreError
from digits_core.worker import WorkerError
from ui.charts import chart, table
from ui.glossary import explain, meaning
from ui.layout import side_by_side
from ui.lesson import COMPARED, compared_kinds, note
from ui.nav import leave_legacy_navigation
from ui.palette import CATEGORIES, CATEGORY_NAMES
from ui.describe import curves_summary, digit_alt, table_behind
from ui.matrix import pick_cell, show_confusion
from ui.plots import accuracy_time_scatter, learning_curves, recall_bars
from ui.runs import run_for
from ui.state import active_model, book, completed, mnist, model_choices, stored_models, warm_training_process

leave_legacy_navigation()
warm_training_process()  # a model picked here may be saved or looked inside next: TensorFlow's import starts now
GALLERY = 18


def default_pick(choices: list[str]) -> list[str]:
    """The two newest runs of the session, else the active model and the next choice."""
    active = active_model()
    first = [run.label for run in reversed(book().runs)] + ([active.name] if active else [])
    return list(dict.fromkeys([c for c in first if c in choices] + choices))[:2]


def curves(runs: dict[str, object], colours: dict[str, str], seconds: bool) -> None:
    """Every model's learning curves on one pair of charts, against epochs or seconds of training."""
    records = []
    for number, run in enumerate(runs.values(), start=1):
        elapsed = np.cumsum([record.get("seconds", np.nan) for record in run.history])
        records += [{**record, "run": number, "elapsed": t} for record, t in zip(run.history, elapsed)]
    if not records:
        st.caption("None of these models has a training history.")
        return
    chart(learning_curves(records, by_run=True, names=dict(enumerate(runs, start=1)),
                          colours=dict(enumerate(colours.values(), start=1)), x="elapsed" if seconds else "epoch",
                          height=360))
    st.caption(" ".join(curves_summary(run.history, name) for name, run in runs.items()))


def summary_table(runs: dict[str, object], labels: np.ndarray) -> pd.DataFrame:
    """Each model's parameters, epochs, training time, test accuracy and loss, mistakes and file size: a column a
    model, so that four models still fit a phone (their names wrap, eight measures would not)."""
    def facts(run) -> dict[str, str]:
        predicted = run.probabilities.argmax(1)
        return {"parameters": f"{run.parameters:,}", "epochs": f"{len(run.history)}",
                "training time": "" if run.train_seconds is None else f"{run.train_seconds:.1f} s",
                "test accuracy": f"{np.mean(predicted == labels):.2%}",
                "test loss": "" if run.test_loss is None else f"{run.test_loss:.4f}",
                "mistakes": f"{np.sum(predicted != labels):,} of {len(labels):,}",
                "file size": f"{run.file_size / 1024:,.0f} KB"}

    return pd.DataFrame({name: facts(run) for name, run in runs.items()})


def recalls(runs: dict[str, object]) -> dict[str, np.ndarray]:
    """Each model's recall per digit on the test set."""
    from digits_core.compare import recall

    return {name: recall(mnist().y_test, run.probabilities.argmax(1)) for name, run in runs.items()}


def pair_gallery(comparison, indices: np.ndarray) -> None:
    """Test images with each model's reading and confidence under them."""
    if not len(indices):
        st.caption("None.")
        return
    shown = indices[:GALLERY]
    images = mnist().x_test[shown]
    captions = [f"true {comparison.labels[i]} · A {comparison.predicted_a[i]} {comparison.confidence_a[i]:.0%}"
                f" · B {comparison.predicted_b[i]} {comparison.confidence_b[i]:.0%}" for i in shown]
    alts = [f"{digit_alt(comparison.labels[i], 'from the test set')}, read as {comparison.predicted_a[i]} by A "
            f"({comparison.confidence_a[i]:.0%}) and as {comparison.predicted_b[i]} by B "
            f"({comparison.confidence_b[i]:.0%})" for i in shown]
    st.image([upscale(image, 3) for image in images], caption=captions, width=110, alt=alts)
    if len(indices) > GALLERY:
        st.caption(f"The first {GALLERY} of {len(indices)}, the wrong model's most confident first.")


def pair(runs: dict[str, object], named: dict[str, str]) -> None:
    """Model A against model B: the 2x2 table, McNemar's test, the difference of their matrices and galleries."""
    from digits_core.compare import compare

    left, right = st.columns(2)
    names = list(runs)
    a = left.selectbox("Model A", names, 0)
    b = right.selectbox("Model B", names, 1 if len(names) > 1 else 0)
    labels = mnist().y_test
    result = compare(labels, runs[a].probabilities, runs[b].probabilities)
    st.markdown(f"A = :{named[a]}[**{a}**], B = :{named[b]}[**{b}**]")
    with st.container(horizontal=True):
        st.metric("They disagree on", f"{len(result.disagree):,} images", help="Test images that one model reads "
                  "differently from the other")
        st.metric("A right, B wrong", f"{result.only_a:,}", help="Test images A reads right and B gets wrong")
        st.metric("B right, A wrong", f"{result.only_b:,}", help="Test images B reads right and A gets wrong")
    st.info(result.verdict(runs[a].name, runs[b].name), icon=":material/casino:")
    explain("McNemar's test", "p-value")
    table(pd.DataFrame({"B right": [result.both_right, result.only_b], "B wrong": [result.only_a, result.both_wrong]},
                       index=["A right", "A wrong"]), width="content")
    matrix, cell_area = side_by_side("difference", 20, 20)
    with matrix:
        st.subheader("B's confusion matrix minus A's", help=meaning("confusion matrix"))
        st.caption("Blue: B puts more images in the cell, red: fewer. Click a cell to see the images only one "
                   "model puts there.")
        show_confusion(result.confusion_delta, "difference", difference=True)
        cell = pick_cell(result.confusion_delta, "difference", None, difference=True)
    with cell_area:
        if cell is None:
            st.caption("No cell picked yet.")
        else:
            only_a, only_b = result.cell_split(*cell)
            st.subheader(f"True {cell[0]}, read as {cell[1]}")
            st.markdown(f"**By A only: {len(only_a)} image(s)**")
            pair_gallery(result, only_a)
            st.markdown(f"**By B only: {len(only_b)} image(s)**")
            pair_gallery(result, only_b)
    gallery_a, gallery_b = st.columns(2, gap="medium")
    with gallery_a:
        st.subheader(f"A right, B wrong: {result.only_a}")
        pair_gallery(result, result.a_right_b_wrong)
    with gallery_b:
        st.subheader(f"B right, A wrong: {result.only_b}")
        pair_gallery(result, result.b_right_a_wrong)


def scatter(colours: dict[str, str]) -> None:
    """Accuracy against training time for the session's runs and every stored model, sized by parameters."""
    rows = [{"name": run.label, "seconds": run.train_seconds, "accuracy": run.test_accuracy,
             "parameters": run.parameters} for run in book().runs]
    for entry in stored_models():
        try:
            parameters = entry.meta.get("parameters") or completed(entry.name).meta["parameters"]
        except (StoreError, WorkerError):  # a damaged model has no place on the chart; the table says why if picked
            continue
        rows.append({"name": entry.name, "seconds": entry.meta.get("train_seconds"), "accuracy": entry.test_accuracy,
                     "parameters": parameters})
    points = pd.DataFrame(rows).dropna()
    if points.empty:
        st.caption("No model with a training time yet.")
        return
    chart(accuracy_time_scatter(points, colours))
    table_behind(points.rename(columns={"name": "model", "seconds": "training time (s)",
                                        "accuracy": "test accuracy"}).round(4))


st.title("Compare models")
st.caption("Pick two to four of this session's runs or stored models. Each keeps its colour in every chart.")
choices = model_choices()
if len(choices) < 2:
    st.info("Comparing needs two models: train one on the Train page (or two presets back to back).")
    st.stop()
picked = st.multiselect("Models", choices, default_pick(choices), max_selections=4, key="compared")
if len(picked) < 2:
    st.info("Choose at least two models.")
    st.stop()
try:
    with st.spinner("Scoring the models on the 10,000 test images..."):
        runs = {label: run_for(label) for label in picked}
except (StoreError, WorkerError) as exc:
    st.error(str(exc))
    st.stop()
colours = {label: CATEGORIES[number] for number, label in enumerate(picked)}  # the same in every chart and text
if compared_kinds(runs.values()):
    note(COMPARED)

st.subheader("Learning curves")
seconds = st.radio("x axis", ["epochs", "seconds"], horizontal=True, key="compare_x") == "seconds"
curves(runs, colours, seconds)
table_area, recall_area = side_by_side("summary", 20, 20)
with table_area:
    st.subheader("Side by side")
    st.table(summary_table(runs, mnist().y_test))
    explain("parameters", "epoch", "accuracy", "loss")
with recall_area:
    st.subheader("Recall per digit", help=meaning("recall"))
    per_digit = recalls(runs)
    chart(recall_bars(per_digit, colours))
    table_behind(pd.DataFrame(per_digit).rename_axis("digit").round(4))

st.header("A pair, image by image")
pair(runs, dict(zip(picked, CATEGORY_NAMES)))
st.header("Accuracy against training time")
st.caption("Every run of this session and every stored model; the larger the marker, the more parameters.")
scatter(colours)
