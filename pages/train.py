"""Train: choose or customise a network, watch it learn live, keep and save the result."""

import pandas as pd
import streamlit as st

from digits_core import PRESETS, DEFAULT_PRESET, ModelSpec, SpecError
from digits_core.store import model_to_bytes
from digits_core.spec import ACTIVATIONS, HEADS, LIMITS, OPTIMIZERS, PADDINGS, SCHEDULES
from ui.jobs import busy, current_job, draw_progress, live, start
from ui.nav import leave_legacy_navigation
from ui.plots import learning_curves
from ui.state import mnist, store, trained_result

leave_legacy_navigation()
RUN = "train_run"  # the preset of the latest run started in this session
WHOLE_NUMBERS = {"filters", "kernel_size", "strides", "units"}



def column(name: str, label: str, default: float, step: float = 1) -> st.column_config.NumberColumn:
    """A layer-table column bounded by the spec's own limits for `name`."""
    limit = LIMITS[name]
    return st.column_config.NumberColumn(label, min_value=limit.low, max_value=limit.high, step=step, default=default)


def number(where, label: str, limit: str, value: float, key: str, **options) -> float:
    """A number input bounded by the spec's LIMITS[limit], so the form offers exactly what the spec accepts."""
    bounds = LIMITS[limit]
    value = int(value) if bounds.integer else float(value)
    return where.number_input(label, bounds.low, bounds.high, value, key=key, **options)


CONV_COLUMNS = {
    "filters": column("filters", "filters", 32),
    "kernel_size": column("kernel_size", "kernel", 3),
    "strides": column("strides", "strides", 1),
    "padding": st.column_config.SelectboxColumn("padding", options=PADDINGS, default="valid"),
    "batch_norm": st.column_config.CheckboxColumn("batch norm", default=False),
    "pool": st.column_config.CheckboxColumn("2x2 pool", default=False),
    "dropout": column("dropout", "dropout", 0.0, 0.05),
}
DENSE_COLUMNS = {
    "units": column("units", "units", 128),
    "batch_norm": st.column_config.CheckboxColumn("batch norm", default=False),
    "dropout": column("dropout", "dropout", 0.0, 0.05),
}


@st.cache_data(show_spinner="Building the network...")
def summary(spec_json: str) -> pd.DataFrame:
    """Layer, type, output shape and parameters of the network a spec builds."""
    from digits_core.network import build_model, summarize

    return pd.DataFrame(summarize(build_model(ModelSpec.from_json(spec_json))))


def layer_editor(rows: list[dict], columns: dict, key: str, label: str) -> list[dict]:
    """An editable table of layers (add or delete rows), returned as plain dicts."""
    st.markdown(f"**{label}**")
    frame = st.data_editor(pd.DataFrame(rows, columns=list(columns)), column_config=columns, num_rows="dynamic",
                           key=key, width="stretch", hide_index=True)
    rows = frame.dropna(how="all").to_dict("records")
    return [{k: _cell(k, v) for k, v in row.items() if pd.notna(v)} for row in rows]


def _cell(column: str, value):
    """A plain Python value; whole-number columns turn 32.0 (pandas' float for a column with gaps) into 32."""
    value = value.item() if hasattr(value, "item") else value
    return int(value) if column in WHOLE_NUMBERS and isinstance(value, float) and value.is_integer() else value


def spec_form(preset: str) -> ModelSpec:
    """Every field of the preset's spec as a widget; keys carry the preset so switching resets them."""
    base = PRESETS[preset].spec.to_dict()
    k = f"{preset}-"
    st.caption("Edit the cells of the layer tables, add rows at the bottom, delete them with the row's checkbox.")
    conv = layer_editor(base["conv"], CONV_COLUMNS, k + "conv", "Convolution blocks")
    dense = layer_editor(base["dense"], DENSE_COLUMNS, k + "dense", "Hidden dense layers")
    a, b, c = st.columns(3)
    fields = dict(
        head=a.selectbox("Head", HEADS, HEADS.index(base["head"]), key=k + "head"),
        head_dropout=number(a, "Head dropout", "dropout", base["head_dropout"], k + "hd", step=0.05),
        activation=a.selectbox("Activation", ACTIVATIONS, ACTIVATIONS.index(base["activation"]), key=k + "act"),
        optimizer=b.selectbox("Optimizer", OPTIMIZERS, OPTIMIZERS.index(base["optimizer"]), key=k + "opt"),
        learning_rate=number(b, "Learning rate", "learning_rate", base["learning_rate"], k + "lr", format="%.4f"),
        beta_1=number(b, "Adam beta_1", "beta_1", base["beta_1"], k + "b1"),
        momentum=number(b, "SGD momentum", "momentum", base["momentum"], k + "mom"),
        schedule=b.selectbox("Schedule", SCHEDULES, SCHEDULES.index(base["schedule"]), key=k + "sch"),
        batch_size=number(c, "Batch size", "batch_size", base["batch_size"], k + "bs"),
        epochs=number(c, "Epochs", "epochs", base["epochs"], k + "ep"),
        validation_split=number(c, "Validation split", "validation_split", base["validation_split"], k + "vs",
                                step=0.05),
        label_smoothing=number(c, "Label smoothing", "label_smoothing", base["label_smoothing"], k + "ls", step=0.05),
    )
    aug = base["augmentation"]
    x, y, z = st.columns(3)
    fields["augmentation"] = dict(
        shift=number(x, "Augment: shift (px)", "shift", aug["shift"], k + "sh"),
        rotation=number(y, "Augment: rotation (deg)", "rotation", aug["rotation"], k + "rot"),
        zoom=number(z, "Augment: zoom", "zoom", aug["zoom"], k + "zoom"),
    )
    return ModelSpec.from_dict({**fields, "conv": conv, "dense": dense})


def start_training(preset: str, spec: ModelSpec, samples: int) -> None:
    """Start the run; the data is taken here, since the thread must not touch st.*."""
    from digits_core.training import train

    data = mnist().subset(samples)
    st.session_state[RUN] = {"preset": preset}
    start("train", preset, lambda job: train(spec, data, progress=job, stop=job.stop))


def save(result, name: str) -> None:
    """Save the trained model to the store under `name`, with what it was trained on."""
    from digits_core.store import StoreError

    try:
        saved = store().save(name, result.model, result.metadata(st.session_state.get(RUN, {}).get("preset")))
    except StoreError as exc:
        st.error(str(exc))
    else:
        st.success(f"Saved as `{saved.name}`: Evaluate and Draw list it now.")


st.title("Train a network")
settings, network = st.columns([2, 3], gap="large")
with settings:
    preset = st.selectbox("Preset", list(PRESETS), list(PRESETS).index(DEFAULT_PRESET))
    chosen = PRESETS[preset]
    reported = f" Reported accuracy: **{chosen.reported_accuracy:.2%}**." if chosen.reported_accuracy else ""
    st.caption(chosen.description + reported)
    samples = st.number_input("Training samples", 100, 60_000, 60_000, 100,
                              help="Fewer samples train faster (a quick classroom run) but learn less")
    train_area = st.container()
with st.expander("Customise the network and its training", expanded=False):
    try:
        spec = spec_form(preset)
    except (SpecError, TypeError, ValueError) as exc:
        st.error(f"This network cannot be built: {exc}")
        spec = None
with network:
    if spec is not None:
        table = summary(spec.to_json())
        st.dataframe(table, width="stretch", hide_index=True, height=320, column_config={
            "layer": st.column_config.TextColumn(width="small"), "type": st.column_config.TextColumn(width="small"),
            "parameters": st.column_config.NumberColumn(width="small")})
        st.caption(f"Total parameters: **{table['parameters'].sum():,}** · {spec.epochs} epoch(s), "
                   f"batch {spec.batch_size}, {spec.optimizer}, {spec.schedule} learning rate")
with train_area:
    # Not an on_click callback: its arguments would be those of the last finished run, so a
    # setting changed just before the click could be lost. Rerun at once to disable the button.
    if st.button("Train", type="primary", disabled=spec is None or busy()):
        start_training(preset, spec, int(samples))
        st.rerun()

live("train", draw_progress)

result = trained_result()
if result is not None and not busy("train"):
    if current_job("train") is None:  # a later run (a cross-validation) replaced the live chart: redraw its epochs
        st.plotly_chart(learning_curves(result.history), width="stretch")
    st.subheader("The trained model")
    a, b, c = st.columns(3)
    a.metric("Test accuracy", f"{result.test_accuracy:.2%}")
    b.metric("Training time", f"{result.train_seconds:.1f} s")
    c.metric("Epochs", f"{len(result.history)}" + (" (stopped)" if result.stopped else ""))
    st.success("This model is now the session's active model: try it on Evaluate and Draw.")
    name_column, save_column = st.columns([3, 1], vertical_alignment="bottom")
    name = name_column.text_input("Model name", value=f"my-{st.session_state.get(RUN, {}).get('preset', preset)}")
    if save_column.button("Save", width="stretch"):
        save(result, name)
    d1, d2 = st.columns(2)
    d1.download_button("Download the model (.keras)", lambda: model_to_bytes(result.model), "model.keras",
                       on_click="ignore")
    d2.download_button("Download the history (CSV)", pd.DataFrame(result.history).to_csv(index=False),
                       "history.csv", "text/csv", on_click="ignore")
