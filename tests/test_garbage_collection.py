"""No full garbage collection walks TensorFlow's objects while the server runs.

A full collection of a process with TensorFlow loaded holds the GIL for about 0.3 s. Streamlit
ran one after every script run, and a session watching a training reruns its progress
fragments every second: the trainings and every other session starved (the browser tests of
Train hung at "Starting" behind them).
"""

import gc
import tomllib
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"


def test_streamlit_collects_no_garbage_after_each_script_run():
    assert tomllib.loads(CONFIG.read_text())["runner"]["postScriptGC"] is False


def test_tensorflow_objects_are_frozen_out_of_the_collector():
    import digits_core.backend  # noqa: F401  (the import freezes what it created)

    assert gc.get_freeze_count() > 100_000
