"""The app's shared, heavy objects, created once per server process and used by every session.

`st.cache_resource` keeps one model store, one trainer and one loaded predictor per version in the
process; every session reads the active version's name from the store on each rerun, so activating
or rolling back a version reaches all sessions at their next interaction.
"""

from __future__ import annotations

import streamlit as st

from model.inference import Predictor, load_active
from model.jobs import Trainer
from model.store import ModelStore


@st.cache_resource(show_spinner=False)
def store() -> ModelStore:
    return ModelStore()


@st.cache_resource(show_spinner=False)
def trainer() -> Trainer:
    return Trainer(store())


@st.cache_resource(show_spinner="Loading the model…", max_entries=8)
def _predictor_for(name: str, stamp: float) -> tuple[Predictor, tuple[str, ...]]:
    # `stamp` (the model file's mtime) makes a re-written version load afresh.
    predictor, warnings = load_active(store(), name)
    return predictor, tuple(warnings)


def active_predictor() -> tuple[Predictor, tuple[str, ...]]:
    """The active version's predictor (or the shipped default's, with warnings if it is broken)."""
    name = store().active_name()
    try:
        stamp = store().get(name).model_file.stat().st_mtime
    except Exception:
        stamp = 0.0
    return _predictor_for(name, stamp)


def predictor_for(name: str) -> Predictor:
    """Any stored version's predictor, cached like the active one."""
    return _predictor_for(name, store().get(name).model_file.stat().st_mtime)[0]
