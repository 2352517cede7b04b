"""TensorFlow and Keras, imported in one place (the package's environment settings apply first).

The command line imports this module through cli.import_tensorflow_quietly, which keeps
TensorFlow's native start-up lines off its stderr; the app imports it plainly, since
silencing the process's stderr there would also swallow other threads' log lines.

TensorFlow's compute threads are started here too, from a thread at the background priority:
they inherit it, so a training (whose kernels run on them) leaves the CPU to the sessions first.
The objects of the import are then frozen out of the garbage collector: a full collection
walked all of them (about 0.3 s holding the GIL) and finds nothing to free there.
"""

import gc

import keras
import tensorflow as tf

from .priority import run_lowered


def _start_runtime() -> None:
    """TensorFlow creates its thread pools with its first operation."""
    tf.constant(0)


run_lowered(_start_runtime)
gc.freeze()  # TensorFlow's ~400,000 objects live as long as the process: leave them out of every later collection

__all__ = ["keras", "tf"]
