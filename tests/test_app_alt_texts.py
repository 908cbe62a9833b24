"""Every picture has a text alternative that says what it shows (issue #17), under AppTest:
`st.image(alt=...)` reaches each image's proto as `alt`."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP

pytestmark = pytest.mark.slow


def alt_texts(at: AppTest) -> list[str]:
    """The alt text of every image on the page, in order ("" for an image without one)."""
    return [img.alt for element in at.image for img in element.proto.imgs]


def assert_every_image_described(alts: list[str]) -> None:
    assert alts, "no images on the page"
    missing = [i for i, alt in enumerate(alts) if not alt.strip()]
    assert not missing, f"images {missing} of {len(alts)} have no alt text"


def test_the_draw_pages_pictures_say_what_they_show(home):
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["sample"] = "0"  # MNIST's first test digit: a clear 7
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    alts = alt_texts(at)
    assert_every_image_described(alts)
    assert any("28×28 image the network reads" in a and "read as 7" in a for a in alts), alts


def test_inside_the_cnn_says_which_digit_a_heat_map_explains_and_where(open_page):
    at = open_page("pages/inside.py", timeout=60, visit_draw_page_first=True)
    alts = alt_texts(at)
    assert_every_image_described(alts)
    assert alts[0].startswith("The 28×28 input the network reads: read as 3")
    heat = [a for a in alts if "heat map" in a]
    assert [a.split(" heat map")[0] for a in heat] == ["Grad-CAM", "HiResCAM", "Saliency"]
    where = r"(top|bottom|left|right|centre|top left|top right|bottom left|bottom right)"
    for alt in heat:
        assert re.search(rf"evidence for the digit 3 .*: strongest at the {where}\.$", alt), alt
    assert sum("learned 3×3 filters" in a for a in alts) == 3
    assert sum("feature maps of layer" in a for a in alts) == 6


def test_evaluation_describes_matrices_diagrams_and_mistakes(open_page):
    at = open_page("pages/evaluation.py")
    alts = alt_texts(at)
    assert_every_image_described(alts)
    confusion = [a for a in alts if a.startswith("Confusion matrix of MNIST test")]
    assert len(confusion) == 1
    assert re.search(r"the most common mistake is \d read as \d, (once|\d+ times)\.$", confusion[0])
    reliability = [a for a in alts if a.startswith("Reliability diagram of")]
    assert len(reliability) == 5 and all("expected calibration error" in a for a in reliability)
    for name in ("Real handwriting", "Stroke-font digits", "Typeface digits"):
        assert any(a.startswith(f"Reliability diagram of {name}") for a in reliability), name
    mistakes = [a for a in alts if re.fullmatch(r"true \d, read as (\d \(.+\)|not a digit)", a)]
    assert mistakes, alts
