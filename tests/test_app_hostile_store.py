"""Every page under AppTest over a store seeded with damaged and hostile files (tests/hostile.py):
no exception, and what is wrong is named."""

from __future__ import annotations

import pytest

from model.serving.corrections import Corrections
from tests.hostile import BAD_HISTORY, BROKEN_VERSIONS, DAMAGED, seed_hostile_store, texts

pytestmark = pytest.mark.slow

PAGES = [
    "pages/draw.py",
    "pages/inside.py",
    "pages/robustness.py",
    "pages/training.py",
    "pages/evaluation.py",
    "pages/compare.py",
    "pages/my_drawings.py",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_works_over_a_hostile_store(home, open_page, path):
    seed_hostile_store(home)
    at = open_page(path, timeout=240, visit_draw_page_first=path == "pages/inside.py")
    sidebar = texts(at.sidebar.warning)
    assert f"{home / 'active'}" in sidebar.replace("\\", "") and "serving default" in sidebar
    assert "**default**" in texts(at.sidebar.markdown)


def test_my_drawings_lists_the_damaged_files_with_delete(home, open_page):
    good = seed_hostile_store(home)
    at = open_page("pages/my_drawings.py")
    assert "**1 saved drawing** · 3 ×1" in texts(at.markdown)
    assert len(at.image) == 1
    assert "5 saved drawing files cannot be read" in texts(at.warning)
    listed = texts(at.markdown).replace("\\", "")
    for drawing_id in DAMAGED:
        assert f"**{drawing_id}.npz** · " in listed
    assert "label 42 is not -1 to 9" in listed
    assert not at.button(key="finetune_start").disabled  # the good drawing is enough
    assert at.button(key="delete_all").label == "Delete all 6…"

    doomed = next(iter(DAMAGED))
    at.button(key=f"delete_damaged_{doomed}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Deleted the drawing." in texts(at.success)
    assert "4 saved drawing files cannot be read" in texts(at.warning)
    assert doomed not in Corrections(home / "my-drawings").ids()
    assert good in Corrections(home / "my-drawings").ids()


def test_training_page_marks_wrong_metadata_broken_and_survives_bad_curves(home, open_page):
    seed_hostile_store(home, active=BAD_HISTORY.encode())
    at = open_page("pages/training.py", timeout=90)
    assert "Active model: bad-history" in texts(at.header)
    warnings = texts(at.warning).replace("\\", "")
    assert "No training curves" in warnings and "history.json" in warnings
    assert not at.get("vega_lite_chart")
    errors = texts(at.error).replace("\\", "")
    for name in BROKEN_VERSIONS:
        assert f"Version **{name}** is broken" in errors
    assert "test_accuracy must be a number in [0, 1], not 'high'" in errors
    status = at.dataframe[0].value.set_index("name")["status"]
    assert all(status[name].startswith("broken: ") for name in BROKEN_VERSIONS)
    assert status[BAD_HISTORY] == "active"
    assert not at.info, "nobody holds the training lock, whatever its file holds"
    assert not at.button(key="retrain_submit").disabled


def test_a_read_only_store_offers_no_retraining(home, open_page, read_only):
    seed_hostile_store(home, active=b"default")
    read_only(home)
    at = open_page("pages/training.py", timeout=90)
    assert "read-only: retraining is off" in texts(at.warning)
    assert "retrain_submit" not in [button.key for button in at.button]
