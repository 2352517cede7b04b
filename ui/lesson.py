"""The lesson: seven steps of about 45 minutes, each with what to do, one question, the page it needs (opened set up
for it) and a check of this session's state that ticks it off.

The checks are plain functions of the session state (any mapping), so tests can call them and the
lesson page can run them on every visit. Pages record what a check cannot see otherwise with `note`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import streamlit as st

from digits_core.runs import Run

from .corrections import SAVED
from .inside import LAST_DIGIT, SOURCE, SOURCES
from .state import RUNS, choose_model
from .train import PRESET, SAMPLES

NOTES = Path(__file__).resolve().parents[1] / "docs" / "lesson.md"  # the teacher's notes for the same lesson
EVENTS = "lesson_events"  # what this session did that a check looks for: pages opened, a comparison, ...
CORRECTIONS = 10  # digits labelled on Draw for the drawing step
LESSON_SAMPLES = 10_000  # both trainings: about 3 s (dense) and 8 s (CNN) here, so a class's queue moves

OPENED_EXPLORE = "opened explore"
COMPARED = "compared a dense network and a CNN"
EVALUATED_OWN = "evaluated a run of this session"
LOOKED_INSIDE = "looked inside"
POSTED = "posted a run to the class board"


def note(event: str) -> None:
    """Remember that this session did `event` (a step's check may look for it)."""
    st.session_state.setdefault(EVENTS, set()).add(event)


def convolutional(run: Run) -> bool:
    """Whether a run's network has convolutions (a CNN); a dense network has none."""
    return run.spec is not None and bool(run.spec.conv)


def _runs(state: Mapping[str, Any]) -> list[Run]:
    book = state[RUNS] if RUNS in state else None
    return list(book.runs) if book is not None else []


def _events(state: Mapping[str, Any]) -> set[str]:
    return state[EVENTS] if EVENTS in state else set()


def looked_at_data(state: Mapping[str, Any]) -> bool:
    return OPENED_EXPLORE in _events(state)


def trained_dense(state: Mapping[str, Any]) -> bool:
    return any(run.spec is not None and not convolutional(run) for run in _runs(state))


def trained_cnn_and_compared(state: Mapping[str, Any]) -> bool:
    return any(convolutional(run) for run in _runs(state)) and COMPARED in _events(state)


def found_mistakes(state: Mapping[str, Any]) -> bool:
    return EVALUATED_OWN in _events(state)


def drew_and_corrected(state: Mapping[str, Any]) -> bool:
    return len(state[SAVED] if SAVED in state else ()) >= CORRECTIONS


def looked_inside(state: Mapping[str, Any]) -> bool:
    return LOOKED_INSIDE in _events(state)


def posted_to_board(state: Mapping[str, Any]) -> bool:
    return POSTED in _events(state)


def compared_kinds(runs: Iterable[Run]) -> bool:
    """Whether `runs` hold both a dense network and a CNN (the comparison the lesson asks for)."""
    kinds = {convolutional(run) for run in runs if run.spec is not None}
    return kinds == {True, False}


def newest(state: Mapping[str, Any], cnn: bool) -> Run | None:
    """This session's newest CNN (or dense) run."""
    return next((run for run in reversed(_runs(state)) if run.spec is not None and convolutional(run) == cnn), None)


@dataclass(frozen=True)
class Link:
    """A button of a step: its label, the page it opens and what it sets up there first."""

    label: str
    script: str
    setup: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class Step:
    """One step of the lesson."""

    title: str
    minutes: int
    do: str
    question: str
    done_when: str
    check: Callable[[Mapping[str, Any]], bool]
    terms: tuple[str, ...]  # the glossary's words the step uses
    links: tuple[Link, ...] = field(default_factory=tuple)


def _open_train(preset: str) -> Callable[[], None]:
    def setup() -> None:
        st.session_state.update({PRESET: preset, SAMPLES: LESSON_SAMPLES})
    return setup


def _compare_both() -> None:
    dense, cnn = newest(st.session_state, cnn=False), newest(st.session_state, cnn=True)
    if dense is not None and cnn is not None:
        st.session_state["compared"] = [cnn.label, dense.label]


def _evaluate_own_cnn() -> None:
    run = newest(st.session_state, cnn=True) or newest(st.session_state, cnn=False)
    if run is not None:
        choose_model("evaluate", run.label)


def _inside_last_digit() -> None:
    st.session_state[SOURCE] = SOURCES[1] if st.session_state.get(LAST_DIGIT) is not None else SOURCES[2]


STEPS: tuple[Step, ...] = (
    Step("Look at the data", 5,
         "Open **Explore**. Page through the training images, pick one digit and look at its pixel values, then "
         "scroll down to the mean and spread images.",
         "Which digit do people write in the most different ways? Where do the spread images show it?",
         "Explore has been opened.", looked_at_data, ("MNIST", "pixel", "mean image", "spread"),
         (Link("Open Explore", "pages/explore.py"),)),
    Step("Train a dense network", 7,
         "Train the **dense-512** network on 10,000 images (the button sets it up; press **Train**). Watch the "
         "two curves grow while it learns.",
         "A dense network reads the picture as 784 numbers in a row. What does it lose that a person uses?",
         "a dense network has been trained in this session.", trained_dense,
         ("dense layer", "training samples", "epoch", "loss", "accuracy"),
         (Link("Train dense-512", "pages/train.py", _open_train("dense-512")),)),
    Step("Train a CNN and compare the two", 8,
         "Train the **cnn-fast** network on the same 10,000 images, then open **Compare** with both.",
         "Which network is more accurate, which has more parameters, and could the difference be luck?",
         "a CNN has been trained and Compare has shown it beside a dense network.", trained_cnn_and_compared,
         ("CNN", "convolution", "parameters", "McNemar's test", "p-value"),
         (Link("Train cnn-fast", "pages/train.py", _open_train("cnn-fast")),
          Link("Compare the two", "pages/compare.py", _compare_both))),
    Step("Find the mistakes", 7,
         "Open **Evaluate** on your CNN. Find the biggest number off the diagonal of the confusion matrix, click it, "
         "and look at the most confident mistakes.",
         "Pick one mistake: would a person read it right? What makes it hard for the network?",
         "Evaluate has shown one of your own runs.", found_mistakes, ("run", "confusion matrix", "confidence"),
         (Link("Evaluate my CNN", "pages/evaluate.py", _evaluate_own_cnn),)),
    Step("Draw and correct", 8,
         f"Open **Draw** and draw {CORRECTIONS} digits. After each answer click **Right**, or the digit you meant: "
         "your digits join the class collection.",
         "Which of your digits does the model get wrong? How is your handwriting different from MNIST's?",
         f"{CORRECTIONS} digits have been labelled on Draw in this session.", drew_and_corrected,
         ("model", "softmax", "confidence"),
         (Link("Open Draw", "pages/draw.py"),)),
    Step("Look inside", 7,
         "Open **Inside** with your last drawing. Look at what the convolutions find, which pixels decided the "
         "answer, and where your digit lands on the map.",
         "Which pixels pushed the model to its answer? Are they the ones you would look at?",
         "Inside has shown a digit.", looked_inside,
         ("feature map", "integrated gradients", "Grad-CAM", "t-SNE", "PCA"),
         (Link("Look inside my last digit", "pages/inside.py", _inside_last_digit),)),
    Step("Post to the class board", 3,
         "On **Train**, pick your best run in the runs table and click **Post to the class board**. Then open the "
         "**Board**: it ranks the class's models on the class's own handwriting.",
         "What did the whole class find: which network won, and which digits fooled it?",
         "One of your runs has been posted to the class board.", posted_to_board, ("held out", "McNemar's test"),
         (Link("Open Train", "pages/train.py"), Link("Open the class board", "pages/board.py"))),
)


def progress(state: Mapping[str, Any]) -> list[bool]:
    """Which steps are ticked off in `state`."""
    return [step.check(state) for step in STEPS]
