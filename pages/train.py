"""Train: choose or customise a network, watch it learn live, keep and save the result."""

import pandas as pd
import streamlit as st

from digits_core import PRESETS, DEFAULT_PRESET, ModelSpec, SpecError
from digits_core.classroom.database import ClassDatabaseError
from digits_core.classroom.defaults import MIN_IMAGES, TRAINING_IMAGES, TrainingDefaults
from digits_core.estimate import Work
from digits_core.runs import RunError
from digits_core.spec import ACTIVATIONS, HEADS, LIMITS, OPTIMIZERS, PADDINGS, SCHEDULES
from digits_core.store import MAX_NAME, NAME_RULE, StoreError, sanitize_name
from digits_core.worker import WorkerError
from ui.board import post_controls
from ui.charts import chart
from ui.describe import curves_summary
from ui.forms import bounded_number
from ui.glossary import explain, meaning
from ui.identity import locked
from ui.jobs import busy, current_job, draw_curves, draw_progress, live, rerun_app_after_sending, start, taken_in
from ui.layout import fixed_and_beside
from ui.nav import leave_legacy_navigation
from ui.plots import learning_curves
from ui.runs import active_run, delete_run, offer_for_drawing, rename_run, save_run, take_notices
from ui.state import (PLAN, activate, active_model, book, class_defaults, layer_tables, training_worker,
                      warm_training_process)
from ui.stored import stored_list
from ui.train import PRESET, SAMPLES

leave_legacy_navigation()
warm_training_process()  # TensorFlow's import starts now, not at the first click on Train
WHOLE_NUMBERS = {"filters", "kernel_size", "strides", "units"}
TRAIN_BUTTON = "train-button"
TABLE_POLL_SECONDS = 0.5
SETTINGS_PX = 330  # the preset, samples and Train beside the layer table (479 px): both fit a laptop and a projector
DEFAULTS_SEEN = "class_defaults_seen"  # the class defaults this session's form last started from


def column(name: str, label: str, default: float, term: str, step: float = 1) -> st.column_config.NumberColumn:
    """A layer-table column bounded by the spec's own limits for `name`, its header explained."""
    limit = LIMITS[name]
    return st.column_config.NumberColumn(label, min_value=limit.low, max_value=limit.high, step=step, default=default,
                                         help=f"{meaning(term)} Allowed: {limit.low:g} to {limit.high:g}.")


def number(where, label: str, limit: str, value: float, key: str, term: str, **options) -> float:
    """A number box for the spec's LIMITS[limit]: the form offers what the spec accepts and says so."""
    bounds = LIMITS[limit]
    value = int(value) if bounds.integer else float(value)
    return bounded_number(where, label, bounds.low, bounds.high, value, key, help=meaning(term), **options)


CONV_COLUMNS = {
    "filters": column("filters", "filters", 32, "filters"),
    "kernel_size": column("kernel_size", "kernel", 3, "kernel"),
    "strides": column("strides", "strides", 1, "strides"),
    "padding": st.column_config.SelectboxColumn("padding", options=PADDINGS, default="valid", help=meaning("padding")),
    "batch_norm": st.column_config.CheckboxColumn("batch norm", default=False, help=meaning("batch norm")),
    "pool": st.column_config.CheckboxColumn("2x2 pool", default=False, help=meaning("pooling")),
    "dropout": column("dropout", "dropout", 0.0, "dropout", 0.05),
}
DENSE_COLUMNS = {
    "units": column("units", "units", 128, "units"),
    "batch_norm": st.column_config.CheckboxColumn("batch norm", default=False, help=meaning("batch norm")),
    "dropout": column("dropout", "dropout", 0.0, "dropout", 0.05),
}


def layer_table(spec: ModelSpec) -> None:
    """Layer, type, output shape and parameters of the network, built by the training process; a placeholder until
    then, asked again every half second, so the form and the Train button never wait for it."""
    pending = layer_tables().ask(spec.to_json())
    st.fragment(_layer_table_body, run_every=None if pending.done() else TABLE_POLL_SECONDS)(spec, pending.done())


def _layer_table_body(spec: ModelSpec, was_ready: bool) -> None:
    pending = layer_tables().ask(spec.to_json())
    if not pending.done():
        st.caption("Building the layer table (the first time, the training process starts TensorFlow)...")
        st.dataframe(pd.DataFrame(columns=["layer", "type", "output shape", "parameters"]), width="stretch",
                     hide_index=True, height=320)
        return
    if pending.exception() is None:
        table = pd.DataFrame(pending.result())
        st.dataframe(table, width="stretch", hide_index=True, height=320, column_config={
            "layer": st.column_config.TextColumn(pinned=True),  # on a phone the table scrolls sideways under it
            "output shape": st.column_config.TextColumn(help=meaning("output shape")),
            "parameters": st.column_config.NumberColumn(help=meaning("parameters"))})
        st.caption(f"Total parameters: **{table['parameters'].sum():,}** · {spec.epochs} epoch(s), "
                   f"batch {spec.batch_size}, {spec.optimizer}, {spec.schedule} learning rate")
        explain("parameters", "epoch", "batch size", "optimizer", "learning rate")
    if not was_ready:  # a whole run draws the fragment again without its timer, and says why Train is off if it is
        rerun_app_after_sending()


def table_problem(spec: ModelSpec) -> str | None:
    """Why Train is off once the training process has tried to build the network, or None (also while it builds)."""
    pending = layer_tables().ask(spec.to_json())
    error = pending.exception() if pending.done() else None
    if isinstance(error, WorkerError):
        return f"The training process is not available, so nothing can be built or trained: {error}"
    return None if error is None else unbuildable(error)  # a network Keras cannot build from a valid spec


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


def spec_form(preset: str, epochs: int | None = None) -> ModelSpec:
    """Every field of the preset's spec as a widget (`epochs` if given, the class's default); keys carry the preset
    so switching resets them, and the epochs' key its default, so a new class default reaches every form."""
    base = PRESETS[preset].spec.to_dict()
    base["epochs"] = epochs or base["epochs"]
    k = f"{preset}-"
    st.caption("Edit the cells of the layer tables, add rows at the bottom, delete them with the row's checkbox.")
    conv = layer_editor(base["conv"], CONV_COLUMNS, k + "conv", "Convolution blocks")
    dense = layer_editor(base["dense"], DENSE_COLUMNS, k + "dense", "Hidden dense layers")
    explain("convolution", "dense layer", "filters", "pooling", "batch norm", "dropout")
    a, b, c = st.columns(3)
    fields = dict(
        head=a.selectbox("Head", HEADS, HEADS.index(base["head"]), key=k + "head", help=meaning("head")),
        head_dropout=number(a, "Head dropout", "dropout", base["head_dropout"], k + "hd", "dropout", step=0.05),
        activation=a.selectbox("Activation", ACTIVATIONS, ACTIVATIONS.index(base["activation"]), key=k + "act",
                               help=meaning("activation")),
        optimizer=b.selectbox("Optimizer", OPTIMIZERS, OPTIMIZERS.index(base["optimizer"]), key=k + "opt",
                              help=meaning("optimizer")),
        learning_rate=number(b, "Learning rate", "learning_rate", base["learning_rate"], k + "lr", "learning rate",
                             format="%.4f"),
        beta_1=number(b, "Adam beta_1", "beta_1", base["beta_1"], k + "b1", "beta_1"),
        momentum=number(b, "SGD momentum", "momentum", base["momentum"], k + "mom", "momentum"),
        schedule=b.selectbox("Schedule", SCHEDULES, SCHEDULES.index(base["schedule"]), key=k + "sch",
                             help=meaning("schedule")),
        batch_size=number(c, "Batch size", "batch_size", base["batch_size"], k + "bs", "batch size"),
        epochs=number(c, "Epochs", "epochs", base["epochs"], f"{k}ep{base['epochs']}", "epoch"),
        validation_split=number(c, "Validation split", "validation_split", base["validation_split"], k + "vs",
                                "validation split", step=0.05),
        label_smoothing=number(c, "Label smoothing", "label_smoothing", base["label_smoothing"], k + "ls",
                               "label smoothing", step=0.05),
    )
    aug = base["augmentation"]
    x, y, z = st.columns(3)
    fields["augmentation"] = dict(
        shift=number(x, "Augment: shift (px)", "shift", aug["shift"], k + "sh", "augmentation"),
        rotation=number(y, "Augment: rotation (deg)", "rotation", aug["rotation"], k + "rot", "augmentation"),
        zoom=number(z, "Augment: zoom", "zoom", aug["zoom"], k + "zoom", "augmentation"),
    )
    return ModelSpec.from_dict({**fields, "conv": conv, "dense": dense})


def start_training(plan: list[tuple[str, ModelSpec]], samples: int) -> None:
    """Start the runs, one after another in one job, in the training process (taken here: the thread must not
    touch st.*). The images are read from the job when it starts: lowered while it waits, they are fewer."""
    worker = training_worker()
    st.session_state[PLAN] = [preset for preset, _ in plan]
    label = " then ".join(st.session_state[PLAN])
    work = Work(" then ".join(f"{preset} x{spec.epochs}" for preset, spec in plan), samples)
    start("train", label, lambda job: worker.train_plan(plan, job.work.samples, job), work)


def fewer_images(job) -> None:
    """While the run waits in line: fewer training images make it, and everyone's wait behind it, shorter."""
    samples = bounded_number(st, "Training images (lower them while you wait)", MIN_IMAGES, job.work.samples,
                             job.work.samples, f"waiting-samples-{job.ticket}", step=100,
                             help="The run has not started: it will train on this many images.")
    if samples != job.work.samples:
        job.change_work(Work(job.work.network, int(samples)))


def follow_class_defaults(defaults: TrainingDefaults) -> None:
    """Start the form at the class defaults: at the first visit, and again whenever the teacher changes them."""
    seen = st.session_state.setdefault(DEFAULTS_SEEN, defaults)
    if seen != defaults:
        st.session_state[DEFAULTS_SEEN], st.session_state[SAMPLES] = defaults, defaults.samples


def teacher_defaults() -> None:
    """The class's default training images and epochs: set by the teacher, shown to everyone."""
    current, reason = class_defaults().current, locked("settings")
    epochs = "each preset's own epochs" if current.epochs is None else f"{current.epochs} epoch(s)"
    with st.expander(f"Class defaults: {current.samples:,} images, {epochs}", icon=":material/school:"):
        if reason:
            st.caption(reason)
        with st.form("class-defaults", border=False):
            samples = st.number_input("Class training images", MIN_IMAGES, TRAINING_IMAGES, current.samples,
                                      100, disabled=bool(reason))
            epochs = st.number_input("Class epochs (empty: each preset's own)", 1, int(LIMITS["epochs"].high),
                                     current.epochs, disabled=bool(reason))
            if st.form_submit_button("Set for the class", disabled=bool(reason)) and not locked("settings"):
                class_defaults().set(int(samples), None if epochs is None else int(epochs))
                st.rerun()


def latest_run(run) -> None:
    """The newest run's test accuracy, time and epochs."""
    st.subheader(f"The latest run: {run.name}" if run.name else "The latest run")
    a, b, c = st.columns(3)
    a.metric("Test accuracy", f"{run.test_accuracy:.2%}", help=f"{meaning('accuracy')} {meaning('test set')}")
    b.metric("Training time", f"{run.train_seconds:.1f} s", help="How long the network took to learn.")
    c.metric("Epochs", f"{len(run.history)}" + (" (stopped)" if run.stopped else ""), help=meaning("epoch"))


def draw_run(snap, job) -> None:
    """The live progress; once the run has ended, its result. The fragment that sees the end draws it from the
    snapshot, before the whole page is drawn again and the run joins the session's runs with its name."""
    if not snap.finished:
        draw_progress(snap, job)
    elif not taken_in(job) and snap.result:
        latest_run(snap.result[-1])
    elif book().runs:
        latest_run(book().runs[-1])


def runs_table(runs) -> object:
    """The session's runs, newest first, one selectable row each; returns the selected run (the active one first)."""
    shown = list(reversed(runs))
    active = active_model()
    frame = pd.DataFrame([{
        "reads drawings": active is not None and run.label == active.name, "run": run.name, "preset": run.preset,
        "samples": run.train_samples, "epochs": len(run.history), "seconds": run.train_seconds,
        "test accuracy": run.test_accuracy, "saved as": run.stored_as or ""} for run in shown])
    event = st.dataframe(frame, width="stretch", hide_index=True, on_select="rerun", selection_mode="single-row",
                         key="runs_table", column_order=[c for c in frame if c != "preset"], column_config={
                             "reads drawings": st.column_config.CheckboxColumn(  # the preset: from the eye icon
                                 "on Draw", help="The model Draw uses to read your drawings"),
                             "run": st.column_config.TextColumn(pinned=True),
                             "samples": st.column_config.NumberColumn(help=meaning("training samples")),
                             "epochs": st.column_config.NumberColumn(help=meaning("epoch")),
                             "seconds": st.column_config.NumberColumn(format="%.1f"),
                             "test accuracy": st.column_config.NumberColumn(format="percent",
                                                                            help=meaning("accuracy"))})
    rows = event.selection.rows if event and event.selection else []
    if rows and rows[0] < len(shown):
        return shown[rows[0]]
    return active_run() or shown[0]


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a run or a saved model, or None: the store's one rule, checked as it is typed."""
    try:
        sanitize_name(name)
    except StoreError:
        return f"This name cannot be used. A name is {NAME_RULE}."
    return None


def run_actions(run) -> None:
    """Use for drawings, rename, save, download or delete the selected run."""
    st.caption(f"Selected: **{run.name}**. Click a row of the table to choose another run.")
    name_column, rename_column, save_column = st.columns([3, 1, 1], vertical_alignment="bottom")
    name = name_column.text_input("Name", value=run.name, key=f"run-name-{run.id}", max_chars=MAX_NAME,
                                  help=f"A name is {NAME_RULE}.")
    problem = name_problem(name)
    try:
        if rename_column.button("Rename", width="stretch", disabled=problem is not None):
            rename_run(run, name)
            st.rerun()
        if save_column.button("Save", width="stretch", disabled=problem is not None, help="Keep it in the store: "
                              "Evaluate, Draw and Compare list it for everyone, and it is never dropped"):
            saved = save_run(run, name)
            st.success(f"Saved as `{saved.stored_as}`: every page lists it now.")
    except (RunError, StoreError, WorkerError, ClassDatabaseError) as exc:
        st.error(str(exc))
    if problem:
        st.error(problem, icon=":material/edit_off:")
    with st.container(horizontal=True):  # wraps onto two rows where four buttons do not fit
        st.button("Use to read drawings", on_click=activate, args=(run,), width="stretch",
                  disabled=run.label == active_name(), help="Draw will read your drawings with this run")
        st.download_button("Download (.keras)", lambda: run.model_bytes, f"{run.name}.keras", on_click="ignore",
                           width="stretch")
        st.download_button("History (CSV)", lambda: pd.DataFrame(run.history).to_csv(index=False),
                           f"{run.name}.csv", "text/csv", on_click="ignore", width="stretch")
        st.button("Delete", on_click=delete_run, args=(run.id,), width="stretch")
    post_controls(run)


def unbuildable(exc: Exception) -> str:
    """Why Train is off for a network that cannot be built, and where to change it."""
    return f"This network cannot be built: {str(exc).rstrip('.')}. Change it under *Customise the network* below."


def active_name() -> str | None:
    active = active_model()
    return active.name if active else None


st.title("Train a network")
defaults = class_defaults().current
follow_class_defaults(defaults)
settings, network = fixed_and_beside(SETTINGS_PX, "network")  # the layer table under it on a tablet
with settings:
    st.session_state.setdefault(PRESET, DEFAULT_PRESET)
    preset = st.selectbox("Preset", list(PRESETS), key=PRESET, help=meaning("preset"))
    chosen = PRESETS[preset]
    reported = f" Reported accuracy: **{chosen.reported_accuracy:.2%}**." if chosen.reported_accuracy else ""
    st.caption(chosen.description + reported)
    samples = bounded_number(st, "Training samples", MIN_IMAGES, TRAINING_IMAGES, defaults.samples, SAMPLES,
                             step=100, help=meaning("training samples"))
    then = st.multiselect("Then train, one after another", list(PRESETS), key="then",
                          help="More presets to train right after this one, on the same samples, each as it is "
                               "preset: one chart, a curve per run, to compare them on Compare")
    train_area = st.container()
problem = None  # why this network cannot be trained, said beside the Train button
with st.expander("Customise the network and its training", expanded=False):
    try:
        spec = spec_form(preset, defaults.epochs)
    except (SpecError, TypeError, ValueError) as exc:
        st.error(f"This network cannot be built: {exc}")
        problem, spec = unbuildable(exc), None
if spec is not None:
    problem = table_problem(spec)
with train_area:
    # The click is read before the button is drawn, so the run starts and the button is drawn disabled in the
    # same script run: no second run of the whole page while the training starts. (Not an on_click callback:
    # its arguments would be those of the run before, so a setting changed just before the click could be lost.)
    # Neither waits for the layer table: a click while the training process starts is taken at once.
    if st.session_state.get(TRAIN_BUTTON) and not problem and not busy():
        start_training([(preset, spec), *((p, PRESETS[p].spec) for p in then)], int(samples))
    st.button("Train", key=TRAIN_BUTTON, type="primary", disabled=bool(problem) or busy())
    if problem:
        st.error(f"Train is off. {problem}", icon=":material/block:")
    teacher_defaults()
with network:
    if spec is not None:
        layer_table(spec)

runs = book().runs
finished = bool(runs) and not busy("train")
if current_job("train") is None:
    # No live chart: the latest run's curves (a cross-validation replaced its job), or empty axes. Plotly's code
    # then loads with the page: loaded by a training's first redraw, it took 1.9 s of CPU from the training.
    if runs:
        latest_run(runs[-1])
    else:
        st.caption("The learning curves grow here while the network trains.")
    history, epochs = (runs[-1].history, None) if runs else ([], spec.epochs if spec else None)
    chart(learning_curves(history, total_epochs=epochs))
    if history:
        st.caption(curves_summary(history))
live("train", draw_run, lambda snap, job: draw_curves(snap, job, st.session_state.get(PLAN, [])), fewer_images)
explain("loss", "accuracy", "validation", "overfitting")
for notice in take_notices():
    st.warning(notice)

if finished:
    offer_for_drawing(runs[-1])
    st.subheader("This session's runs", help=meaning("run"))
    st.caption(f"Every training is kept as a run (the last {book().limit}; save one to keep it for good). "
               "A new run does not read your drawings until you choose it.")
    run_actions(runs_table(runs))

st.subheader("Stored models", help="Saved runs, listed on every page for everyone")
st.caption("Its owner or the teacher may delete a stored model; the shipped ones stay.")
stored_list()
