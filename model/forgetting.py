"""Did fine-tuning forget? A fine-tuned version's figures before and after, read from its metadata.

`model.finetune` measures the base version and the fine-tuned one on MNIST test, the bundled
drawings and the user's held-out drawings, and stores both in the new version's metadata. The
user's few drawings are repeated many times, so one saved with the wrong label can teach the
network the wrong thing: a drop on the shared test sets is the sign to look for. Kept apart from
`model.finetune` so that the command line and the app read these without importing TensorFlow.
"""

from __future__ import annotations

# The figures measured before and after, and what each is measured on.
FIGURES = {
    "test_accuracy": "MNIST test",
    "drawings_accuracy": "Bundled drawings",
    "held_out_accuracy": "Your held-out drawings",
}
FORGETTING = 0.005  # this much worse on a shared test set, and a fine-tuned version has forgotten


def before_after(meta: dict) -> dict[str, tuple[float | None, float | None]]:
    """A fine-tuned version's figures (`FIGURES`), each as (before, after); None if not measured."""
    tune = meta.get("finetune", {})
    before, after = tune.get("before", {}), tune.get("after", {})
    return {key: (before.get(key), after.get(key)) for key in FIGURES}


def forgotten(meta: dict, tolerance: float = FORGETTING) -> dict[str, float]:
    """The shared test sets on which fine-tuning cost more than `tolerance`: key → points lost."""
    lost = {}
    for key in ("test_accuracy", "drawings_accuracy"):
        before, after = before_after(meta)[key]
        if before is not None and after is not None and after < before - tolerance:
            lost[key] = 100 * (before - after)
    return lost
