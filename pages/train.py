"""Train: choose or customise a network, watch it learn live, keep and save the result."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from digits_core import PRESETS, DEFAULT_PRESET, ModelSpec, SpecError
from digits_core.spec import ACTIVATIONS, HEADS, OPTIMIZERS, SCHEDULES
from ui.jobs import busy, live, progress_bar, start
from ui.nav import leave_legacy_navigation
from ui.plots import learning_curves
from ui.state import mnist, store, trained_result

leave_legacy_navigation()


@st.cache_data(show_spinner="Building the network...")
def summary(spec_json: str) -> pd.DataFrame:
    from digits_core.network import build_model, summarize

    return pd.DataFrame(summarize(build_model(ModelSpec.from_json(spec_json))))


def spec_form(preset: str) -> ModelSpec:
    """Every field of the preset's spec as a widget; keys carry the preset so switching resets them."""
    base = PRESETS[preset].spec.to_dict()
    k = f"{preset}-"
    st.caption("Conv blocks and dense layers: edit cells, add or delete rows.")
    conv = st.data_editor(pd.DataFrame(base["conv"], columns=["filters", "kernel_size", "strides", "padding",
                                                              "batch_norm", "pool", "dropout"]),
                          num_rows="dynamic", key=k + "conv", width="stretch")
    dense = st.data_editor(pd.DataFrame(base["dense"], columns=["units", "batch_norm", "dropout"]),
                           num_rows="dynamic", key=k + "dense", width="stretch")
    a, b, c = st.columns(3)
    fields = dict(
        head=a.selectbox("Head", HEADS, HEADS.index(base["head"]), key=k + "head"),
        head_dropout=a.number_input("Head dropout", 0.0, 0.95, base["head_dropout"], 0.05, key=k + "hd"),
        activation=a.selectbox("Activation", ACTIVATIONS, ACTIVATIONS.index(base["activation"]), key=k + "act"),
        optimizer=b.selectbox("Optimizer", OPTIMIZERS, OPTIMIZERS.index(base["optimizer"]), key=k + "opt"),
        learning_rate=b.number_input("Learning rate", 1e-5, 1.0, base["learning_rate"], format="%.4f", key=k + "lr"),
        beta_1=b.number_input("Adam beta_1", 0.0, 0.999, base["beta_1"], key=k + "b1"),
        momentum=b.number_input("SGD momentum", 0.0, 0.999, base["momentum"], key=k + "mom"),
        schedule=b.selectbox("Schedule", SCHEDULES, SCHEDULES.index(base["schedule"]), key=k + "sch"),
        batch_size=c.number_input("Batch size", 1, 4096, base["batch_size"], key=k + "bs"),
        epochs=c.number_input("Epochs", 1, 100, base["epochs"], key=k + "ep"),
        validation_split=c.number_input("Validation split", 0.0, 0.45, base["validation_split"], 0.05, key=k + "vs"),
        label_smoothing=c.number_input("Label smoothing", 0.0, 0.45, base["label_smoothing"], 0.05, key=k + "ls"),
    )
    aug = base["augmentation"]
    x, y, z = st.columns(3)
    fields["augmentation"] = dict(
        shift=x.number_input("Augment: shift (px)", 0.0, 8.0, float(aug["shift"]), key=k + "sh"),
        rotation=y.number_input("Augment: rotation (deg)", 0.0, 45.0, float(aug["rotation"]), key=k + "rot"),
        zoom=z.number_input("Augment: zoom", 0.0, 0.5, float(aug["zoom"]), key=k + "zoom"),
    )
    layers = dict(conv=_rows(conv), dense=_rows(dense))
    return ModelSpec.from_dict({**fields, **layers})


def _rows(frame: pd.DataFrame) -> list[dict]:
    """Editor rows as plain dicts, skipping empty rows and numpy scalar types."""
    return [{k: v.item() if hasattr(v, "item") else v for k, v in row.items() if pd.notna(v)}
            for row in frame.dropna(how="all").to_dict("records")]


def train_job(spec: ModelSpec, samples: int):
    """The run for the background thread; the data is taken here, since the thread must not touch st.*."""
    from digits_core.training import train

    data = mnist().subset(samples)
    return lambda job: train(spec, data, progress=job, stop=job.stop)


def draw_progress(snap, job) -> None:
    if not snap.finished:
        progress_bar(snap)
    if snap.epochs:
        st.plotly_chart(learning_curves(snap.epochs), width="stretch", key=f"curves-{job.ticket}")


def keras_bytes(model) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


st.title("Train a network")
preset = st.selectbox("Preset", list(PRESETS), list(PRESETS).index(DEFAULT_PRESET))
st.caption(PRESETS[preset].description)
samples = st.number_input("Training samples", 100, 60_000, 60_000, 100,
                          help="Fewer samples train faster (a quick classroom run) but learn less")
with st.expander("Customise the network and its training", expanded=False):
    try:
        spec = spec_form(preset)
    except (SpecError, TypeError, ValueError) as exc:
        st.error(f"This network cannot be built: {exc}")
        spec = None
if spec is not None:
    table = summary(spec.to_json())
    st.dataframe(table, width="stretch", hide_index=True)
    st.caption(f"Total parameters: **{table['parameters'].sum():,}**")

st.button("Train", type="primary", disabled=spec is None or busy(),
          on_click=lambda: start("train", preset, train_job(spec, int(samples))))

live("train", draw_progress)

result = trained_result()
if result is not None and not busy():
    st.subheader("The trained model")
    a, b, c = st.columns(3)
    a.metric("Test accuracy", f"{result.test_accuracy:.2%}")
    b.metric("Training time", f"{result.train_seconds:.1f} s")
    c.metric("Epochs", f"{len(result.history)}" + (" (stopped)" if result.stopped else ""))
    st.success("This model is now the session's active model: try it on Evaluate and Draw.")
    name = st.text_input("Model name", value=f"my-{preset}")
    if st.button("Save"):
        from digits_core.store import StoreError

        meta = {"preset": preset, "test_accuracy": result.test_accuracy, "test_loss": result.test_loss,
                "train_seconds": result.train_seconds, "spec": result.spec.to_dict(), "history": result.history,
                "train_samples": int(samples)}
        try:
            store().save(name, result.model, meta)
            st.success(f"Saved as {name}.")
        except StoreError as exc:
            st.error(str(exc))
    d1, d2 = st.columns(2)
    d1.download_button("Download the model (.keras)", lambda: keras_bytes(result.model), "model.keras")
    history_csv = pd.DataFrame(result.history).to_csv(index=False)
    d2.download_button("Download the history (CSV)", history_csv, "history.csv", "text/csv")
