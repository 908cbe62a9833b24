"""Data augmentation: MNIST made to look more like digits drawn with a mouse.

People draw on the canvas slanted, rotated, a little large or small after cropping, and with pens
much thicker or thinner than MNIST's strokes. Each training batch gets one random affine warp per
image (rotation, shear, scale, a small shift) and a random stroke-thickness change (grey-level
dilation or erosion). It all runs as a few batched TensorFlow ops, so it costs little per epoch.
"""

from __future__ import annotations

import math

from model.serving.tf_runtime import tf

MAX_ROTATION = math.radians(18)
MAX_SHEAR = 0.3
SCALE_RANGE = (0.85, 1.12)
MAX_SHIFT = 2.0  # pixels; preprocessing centres digits, so only small offsets occur


def random_affine(images: tf.Tensor, rng: tf.random.Generator) -> tf.Tensor:
    """Warp each (28, 28, 1) image by its own random rotation, shear, scale and shift."""
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


def augment_batch(images: tf.Tensor, rng: tf.random.Generator) -> tf.Tensor:
    """One augmented copy of a batch of (N, 28, 28, 1) float images in [0, 1]."""
    return tf.clip_by_value(random_thickness(random_affine(images, rng), rng), 0.0, 1.0)
