"""Handwriting: the class's own digits, corrected on Draw; how a model reads them; export, import, fine-tune."""

import io
from typing import Any, Callable

import streamlit as st

from digits_core.classroom.database import ClassDatabaseError
from digits_core.classroom.retention import RETENTION_ENV, retention_days
from digits_core.classroom.samples import MAX_IMPORT, Collection
from digits_core.handwriting import MIN_DIGITS, HandwritingError
from digits_core.preprocess import upscale
from digits_core.store import StoreError
from digits_core.worker import WorkerError
from ui.board import post_controls
from ui.classdb import collection as class_collection, wipe_class
from ui.describe import digit_alt
from ui.glossary import meaning
from ui.draw import predictor
from ui.identity import browser_id, locked, role_caption
from ui.jobs import busy, current_job, draw_curves, draw_progress, live, start
from ui.nav import leave_legacy_navigation
from ui.matrix import show_confusion
from ui.runs import offer_for_drawing
from ui.state import book, model_source, models, page_model, pick_model, training_worker
from ui.text import plain

leave_legacy_navigation()
SHOWN = 40  # samples of one digit in the grid, newest first
CARD_PX = 100  # a sample of the grid: its 84 px image, caption and Edit menu
PAGE = "handwriting"
IMPORT_MB = 16  # an .npz of 20,000 digits, uncompressed, is 15.7 MB (within the server's cap of 20 MB)
OUTCOME = "handwriting_outcome"  # (where, succeeded, message) of the last change to the collection, shown once
REFUSED = (HandwritingError, ClassDatabaseError)
WIPE_WORD = "WIPE"  # what the teacher types before the class's data is wiped


def change(where: str, message: str, action: Callable[..., Any], *args: Any) -> None:
    """A button's callback: make a change to the collection and keep what came of it, `message` formatted with
    the action's result, to show once at `where` (a callback runs before the page, so the page shows the change)."""
    try:
        st.session_state[OUTCOME] = where, True, message.format(action(*args))
    except REFUSED as exc:
        st.session_state[OUTCOME] = where, False, str(exc)


def outcome(where: str) -> None:
    """The outcome of the last change made at `where`, once."""
    if st.session_state.get(OUTCOME, (None,))[0] == where:
        _, succeeded, text = st.session_state.pop(OUTCOME)
        (st.success if succeeded else st.error)(text)


def class_evaluation(choice: str, digits):
    """The chosen model scored on the class's digits by Draw's reader (a stored model without TensorFlow);
    not cached, since the collection changes with every correction."""
    from digits_core.evaluation import from_probabilities

    return from_probabilities(predictor(choice).probabilities(digits.x_test), digits.y_test)


def sample_grid(collection: Collection, digit: int) -> None:
    """The newest samples of one digit, each with what the model read and an Edit menu: relabel or delete it."""
    outcome("grid")
    samples = collection.samples(digit, limit=SHOWN)
    if not samples:
        st.info(f"No {digit} yet: correct a prediction on Draw, or import a collection below.")
        return
    with st.container(horizontal=True):  # as many a row as the screen has room for
        for sample in samples:
            _sample_card(collection, digit, sample)


def _sample_card(collection: Collection, digit: int, sample: Any) -> None:
    """One sample of the grid: its image, what the model read and its Edit menu."""
    with st.container(width=CARD_PX):
        st.image(upscale(sample.image, 3), width=84, alt=digit_alt(digit, "of the class", sample.predicted))
        st.caption("imported" if sample.predicted is None else f"read as {sample.predicted}")
        with st.popover("Edit", help="Relabel or delete this sample"):
            st.pills("It is a", [d for d in range(10) if d != digit], key=f"relabel-{sample.id}",
                     on_change=relabel, args=(collection, sample.id), disabled=bool(locked("relabel")),
                     help=locked("relabel"))
            st.button("Delete", key=f"delete-{sample.id}", disabled=bool(locked("delete")),
                      on_click=change, args=("grid", "Sample deleted.", collection.delete, sample.id),
                      help=locked("delete") or "Remove this sample from the class collection")


def relabel(collection: Collection, sample_id: int) -> None:
    label = st.session_state.get(f"relabel-{sample_id}")
    if label is not None:
        change("grid", f"Relabelled as a {label}.", collection.relabel, sample_id, int(label))


def start_finetune(choice: str, digits) -> None:
    """Start the fine-tune in the training process as this session's job (what it needs is taken here: the job's
    thread never calls st.*)."""
    found = models().find(choice)  # listed by this script run's picker
    source, worker, label = model_source(choice), training_worker(), f"{found.name}-tuned"
    start("finetune", label, lambda job: worker.finetune(source, found.spec, digits, label, job))


def tuned_figures() -> None:
    """The latest fine-tune of this session: held-out class accuracy before and after, and MNIST's."""
    job = current_job("finetune")
    run = job.snapshot().result if job is not None and job.finished else None
    if run is None:
        return
    held_out = run.meta["held_out"]
    with st.container(horizontal=True):
        st.metric("Held-out class digits, before", f"{held_out['before']:.1%}",
                  help=f"{held_out['count']} digits of the class the tuning never saw. {meaning('held out')}")
        st.metric("Held-out class digits, after", f"{held_out['after']:.1%}",
                  delta=f"{(held_out['after'] - held_out['before']) * 100:+.1f} points")
        st.metric("MNIST test set, after", f"{run.test_accuracy:.2%}", help=meaning("test set"))
    tuned = next((kept for kept in book().runs if kept.id == run.id), None)
    if tuned is not None:
        st.caption(f"The tuned model is kept as **{tuned.name}**, a run of this session: save it on Train.")
        offer_for_drawing(tuned)
        post_controls(tuned)


def export_import(collection: Collection) -> None:
    """Download the collection as an .npz in MNIST's layout; add the digits of one, as one import."""
    if collection.db.dialect == "sqlite":
        st.warning("Streamlit Community Cloud forgets its disk whenever the app restarts: download the collection "
                   "at the end of a lesson and import it at the start of the next, or give the app a PostgreSQL "
                   "database (see the README's Deploy section).", icon=":material/cloud_off:")
    left, right = st.columns(2)
    buffer = io.BytesIO()
    collection.export_npz(buffer)
    left.download_button("Download the collection (.npz)", buffer.getvalue(), "handwriting.npz",
                         "application/octet-stream", on_click="ignore",
                         help="x_test (N, 28, 28) uint8 and y_test (N,): the layout of MNIST's test set")
    upload = right.file_uploader(f"Import a collection (.npz in MNIST's layout, at most {MAX_IMPORT:,} digits)",
                                 type=["npz"], max_upload_size=IMPORT_MB, disabled=bool(locked("import")),
                                 help=locked("import"))
    if upload is not None:  # a callback: it runs before the page, so the counts and scores above include the import
        right.button("Add its digits to the collection", disabled=bool(locked("import")), on_click=change,
                     args=("import", "Added {0.count} digits.", collection.import_npz, upload.getvalue(),
                           browser_id(), upload.name))
    with right:
        outcome("import")


def manage(collection: Collection, total: int) -> None:
    """The teacher's tools: remove one import whole, every sample of one browser, or the whole collection."""
    outcome("manage")
    imports = collection.batches()
    st.subheader("Imports")
    if not imports:
        st.caption("No import yet.")
    for batch in imports:
        who = f", from browser {batch.browser_id[:8]}" if batch.browser_id else ""
        with st.container(horizontal=True, vertical_alignment="center"):  # the button goes under where it must
            st.text(f"{batch.name or 'An upload'}: {batch.count:,} digits, {batch.created_at:%Y-%m-%d %H:%M} UTC{who}")
            st.button("Remove this import", key=f"remove-batch-{batch.id}", disabled=bool(locked("delete")),
                      help=locked("delete"), on_click=change,
                      args=("manage", "Removed {0} digits of the import.", collection.delete_batch, batch.id))
    st.subheader("Samples by browser")
    browsers = collection.browsers()
    if not browsers:
        st.caption("No sample comes from a known browser yet.")
    else:
        chosen = st.selectbox("Browser", list(browsers), format_func=lambda b: f"{b[:8]} ({browsers[b]} samples)",
                              help="Each browser has a random id; no names are kept")
        with st.popover(f"Delete all of this browser's samples ({browsers[chosen]})",
                        disabled=bool(locked("delete")), help=locked("delete")):
            st.write(f"Remove the {browsers[chosen]} samples browser {chosen[:8]} gave? This cannot be undone.")
            st.button("Yes, delete them", type="primary", on_click=change,
                      args=("manage", "Removed {0} samples.", collection.delete_browser, chosen))
    st.subheader("Clear the collection")
    with st.popover("Clear the collection", disabled=not total or bool(locked("clear")), help=locked("clear")):
        st.write(f"Remove all {total:,} digits and every import? Download the collection first to keep a copy.")
        st.button(f"Yes, remove all {total:,} digits", type="primary", on_click=change,
                  args=("manage", "The collection is empty: {0} digits removed.", collection.clear))


def end_of_course() -> None:
    """The teacher's wipe of everything the class made, in one step, once WIPE is typed."""
    outcome("wipe")
    reason = locked("wipe")
    with st.popover("Wipe the class's data", icon=":material/delete_forever:", disabled=bool(reason), help=reason):
        st.write("Remove every sample, import, kept run, class board post and who saved which model, at once. "
                 "Saved model files stay. Download the collection first to keep a copy.")
        with st.form("wipe", border=False):
            st.text_input(f"Type {WIPE_WORD} to confirm", key="wipe_confirm")
            st.form_submit_button("Wipe the class", type="primary", on_click=wipe_confirmed)


def wipe_confirmed() -> None:
    if locked("wipe"):
        return
    if st.session_state.get("wipe_confirm", "").strip() != WIPE_WORD:
        st.session_state[OUTCOME] = "wipe", False, f"Nothing was wiped: type {WIPE_WORD} to confirm."
        return
    change("wipe", "The class is wiped: {0} removed.", wipe_class)


st.title("The class's handwriting")
st.caption("Every correction made on Draw lands here: the 28x28 image the model saw and the digit it really was. "
           "Only images and labels are kept, no names.")
role_caption()
try:
    collection = class_collection()
    counts, digits = collection.counts(), collection.digits()
except REFUSED as exc:
    st.error(str(exc))
    st.stop()

st.metric("Digits in the collection", f"{counts.sum():,}")
picked = st.segmented_control("Digit", list(range(10)), default=0, key="handwriting_digit",
                              format_func=lambda d: f"{d} ({counts[d]})")
if picked is not None:
    sample_grid(collection, int(picked))

st.header("How a model reads the class's digits")
choice = pick_model(PAGE)
if choice is None:
    st.info("No model yet: train one on the Train page.")
elif not len(digits.y_test):
    st.info("The collection is empty: correct a few predictions on Draw first.")
else:
    try:
        result = class_evaluation(choice, digits)
    except (StoreError, WorkerError) as exc:  # a damaged model, or an old one the training process could not complete
        st.error(str(exc))
    else:
        model = page_model(PAGE)
        with st.container(horizontal=True):
            st.metric("Accuracy on the class's digits", f"{result.accuracy:.1%}", help=f"{len(digits.y_test)} digits")
            st.metric("Accuracy on MNIST's test set", "not measured" if model is None or model.accuracy is None
                      else f"{model.accuracy:.2%}")
        st.caption("Rows: the digit the student meant; columns: what the model read.", help=meaning("confusion matrix"))
        show_confusion(result.confusion, "class_confusion", clickable=False)

st.header("Fine-tune the model to the class", help=meaning("fine-tune"))
st.caption("Train the model a little more on MNIST and the class's digits (each worth ten MNIST digits, shifted "
           "and turned at random). A fifth of the class's digits, the fifth the class board scores on, is kept aside: "
           "the accuracy on them before and after says whether the model learnt the class's handwriting or only "
           "remembered it.")
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

st.header("Manage the collection")
manage(collection, int(counts.sum()))

st.header("The end of the course")
days = retention_days()
st.caption((f"Samples, kept runs and board posts go by themselves after {days} days" if days else
            "Samples, kept runs and board posts are kept until wiped") + f" (set by {plain(RETENTION_ENV)}); the "
           "teacher may wipe them all at the end of a course.")
end_of_course()
