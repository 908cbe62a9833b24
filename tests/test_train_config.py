"""`TrainConfig` is the one source of the training options: the CLI's `train` flags and their
defaults come from it, and the arguments the Training form sends parse back to the same run."""

from dataclasses import fields

import pytest

from model.__main__ import build_parser
from model.train_config import CLI_FLAGS, TrainConfig


def parsed(argv: list[str]) -> TrainConfig:
    return TrainConfig.from_args(build_parser().parse_args(argv))


def test_the_train_commands_defaults_are_train_configs():
    assert parsed(["train"]) == TrainConfig()
    assert set(CLI_FLAGS) == {option.name for option in fields(TrainConfig)}


@pytest.mark.parametrize(
    "config",
    [
        TrainConfig(),
        TrainConfig(arch="mlp", epochs=2, batch_size=64, learning_rate=3e-4, subset=2000),
        TrainConfig(augment=True, nondigits=14000, schedule="constant", precision="float32"),
        TrainConfig(nondigits=14000, first_drawn=3112),
        TrainConfig(augment=True, elastic=True, typeset=3000, canvas_digits=12000),
        TrainConfig(canvas_digits=12000, stroke_ends=True),
        TrainConfig(typeset=12000, typefaces="google"),
        TrainConfig(learning_rate=0.0123456789, seed=7, canvas_digits=300),
    ],
)
def test_cli_args_parse_back_to_the_same_run(config):
    args = config.cli_args()
    assert args[0] == "train"
    assert parsed(args) == config


def test_the_readme_flags_keep_their_names():
    argv = "train --arch seed_cnn --epochs 3 --batch-size 32 --lr 0.002 --augment --subset 500"
    config = parsed(argv.split())
    assert (config.arch, config.epochs, config.batch_size) == ("seed_cnn", 3, 32)
    assert (config.learning_rate, config.augment, config.subset) == (0.002, True, 500)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--schedule", "linear"])


def test_canvas_digits_keep_their_old_flag_name(capsys):
    argv = "train --canvas-digits 12000 --typeset 500 --augment --elastic"
    new = parsed(argv.split())
    assert (new.canvas_digits, new.typeset, new.elastic) == (12000, 500, True)
    old = "train --drawings 12000"  # as scripts written before the rename say it
    assert parsed(old.split()).canvas_digits == 12000
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--help"])
    shown = capsys.readouterr().out
    assert "--canvas-digits" in shown and "--drawings" not in shown


def test_stroke_ends_need_canvas_digits():
    with pytest.raises(ValueError, match="add --canvas-digits"):
        TrainConfig(stroke_ends=True).check()
    assert TrainConfig(stroke_ends=True, canvas_digits=100).check().stroke_ends


def test_the_google_typefaces_are_for_typeset_digits_and_never_the_heldout_ones():
    with pytest.raises(ValueError, match="add it"):
        TrainConfig(typefaces="google").check()
    with pytest.raises(ValueError, match="typefaces must be one of"):
        TrainConfig(typeset=10, typefaces="all").check()
    from model import google_fonts, typefaces
    from model.train import typeset_fonts

    assert typeset_fonts() == typefaces.training_fonts()
    wide = typeset_fonts("google")
    assert set(google_fonts.training_faces()) < set(wide)
    assert not set(google_fonts.heldout_faces()) & set(wide)
    assert not set(typefaces.heldout_fonts()) & set(wide)


@pytest.mark.parametrize(
    ("config", "count"),
    [({"nondigits": 14000}, 14000), ({"nondigits": 0}, 0), ({}, 0), ({"nondigits": True}, 0)],
)
def test_the_non_digits_a_version_trained_on_are_read_from_its_meta(config, count):
    from model.train_config import trained_nondigit_count

    assert trained_nondigit_count({"config": config}) == count
