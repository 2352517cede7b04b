"""TensorFlow and Keras, imported in one place (the package's environment settings apply first).

The command line imports this module through cli.import_tensorflow_quietly, which keeps
TensorFlow's native start-up lines off its stderr; the app imports it plainly, since
silencing the process's stderr there would also swallow other threads' log lines.
"""

import keras
import tensorflow as tf

__all__ = ["keras", "tf"]
