"""The warning before activating a version that would serve worse than the active one."""

from __future__ import annotations

from pages.caution import activation_caution


def test_a_version_that_reads_worse_or_cannot_reject_is_said_to_before_activation():
    shipped = {"test_accuracy": 0.9945, "config": {"nondigits": 14000}}
    as_good = {"test_accuracy": 0.9940, "config": {"nondigits": 14000}}
    assert activation_caution(as_good, "default", shipped) is None
    worse = activation_caution(
        {"test_accuracy": 0.2345, "config": {"nondigits": 14000}}, "default", shipped
    )
    assert "23.45%" in worse and "the active model (default) at 99.45%" in worse
    assert "not a digit" not in worse
    blind = activation_caution({"test_accuracy": 0.9941, "config": {}}, "default", shipped)
    assert "trained on no drawn non-digits" in blind and "MNIST" not in blind
    # Against an active version that trained on no non-digits either, that is nothing new.
    assert (
        activation_caution({"test_accuracy": 0.99, "config": {}}, "old", {"test_accuracy": 0.99})
        is None
    )
    # A version from before the metadata said its accuracy: nothing to compare.
    assert activation_caution({"config": {"nondigits": 10}}, "default", shipped) is None
