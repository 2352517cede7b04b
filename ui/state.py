"""Per-session state (runs, the model each page uses) and server-wide caches (MNIST, stored models, job slots)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from digits_core import MnistData, ModelSpec, load_mnist
from digits_core.background import Answers
from digits_core.classroom.board import Post
from digits_core.classroom.database import ClassDatabaseError
from digits_core.classroom.defaults import ClassDefaults
from digits_core.jobs import Slots, max_trainings
from digits_core.models import RUN, STORED, Models, Picked
from digits_core.runs import Run, RunBook
from digits_core.store import DEFAULT_MODEL, ModelStore, StoreError, StoredModel
from digits_core.worker import ModelSource, Worker

from .classdb import class_board
from .text import plain

# Every session_state key of the session's runs and models, in one place.
JOB = "job"  # the session's latest Job (digits_core.jobs), running or finished
COLLECTED = "job_collected"  # ticket of the finished job whose result was taken in (and the app rerun for)
CV_RESULT = "cv_result"  # the latest cross-validation result
RUNS = "runs"  # the session's RunBook: its last trainings
PLAN = "train_plan"  # the presets of the session's latest training job, in order
NOTICES = "run_notices"  # what the Train page says once about runs dropped from the book
ACTIVE = "active_model"  # the ActiveModel that reads drawings (Draw), and every page's until it picks its own
PAGE_MODELS = "page_models"  # page -> the ActiveModel picked on that page (Evaluate, Inside, Handwriting)
PICKED = "model_choice"  # prefix of each page's Model select box key
DRAW = "draw"  # the page whose pick is the model that reads drawings
DERIVED = "derived"  # slot -> (this session's model, what a page made from it): dropped with the model
KEPT = "kept_runs"  # run id -> its row in the class database, where the session's runs outlive a reload
RESTORED = "runs_restored"  # the browser id whose kept runs this session took back
PICKER_HELP = {  # each page's Model box: what a pick there changes
    DRAW: "The model that reads your drawings. It changes only when you pick another one here or on Train.",
    "evaluate": "The model this page scores. Picking one here changes this page only, not Draw.",
    "inside": "The model this page looks inside. Picking one here changes this page only, not Draw.",
    "handwriting": "The model this page tests on the class's digits and fine-tunes. Picking one here changes this "
                   "page only, not Draw.",
}


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ActiveModel:
    """A model a page uses, by the label its pickers list (digits_core.models: stored, a run or a class board post),
    and since when it is used there."""

    name: str
    accuracy: float | None
    kind: str  # digits_core.models.STORED, RUN or POST
    since: datetime = field(default_factory=_now)

    @property
    def stored(self) -> bool:
        return self.kind == STORED


@st.cache_resource(show_spinner=False)
def mnist() -> MnistData:
    """MNIST, read once per server and shared read-only by every session."""
    return load_mnist()


@st.cache_resource(show_spinner=False)
def job_slots() -> Slots:
    """The server-wide cap on simultaneous trainings and cross-validations."""
    return Slots(max_trainings())


@st.cache_resource(show_spinner=False)
def training_worker() -> Worker:
    """The process that trains and builds networks for every session, so TensorFlow stays out of the server."""
    return Worker()


PAINT_SECONDS = 1.0  # from a page's run: a new tab has painted it by then here (ui.charts times from the browser)


def warm_training_process() -> None:
    """Start the training process for a page that may need it soon, once the page has painted (Worker.warm_up)."""
    training_worker().warm_up(after=PAINT_SECONDS)


@st.cache_resource(show_spinner=False)
def layer_tables() -> Answers[str, list[dict]]:
    """The Train page's layer table of each network (its spec as JSON), built by the training process in the
    background, once for every session: the page draws while the process starts."""
    worker = training_worker()
    return Answers(lambda spec_json: worker.summary(ModelSpec.from_json(spec_json)))


@st.cache_resource(show_spinner=False)
def class_defaults() -> ClassDefaults:
    """The training images and epochs every student's Train form starts with, set by the teacher."""
    return ClassDefaults()


def store() -> ModelStore:
    return ModelStore()


def stored_models() -> list[StoredModel]:
    """The store's listing (cheap: reads the small JSON files, never Keras)."""
    try:
        return store().list()
    except (OSError, StoreError):
        return []


def completed(name: str) -> StoredModel:
    """The stored model `name` with all the pages read without Keras (see ModelStore.is_complete): a model saved by
    an older version gets it from the training process, once. StoreError or WorkerError when it cannot."""
    if store().is_complete(name):
        return store().info(name)
    return training_worker().complete(store().root, name)


def board_posts() -> list[Post]:
    """The board's posts; none while the class database cannot be reached (the pickers still offer the rest)."""
    try:
        return class_board().posts()
    except ClassDatabaseError:
        return []


def models() -> Models:
    """Every model this session may pick, and how to read each: its runs, the stored models, the board's posts."""
    return Models(book().runs, store(), board_posts(), class_board(), training_worker().lite)


def picked(choice: str) -> tuple[Models, Picked]:
    """The models and the one a picker's `choice` names; StoreError when it names none any more."""
    known = models()
    found = known.find(choice)
    if found is None:
        raise StoreError(f"there is no model {choice!r} any more (deleted, dropped or taken down): pick another")
    return known, found


def model_source(choice: str) -> ModelSource:
    """A model choice as the training process loads it: a run's bytes, a stored model's version, a post's bytes."""
    known, found = picked(choice)
    return known.worker_source(found)


def derived(choice: str, slot: str, make: Callable[[Models, Picked], Any]) -> Any:
    """`make(models, picked)` for a model choice, without Keras: shared by every session for a stored model
    (completed first) or a post, once per version; kept in the session for a run."""
    known, found = picked(choice)
    if found.kind != RUN:
        return _shared(slot, found.key, known, found, make)
    made = st.session_state.setdefault(DERIVED, {})
    if slot not in made or made[slot][0] != found.key:
        made[slot] = (found.key, make(known, found))
    return made[slot][1]


@st.cache_resource(show_spinner=False, max_entries=16)
def _shared(slot: str, key: str, _models: Models, _picked: Picked, _make: Callable[[Models, Picked], Any]) -> Any:
    """One result per model version (the makers are not hashed: `slot` tells them apart)."""
    if _picked.stored:
        completed(_picked.name)
    return _make(_models, _picked)


def book() -> RunBook:
    """This session's runs (created empty on first use)."""
    if RUNS not in st.session_state:
        st.session_state[RUNS] = RunBook()
    return st.session_state[RUNS]


def active_model() -> ActiveModel | None:
    """The model that reads drawings: chosen on Draw or Train, else the shipped default (also when its run was
    dropped). A new training never replaces it by itself."""
    active = st.session_state.get(ACTIVE)
    if active is None or not _exists(active):
        st.session_state[ACTIVE] = active = _default_active()
    return active


def activate(run: Run) -> None:
    """A run of this session becomes the model that reads drawings (the student chose it)."""
    st.session_state[ACTIVE] = ActiveModel(run.label, run.test_accuracy, RUN)
    st.session_state.pop(DERIVED, None)  # what pages made from the previous model goes with it
    st.session_state.pop(_picker_key(DRAW), None)


def use_everywhere(label: str) -> None:
    """The model a picker lists as `label` (a class board post, say) reads drawings, and every page uses it."""
    found = models().find(label)
    if found is None:
        return
    st.session_state[ACTIVE] = ActiveModel(found.label, found.accuracy, found.kind)
    for key in (DERIVED, PAGE_MODELS, *(_picker_key(page) for page in PICKER_HELP)):
        st.session_state.pop(key, None)


def follow_rename(old_label: str, run: Run) -> None:
    """After a rename, the model that reads drawings is still the same run, since the same time."""
    active = st.session_state.get(ACTIVE)
    if active is not None and active.name == old_label:
        st.session_state[ACTIVE] = replace(active, name=run.label)
        st.session_state.pop(_picker_key(DRAW), None)


def page_model(page: str) -> ActiveModel | None:
    """The model `page` uses: the one picked there, else the one that reads drawings."""
    if page == DRAW:
        return active_model()
    picked = st.session_state.get(PAGE_MODELS, {}).get(page)
    return picked if picked is not None and _exists(picked) else active_model()


def _exists(model: ActiveModel) -> bool:
    """Whether the model is still there: a stored model may have been deleted, a run dropped, a post taken down."""
    return store().exists(model.name) if model.stored else models().find(model.name) is not None


def model_choices() -> list[str]:
    """Labels a page may offer: this session's runs, newest first, the stored models, then the class board's posts."""
    return models().labels()


def pick_model(page: str) -> str | None:
    """The page's Model select box and a line saying which model the page uses and since when. A pick on Draw
    changes the model that reads drawings; a pick elsewhere changes that page only. None: no model at all."""
    choices = model_choices()
    if not choices:
        return None
    current = page_model(page)
    index = choices.index(current.name) if current is not None and current.name in choices else 0
    choice = st.selectbox("Model", choices, index, key=_picker_key(page), help=PICKER_HELP[page])
    if current is None or choice != current.name:
        choose_model(page, choice)
    st.caption(model_line(page))
    return choice


def _picker_key(page: str) -> str:
    return f"{PICKED}_{page}"


def choose_model(page: str, choice: str) -> None:
    """Make `choice` the model `page` uses (on Draw: the model that reads drawings)."""
    found = models().find(choice)
    if found is None:
        return
    chosen = ActiveModel(found.label, found.accuracy, found.kind)
    if page == DRAW:
        st.session_state[ACTIVE] = chosen
    else:
        st.session_state.setdefault(PAGE_MODELS, {})[page] = chosen


def model_line(page: str) -> str:
    """Which model `page` uses, its test accuracy and since when, in words."""
    model, drawing = page_model(page), active_model()
    if model is None:
        return "No model yet."
    what = f"**{plain(model.name)}**" + ("" if model.accuracy is None else f" ({model.accuracy:.2%} on the test set)")
    if page == DRAW:
        return (f"Reading your drawings: {what}, since {clock(model.since)}. A new training does not change it: "
                "pick another model here, or on Train.")
    if model is drawing:
        return f"This page uses {what}, the model that reads your drawings (since {clock(model.since)})."
    return (f"This page uses {what}, picked here at {clock(model.since)}. Draw still reads with "
            f"**{plain(drawing.name) if drawing else 'no model'}**.")


def clock(moment: datetime) -> str:
    """The time of day in the browser's time zone (the server's where the browser did not say)."""
    return local(moment).strftime("%H:%M")


def local(moment: datetime) -> datetime:
    """A moment in the browser's time zone (the server's where the browser did not say)."""
    try:
        zone = ZoneInfo(st.context.timezone) if st.context.timezone else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    return moment.astimezone(zone)


def _default_active() -> ActiveModel | None:
    for entry in stored_models():
        if entry.name == DEFAULT_MODEL:
            return ActiveModel(entry.name, entry.test_accuracy, STORED)
    return None
