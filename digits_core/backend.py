"""TensorFlow and Keras, imported in one place so that TensorFlow's native start-up lines
(printed straight to file descriptor 2, past TF_CPP_MIN_LOG_LEVEL) stay out of the command
line's output; if the import fails, what it printed is shown after all.

TensorFlow's compute threads are started here too, from a thread at the background priority:
they inherit it, so a training (whose kernels run on them) leaves the CPU to the sessions first."""

import os
import sys
import tempfile


def _import_quietly():
    """Import TensorFlow with descriptor 2 sent to a scratch file, replayed only on failure."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as scratch:
        os.dup2(scratch.fileno(), 2)
        try:
            import tensorflow
        except BaseException:
            os.dup2(saved, 2)
            scratch.seek(0)
            sys.stderr.write(scratch.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    return tensorflow


def _start_runtime() -> None:
    """TensorFlow creates its thread pools with its first operation."""
    tf.constant(0)


tf = _import_quietly()
import keras  # noqa: E402  (TensorFlow is loaded: this prints nothing)

from .priority import run_lowered  # noqa: E402

run_lowered(_start_runtime)

__all__ = ["keras", "tf"]
