"""Read a drawing or an upload with a Predictor and show what the model saw."""

from __future__ import annotations

from typing import Any

import streamlit as st

from digits_core.preprocess import ImageError, NothingDrawnError

from .plots import digit_figure, probability_bars
from .state import SESSION_MODEL, keras_model, stored_model

STEPS = (("cropped", "cropped"), ("scaled", "scaled to 20 px"), ("centred", "centred by mass"))


@st.cache_resource(show_spinner="Loading the model...", max_entries=8)
def _stored_predictor(name: str, model: Any) -> Any:
    from digits_core.predictor import Predictor

    return Predictor(model, name)


def predictor(choice: str) -> Any:
    """A Predictor for a model choice: shared per stored model, kept in the session for a trained one."""
    if choice != SESSION_MODEL:
        return _stored_predictor(choice, stored_model(choice))
    from digits_core.predictor import Predictor

    model = keras_model(choice)
    if getattr(st.session_state.get("session_predictor"), "model", None) is not model:
        st.session_state["session_predictor"] = Predictor(model, choice)
    return st.session_state["session_predictor"]


def show_prediction(reader: Any, source: object, hint: str) -> None:
    """Predict `source` and draw the digit, the ten probabilities and the preprocessing steps."""
    try:
        prediction = reader.predict(source)
    except NothingDrawnError:
        st.info(hint)
        return
    except ImageError as exc:
        st.error(f"This image cannot be read as a digit: {exc}")
        return
    left, right = st.columns([1, 2])
    left.metric("Prediction", prediction.digit, help=f"confidence {prediction.confidence:.1%}")
    left.caption(f"Confidence {prediction.confidence:.1%}")
    right.plotly_chart(probability_bars(prediction.probabilities), width="stretch")
    seen, *steps = st.columns([2, 1, 1, 1])
    seen.plotly_chart(digit_figure(prediction.image, "what the model saw (28x28)", 260), width="stretch")
    for column, (key, title) in zip(steps, STEPS):
        if key in prediction.steps:
            column.plotly_chart(digit_figure(prediction.steps[key], title, 170), width="stretch")
