"""The Evaluation, Robustness and My drawings pages, and the Draw page's "Wrong? It's a _" control,
under Streamlit's AppTest, each with its own model store in a temporary directory."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from model.drawings import TEMPLATES, render_strokes
from model.serving.corrections import Corrections
from model.serving.store import SHIPPED_DIR, ModelStore
from tests.conftest import APP

pytestmark = pytest.mark.slow


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def canvas_rgba(digit: int) -> np.ndarray:
    gray = render_strokes(TEMPLATES[digit][0])
    return np.dstack([gray, gray, gray, np.full_like(gray, 255)])


def copy_of_default(name: str, meta: dict | None = None) -> str:
    """Another version in the store: the shipped default's network under a new name."""

    def write(directory: Path) -> None:
        for file in ("model.keras", "history.json"):
            shutil.copy(SHIPPED_DIR / "default" / file, directory / file)
        shipped = json.loads((SHIPPED_DIR / "default" / "meta.json").read_text())
        (directory / "meta.json").write_text(json.dumps({**shipped, "name": name, **(meta or {})}))

    return ModelStore().add(name, write).name


# ── Evaluation ─────────────────────────────────────────────────────────────────────────────────


def test_evaluation_shows_both_test_sets_and_compares_versions(open_page):
    at = open_page("pages/evaluation.py")
    assert at.title[0].value == "Evaluation"
    assert at.selectbox(key="evaluation_version").value == "default"
    assert [s.value for s in at.header] == [
        "MNIST test",
        "Bundled drawings",
        "Real handwriting",
        "Stroke-font digits",
        "Typeface digits",
        "Drawn non-digits",
    ]
    accuracy = [m.value for m in at.metric if m.label == "Accuracy"]
    assert len(accuracy) == 5 and all(value.endswith("%") for value in accuracy)
    assert float(accuracy[0].rstrip("%")) > 98  # the shipped model on MNIST test
    assert float(accuracy[2].rstrip("%")) > 95  # ... and on 13 other writers' coarse scans
    assert 'Answered "not a digit"' in texts(at.caption)
    assert "13 people who are not MNIST's writers" in texts(at.caption)
    assert float(accuracy[3].rstrip("%")) > 90  # ... and on 9 stroke fonts' digits
    assert float(accuracy[4].rstrip("%")) > 90  # ... and on 48 held-out typefaces' digits
    # per digit (x5), per style, per font, per typeface, per kind of non-digit: tables
    assert len(at.dataframe) == 9
    per_style = at.dataframe[2].value
    assert per_style["style"].tolist() == ["mixed", "thin", "thick", "small, off-centre", "rotated"]
    assert at.dataframe[3].value["digits"].sum() == 1797
    # How many drawings each row has is said once, in a caption, so that the table fits a
    # phone or half a tablet (at 768 px the per-font table's third column was cut off).
    per_font = at.dataframe[5].value
    assert len(per_font) == 9 and per_font.columns.tolist() == ["font", "accuracy"]
    per_typeface = at.dataframe[7].value
    assert len(per_typeface) == 48 and "drawings" not in per_typeface.columns
    captions = [caption.value for caption in at.caption]
    assert any(re.fullmatch(r"\d+–\d+ drawings each", caption) for caption in captions)
    assert "50 drawings each" in captions  # 2,400 drawings of 48 typefaces
    per_kind = at.dataframe[8].value
    assert set(per_kind["trained on"]) == {"yes", "no"} and "drawings" not in per_kind.columns
    assert "150 drawings each" in captions  # 5 styles x 30 of every kind
    assert ((per_kind["not a digit"] >= 0) & (per_kind["not a digit"] <= 100)).all()
    # Named in words, not as the code spells them ("heldout_font_letters").
    assert {"stray marks", "letters, unseen typefaces", "Greek letters"} <= set(per_kind["kind"])
    assert not any("_" in kind for kind in per_kind["kind"])
    rejected = [m for m in at.metric if "not a digit" in m.label]
    assert len(rejected) == 2 and all(m.value.endswith("%") for m in rejected)
    assert "mistakes" in texts(at.caption)
    # a confusion matrix and a reliability diagram per digit set, the mistakes in galleries
    assert len(at.image) >= 10

    copy_of_default("default-copy")
    at = open_page("pages/evaluation.py")
    at.selectbox(key="evaluation_compare").select("default-copy").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "A = default vs B = default-copy" in texts(at.header)
    comparison = at.dataframe[0].value
    assert list(comparison.columns) == ["test set", "A", "B", "B − A"]  # narrow, for a phone
    assert list(comparison["test set"])[:3] == ["MNIST test", "Bundled drawings", "· mixed"]
    assert list(comparison["test set"])[-6:] == [
        "Real handwriting",
        "Stroke-font digits",
        "Typeface digits",
        "Drawn non-digits",
        "· unseen kinds",  # the figure Training and Compare show
        "· the other kinds",
    ]
    # Per digit, in two narrow tables that read at phone width.
    assert list(at.dataframe[1].value.columns) == [
        "digit",
        "MNIST A",
        "MNIST B",
        "drawings A",
        "drawings B",
    ]
    assert list(at.dataframe[2].value.columns) == ["digit", "handwriting A", "handwriting B"]
    assert (comparison["B − A"] == 0).all()  # the same network
    assert "they disagree on 0 of 10,000 digits" in texts(at.markdown)
    assert "Every figure for B = default-copy" in [e.label for e in at.expander]


def test_a_test_set_that_cannot_be_fetched_is_left_out_with_the_reason(open_page, unfetchable):
    unfetchable("typefaces")
    at = open_page("pages/evaluation.py")
    warning = texts(at.warning)
    assert "**Typeface digits** cannot be scored on this machine" in warning
    assert "`npm` is not installed" in warning
    headers = [s.value for s in at.header]
    assert "Typeface digits" not in headers and "Drawn non-digits" in headers
    accuracy = [m.value for m in at.metric if m.label == "Accuracy"]
    assert len(accuracy) == 4 and float(accuracy[0].rstrip("%")) > 98  # the others are scored

    copy_of_default("default-copy")
    at = open_page("pages/evaluation.py")
    at.selectbox(key="evaluation_compare").select("default-copy").run()
    assert not at.exception, [e.value for e in at.exception]
    tests = list(at.dataframe[0].value["test set"])
    assert "Typeface digits" not in tests and tests[-3] == "Drawn non-digits"


def test_a_version_that_never_saw_a_non_digit_is_not_said_to_have(open_page):
    """Every kind is new to a version trained without non-digits: none is marked "trained on"."""
    shipped = json.loads((SHIPPED_DIR / "default" / "meta.json").read_text())
    copy_of_default("no-nondigits", {"config": {**shipped["config"], "nondigits": 0}})
    at = open_page("pages/evaluation.py")
    at.selectbox(key="evaluation_version").select("no-nondigits").run()
    assert not at.exception, [e.value for e in at.exception]
    assert set(at.dataframe[8].value["trained on"]) == {"no"}
    assert [m.label for m in at.metric if "not a digit" in m.label] == [
        'Kinds never trained on: "not a digit"'
    ]
    assert "trained on no non-digits: every kind is new to it" in texts(at.caption)
    # Precision is a number (it sorts as one); a digit never answered says so in words.
    precision = at.dataframe[0].value["precision"]
    assert precision.dtype.kind == "f"
    assert all(np.isnan(p) or 0 <= p <= 100 for p in precision)
    assert at.dataframe[0].proto.placeholder == "never answered"


def open_link(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for param, value in query.items():
        at.query_params[param] = value
    at.switch_page("pages/evaluation.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_link_opens_the_same_comparison_and_is_never_written(home):
    copy_of_default("default-copy")
    at = open_link({"version": "default-copy", "compare": "default"})
    assert at.selectbox(key="evaluation_version").value == "default-copy"
    assert at.selectbox(key="evaluation_compare").value == "default"
    assert "A = default-copy vs B = default" in texts(at.header)
    assert "?version=default-copy&compare=default" in texts(at.code)
    # The visitor's own choice wins over the link, which is applied once and never rewritten.
    at.selectbox(key="evaluation_compare").set_value(None).run()
    assert at.selectbox(key="evaluation_compare").value is None
    assert "?version=default-copy" in texts(at.code) and "compare=" not in texts(at.code)
    assert dict(at.query_params) == {"version": "default-copy", "compare": "default"}


def test_a_link_to_a_missing_version_falls_back_with_a_note(home):
    at = open_link({"version": "no-such-version", "compare": "default"})
    assert "the version “no-such-version”, which is not here" in texts(at.info)
    assert at.selectbox(key="evaluation_version").value == "default"
    # "compare" names the version shown: nothing to compare it with, so a note too.
    assert "the version to compare with “default”" in texts(at.info)
    assert at.selectbox(key="evaluation_compare").value is None
    assert [s.value for s in at.header][:2] == ["MNIST test", "Bundled drawings"]


# ── Robustness ─────────────────────────────────────────────────────────────────────────────────


def test_robustness_without_a_drawing_uses_a_sample(open_page):
    at = open_page("pages/robustness.py")
    assert at.title[0].value == "Robustness"
    assert "Draw a digit on the Draw page first" in texts(at.info)
    assert at.metric[0].value == "7"
    assert [h.value for h in at.header] == ["1 · Change it yourself", "2 · Many changes at once"]


def test_robustness_reads_the_drawing_and_its_changes(open_page):
    at = open_page("pages/robustness.py")
    at.session_state["drawing"] = canvas_rgba(4)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.info
    assert at.metric[0].label == "Prediction" and at.metric[0].value == "4"
    assert "as drawn it reads **4" in texts(at.markdown)
    assert re.search(r"^Confidence (\d+\.\d|>99\.9)% · as drawn", texts(at.markdown), re.M)
    strip = [m for m in at.markdown if "%" in str(m.value) and "**" in str(m.value)]
    assert len(strip) >= 15  # one verdict per variant

    at.slider(key="rob_angle").set_value(45).run()
    at.slider(key="rob_thickness").set_value(-10).run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="rob_reset").click().run()
    assert at.slider(key="rob_angle").value == 0 and at.slider(key="rob_thickness").value == 0
    assert at.metric[0].value == "4"


def test_robustness_answers_not_a_digit_as_the_draw_page_does(open_page):
    """A heart is "?" on the Draw page: here too, not a digit at a 10% guess painted as stable."""
    from model.nondigits import DRAWN

    heart = render_strokes(DRAWN["shapes"]["heart"](np.random.default_rng(0)))
    at = open_page("pages/robustness.py")
    at.session_state["drawing"] = np.dstack([heart, heart, heart, np.full_like(heart, 255)])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.metric[0].value == "?"
    assert "Not a digit · as drawn it reads **not a digit**" in texts(at.markdown)
    assert not any("%" in str(m.value) for m in at.markdown if ":green[" in str(m.value))
    said = "\n".join(str(m.value) for m in at.markdown)
    assert ":green[**not a digit**]" in said  # the variants still rejected, marked as unchanged


# ── My drawings ────────────────────────────────────────────────────────────────────────────────


def save_drawings(home: Path, labels: list[int]) -> list[str]:
    from model.preprocess import preprocess_canvas

    saved = Corrections(home / "my-drawings")
    ids = []
    for digit in labels:
        steps = preprocess_canvas(render_strokes(TEMPLATES[digit][0]))
        ids.append(saved.save(steps.image, steps.gray, digit))
    return ids


def test_my_drawings_without_drawings(home, open_page):
    at = open_page("pages/my_drawings.py")
    assert at.title[0].value == "My drawings"
    assert str(home / "my-drawings") in texts(at.caption)
    assert "go nowhere else" in texts(at.caption)
    assert "No saved drawings yet" in texts(at.info)
    assert at.button(key="finetune_start").disabled


def test_my_drawings_lists_exports_and_deletes(home, open_page):
    first, second, third = save_drawings(home, [3, 5, 3])
    at = open_page("pages/my_drawings.py")
    assert "**3 saved drawings** · 3 ×2 · 5 ×1" in texts(at.markdown)
    assert len(at.image) == 3
    assert not at.button(key="finetune_start").disabled

    at.button(key=f"delete_{second}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert Corrections(home / "my-drawings").ids() == sorted([first, third])
    assert "Deleted the drawing." in texts(at.success)
    assert len(at.image) == 2

    at.button(key="delete_all").click().run()
    assert "cannot be undone" in texts(at.warning)
    at.button(key="delete_all_no").click().run()
    assert len(Corrections(home / "my-drawings").ids()) == 2
    at.button(key="delete_all").click().run()
    at.button(key="delete_all_yes").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert Corrections(home / "my-drawings").ids() == []
    assert "Deleted 2 drawings." in texts(at.success)
    assert "No saved drawings yet" in texts(at.info)


def test_a_finished_finetune_shows_before_after_and_can_be_kept_or_discarded(home, open_page):
    from model.serving.jobs import TrainingJob
    from pages.resources import trainer

    save_drawings(home, [1, 7])
    # In the table's order; the non-digits are those of kinds never trained on (model.evaluate).
    before = {"test_accuracy": 0.995, "drawings_accuracy": 0.99, "nondigits_rejected": 0.776}
    good = {"test_accuracy": 0.994, "drawings_accuracy": 0.992, "nondigits_rejected": 0.78}
    before["held_out_accuracy"], good["held_out_accuracy"] = 0.5, 1.0
    forgot = {**good, "test_accuracy": 0.97}  # e.g. a drawing saved with the wrong label

    for choice, after in (("keep", good), ("discard", forgot)):
        tune = {"user_drawings": 10, "held_out": 2, "before": before, "after": after}
        name = copy_of_default(f"tuned-{choice}", {"finetune": tune, "parent": "default"})
        at = open_page("pages/my_drawings.py")
        args = ["python", "-m", "model", "finetune", "--epochs", "4", "--json-progress"]
        now = time.time()
        trainer().job = TrainingJob(
            args=args, state="done", version=name, started=now - 60, finished=now
        )
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        header = f"**Fine-tuned version {name}** · 60 s in all"
        assert f"{header} · stored, not active yet" in texts(at.markdown)
        table = at.dataframe[0].value
        assert table["test set"].tolist()[2:] == [
            "Non-digits rejected (unseen kinds)",
            "Your held-out drawings (2)",
        ]
        assert table["before"].tolist() == pytest.approx([99.5, 99.0, 77.6, 50.0])
        assert table["after"].tolist() == pytest.approx([100 * after[k] for k in before])
        assert "8 of your drawings; 2 were held out" in texts(at.caption)
        warned = "worse on MNIST test by 2.50 points" in texts(at.warning)
        assert warned == (after is forgot)
        if choice == "keep":
            at.button(key="finetune_keep").click().run()
            assert ModelStore().active_name() == name
            assert "Kept: it is the active model." in texts(at.success)
            assert f"{header} · the active model" in texts(at.markdown)  # no more "not active"
            assert f"**{name}** is now the active model, for every session." in texts(at.success)
        else:
            at.button(key="finetune_discard").click().run()
            assert name not in [v.name for v in ModelStore().list()]
            assert f"Discarded {name}" in texts(at.success)
            assert "Fine-tuned version" not in texts(at.markdown)
        assert not at.exception, [e.value for e in at.exception]
    trainer().job = None


# ── "Wrong? It's a _" ──────────────────────────────────────────────────────────────────────────


def widget_app() -> AppTest:
    def script():
        import numpy as np
        import streamlit as st

        from model.drawings import TEMPLATES, render_strokes
        from model.preprocess import preprocess_canvas
        from model.serving.inference import Prediction
        from pages.correction_widget import correction_widget

        prediction = None
        if st.session_state.get("drawn", True):
            steps = preprocess_canvas(render_strokes(TEMPLATES[2][0]))
            prediction = Prediction(np.eye(10, dtype=np.float32)[7], steps)
        correction_widget(prediction)

    at = AppTest.from_function(script, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_correction_widget_saves_only_on_request(home, monkeypatch):
    saved = Corrections(home / "my-drawings")
    at = widget_app()
    assert at.get("pills")[0].label == "Wrong? It's a"
    assert saved.ids() == []  # nothing is saved by drawing

    at.button(key="correction_save").click().run()
    assert "Pick the digit you meant" in texts(at.warning)
    assert saved.ids() == []

    at.get("pills")[0].set_value(2).run()
    assert saved.ids() == []  # picking is not saving
    assert "Pick the digit you meant" not in texts(at.warning)  # answered by the pick
    at.button(key="correction_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Saved as a 2" in texts(at.success)
    at.run()  # a rerun of its own (the canvas sends its drawing again): the answer stays
    assert "Saved as a 2" in texts(at.success)
    [drawing] = saved.all()
    assert (
        drawing.label == 2 and drawing.image.shape == (28, 28) and drawing.raw.shape == (280, 280)
    )

    assert at.get("pills")[0].value is None  # ready for the next drawing

    at.get("pills")[0].set_value(2).run()
    assert "Saved as a 2" not in texts(at.success)  # a new pick: the old answer goes
    at.button(key="correction_save").click().run()
    assert "already saved as a 2" in texts(at.info)
    assert len(saved.ids()) == 1

    import model.atomic

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model.atomic.os, "replace", full)
    at.get("pills")[0].set_value(3).run()
    at.button(key="correction_save").click().run()
    assert "Not saved" in texts(at.error) and "No space left on device" in texts(at.error)
    assert len(saved.ids()) == 1

    at.session_state["drawn"] = False
    at.run()
    assert not at.error  # the answer belonged to the drawing that is gone
    at.button(key="correction_save").click().run()
    assert "Nothing is drawn" in texts(at.warning)


def test_the_correction_widget_saves_a_drawing_as_not_a_digit(home):
    saved = Corrections(home / "my-drawings")
    at = widget_app()
    at.button(key="correction_not_a_digit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Saved as not a digit" in texts(at.success)
    [drawing] = saved.all()
    assert drawing.label == -1 and drawing.image.shape == (28, 28)
    at.button(key="correction_not_a_digit").click().run()
    assert "already saved as not a digit" in texts(at.info)
    assert len(saved.ids()) == 1
