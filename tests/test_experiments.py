"""The experiments (`model.experiments`, `model.handmade`) on real MNIST at their tiny preset.

Checked: the command line prints the contracted JSON last; cutting a digit lowers its recall and
oversampling brings some back; more data beats the small baseline, every run's curves are
recorded; HOG into a linear SVM beats a floor and the raw pixels; records and readers survive a
round trip and are refused, with a message, when damaged; bad parameters train nothing.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import handmade
from model.__main__ import main
from model.experiments import PRESETS, Records, cut, set_dropout

pytestmark = pytest.mark.slow


def test_a_cut_keeps_its_share_and_oversampling_restores_the_count():
    y = np.repeat(np.arange(10), 100)
    x = np.arange(len(y))
    kept_x, kept_y = cut(x, y, 3, 0.05, seed=1)
    assert (kept_y == 3).sum() == 5 and (kept_y != 3).sum() == 900
    over_x, over_y = cut(x, y, 3, 0.05, seed=1, oversample=True)
    assert (over_y == 3).sum() == 100
    assert set(over_x[over_y == 3]) == set(kept_x[kept_y == 3])  # the same five, repeated
    assert (cut(x, y, 3, 0.001)[1] == 3).sum() == 1  # never none at all


def test_imbalance_prints_the_contract_and_the_cut_digit_is_forgotten(tiny_experiments):
    root, printed = tiny_experiments
    result = printed["imbalance"]
    assert set(result) == {"digit", "share", "recall", "accuracy"}
    assert (result["digit"], result["share"]) == (5, 0.05)
    runs = {"balanced", "imbalanced", "reweighted"}
    assert set(result["recall"]) == set(result["accuracy"]) == runs
    recall = result["recall"]
    assert recall["imbalanced"] < recall["balanced"] - 0.3
    assert recall["reweighted"] > recall["imbalanced"]
    assert result["accuracy"]["balanced"] > 0.8
    records = Records(root)
    [name] = [n for n in records.names() if n.startswith("imbalance-")]
    record = records.load(name)
    assert record["summary"] == result
    balanced, imbalanced, reweighted = (run["counts"][5] for run in record["runs"])
    assert imbalanced == round(0.05 * balanced) and reweighted == balanced
    confusion = np.asarray(record["runs"][1]["confusion"])
    assert confusion[5, 5] / confusion[5].sum() == pytest.approx(recall["imbalanced"])


def test_the_levers_overlay_their_curves(tiny_experiments):
    root, printed = tiny_experiments
    result = printed["levers"]
    names = ["baseline", "more_data", "more_epochs", "architecture", "regularisation"]
    assert list(result["accuracy"]) == list(result["drawings_accuracy"]) == names
    assert result["accuracy"]["more_data"] > result["accuracy"]["baseline"]
    records = Records(root)
    record = records.load(next(n for n in records.names() if n.startswith("levers-")))
    tiny = PRESETS["levers"]["tiny"]
    epochs = {run["name"]: len(run["history"]["val_accuracy"]) for run in record["runs"]}
    assert epochs == {name: tiny.epochs for name in names} | {"more_epochs": 3 * tiny.epochs}
    assert record["runs"][3]["config"]["arch"] == "seed_cnn"
    assert record["runs"][4]["dropout"] == 0.0


def test_features_keep_readers_that_read_a_digit(tiny_experiments, mnist):
    root, printed = tiny_experiments
    result = printed["features"]
    assert set(result["accuracy"]) == {"pixels", "hog", "cnn"}
    assert result["accuracy"]["hog"] > 0.85
    records = Records(root)
    name = next(n for n in records.names() if n.startswith("features-"))
    digits = mnist.x_test[:20].astype(np.float32) / 255
    answers = [records.read(name, image) for image in digits]
    assert set(answers[0]) == {"pixels", "hog", "cnn"}
    right = np.mean([a["hog"] == label for a, label in zip(answers, mnist.y_test, strict=False)])
    assert right >= 0.8


def test_the_dropout_lever_reaches_the_network_that_trains():
    from model import networks
    from model.train import trainee_network
    from model.train_config import TrainConfig

    network = networks.BUILDERS["mlp"]()
    set_dropout(network, 0.05)
    trainee = trainee_network(network, TrainConfig(arch="mlp", precision="float32"))
    rates = [layer.rate for layer in trainee.layers if type(layer).__name__ == "Dropout"]
    assert rates == [0.05, 0.05]
    with pytest.raises(ValueError, match="no dropout"):
        set_dropout(networks.BUILDERS["seed_cnn"](), 0.5)


def test_hog_features_beat_a_floor_and_the_raw_pixels(mnist, tmp_path):
    train_x, train_y = mnist.x_train[:2000].astype(np.float32) / 255, mnist.y_train[:2000]
    test_x, test_y = mnist.x_test[:2000].astype(np.float32) / 255, mnist.y_test[:2000]
    accuracy = {}
    for kind in handmade.KINDS:
        reader = handmade.train_reader(kind, handmade.features(kind, train_x), train_y)
        accuracy[kind] = float((reader.read(test_x) == test_y).mean())
        reader.save(tmp_path / f"{kind}.npz")
        again = handmade.LinearReader.load(tmp_path / f"{kind}.npz")
        assert (again.read(test_x[:50]) == reader.read(test_x[:50])).all()
    assert accuracy["hog"] > 0.93
    assert accuracy["pixels"] > 0.8
    assert accuracy["hog"] > accuracy["pixels"]
    (tmp_path / "bad.npz").write_bytes(b"not an archive")
    with pytest.raises(ValueError, match="not a saved reader"):
        handmade.LinearReader.load(tmp_path / "bad.npz")


def test_a_damaged_record_is_refused_with_its_reason(tiny_experiments, tmp_path):
    records = Records(tmp_path)
    (records.directory / "levers-20260101-000000").mkdir(parents=True)
    (records.directory / "levers-20260101-000000" / "record.json").write_text('{"kind": "x"}')
    with pytest.raises(ValueError, match="not an experiment record"):
        records.load("levers-20260101-000000")
    with pytest.raises(ValueError, match="unreadable"):
        records.load("levers-20990101-000000")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["imbalance", "--digit", "12", "--share", "0.1"], "digit must be between 0 and 9"),
        (["imbalance", "--digit", "3", "--share", "0"], "share must be in (0, 1]"),
        (["levers", "--dropout", "1.5"], "dropout must be between 0 and 0.9"),
        (["levers", "--arch", "studio_cnn"], "the other architecture must be one of"),
    ],
)
def test_bad_parameters_train_nothing(tmp_path, capsys, args, message):
    assert main(["--store", str(tmp_path), "experiment", *args]) == 2
    assert message in capsys.readouterr().err
    assert Records(tmp_path).names() == []
