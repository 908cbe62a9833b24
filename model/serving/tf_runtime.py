"""Import TensorFlow and Keras once, quietly: `from model.serving.tf_runtime import keras, tf`.

TensorFlow's native start-up notices bypass Python's logging and `TF_CPP_MIN_LOG_LEVEL` (absl prints
them before it is initialised), so the file descriptor of stderr is pointed at /dev/null for the
duration of the import only. Import errors still surface as Python exceptions.
"""

from __future__ import annotations

import os
import sys


def _import_quietly():
    if "tensorflow" in sys.modules:
        import keras
        import tensorflow

        return tensorflow, keras
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import keras
        import tensorflow
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tensorflow, keras


tf, keras = _import_quietly()
