"""What a visitor should know before activating a version: activated, it serves every page.

A one-epoch run on 2,000 digits is a fine lesson in what training does, and a poor model to
serve: it reads the Draw page's digits badly, and without drawn non-digits it takes most letters
and hearts for digits. Training offers to activate a run as it finishes, and every stored version
below; both say so first, with the figures, where the version would serve worse than the active
one.
"""

from __future__ import annotations

from model.serving.store import StoreError
from model.train_config import trained_nondigit_count
from pages.formatting import percent
from pages.resources import store

# What a run of one's own needs to be worth serving, said where a run has just finished.
ADVICE = ' More epochs, more digits or "Teach it not a digit" make a version worth serving.'
# A version this far below the active one on MNIST test would make every page read worse.
WORSE_BY = 0.01


def activation_caution(new: dict, active_name: str, active: dict) -> str | None:
    """The warning for activating a version (`new`, its metadata) in place of the active one
    (`active`): that it reads worse, or turns away fewer non-digits; None when neither."""
    cautions = []
    ours, theirs = new.get("test_accuracy"), active.get("test_accuracy")
    if isinstance(ours, float) and isinstance(theirs, float) and ours < theirs - WORSE_BY:
        cautions.append(
            f"it reads MNIST test at {percent(ours)}, the active model ({active_name}) at "
            f"{percent(theirs)}"
        )
    if trained_nondigit_count(active) and not trained_nondigit_count(new):
        cautions.append(
            "it trained on no drawn non-digits, so it takes most letters and shapes for digits, "
            "where the active model turns most of them away"
        )
    if not cautions:
        return None
    return f"Activated, it would serve every page: {'; and '.join(cautions)}."


def caution_for(name: str) -> str | None:
    """`activation_caution` for stored version `name` against the active one; None for the
    active one itself, or when either cannot be read."""
    active = store().active_name()
    if name == active:
        return None
    try:
        return activation_caution(store().get(name).meta, active, store().get(active).meta)
    except StoreError:  # either version broke or went since: nothing to compare
        return None
