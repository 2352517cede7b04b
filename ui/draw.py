"""Read a drawing or an upload with a Predictor and show what the model saw."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from digits_core.models import Models
from digits_core.preprocess import ImageError, NothingDrawnError, TooSmallError, upscale

from .charts import chart
from .describe import digit_alt, probabilities_summary
from .glossary import meaning
from .inside import LAST_DIGIT
from .plots import probability_bars
from .state import derived

CANVAS_PX = 280
STEPS = (("photo ink", "the digit found on the paper"), ("cropped", "cropped"), ("thickened", "strokes thickened"),
         ("scaled", "scaled to 20 px"), ("centred", "centred by mass"))
SEEN_PX, STEP_PX = 168, 80  # on-screen widths: the model's 28x28 input six times, the steps small
STEP_BOX_PX = 100  # a step's image and caption: "thickened" and "centred" fit on a line


def predictor(choice: str) -> Any:
    """A Predictor for a model choice, read through LiteRT (no TensorFlow in the server) where it is installed;
    a session's run is converted by the training process first."""
    return derived(choice, "predictor", Models.reader)


def drawing_pad(name: str) -> np.ndarray | None:
    """A black square to draw on, a stroke-width slider and a Clear button; the drawing (RGBA) once there is one."""
    from streamlit_drawable_canvas import st_canvas  # a Components v2 module: importable only in a running app

    round_key = f"{name}_round"  # part of the canvas key: a new round is a new, empty canvas
    stroke = st.slider("Stroke width", 8, 40, 20, key=f"{name}_stroke")
    canvas = st_canvas(stroke_width=stroke, stroke_color="#FFFFFF", background_color="#000000",
                       height=CANVAS_PX, width=CANVAS_PX, drawing_mode="freedraw", return_image_data=True,
                       key=f"{name}-{st.session_state.get(round_key, 0)}")
    st.button("Clear", on_click=_next_round, args=(round_key,), key=f"{name}_clear",
              help="Wipe the canvas and start again")
    return getattr(canvas, "image_data", None)


def _next_round(round_key: str) -> None:
    st.session_state[round_key] = st.session_state.get(round_key, 0) + 1


def empty_bars() -> None:
    """Where the ten probabilities will show, before the first reading: the browser also loads Plotly's code
    with the page, not at the first answer (which took about 2 s instead of 0.4 s in a busy class)."""
    _, bars = st.columns([1, 2])
    chart(probability_bars(np.zeros(10), height=240), bars, key="empty-bars")


def show_prediction(reader: Any, source: object, hint: str) -> Any:
    """Predict `source`; show the digit, its ten probabilities and the image the model saw, step by step.

    Returns the Prediction, or None when the image holds no digit (the hint or the error is shown)."""
    try:
        prediction = reader.predict(source)
    except NothingDrawnError:
        st.info(hint)
        return None
    except TooSmallError as exc:
        st.info(str(exc).capitalize())
        return None
    except ImageError as exc:
        st.error(f"This image cannot be read as a digit: {exc}")
        return None
    st.session_state[LAST_DIGIT] = prediction.image
    verdict, bars = st.columns([1, 2])
    verdict.metric("Prediction", prediction.digit, help=f"The digit with the highest probability. {meaning('softmax')}")
    verdict.caption(f"Confidence {prediction.confidence:.1%}", help=meaning("confidence"))
    chart(probability_bars(prediction.probabilities, height=240), bars)
    bars.caption(probabilities_summary(prediction.probabilities))
    with st.container(horizontal=True, vertical_alignment="bottom"):  # the steps wrap onto a new row, not squeezed
        sharp_image(st.container(width=SEEN_PX), prediction.image, SEEN_PX, "what the model saw (28x28)",
                    digit_alt(where="as the model saw it, 28 by 28 pixels", read=prediction.digit,
                              confidence=prediction.confidence))
        for key, title in STEPS:
            if key in prediction.steps:
                sharp_image(st.container(width=STEP_BOX_PX), prediction.steps[key], STEP_PX, title,
                            f"your digit on its way to the model: {title}")
    return prediction


def sharp_image(where: Any, image: np.ndarray, width: int, caption: str, alt: str) -> None:
    """A grey image whose longer side is about `width` pixels, with `alt` saying what it shows; small ones are
    enlarged by a whole factor first, so their pixels stay sharp squares. The caption is as wide as `where`, not
    the image, so a narrow crop's caption does not wrap mid-word."""
    scale = width / max(image.shape)
    factor = max(1, int(scale))
    where.image(upscale(image, factor), width=max(1, round(image.shape[1] * scale)), alt=alt)
    where.caption(caption)
