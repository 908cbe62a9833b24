"""`model.forgetting`: a fine-tuned version's before and after figures, and whether it forgot."""

from model.forgetting import FIGURES, before_after, forgotten


def tuned(before: dict, after: dict) -> dict:
    return {"finetune": {"before": before, "after": after}}


def test_before_and_after_per_figure_with_none_where_not_measured():
    meta = tuned({"test_accuracy": 0.99, "held_out_accuracy": None}, {"test_accuracy": 0.98})
    figures = before_after(meta)
    assert list(figures) == list(FIGURES)
    assert figures["test_accuracy"] == (0.99, 0.98)
    assert figures["held_out_accuracy"] == (None, None)
    assert before_after({})["drawings_accuracy"] == (None, None)


def test_a_drop_beyond_the_tolerance_on_a_shared_test_set_is_forgetting():
    meta = tuned(
        {"test_accuracy": 0.990, "drawings_accuracy": 0.980, "held_out_accuracy": 0.5},
        {"test_accuracy": 0.970, "drawings_accuracy": 0.978, "held_out_accuracy": 0.1},
    )
    lost = forgotten(meta)
    assert list(lost) == ["test_accuracy"]  # 0.2 points on drawings is within tolerance
    assert abs(lost["test_accuracy"] - 2.0) < 1e-9
    assert forgotten(meta, tolerance={"test_accuracy": 0.001, "drawings_accuracy": 0.001}) == {
        "test_accuracy": lost["test_accuracy"],
        "drawings_accuracy": 100 * (0.980 - 0.978),
    }
    assert forgotten(tuned({"test_accuracy": 0.9}, {"test_accuracy": 0.95})) == {}


def test_unlearning_not_a_digit_is_forgetting_beyond_a_few_drawings():
    def rejected(before: float, after: float) -> dict:
        return forgotten(tuned({"nondigits_rejected": before}, {"nondigits_rejected": after}))

    assert rejected(0.776, 0.764) == {}  # 9 of 750 drawings: chance
    assert list(rejected(0.776, 0.70)) == ["nondigits_rejected"]
