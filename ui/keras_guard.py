"""Keep Streamlit from resetting Keras after every script run while a training runs in a thread.

Why not train in a subprocess instead, where Streamlit's clean-up could not reach? The run
would then need its own TensorFlow import (6 s and ~700 MB a process on a class server),
its progress and its model would have to cross a pipe (the model as a file), and its stop
flag would become a signal; a thread shares the loaded TensorFlow and the session's data.
The price is this one patch of a private function, which fails loudly if Streamlit renames it.
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
