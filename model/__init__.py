"""Digit Studio's machine-learning package: data, preprocessing, networks, training, inference.

Nothing here imports Streamlit; the app's pages and the command line (`python -m model`) both call
these modules, so every figure the app shows can be reproduced from the shell.
"""

import os

# TensorFlow's C++ start-up messages; the user can still override this.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# oneDNN's kernels train our small convnets about twice as fast on this CPU as the plain ones,
# so they stay on; their one start-up notice is silenced in `model.tf_runtime`.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
