"""A digit drawn on the canvas, or photographed on paper, turned into an MNIST digit, the way MNIST itself was made
(with OpenCV).

MNIST's digits were written on paper, scanned, then normalised by LeCun et al.: each digit's bounding box was
scaled so that its longer side is 20 pixels (aspect ratio kept, grey levels from anti-aliasing), and the result was
placed in a 28×28 image so that its centre of mass lies at the image's centre. A model trained on MNIST has only
ever seen digits made that way, so a drawn digit must go through the same steps before the model can read it:
a digit drawn small in a corner of the canvas and merely shrunk to 28×28 is not what the model learned.

Each step is kept (`DigitSteps`) so a page can show the learner how their drawing became the model's input.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from core.data.images import checked_image

DIGIT_SIZE = 28
"""MNIST's images are 28×28."""

DIGIT_BOX = 20
"""MNIST scaled every digit so that the longer side of its bounding box is 20 pixels."""

DIGIT_CENTRE = DIGIT_SIZE / 2
"""Where MNIST puts the centre of mass, in pixel indices as `cv2.moments` counts them (the first pixel is at 0).

That is 14, not the 13.5 of the exact middle of pixels 0–27: MNIST shifted each digit by whole pixels so that its
centre of mass lands within half a pixel of (14, 14), which is what its test digits show. Keras Lab does the same.
"""

INK_LEVEL = 64
"""A pixel is ink when its ink is at least a quarter of full (64 of 255).

The canvas's anti-aliasing leaves fainter pixels along every stroke and a few stray ones around it; they are not
strokes, so they neither make a drawing nor widen the box the digit is cut from.
"""

MIN_INK_FRACTION = 1 / 2000
"""A drawing needs ink on at least this share of the canvas (and on at least one pixel).

On the usual 280×280 canvas that is 39 pixels: less than a single dab of the thinnest pen the Predict page offers
(8 pixels wide, about 50 pixels of ink), more than a speck left by a slip of the mouse. A smaller share means an
empty canvas, not a digit.
"""

PHOTO_WORKING_SIZE = 280
"""A photo of a digit is shrunk to 280 pixels a side, the canvas's size, before it is made black and white: plenty
for a 20-pixel digit, fast for any photo, and the averaging evens out the camera's noise."""

MIN_INK_CONTRAST = 20
"""Otsu's threshold between ink and paper must reach this for a photo to hold a digit. It falls halfway between
the two, so the ink must stand out from the paper by about 40 levels of 255; on blank paper it falls among the
noise, under 10."""


@dataclass(frozen=True, eq=False)
class DigitSteps:
    """The drawing at each step of MNIST's normalisation, each a uint8 image with ink bright on black."""

    grey: np.ndarray
    cropped: np.ndarray
    scaled: np.ndarray
    padded: np.ndarray
    centred: np.ndarray

    @property
    def digit(self) -> np.ndarray:
        """The 28×28 raw example (uint8 0–255, like the dataset's) to give `core.models.inputs.prepare_inputs`."""
        return self.centred

    def steps(self) -> tuple[tuple[str, np.ndarray], ...]:
        """(title, image) for each step, in order, for a page to show side by side."""
        return (
            ("The ink, light on black", self.grey),
            ("Cut to the ink's bounding box", self.cropped),
            (f"Longer side scaled to {DIGIT_BOX} px", self.scaled),
            (f"Placed in the middle of {DIGIT_SIZE}×{DIGIT_SIZE}", self.padded),
            ("Centre of mass moved to the centre", self.centred),
        )


def preprocess_drawing(image: np.ndarray) -> DigitSteps | None:
    """Normalise a drawing the way MNIST was; None when the canvas holds no ink (nothing drawn yet).

    `image` is what streamlit-drawable-canvas returns, (height, width, 4) RGBA with light strokes on a black or
    transparent background, or an RGB (height, width, 3) or grey (height, width) image of light ink on black.
    """
    grey = ink_image(image)
    ink = (grey >= INK_LEVEL).astype(np.uint8)
    if cv2.countNonZero(ink) < max(1, round(grey.size * MIN_INK_FRACTION)):
        return None
    left, top, width, height = cv2.boundingRect(ink)
    cropped = grey[top:top + height, left:left + width]
    scaled = scale_longer_side(cropped, DIGIT_BOX)
    padded = place_in_middle(scaled, DIGIT_SIZE)
    return DigitSteps(grey=grey, cropped=cropped, scaled=scaled, padded=padded, centred=centre_mass(padded))


def ink_image(image: np.ndarray) -> np.ndarray:
    """How much ink each pixel holds (0–255): the luminance, times the opacity where there is an alpha channel.

    The canvas leaves untouched pixels transparent, and what colour a transparent pixel stores says nothing, so
    only what is opaque counts as ink.
    """
    pixels = _checked_pixels(image)
    if pixels.ndim == 2:
        return pixels
    grey = cv2.cvtColor(np.ascontiguousarray(pixels[..., :3]), cv2.COLOR_RGB2GRAY)
    if pixels.shape[2] == 3:
        return grey
    return cv2.multiply(grey, np.ascontiguousarray(pixels[..., 3]), scale=1 / 255)


def _checked_pixels(image: np.ndarray) -> np.ndarray:
    """The image as uint8, or a ValueError that says what the canvas should have given."""
    pixels = np.asarray(image)
    expected = "a drawing must be a (height, width, 4) RGBA, (height, width, 3) RGB or (height, width) grey image"
    if not (np.issubdtype(pixels.dtype, np.integer) or np.issubdtype(pixels.dtype, np.floating)):
        raise ValueError(f"{expected} of numbers 0–255, got values of type {pixels.dtype}.")
    if pixels.ndim not in (2, 3) or pixels.ndim == 3 and pixels.shape[2] not in (3, 4):
        raise ValueError(f"{expected}, got an array of shape {pixels.shape}.")
    if pixels.size == 0:
        raise ValueError(f"{expected}, got an empty array of shape {pixels.shape}: draw on a canvas of some size.")
    if pixels.dtype == np.uint8:
        return pixels
    if not (np.isfinite(pixels).all() and pixels.min() >= 0 and pixels.max() <= 255):
        raise ValueError(f"{expected} of numbers 0–255, got values from {pixels.min()} to {pixels.max()}; "
                         "scale it to 0–255 first (times 255 for an image in 0–1).")
    return np.rint(pixels).astype(np.uint8)


def scale_longer_side(image: np.ndarray, size: int) -> np.ndarray:
    """Resize so that the longer side is `size` pixels, keeping the aspect ratio (the shorter side at least 1).

    `INTER_AREA` averages the pixels each new pixel covers: the grey edges it makes are MNIST's anti-aliasing.
    """
    height, width = image.shape
    factor = size / max(height, width)
    new_width, new_height = max(1, round(width * factor)), max(1, round(height * factor))
    return cv2.resize(image, (new_width, new_height), interpolation=cv2.INTER_AREA)  # OpenCV sizes are (w, h).


def place_in_middle(image: np.ndarray, size: int) -> np.ndarray:
    """The image in the middle of a black `size`×`size` square (its box's centre at the square's centre)."""
    height, width = image.shape
    top, left = (size - height) // 2, (size - width) // 2
    square = np.zeros((size, size), dtype=np.uint8)
    square[top:top + height, left:left + width] = image
    return square


def centre_mass(image: np.ndarray) -> np.ndarray:
    """Shift by whole pixels so that the centre of mass lands within half a pixel of `DIGIT_CENTRE`, as MNIST did.

    Whole-pixel shifts move the digit without blurring it; ink shifted past the border is lost, as in MNIST.
    """
    moments = cv2.moments(image)
    if moments["m00"] == 0:
        return image.copy()  # Ink too faint to survive the scaling: nothing to centre.
    shift_x = round(DIGIT_CENTRE - moments["m10"] / moments["m00"])
    shift_y = round(DIGIT_CENTRE - moments["m01"] / moments["m00"])
    translation = np.float32([[1, 0, shift_x], [0, 1, shift_y]])
    return cv2.warpAffine(image, translation, (image.shape[1], image.shape[0]), flags=cv2.INTER_NEAREST,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def light_background(grey: np.ndarray) -> bool:
    """Whether the image's border is mostly light: dark ink on light paper, as in a photo of a handwritten digit.

    MNIST's digits are light ink on black, so a page inverts (255 − pixels) a photo of paper before a digit model
    sees it; without that the model reads the paper as ink. The border decides because the paper surrounds the
    digit, whatever the digit's thickness. The border is a frame a twentieth of the shorter side wide (at least
    one pixel); light means its median is above mid-grey.
    """
    pixels = np.asarray(grey)
    if pixels.dtype != np.uint8 or pixels.ndim != 2 or pixels.size == 0:
        raise ValueError(f"light_background needs a grey uint8 (height, width) image, got {pixels.dtype} of shape "
                         f"{pixels.shape}: convert a colour image with resize_for_model(image, (height, width)).")
    band = max(1, min(pixels.shape) // 20)
    border = np.concatenate([pixels[:band].ravel(), pixels[-band:].ravel(),
                             pixels[:, :band].ravel(), pixels[:, -band:].ravel()])
    return bool(np.median(border) > 127)


def digit_from_photo(image: np.ndarray, name: str = "the image") -> tuple[DigitSteps, bool]:
    """A photographed or scanned digit made into an MNIST digit: (the preprocessing steps, whether it was inverted).

    MNIST's digits were black-and-white scans before their normalisation, so the photo is made black and white
    first: shrunk to `PHOTO_WORKING_SIZE` (which averages away the camera's noise), inverted when the paper is
    lighter than the ink, the paper's own brightness taken away (a morphological top-hat, so shadows and uneven
    light do not count as ink), then split into ink and paper at Otsu's threshold. Then it is normalised as a
    drawing is.
    """
    grey = checked_image(image)
    if grey.ndim == 3:
        grey = cv2.cvtColor(grey, cv2.COLOR_RGB2GRAY)
    if max(grey.shape) > PHOTO_WORKING_SIZE:
        grey = scale_longer_side(grey, PHOTO_WORKING_SIZE)
    inverted = light_background(grey)
    if inverted:
        grey = 255 - grey
    background_size = max(3, min(grey.shape) // 4) | 1  # Wider than any stroke, so the opening keeps only paper.
    background = cv2.getStructuringElement(cv2.MORPH_RECT, (background_size, background_size))
    ink = cv2.morphologyEx(cv2.GaussianBlur(grey, (3, 3), 0), cv2.MORPH_TOPHAT, background)
    threshold, black_and_white = cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    steps = preprocess_drawing(black_and_white) if threshold >= MIN_INK_CONTRAST else None
    if steps is None:
        raise ValueError(f"found no digit in {name}: it looks blank. Upload a photo of one digit written in a dark, "
                         "thick pen on light paper (or light on dark), filling most of the picture.")
    return steps, inverted
