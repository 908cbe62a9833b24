"""Did fine-tuning forget? A fine-tuned version's figures before and after, read from its metadata.

`model.finetune` measures the base version and the fine-tuned one on MNIST test, the bundled
drawings and the user's held-out drawings, and stores both in the new version's metadata. The
user's few drawings are repeated many times, so one saved with the wrong label can teach the
network the wrong thing: a drop on the shared test sets is the sign to look for. Kept apart from
`model.finetune` so that the command line and the app read these without importing TensorFlow.
"""

from __future__ import annotations

# The figures measured before and after, and what each is measured on; the user's own last.
FIGURES = {
    "test_accuracy": "MNIST test",
    "drawings_accuracy": "Bundled drawings",
    # What saving "Not a digit" drawings teaches: the 750 drawn non-digits of kinds no version
    # trains on, answered "not a digit" (`model.evaluate.score`).
    "nondigits_rejected": "Non-digits rejected (unseen kinds)",
    "held_out_accuracy": "Your held-out drawings",
}
# This much worse on a shared test set, and a fine-tuned version has forgotten. The non-digits
# are 750, not thousands: a few drawings either way are chance, so they allow more.
FORGETTING = {"test_accuracy": 0.005, "drawings_accuracy": 0.005, "nondigits_rejected": 0.02}


def before_after(meta: dict) -> dict[str, tuple[float | None, float | None]]:
    """A fine-tuned version's figures (`FIGURES`), each as (before, after); None if not measured.

    `meta` as the store reads it: `model.serving.schema` has checked each figure is a share."""
    tune = meta.get("finetune", {})
    before, after = tune.get("before", {}), tune.get("after", {})
    return {key: (before.get(key), after.get(key)) for key in FIGURES}


def forgotten(meta: dict, tolerance: dict[str, float] = FORGETTING) -> dict[str, float]:
    """The shared test sets on which fine-tuning cost more than `tolerance`: key → points lost."""
    lost = {}
    for key, allowed in tolerance.items():
        before, after = before_after(meta)[key]
        if before is not None and after is not None and after < before - allowed:
            lost[key] = 100 * (before - after)
    return lost
