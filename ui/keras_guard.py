"""Keep Streamlit from resetting Keras after every script run while a training runs in a thread."""

from __future__ import annotations

from streamlit.runtime.scriptrunner import script_runner


def keep_keras_state() -> None:
    """Switch off Streamlit's clean-up of "problem modules" after each run.

    Streamlit 1.67 calls keras.backend.clear_session() at the end of every script run,
    fragment runs included: it clears TensorFlow's kernel cache and collects garbage. With a
    training in a background thread and a progress fragment rerunning every second, that
    made a 10-second run take minutes. The app builds no Keras state in its scripts (models
    are built in threads or cached), so there is nothing to clear. (It also closed
    matplotlib figures; the app draws with Plotly.)
    """
    script_runner._clean_problem_modules = _keep


def _keep() -> None:
    """Nothing to clean."""
