"""Digit Studio's machine learning, in two layers you can see in the tree.

- `model/` is the ML story, to read first: `data`, `drawings`, `nondigits`, `typefaces` and
  `messy_digits` (what the networks learn from and are tested on), `preprocess`, `augment`,
  `networks`, `train_config` and `train`, `finetune`, `evaluate`, `testsets`, `calibration`,
  `robustness`, `compare`, `explain` and `figures`.
- `model/serving/` is how that runs fast and safely in the app: the version store, the inference
  runtimes, TFLite export, background training jobs, untrusted files (see its docstring).
- `model/__main__.py` is the command line.

Nothing here imports Streamlit; the app's pages and the command line (`python -m model`) both call
these modules, so every figure the app shows can be reproduced from the shell.
"""

import os

# Set here, in the package both layers belong to, so they hold before any TensorFlow import.
# TensorFlow's C++ start-up messages; the user can still override this.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# oneDNN's kernels train our small convnets faster on a CPU than the plain ones, so they stay
# on; their one start-up notice is silenced in `model.serving.tf_runtime`.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
