"""Attribution: how much each pixel of a drawing counted for, or against, a digit, by six methods.

Every method answers the same question about the same number, the **class score**: the digit's
logit, the network's output before the softmax (as in `model.explain`). The logit is what the
network adds up evidence in; the probability is the softmax of all ten logits, so it moves when
*another* digit's evidence moves, and once the network is sure it saturates near 1 and its
gradient vanishes. Explaining the logit keeps each map about one digit's own evidence, and makes
integrated gradients' check (below) a statement about a number the network really computes.

- **Grad-CAM** and **HiResCAM** (`model.explain.grad_cam`): which regions of the last conv
  layer raised the score, upsampled from its coarse grid. Convolutional networks only.
- **Saliency** (`model.explain.saliency`): |d score / d pixel|, where a small change of ink would
  move the score most.
- **Integrated gradients** (Sundararajan et al. 2017): the gradient averaged along the straight
  path from a black image (the *baseline*: no ink at all) to the drawing, times the ink. Its
  axiom *completeness* makes it checkable: the attributions add up exactly to score(drawing) -
  score(black), up to the error of the path integral, so the steps are doubled until that error
  is under 1% (`integrated_gradients`).
- **SmoothGrad** (Smilkov et al. 2017): the gradient averaged over copies of the drawing with
  Gaussian noise added. A single gradient is noisy from pixel to pixel (ReLU networks are
  piecewise linear); the average keeps what is stable.
- **Occlusion** (Zeiler & Fergus 2014): black out a small square patch at every position and
  see how far the score falls; each pixel gets the average fall of the patches covering it. No
  gradients at all: it is what happens when that ink is taken away.

Three maps are **signed**: integrated gradients and occlusion say what the ink that is there did
(positive: it was evidence for the digit; negative: against it), SmoothGrad says which way more
ink would push the score. They are drawn on a diverging colour map centred at zero
(`model.figures.signed_figure`). The CAMs pass through a ReLU and saliency is a magnitude:
evidence for only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model import explain

METHODS = ("gradcam", "hirescam", "integrated_gradients", "smoothgrad", "occlusion", "saliency")
NAMES = {
    "gradcam": "Grad-CAM",
    "hirescam": "HiResCAM",
    "integrated_gradients": "Integrated gradients",
    "smoothgrad": "SmoothGrad",
    "occlusion": "Occlusion",
    "saliency": "Saliency",
}
SIGNED = ("integrated_gradients", "smoothgrad", "occlusion")
CAMS = ("gradcam", "hirescam")

IG_STEPS = 64  # first try; doubled while completeness is off by more than IG_TOLERANCE
# Where a ReLU path crosses many switches close together, 1,024 steps can fall short of 1%.
IG_MAX_STEPS = 8192
IG_TOLERANCE = 0.01
SMOOTHGRAD_SAMPLES = 32
# Standard deviation of the noise, as a share of the input range [0, 1]: the low end of the
# paper's 10-20%. Trained to answer scribbles with "not a digit", the default network silences its
# whole hidden layer for some digits under 15% noise, and their gradient is then exactly zero.
SMOOTHGRAD_NOISE = 0.10
OCCLUSION_PATCH = 4  # pixels a side: about a stroke's width in the 28x28 input
OCCLUSION_STRIDE = 1


@dataclass(frozen=True)
class Attribution:
    """One method's map for one digit: (28, 28) float32 values, signed or not."""

    method: str
    digit: int
    values: np.ndarray
    signed: bool
    steps: int | None = None  # integrated gradients: the path's steps
    score_gap: float | None = None  # integrated gradients: score(drawing) - score(baseline)

    @property
    def name(self) -> str:
        return NAMES[self.method]

    @property
    def evidence(self) -> np.ndarray:
        """How strongly each pixel counts for the digit, the most first: the signed value for
        integrated gradients and occlusion (evidence against comes last), the magnitude for the
        sensitivity maps (saliency, SmoothGrad) and the value of the CAMs. Deletion curves
        (`model.faithfulness`) remove pixels in this order."""
        if self.method == "smoothgrad":
            return np.abs(self.values)
        return self.values


def applies(network, method: str) -> bool:
    """Whether `method` can explain this network: the CAMs need a convolutional layer."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    return method not in CAMS or bool(explain.conv_layers(network))


def why_not(network, method: str) -> str | None:
    """None if `method` applies to the network, else a sentence saying why not."""
    if applies(network, method):
        return None
    return (
        f"{NAMES[method]} needs a convolutional layer, whose feature maps it weighs; "
        f"{network.name} has none."
    )


def image28(image: np.ndarray) -> np.ndarray:
    array = np.asarray(image, dtype=np.float32)
    if array.size != 28 * 28:
        raise ValueError(f"an attribution needs a 28x28 input, not {array.shape}")
    return array.reshape(28, 28)


# --- Integrated gradients --------------------------------------------------------------------


def path_integral(gradients: np.ndarray) -> np.ndarray:
    """The average of d score / d pixel along the path, by the trapezoid rule over its
    equally spaced points (first = baseline, last = drawing)."""
    return (gradients[:-1] + gradients[1:]).mean(axis=0) / 2


def integrated_gradients(
    network,
    image: np.ndarray,
    digit: int,
    steps: int = IG_STEPS,
    tolerance: float = IG_TOLERANCE,
    max_steps: int = IG_MAX_STEPS,
) -> Attribution:
    """Integrated gradients from a black baseline, with `steps` doubled until the attributions
    add up to score(image) - score(black) within `tolerance` of it (or `max_steps` is reached).

    Along the straight path x(a) = a · image, a from 0 to 1, the score changes by the integral of
    its gradient; split by pixel, that is (image - baseline) × the gradient averaged over the
    path. A ReLU network's gradient jumps wherever a unit switches on, so the integral needs
    enough points to see the jumps: the check, not a fixed count, decides.
    """
    image = image28(image)
    ink = image[None]
    while True:
        alphas = np.linspace(0.0, 1.0, steps + 1, dtype=np.float32)[:, None, None]
        scores, gradients = explain.insight(network).score_gradients(alphas * ink, digit)
        values = (image * path_integral(gradients)).astype(np.float32)
        gap = float(scores[-1, digit] - scores[0, digit])
        error = abs(float(values.sum()) - gap)
        if error <= tolerance * max(abs(gap), 1e-3) or steps >= max_steps:
            return Attribution("integrated_gradients", digit, values, True, steps, gap)
        steps *= 2


# --- SmoothGrad ------------------------------------------------------------------------------


def smoothgrad(
    network,
    image: np.ndarray,
    digit: int,
    samples: int = SMOOTHGRAD_SAMPLES,
    noise: float = SMOOTHGRAD_NOISE,
    seed: int = 0,
) -> Attribution:
    """d score / d pixel averaged over `samples` noisy copies of the image (Gaussian, standard
    deviation `noise`); signed: positive where more ink would raise the score. Seeded, so the
    same drawing always gets the same map."""
    image = image28(image)
    rng = np.random.default_rng(seed)
    noisy = image[None] + rng.normal(0.0, noise, (samples, 28, 28)).astype(np.float32)
    _, gradients = explain.insight(network).score_gradients(noisy, digit)
    return Attribution("smoothgrad", digit, gradients.mean(axis=0).astype(np.float32), True)


# --- Occlusion -------------------------------------------------------------------------------


def patch_corners(size: int = 28, patch: int = OCCLUSION_PATCH, stride: int = OCCLUSION_STRIDE):
    """Top-left corners of every patch position, covering the whole image."""
    starts = list(range(0, size - patch + 1, stride))
    if starts[-1] != size - patch:
        starts.append(size - patch)
    return [(top, left) for top in starts for left in starts]


def occlusion(
    network,
    image: np.ndarray,
    digit: int,
    patch: int = OCCLUSION_PATCH,
    stride: int = OCCLUSION_STRIDE,
) -> Attribution:
    """score(image) - score(image with a black patch), averaged over the patches covering each
    pixel. Black is the background: a patch over no ink changes nothing and scores exactly 0.
    Negative where taking the ink away *raises* the score: that ink was evidence against."""
    image = image28(image)
    corners = patch_corners(28, patch, stride)
    occluded = np.repeat(image[None], len(corners), axis=0)
    for index, (top, left) in enumerate(corners):
        occluded[index, top : top + patch, left : left + patch] = 0.0
    scores = explain.insight(network).scores(np.concatenate([image[None], occluded]))[:, digit]
    drops = scores[0] - scores[1:]
    total = np.zeros((28, 28), np.float64)
    covered = np.zeros((28, 28), np.float64)
    for drop, (top, left) in zip(drops, corners, strict=True):
        total[top : top + patch, left : left + patch] += drop
        covered[top : top + patch, left : left + patch] += 1
    return Attribution("occlusion", digit, (total / covered).astype(np.float32), True)


# --- All of them -----------------------------------------------------------------------------


def attribute(network, image: np.ndarray, digit: int, method: str) -> Attribution:
    """`method`'s map of the evidence for `digit`; ValueError if it does not apply (`why_not`)."""
    if not applies(network, method):
        raise ValueError(why_not(network, method))
    image, digit = image28(image), int(digit)
    if method in CAMS:
        values = explain.grad_cam(network, image, digit, method=method)
        return Attribution(method, digit, values, False)
    if method == "saliency":
        return Attribution(method, digit, explain.saliency(network, image, digit), False)
    return {
        "integrated_gradients": integrated_gradients,
        "smoothgrad": smoothgrad,
        "occlusion": occlusion,
    }[method](network, image, digit)


def attribute_all(network, image: np.ndarray, digit: int) -> dict[str, Attribution | None]:
    """Every method's map, in `METHODS` order; None for a method that does not apply."""
    return {
        method: attribute(network, image, digit, method) if applies(network, method) else None
        for method in METHODS
    }
