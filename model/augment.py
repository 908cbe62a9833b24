"""Data augmentation: MNIST made to look more like digits drawn with a mouse.

People draw on the canvas slanted, rotated, a little large or small after cropping, and with pens
much thicker or thinner than MNIST's strokes. Each training batch gets one random affine warp per
image (rotation, shear, scale, a small shift), optionally an elastic distortion, and a random
stroke-thickness change (grey-level dilation or erosion). It all runs as a few batched
TensorFlow ops, so it costs little per epoch.

The elastic distortion (Simard, Steinkraus & Platt, 2003) bends each image by a smooth random
displacement field: strokes wobble, loops widen or pinch, a stroke's end curls a little. Affine
warps only move a whole digit; real hands also vary *within* a digit, and this is the cheapest
way to show the network shapes no writer in its training set drew.

The low-resolution scan shows some digits as a scanner with coarse cells, or a tiny photo blown
up, hands them over: a few blocky or mushy pixels per stroke. The canvas never draws that, but
uploads and old forms do, and a network that has never seen it reads such digits poorly.

The stretch shows some digits as programs that fit every digit to a square box, whatever its
shape, hand them over (NIST's form readers did): a 1 becomes a broad bar, a narrow 0 a round
one. Folded into the affine warp's matrix, it costs no extra resampling.

The squeeze is the opposite: some digits narrowed, as condensed typefaces and tall, cramped hands
draw them. Fitted to a 20-pixel height, a 4 or an 8 a third as wide as it is tall is little more
than a stem, and a network that has never seen one answers 1. Folded into the same matrix.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from model.serving.tf_runtime import tf

MAX_ROTATION = math.radians(18)
MAX_SHEAR = 0.3
SCALE_RANGE = (0.85, 1.12)
MAX_SHIFT = 2.0  # pixels; preprocessing centres digits, so only small offsets occur
ELASTIC_CELLS = 4  # the displacement field is drawn on a 4x4 grid and smoothly enlarged to 28x28
ELASTIC_SHARE = 0.5  # of the images bent; the rest keep their shape, as most drawings do
MAX_ELASTIC = 1.5  # pixels: a bent image's largest grid displacement is drawn from [0, this]
LOWRES_SHARE = 0.2  # of the images seen through a coarse scanner
LOWRES_SIDES = (9, 17)  # the 28x28 field is averaged down to 9-16 px: digits 6-12 px tall
STRETCH_SHARE = 0.15  # of the images stretched part of the way to a square box
SQUEEZE_SHARE = 0.15  # of the images (not stretched ones) squeezed to a narrow box
SQUEEZE_ASPECT = (0.3, 0.6)  # a squeezed digit's ink box: width / height, drawn uniformly
INK = 0.3  # the grey level above which a pixel counts as ink when finding a digit's box


def ink_box(images: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]:
    """Each (28, 28, 1) image's ink box as float pixel indices (top, bottom, left, right);
    an empty image's box has bottom < top."""
    ink = images[..., 0] > INK
    index = tf.range(28, dtype=tf.float32)[None]

    def span(mask):
        outside = 100.0 * (1.0 - tf.cast(mask, tf.float32))
        return tf.reduce_min(index + outside, axis=1), tf.reduce_max(index - outside, axis=1)

    top, bottom = span(tf.reduce_any(ink, axis=2))
    left, right = span(tf.reduce_any(ink, axis=1))
    return top, bottom, left, right


class Box(NamedTuple):
    """Each image's ink box: its size in pixels (at least 1), centre, and whether it has ink."""

    height: tf.Tensor
    width: tf.Tensor
    cx: tf.Tensor
    cy: tf.Tensor
    inked: tf.Tensor


def box_of(images: tf.Tensor) -> Box:
    top, bottom, left, right = ink_box(images)
    height, width = tf.maximum(bottom - top + 1, 1.0), tf.maximum(right - left + 1, 1.0)
    return Box(height, width, (left + right) / 2, (top + bottom) / 2, bottom >= top)


def random_stretch(box: Box, rng: tf.random.Generator) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """For some images, a stretch along their ink box's shorter side, part of the way to a
    square, as (fx, fy, chosen): the factors (1 for the others) and which were stretched.

    Some scanners and forms normalise each digit to fill a square box whatever its shape, so a
    1 arrives as a broad bar and a narrow 0 as a round one; the canvas never draws them so.
    """
    n = tf.shape(box.height)[0]
    side = tf.maximum(box.height, box.width)
    chosen = (rng.uniform([n]) < STRETCH_SHARE) & box.inked
    amount = rng.uniform([n]) * tf.cast(chosen, tf.float32)
    fx, fy = 1 + amount * (side / box.width - 1), 1 + amount * (side / box.height - 1)
    return fx, fy, chosen


def random_squeeze(box: Box, rng: tf.random.Generator, spared: tf.Tensor) -> tf.Tensor:
    """For some images not `spared`, the horizontal factor that squeezes their ink box to a
    width of `SQUEEZE_ASPECT` times its height; 1 for the others, and for digits already that
    narrow (most 1s)."""
    n = tf.shape(box.height)[0]
    chosen = (rng.uniform([n]) < SQUEEZE_SHARE) & box.inked & ~spared
    aspect = rng.uniform([n], *SQUEEZE_ASPECT)
    return tf.where(chosen, tf.minimum(1.0, aspect * box.height / box.width), 1.0)


def random_affine(
    images: tf.Tensor, rng: tf.random.Generator, stretch: bool = False, squeeze: bool = False
) -> tf.Tensor:
    """Warp each (28, 28, 1) image by its own random rotation, shear, scale and shift; with
    `stretch`, some are first stretched towards a square box (`random_stretch`); with
    `squeeze`, some others are first narrowed (`random_squeeze`)."""
    n = tf.shape(images)[0]
    angle = rng.uniform([n], -MAX_ROTATION, MAX_ROTATION)
    shear = rng.uniform([n], -MAX_SHEAR, MAX_SHEAR)
    scale = rng.uniform([n], *SCALE_RANGE)
    shift = rng.uniform([n, 2], -MAX_SHIFT, MAX_SHIFT)
    cos, sin = tf.cos(angle) / scale, tf.sin(angle) / scale
    # The matrix maps each output pixel back to where it is read from in the input.
    a0, a1 = cos, cos * shear - sin
    b0, b1 = sin, sin * shear + cos
    centre = 13.5
    a2 = centre - a0 * centre - a1 * centre + shift[:, 0]
    b2 = centre - b0 * centre - b1 * centre + shift[:, 1]
    if stretch or squeeze:
        box = box_of(images)
    stretched = tf.zeros([n], tf.bool)
    if stretch:
        # Stretching first and warping after is one matrix: the stretch's inverse after it.
        fx, fy, stretched = random_stretch(box, rng)
        a0, a1, a2 = a0 / fx, a1 / fx, (a2 - box.cx) / fx + box.cx
        b0, b1, b2 = b0 / fy, b1 / fy, (b2 - box.cy) / fy + box.cy
    if squeeze:
        # The same for the squeeze, about the same centre; an image is stretched or squeezed,
        # never both, so the order of the two does not matter.
        narrow = random_squeeze(box, rng, spared=stretched)
        a0, a1, a2 = a0 / narrow, a1 / narrow, (a2 - box.cx) / narrow + box.cx
    zeros = tf.zeros_like(a0)
    transforms = tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=transforms,
        output_shape=tf.constant([28, 28]),
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
        fill_value=0.0,
    )


def warp(images: tf.Tensor, flow: tf.Tensor) -> tf.Tensor:
    """Resample each (28, 28, 1) image at its pixel grid moved by `flow` (N, 28, 28, 2: dx, dy),
    bilinearly; what falls outside the image reads as background (0)."""
    n = tf.shape(images)[0]
    rows, cols = tf.meshgrid(tf.range(28.0), tf.range(28.0), indexing="ij")
    x = cols[None] + flow[..., 0]
    y = rows[None] + flow[..., 1]
    x0, y0 = tf.floor(x), tf.floor(y)
    wx, wy = (x - x0)[..., None], (y - y0)[..., None]
    padded = tf.pad(images, [[0, 0], [1, 1], [1, 1], [0, 0]])  # a ring of background
    batch = tf.broadcast_to(tf.range(n)[:, None, None], tf.shape(x0))

    def read(yy, xx):
        yy = tf.clip_by_value(tf.cast(yy, tf.int32) + 1, 0, 29)
        xx = tf.clip_by_value(tf.cast(xx, tf.int32) + 1, 0, 29)
        return tf.gather_nd(padded, tf.stack([batch, yy, xx], axis=-1))

    top = read(y0, x0) * (1 - wx) + read(y0, x0 + 1) * wx
    bottom = read(y0 + 1, x0) * (1 - wx) + read(y0 + 1, x0 + 1) * wx
    return top * (1 - wy) + bottom * wy


def random_elastic(images: tf.Tensor, rng: tf.random.Generator) -> tf.Tensor:
    """Bend each image by its own smooth random displacement field (an elastic distortion)."""
    n = tf.shape(images)[0]
    coarse = rng.uniform([n, ELASTIC_CELLS, ELASTIC_CELLS, 2], -1.0, 1.0)
    strength = rng.uniform([n, 1, 1, 1], 0.0, MAX_ELASTIC)
    strength *= tf.cast(rng.uniform([n, 1, 1, 1]) < ELASTIC_SHARE, tf.float32)
    flow = tf.image.resize(coarse * strength, [28, 28], method="bicubic")
    return warp(images, flow)


def random_thickness(images: tf.Tensor, rng: tf.random.Generator) -> tf.Tensor:
    """Thin, keep, half-thicken or thicken each image's strokes, at random."""
    dilated = tf.nn.max_pool2d(images, 3, 1, "SAME")
    eroded = -tf.nn.max_pool2d(-images, 3, 1, "SAME")
    choice = rng.uniform([tf.shape(images)[0], 1, 1, 1])
    thin = 0.5 * (images + eroded)
    half = 0.5 * (images + dilated)
    return tf.where(
        choice < 0.15, thin, tf.where(choice < 0.5, images, tf.where(choice < 0.75, half, dilated))
    )


def random_lowres(images: tf.Tensor, rng: tf.random.Generator) -> tf.Tensor:
    """Some images as a coarse scan shows them: averaged down to a few pixels, then enlarged
    back, blocky or smooth. One size per batch (a resize takes one), a new one every batch."""
    side = tf.cast(rng.uniform([], *LOWRES_SIDES), tf.int32)
    small = tf.image.resize(images, tf.stack([side, side]), method="area")
    blocky = tf.image.resize(small, [28, 28], method="nearest")
    smooth = tf.image.resize(small, [28, 28], method="bilinear")
    choice = rng.uniform([tf.shape(images)[0], 1, 1, 1])
    return tf.where(
        choice < LOWRES_SHARE / 2, blocky, tf.where(choice < LOWRES_SHARE, smooth, images)
    )


def augment_batch(
    images: tf.Tensor,
    rng: tf.random.Generator,
    elastic: bool = False,
    lowres: bool = False,
    stretch: bool = False,
    squeeze: bool = False,
) -> tf.Tensor:
    """One augmented copy of a batch of (N, 28, 28, 1) float images in [0, 1]; `elastic`: bend
    some of them too; `lowres`: show some as a coarse scan does; `stretch`: stretch some
    towards a square box; `squeeze`: narrow some others."""
    warped = random_affine(images, rng, stretch, squeeze)
    if elastic:
        warped = random_elastic(warped, rng)
    thickened = random_thickness(warped, rng)
    if lowres:
        thickened = random_lowres(thickened, rng)
    return tf.clip_by_value(thickened, 0.0, 1.0)
