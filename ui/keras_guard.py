"""Keep Streamlit from resetting Keras after every script run while Keras works in a server thread.

Trainings run in the training process (digits_core.worker), out of this clean-up's reach, but
fine-tuning on Handwriting still trains in a thread of the server, and Compare and Evaluate
load stored models there. The price is this one patch of a private function, which fails
loudly if Streamlit renames it.
"""

from __future__ import annotations

from streamlit.runtime.scriptrunner import script_runner

PATCHED = "_clean_problem_modules"


def keep_keras_state() -> None:
    """Switch off Streamlit's clean-up of "problem modules" after each run.

    Streamlit 1.67 calls keras.backend.clear_session() at the end of every script run,
    fragment runs included: it clears TensorFlow's kernel cache and collects garbage. With a
    training in a background thread and a progress fragment rerunning every second, that
    made a 10-second run take minutes. The app builds no Keras state in its scripts (models
    are built in threads or cached), so there is nothing to clear. (It also closed
    matplotlib figures; the app draws with Plotly.) If Streamlit no longer has the function,
    assigning it would succeed silently and trainings would crawl again: raise instead.
    """
    if not callable(getattr(script_runner, PATCHED, None)):
        raise RuntimeError(
            f"streamlit.runtime.scriptrunner.script_runner.{PATCHED} is gone: this Streamlit version cleans up "
            "Keras some other way. Find what now calls keras.backend.clear_session() after each script run "
            "and switch it off in ui/keras_guard.py, or trainings will be many times slower."
        )
    setattr(script_runner, PATCHED, _keep)


def _keep() -> None:
    """Nothing to clean."""
