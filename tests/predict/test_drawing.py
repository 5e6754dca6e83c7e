"""A drawn digit becomes an MNIST digit the way MNIST was made, and a model trained on MNIST reads it."""

import cv2
import numpy as np
import pytest

from core.data.catalogue import load_dataset
from core.models.inputs import prepare_inputs
from core.models.presets import get_preset
from core.models.spec import TrainingConfig
from core.predict.drawing import (
    DIGIT_CENTRE,
    INK_LEVEL,
    digit_from_photo,
    ink_image,
    preprocess_drawing,
)
from core.training.history import RunHistory
from core.training.train import train_model

CANVAS = 280
"""The dashboard's canvas: ten canvas pixels to an MNIST pixel."""


def canvas(grey: np.ndarray, transparent: bool = False) -> np.ndarray:
    """RGBA as streamlit-drawable-canvas returns it: white ink on opaque black, or on transparent pixels.

    Transparent pixels store white here, so only their opacity can tell them from ink.
    """
    if transparent:
        return np.dstack([np.full_like(grey, 255)] * 3 + [grey])
    return np.dstack([grey] * 3 + [np.full_like(grey, 255)])


def blank() -> np.ndarray:
    return np.zeros((CANVAS, CANVAS), dtype=np.uint8)


def an_l_drawn_off_centre() -> np.ndarray:
    """An L: its box's centre is far from its centre of mass, which sits in the corner where the strokes meet."""
    grey = blank()
    cv2.line(grey, (40, 30), (40, 150), 255, 20, cv2.LINE_AA)
    cv2.line(grey, (40, 150), (100, 150), 255, 20, cv2.LINE_AA)
    return grey


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(x, y) in pixel indices, as `cv2.moments` counts them."""
    moments = cv2.moments(image)
    return moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]


def test_each_step_is_a_uint8_image_of_its_stage():
    grey = blank()
    grey[50:250, 60:160] = 255  # A block 200 tall and 100 wide.
    steps = preprocess_drawing(canvas(grey))
    np.testing.assert_array_equal(steps.grey, grey)
    assert steps.cropped.shape == (200, 100) and steps.cropped.min() == 255, "cut exactly to the ink"
    assert steps.scaled.shape == (20, 10), "the longer side is 20 pixels and the aspect ratio is kept"
    assert steps.padded.shape == (28, 28) and steps.padded[4:24, 9:19].min() == 255 and steps.padded.sum() == 200 * 255
    assert steps.centred.shape == (28, 28)
    assert steps.digit is steps.centred
    assert [title for title, _ in steps.steps()][0] == "The ink, light on black"
    shown = [image for _, image in steps.steps()]
    assert all(image is step for image, step in zip(shown, (steps.grey, steps.cropped, steps.scaled, steps.padded,
                                                             steps.centred), strict=True))
    assert all(image.dtype == np.uint8 for _, image in steps.steps())


def test_a_wide_digit_is_scaled_by_its_width():
    grey = blank()
    cv2.line(grey, (20, 140), (260, 140), 255, 24)
    steps = preprocess_drawing(canvas(grey))
    height, width = steps.cropped.shape
    assert width > height and steps.scaled.shape == (round(20 * height / width), 20)


def test_mnist_itself_puts_the_centre_of_mass_within_half_a_pixel_of_14_not_at_13_5():
    """The convention `DIGIT_CENTRE` follows: (14, 14) in pixel indices, each digit shifted by whole pixels."""
    digits = load_dataset("mnist").x_test
    centres = np.array([centre_of_mass(digit) for digit in digits])
    assert DIGIT_CENTRE == 14
    assert np.abs(centres - 14).max() <= 0.5
    assert np.abs(centres.mean(axis=0) - 14).max() < 0.05


def test_the_centre_of_mass_is_moved_to_where_mnist_has_it():
    steps = preprocess_drawing(canvas(an_l_drawn_off_centre()))
    padded_x, padded_y = centre_of_mass(steps.padded)
    assert padded_x < 12 and padded_y > 15, "the box is centred, but the L's weight is low on its left"
    centre_x, centre_y = centre_of_mass(steps.centred)
    assert abs(centre_x - 14) <= 0.5 and abs(centre_y - 14) <= 0.5
    assert steps.centred.sum() == steps.padded.sum(), "moved by whole pixels: no ink lost, none blurred"


def test_where_and_how_big_the_digit_is_drawn_does_not_matter():
    small_in_a_corner = cv2.rectangle(blank(), (10, 10), (60, 110), 255, 10)
    twice_as_big = cv2.resize(small_in_a_corner[:140, :140], (280, 280), interpolation=cv2.INTER_NEAREST)
    elsewhere = np.roll(twice_as_big, shift=(20, 100), axis=(0, 1))
    digits = [preprocess_drawing(canvas(grey)).digit.astype(int) for grey in (small_in_a_corner, elsewhere)]
    assert np.abs(digits[0] - digits[1]).max() <= 1, "the same 28×28 digit, up to rounding"


def test_a_transparent_background_counts_as_no_ink():
    grey = an_l_drawn_off_centre()
    on_black = preprocess_drawing(canvas(grey))
    on_transparent = preprocess_drawing(canvas(grey, transparent=True))
    np.testing.assert_array_equal(on_transparent.grey, grey)
    np.testing.assert_array_equal(on_transparent.digit, on_black.digit)


def test_rgb_grey_and_float_drawings_give_the_same_digit():
    grey = an_l_drawn_off_centre()
    expected = preprocess_drawing(canvas(grey)).digit
    for drawing in (grey, np.dstack([grey] * 3), grey.astype(np.float64), grey.astype(np.int64)):
        np.testing.assert_array_equal(preprocess_drawing(drawing).digit, expected)


def test_ink_is_the_luminance_times_the_opacity():
    pixel = np.array([[[255, 0, 0, 255], [0, 255, 0, 255], [255, 255, 255, 128], [255, 255, 255, 0]]],
                     dtype=np.uint8)
    np.testing.assert_array_equal(ink_image(pixel), [[76, 150, 128, 0]])


@pytest.mark.parametrize(
    "drawing",
    [
        pytest.param(canvas(blank()), id="black canvas"),
        pytest.param(canvas(blank(), transparent=True), id="transparent canvas storing white"),
        pytest.param(canvas(cv2.circle(blank(), (140, 140), 2, 255, -1)), id="a speck"),
        pytest.param(canvas(blank() + INK_LEVEL - 1), id="faint anti-aliasing all over"),
    ],
)
def test_a_canvas_without_ink_gives_nothing(drawing):
    assert preprocess_drawing(drawing) is None


def test_a_dab_of_the_thinnest_pen_is_ink():
    dab = cv2.circle(blank(), (200, 40), 4, 255, -1)  # The Predict page's thinnest pen is 8 pixels wide.
    assert preprocess_drawing(canvas(dab)) is not None


def test_ink_too_faint_and_scattered_to_survive_the_scaling_leaves_an_empty_digit():
    specks = blank()
    specks[5::40, 5::40] = INK_LEVEL  # 49 faint dots, each alone in the canvas area that one scaled pixel averages.
    steps = preprocess_drawing(canvas(specks))
    assert steps.scaled.max() == 0 and steps.digit.max() == 0


@pytest.mark.parametrize(
    "drawing, message",
    [
        (np.zeros(280, dtype=np.uint8), r"got an array of shape \(280,\)"),
        (np.zeros((1, 280, 280, 4), dtype=np.uint8), r"got an array of shape \(1, 280, 280, 4\)"),
        (np.zeros((280, 280, 2), dtype=np.uint8), r"\(height, width, 4\) RGBA.*got an array of shape \(280, 280, 2\)"),
        (np.zeros((0, 0, 4), dtype=np.uint8), "got an empty array"),
        (np.array([["ink"]]), "of numbers 0–255, got values of type <U3"),
        (np.zeros((28, 28), dtype=bool), "of numbers 0–255, got values of type bool"),
        (np.full((28, 28), 300.0), r"got values from 300.0 to 300.0; scale it to 0–255"),
        (np.full((28, 28), np.nan), "scale it to 0–255"),
    ],
)
def test_what_is_not_a_drawing_is_refused_with_what_to_give(drawing, message):
    with pytest.raises(ValueError, match=message):
        preprocess_drawing(drawing)


def draw_like_a_user(digit: np.ndarray, generator: np.random.Generator, transparent: bool) -> np.ndarray:
    """A real MNIST digit redrawn on the canvas as a person would: large, anywhere, with their own pen.

    The digit is enlarged so its longer side is 110–230 of the canvas's 280 pixels, turned into solid pen strokes,
    made up to 4 pixels thinner or 6 thicker (pens differ from MNIST's), given anti-aliased edges, and placed at a
    random spot, on black or on transparent pixels.
    """
    rows, columns = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
    box = digit[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]
    factor = int(generator.integers(110, 231)) / max(box.shape)
    enlarged = cv2.resize(box, (round(box.shape[1] * factor), round(box.shape[0] * factor)),
                          interpolation=cv2.INTER_CUBIC)
    strokes = np.where(enlarged >= 128, 255, 0).astype(np.uint8)
    thickening = int(generator.integers(-4, 7))
    if thickening:
        pen = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(thickening) + 1,) * 2)
        strokes = cv2.dilate(strokes, pen) if thickening > 0 else cv2.erode(strokes, pen)
    strokes = cv2.GaussianBlur(strokes, (5, 5), 0)
    grey = blank()
    top = int(generator.integers(0, CANVAS - strokes.shape[0] + 1))
    left = int(generator.integers(0, CANVAS - strokes.shape[1] + 1))
    grey[top:top + strokes.shape[0], left:left + strokes.shape[1]] = strokes
    return canvas(grey, transparent)


@pytest.fixture(scope="module")
def mnist_cnn():
    """The small MNIST CNN trained for real on the shipped sample's 4,000 training digits (about 96% on its test)."""
    spec = get_preset("mnist-cnn-2conv").spec
    result = train_model(spec, TrainingConfig(epochs=2, batch_size=64, seed=0), load_dataset("mnist"), RunHistory())
    return spec, result.model


@pytest.fixture(scope="module")
def drawn_test_digits():
    """The sample's 1,000 test digits drawn on canvases, each canvas's preprocessing steps, and the labels."""
    dataset = load_dataset("mnist")
    generator = np.random.default_rng(0)
    canvases = [draw_like_a_user(digit, generator, transparent=index % 2 == 0)
                for index, digit in enumerate(dataset.x_test)]
    return canvases, [preprocess_drawing(image) for image in canvases], dataset.y_test


def accuracy(mnist_cnn, examples: np.ndarray, labels: np.ndarray) -> float:
    spec, model = mnist_cnn
    predictions = model.predict(prepare_inputs(spec, examples), verbose=0).argmax(axis=1)
    return float((predictions == labels).mean())


def test_a_model_trained_on_mnist_reads_digits_drawn_on_the_canvas(mnist_cnn, drawn_test_digits):
    _, steps, labels = drawn_test_digits
    raw_accuracy = accuracy(mnist_cnn, load_dataset("mnist").x_test, labels)
    drawn_accuracy = accuracy(mnist_cnn, np.stack([step.digit for step in steps]), labels)
    print(f"accuracy on the {len(labels)} test digits: as in MNIST {raw_accuracy:.3f}, drawn {drawn_accuracy:.3f}")
    assert drawn_accuracy >= 0.90
    assert drawn_accuracy >= raw_accuracy - 0.05, "drawing a digit should cost the model little"


def photographed_on_paper(drawing: np.ndarray, generator: np.random.Generator) -> np.ndarray:
    """The drawing as dark ink on a phone's photo of paper: lit unevenly (from 170 on the left to 210 on the right),
    with the camera's noise, and a little warm in colour."""
    ink = ink_image(drawing).astype(np.float32) / 255
    paper = np.linspace(170, 210, ink.shape[1])[np.newaxis, :] + generator.normal(0, 8, ink.shape)
    grey = paper * (1 - ink) + 40 * ink
    return np.clip(np.dstack([grey, grey * 0.97, grey * 0.9]), 0, 255).astype(np.uint8)


def test_the_model_reads_photos_of_digits_written_on_paper(mnist_cnn, drawn_test_digits):
    canvases, _, labels = drawn_test_digits
    generator = np.random.default_rng(0)
    photos = [photographed_on_paper(image, generator) for image in canvases[:500]]
    results = []
    for photo in photos:
        try:
            results.append(digit_from_photo(photo))
        except ValueError:  # A digit that the thinner pen all but erased is refused as blank: counted as misread.
            results.append(None)
    read = [result for result in results if result is not None]
    assert all(inverted for _, inverted in read), "dark ink on light paper is inverted to MNIST's light on black"
    found = np.array([result is not None for result in results])
    spec, model = mnist_cnn
    predictions = model.predict(prepare_inputs(spec, np.stack([steps.digit for steps, _ in read])), verbose=0)
    photo_accuracy = float((predictions.argmax(axis=1) == labels[:500][found]).sum() / len(photos))
    print(f"photos of {len(photos)} test digits read right: {photo_accuracy:.3f} ({len(photos) - len(read)} refused)")
    assert photo_accuracy >= 0.90


def test_without_mnists_steps_the_same_model_misreads_drawn_digits(mnist_cnn, drawn_test_digits):
    """Why each step is there: a canvas merely shrunk to 28×28, or a digit boxed but not centred by its mass, is
    not what the model learned from."""
    canvases, steps, labels = drawn_test_digits
    shrunk = np.stack([cv2.resize(ink_image(image), (28, 28), interpolation=cv2.INTER_AREA) for image in canvases])
    boxed = np.stack([step.padded for step in steps])
    centred = np.stack([step.digit for step in steps])
    shrunk_accuracy, boxed_accuracy, centred_accuracy = (accuracy(mnist_cnn, examples, labels)
                                                         for examples in (shrunk, boxed, centred))
    print(f"drawn digits read right: canvas shrunk {shrunk_accuracy:.3f}, boxed {boxed_accuracy:.3f}, "
          f"centred by mass {centred_accuracy:.3f}")
    assert shrunk_accuracy < 0.6
    assert boxed_accuracy < centred_accuracy - 0.05
