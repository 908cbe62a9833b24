"""Inside the CNN: learned filters, feature maps of the current drawing, and where it looked.

UI only: the arrays come from `model.explain`, the pictures from `model.figures`. The pictures are
cached as PNG bytes per model version (filters), per version and drawing (feature maps) and per
version, drawing and digit (heat maps), so a rerun with nothing new draws nothing.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from model import explain, figures
from model.describe import heat_map_alt, strongest_region
from model.drawings import sample_drawing
from pages import explanation_lab
from pages import formulas as formula_section
from pages.columns import wrapping_columns
from pages.entry import ensure_app_entry
from pages.pictures import enlarge
from pages.readout import answer_words
from pages.resources import active_predictor, network_key

FORMULAS = "The formulas on your drawing"
ensure_app_entry()  # first: a deep link on a fresh server must run under app.py


cached_sample = st.cache_data(show_spinner=False)(sample_drawing)


@st.cache_data(show_spinner=False, max_entries=16)
def filter_pictures(_network, key: tuple) -> list[tuple[bytes, str]]:
    """(PNG, alt text) per convolution layer."""
    shown = []
    for name in explain.conv_layers(_network):
        kernels = explain.layer_filters(_network, name)
        title = f"{name}: {len(kernels)} filters"
        if _network.get_layer(name).kernel.shape[2] > 1:
            title += " (each shown by its strongest input channel)"
        size = "×".join(str(n) for n in kernels.shape[1:])
        alt = (
            f"The {len(kernels)} learned {size} filters of layer {name}, one tile each: red "
            "weights want ink, blue weights want none."
        )
        # Eight a row, not sixteen: the picture is half as wide, so a phone shows it at 0.8 of
        # its size instead of 0.45, its title and colour bar still legible.
        shown.append((figures.to_png(figures.filters_figure(kernels, title, columns=8)), alt))
    return shown


@st.cache_data(show_spinner=False, max_entries=64)
def feature_pictures(_network, key: tuple, image: np.ndarray) -> dict[str, tuple[bytes, str]]:
    """Layer name → (PNG, alt text) of its feature maps for `image`."""
    shown = {}
    for name, maps in explain.feature_maps(_network, image).items():
        height, width, channels = maps.shape
        title = f"{name} · {height}×{width} × {channels}"
        where = strongest_region(maps.mean(axis=2))
        found = f"together strongest at the {where}" if where else "none of them fires"
        alt = (
            f"The {channels} feature maps of layer {name} for the drawing, {height}×{width} each, "
            f"bright where a filter found its pattern: {found}."
        )
        shown[name] = (figures.to_png(figures.feature_maps_figure(maps, title)), alt)
    return shown


def show(png: bytes, alt: str) -> None:
    st.image(png, alt=alt)


@st.cache_data(show_spinner=False, max_entries=256)
def decision_pictures(
    _network, key: tuple, image: np.ndarray, digit: int, has_conv: bool
) -> list[tuple[bytes, str]]:
    maps = []
    if has_conv:
        maps.append(("Grad-CAM", explain.grad_cam(_network, image, digit)))
        maps.append(("HiResCAM", explain.grad_cam(_network, image, digit, method="hirescam")))
    maps.append(("Saliency", explain.saliency(_network, image, digit)))
    return [
        (
            figures.to_png(figures.overlay_figure(image, heat, f"{name} for {digit}")),
            heat_map_alt(name, digit, heat),
        )
        for name, heat in maps
    ]


def explain_decision(network, key: tuple, image: np.ndarray, predicted: int, has_conv: bool) -> int:
    """Heat maps for a chosen digit (the prediction unless the user or a `?digit=` link picks
    another), side by side: Grad-CAM, HiResCAM and saliency. Returns the digit."""
    digit = explanation_lab.choose_digit(image, predicted)
    shown = decision_pictures(network, key, image, digit, has_conv)
    for column, one in zip(wrapping_columns(3, 200, key="decision_maps"), shown, strict=False):
        with column:
            show(*one)
    return digit


st.title("Inside the CNN")
st.caption(
    "A convolutional network reads a digit in stages. Look at each stage of the model serving "
    "now: the filters it learned, what they find in your drawing, and which parts of the drawing "
    "decided its answer."
)

predictor, _ = active_predictor()
with st.spinner("Loading the network's layers…"):  # the first time: TensorFlow, a few seconds
    network = predictor.network
key = network_key(predictor)
drawing = st.session_state.get("drawing")
prediction = predictor.classify(drawing) if drawing is not None else None
if prediction is None:
    st.info("Draw a digit on the Draw page first. Until then, this page looks at a sample 3.")
    prediction = predictor.classify(cached_sample())
image = prediction.preprocessed.image

left, right = wrapping_columns([1, 3], 112, key="inside_input", vertical_alignment="center")
left.image(
    enlarge(image, 112),
    caption="the 28×28 input",
    alt=f"The 28×28 input the network reads: read as {answer_words(prediction)}.",
)
if prediction.rejected:
    leaning = (
        f"it leans most towards {prediction.digit}, at only {prediction.confidence:.0%}"
        if prediction.leaning is not None
        else f"no digit stands out, the highest is {prediction.digit} at only "
        f"{prediction.confidence:.0%}"
    )
    right.markdown(
        f"The network reads **not a digit**: {leaning}. The maps below show which evidence "
        "pulled it towards that digit (pick another digit to see its evidence)."
    )
else:
    right.markdown(
        f"The network reads **{prediction.digit}** ({prediction.confidence:.0%} confident)"
    )

stages = explain.layer_stages(network)
if not stages:
    arch = predictor.version.meta.get("arch", "network") if predictor.version else "network"
    st.warning(
        f"The serving model is a `{arch}`: it has no convolutional layers, so it has no filters "
        "or feature maps to show. Activate a CNN version on the Training page to see them. "
        "Saliency works for any network: it shows the pixels whose change would move the "
        "score of a digit the most.",
        icon=":material/info:",
    )
    digit = explain_decision(network, key, image, prediction.digit, has_conv=False)
    explanation_lab.show(predictor, key, image, digit)
    formula_section.show(network, key, image, prediction, predictor.calibration, "5 · " + FORMULAS)
    st.stop()

st.header("1 · What each filter looks for", divider="gray")
st.markdown(
    "A filter is a small grid of learned weights (3×3 here) that slides over its input; the "
    "neuron it feeds fires where the input under it looks like the filter. Red weights want "
    "ink, blue weights want none, so red next to blue is an edge detector. The first layer's "
    "filters read the pixels themselves; a deeper filter reads every feature map of the layer "
    "before, so it is shown by the input channel it weighs most."
)
for shown in filter_pictures(network, key):
    show(*shown)

st.header("2 · Where it found it", divider="gray")
st.markdown(
    "Each tile is one filter's **feature map** for your drawing: bright where the filter found "
    "its pattern, dark where it did not. **Max pooling** keeps the strongest value in every 2×2 "
    "window: the maps halve in resolution but keep what was found, so the next layer sees a "
    "larger part of the digit at once. The deepest maps are coarse: they no longer say exactly "
    "where a stroke is, only which features are present, roughly where."
)
pictures = feature_pictures(network, key, image)
for number, stage in enumerate(stages):
    columns = wrapping_columns(len(stage), 300, key=f"feature_maps_{number}")
    for column, name in zip(columns, stage, strict=True):
        with column:
            show(*pictures[name])

st.header("3 · What made the decision", divider="gray")
st.markdown(
    "**Grad-CAM** asks which regions of the last convolutional layer raised the score of a digit: "
    "it weights each feature map by how much it raises that score and adds them up, so red "
    "regions pushed the network towards the digit. That can be empty paper: the open left side "
    "of a 3 is what tells it from an 8. **HiResCAM** weighs every position by its own gradient "
    "instead of the map's average, so it is sharper and more faithful to where the evidence is. "
    "**Saliency** is the gradient of the score with respect to each input pixel: where a little "
    "more or less ink would change the answer most. Pick another digit to see what evidence "
    "there was for it."
)
digit = explain_decision(network, key, image, prediction.digit, has_conv=True)
explanation_lab.show(predictor, key, image, digit)
formula_section.show(network, key, image, prediction, predictor.calibration, "5 · " + FORMULAS)
