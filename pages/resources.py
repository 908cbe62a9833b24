"""The app's shared, heavy objects, created once per server process and used by every session.

`st.cache_resource` keeps one model store, one trainer and one loaded predictor per version in the
process; every session reads the active version's name from the store on each rerun, so activating
or rolling back a version reaches all sessions at their next interaction.
"""

from __future__ import annotations

import sys

import streamlit as st

from model.serving.inference import Predictor, load_active
from model.serving.jobs import Trainer
from model.serving.store import ModelStore


def _close_pyplot_figures_only() -> None:
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def keep_keras_state_between_runs() -> None:
    """Stop Streamlit from calling `keras.backend.clear_session()` after every script run.

    Once any page has imported Keras (Inside the CNN, Training), Streamlit clears its session after
    each run of every session: a full garbage collection plus TensorFlow's kernel cache thrown
    away on every stroke, and most of the server's CPU while a training run is shown. The server
    builds no networks (training runs in a child process) and the loaded
    ones must stay as they are, so only the other half of that clean-up, closing pyplot's
    figures, is kept.
    """
    try:
        from streamlit.runtime.scriptrunner import script_runner
    except ImportError:
        return
    if hasattr(script_runner, "_clean_problem_modules"):
        script_runner._clean_problem_modules = _close_pyplot_figures_only


keep_keras_state_between_runs()


@st.cache_resource(show_spinner=False)
def store() -> ModelStore:
    return ModelStore()


@st.cache_resource(show_spinner=False)
def trainer() -> Trainer:
    return Trainer(store())


def model_stamp(name: str) -> float:
    """Version `name`'s model-file modification time, part of every cache key that depends on the
    model: a re-written version is loaded and measured afresh. 0 if it cannot be read."""
    try:
        return store().get(name).model_file.stat().st_mtime
    except Exception:  # a missing, broken or unreadable version: its loader says why
        return 0.0


@st.cache_resource(show_spinner="Loading the model…", max_entries=8)
def _predictor_for(name: str, stamp: float) -> tuple[Predictor, tuple[str, ...]]:
    predictor, warnings = load_active(store(), name)
    return predictor, tuple(warnings)


def active_predictor() -> tuple[Predictor, tuple[str, ...]]:
    """The active version's predictor (or the shipped default's, with warnings if it is broken,
    or if the file naming the active version is unreadable)."""
    name, pointer_problem = store().active_pointer()
    predictor, warnings = _predictor_for(name, model_stamp(name))
    return predictor, ((pointer_problem,) if pointer_problem else ()) + warnings


def predictor_for(name: str) -> Predictor:
    """Any stored version's predictor, cached like the active one."""
    # Read strictly: a missing version or file is an error here, not the default's predictor.
    return _predictor_for(name, store().get(name).model_file.stat().st_mtime)[0]


def network_key(predictor) -> tuple:
    """What identifies the loaded network for the caches: its version and when it was made."""
    version = predictor.version
    if version is None:
        return ("?", "", id(predictor.network))
    return (version.name, str(version.meta.get("created", "")), id(predictor.network))
