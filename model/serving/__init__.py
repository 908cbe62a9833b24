"""How the ML story runs fast and safely: the layer a learner can skip on a first reading.

`model/` tells what the network learns and how well: data, preprocessing, drawings, augmentation,
networks, training, evaluation, calibration, explanation. This package holds what it takes to run
that in an app many people use at once, and to survive what they and their disks do:

- `store`, `schema`: trained versions on disk (written whole or not at all, an `active` pointer,
  rollback), and the checks a version's JSON files must pass before a page trusts them.
- `corrections`: the user's saved drawings on disk, read as untrusted files.
- `uploads`: an uploaded image, read as untrusted bytes (size limits, decompression bombs).
- `inference`: `Predictor`, a stored version loaded and compiled for one drawing at a time from
  many threads. What it computes is the ML story's (preprocessing, the network, calibration, all
  in `model/`); how it computes it (LiteRT or a traced `tf.function`, checked model files, lazy
  loading, thread safety) is serving, so it lives here.
- `lite_runtime`, `export`: a network's lite file (TFLite), written, and run without TensorFlow.
- `tf_runtime`: TensorFlow and Keras imported once, quietly, and only where needed.
- `jobs`: training in a child process, one run at a time (an operating-system lock), and the warm
  child that has TensorFlow and MNIST loaded before Retrain is clicked.
- `benchmark`: how fast it all runs on this machine (`python -m model benchmark`).

The ML modules call these to store and serve what they make; nothing here decides what a network
learns or how its answers are judged.
"""
