"""The numbers behind each lesson of the Learn page, small enough to compute by hand and to show in full.

Each function here is what a lesson's "something to touch" draws: an activation curve, a ball rolling down a loss
curve, a kernel sliding over a digit, a recurrent network unrolled over a sentence, and a photo on its way to
becoming a training example (one tiny network's forward numbers and gradients are in `core.learn.backprop`). Only
numpy and OpenCV, so the page that draws them stays light: nothing here trains or imports Keras.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from core.data.images import resize_for_model

# Activations

ACTIVATIONS = ("relu", "sigmoid", "tanh")
"""The activations the lessons draw, by their Keras names."""


def activation(name: str, values: np.ndarray) -> np.ndarray:
    """`values` through the activation Keras calls `name`, element by element."""
    numbers = np.asarray(values, dtype=float)
    if name == "relu":
        return np.maximum(numbers, 0.0)
    if name == "sigmoid":
        # 1 / (1 + e^-x) written so that a large negative x does not overflow e^-x.
        return np.exp(-np.logaddexp(0.0, -numbers))
    if name == "tanh":
        return np.tanh(numbers)
    raise ValueError(f"unknown activation {name!r}: the lessons draw {', '.join(ACTIVATIONS)}.")


# Gradient descent on loss(w) = (w - 3)² + 1

LOSS_MINIMUM = 3.0
"""Where the lesson's loss curve `descent_loss` is lowest."""

LOSS_AT_MINIMUM = 1.0
"""The lowest loss: 1, not 0, as a real loss rarely reaches 0."""

CONVERGED_WITHIN = 0.01
"""A path has converged once it is this close to `LOSS_MINIMUM`."""

FAR_OFF = 1e6
"""A path that gets this far from the minimum has diverged; it stops there, before the numbers overflow."""


def descent_loss(weight: float | np.ndarray) -> float | np.ndarray:
    """The lesson's loss curve, loss(w) = (w − 3)² + 1: one weight, one valley, lowest at w = 3."""
    return (np.asarray(weight, dtype=float) - LOSS_MINIMUM) ** 2 + LOSS_AT_MINIMUM


def descent_slope(weight: float | np.ndarray) -> float | np.ndarray:
    """The slope of `descent_loss`, 2·(w − 3): positive right of the minimum, so a step against it goes left."""
    return 2 * (np.asarray(weight, dtype=float) - LOSS_MINIMUM)


def descent_path(start: float, learning_rate: float, steps: int) -> np.ndarray:
    """The weight after each step w ← w − rate·slope(w), starting at `start`: `steps` + 1 values.

    On this curve each step multiplies the distance to the minimum by (1 − 2·rate), so a rate below 1 converges,
    a rate of 1 bounces between two points and a rate above 1 diverges. A diverging path ends early, once it is
    `FAR_OFF` from the minimum.
    """
    if not np.isfinite(start):
        raise ValueError(f"the starting weight must be a finite number, got {start}.")
    if not learning_rate > 0:
        raise ValueError(f"the learning rate must be above 0 (0.1, say), got {learning_rate}.")
    if not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"the number of steps must be a whole number of at least 1, got {steps!r}.")
    path = [float(start)]
    while len(path) <= steps and abs(path[-1] - LOSS_MINIMUM) < FAR_OFF:
        path.append(path[-1] - learning_rate * float(descent_slope(path[-1])))
    return np.array(path)


def describe_descent(path: np.ndarray) -> str:
    """What a `descent_path` did, in words a learner can act on."""
    weights = np.asarray(path, dtype=float)
    if weights.ndim != 1 or weights.size == 0:
        raise ValueError(f"a descent path is a 1-D array of weights, got shape {weights.shape}.")
    distances = np.abs(weights - LOSS_MINIMUM)
    if distances[-1] <= CONVERGED_WITHIN:
        steps = int(np.argmax(distances <= CONVERGED_WITHIN))
        return f"converged near {weights[steps]:.2f} after {_counted_steps(steps)}"
    crosses_minimum = weights.size > 1 and (weights[0] - LOSS_MINIMUM) * (weights[1] - LOSS_MINIMUM) < 0
    if crosses_minimum and np.isclose(distances[-1], distances[0]):
        return "bouncing: each step jumps across the minimum without getting closer, try a smaller rate"
    if distances[-1] > distances[0]:
        return "diverged: the steps grow, the rate is too high"
    return f"crawling: still far from the minimum after {_counted_steps(weights.size - 1)}, try a larger rate"


def _counted_steps(count: int) -> str:
    return f"{count} step" if count == 1 else f"{count} steps"


# Convolution and pooling

def _read_only(rows: list[list[float]]) -> np.ndarray:
    array = np.array(rows, dtype=float)
    array.setflags(write=False)
    return array


KERNELS: dict[str, np.ndarray] = {
    "vertical edges": _read_only([[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
    "horizontal edges": _read_only([[1, 2, 1], [0, 0, 0], [-1, -2, -1]]),
    "blur": _read_only([[1 / 9] * 3] * 3),
    "sharpen": _read_only([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
}
"""Classic 3×3 kernels: Sobel edge finders (bright where the image changes across or down), a box blur that
averages each pixel with its neighbours, and a sharpen that pushes each pixel away from its neighbours."""


def output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """How many pixels per side a convolution (or pooling) gives: floor((size + 2·padding − kernel) / stride) + 1."""
    for name, value, least in (("size", size, 1), ("kernel", kernel, 1), ("stride", stride, 1),
                               ("padding", padding, 0)):
        if not isinstance(value, (int, np.integer)) or value < least:
            raise ValueError(f"the {name} must be a whole number of at least {least}, got {value!r}.")
    if size + 2 * padding < kernel:
        raise ValueError(f"a kernel of {kernel} pixels does not fit in an image of {size} pixels with {padding} "
                         f"pixels of padding on each side: use a smaller kernel or more padding.")
    return (size + 2 * padding - kernel) // stride + 1


def convolve(image: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    """The kernel slid over the image: at each place, the sum of the pixels under it times its weights.

    That is cross-correlation (the kernel is not flipped), as Keras's Conv2D computes it; `padding` rows and columns
    of zeros are added on each side first, and the kernel moves `stride` pixels at a time.
    """
    pixels = np.asarray(image, dtype=float)
    weights = np.asarray(kernel, dtype=float)
    if pixels.ndim != 2:
        raise ValueError(f"convolve takes one grey image of shape (height, width), got shape {pixels.shape}.")
    if weights.ndim != 2 or weights.shape[0] != weights.shape[1]:
        raise ValueError(f"the kernel must be square, (k, k), got shape {weights.shape}.")
    size = weights.shape[0]
    rows = output_size(pixels.shape[0], size, stride, padding)
    columns = output_size(pixels.shape[1], size, stride, padding)
    padded = np.pad(pixels, padding)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (size, size))[::stride, ::stride]
    return np.einsum("ijkl,kl->ij", windows[:rows, :columns], weights)


def max_pool(image: np.ndarray, size: int = 2) -> np.ndarray:
    """The largest value of each size×size block, as Keras's MaxPooling2D does by default (leftover edge rows and
    columns that do not fill a block are dropped)."""
    pixels = np.asarray(image, dtype=float)
    if pixels.ndim != 2:
        raise ValueError(f"max_pool takes one grey image of shape (height, width), got shape {pixels.shape}.")
    rows = output_size(pixels.shape[0], size, stride=size)
    columns = output_size(pixels.shape[1], size, stride=size)
    blocks = pixels[:rows * size, :columns * size].reshape(rows, size, columns, size)
    return blocks.max(axis=(1, 3))


# Recurrent networks

@dataclass(frozen=True, eq=False)
class RnnWeights:
    """The one set of weights a SimpleRNN uses at every step: W for the input, U for the state, b the bias."""

    input_weights: np.ndarray
    recurrent_weights: np.ndarray
    bias: np.ndarray


@dataclass(frozen=True, eq=False)
class RnnStep:
    """One word read: the word, its one-hot vector and the state after it."""

    word: str
    input_vector: np.ndarray
    state: np.ndarray


def sentence_vocabulary(sentence: str) -> tuple[str, ...]:
    """The sentence's distinct words, lower-cased and sorted: position i of a one-hot vector is word i.

    Sorted rather than in reading order, so a word has the same vector in any sentence made of the same words.
    """
    words = sentence.lower().split()
    if not words:
        raise ValueError("the sentence is empty: type a few words, such as 'the movie was not bad'.")
    return tuple(sorted(set(words)))


def rnn_weights(vocabulary_size: int, units: int = 3, seed: int = 0) -> RnnWeights:
    """Small random weights (the same for the same seed), as a SimpleRNN has before training."""
    if units < 1 or vocabulary_size < 1:
        raise ValueError(f"a SimpleRNN needs at least 1 unit and 1 word, got {units} units and {vocabulary_size} "
                         "words.")
    generator = np.random.default_rng(seed)
    return RnnWeights(
        input_weights=generator.normal(0, 0.5, (units, vocabulary_size)),
        recurrent_weights=generator.normal(0, 0.5, (units, units)),
        bias=generator.normal(0, 0.1, units),
    )


def unrolled_rnn(sentence: str, units: int = 3, seed: int = 0) -> list[RnnStep]:
    """A SimpleRNN reading the sentence word by word: h_t = tanh(W·x_t + U·h_{t−1} + b), from h_0 = 0.

    Each word is one-hot over `sentence_vocabulary`; W, U and b are the same at every step.
    """
    vocabulary = sentence_vocabulary(sentence)
    weights = rnn_weights(len(vocabulary), units, seed)
    one_hot = np.eye(len(vocabulary))
    state = np.zeros(units)
    steps = []
    for word in sentence.lower().split():
        vector = one_hot[vocabulary.index(word)]
        state = np.tanh(weights.input_weights @ vector + weights.recurrent_weights @ state + weights.bias)
        steps.append(RnnStep(word=word, input_vector=vector, state=state))
    return steps


# Images of your own

def image_path(image_bgr: np.ndarray, size: int, class_index: int, classes: int) -> list[tuple[str, np.ndarray]]:
    """A photo on its way to a training example, step by step, and its one-hot label.

    OpenCV reads colour as blue-green-red, models (and every other library) expect red-green-blue; the photo is
    then stretched to size×size, as Keras Lab's datasets and `image_dataset_from_directory` do, and its pixels
    divided by 255.
    """
    pixels = np.asarray(image_bgr)
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.size == 0:
        raise ValueError(f"a photo read by OpenCV is uint8 of shape (height, width, 3), got {pixels.dtype} of "
                         f"shape {pixels.shape}.")
    if not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"the size must be a whole number of pixels of at least 1 (128, say), got {size!r}.")
    if not isinstance(classes, (int, np.integer)) or classes < 2:
        raise ValueError(f"a classifier needs at least 2 classes, got {classes!r}.")
    if not isinstance(class_index, (int, np.integer)) or not 0 <= class_index < classes:
        raise ValueError(f"the class index counts from 0, so it must be 0 to {classes - 1}, got {class_index!r}.")
    rgb = cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)
    resized = resize_for_model(rgb, (size, size, 3))
    return [
        ("read (BGR from OpenCV)", pixels),
        ("as RGB", rgb),
        (f"resized to {size}×{size}", resized),
        ("scaled to [0, 1]", resized.astype(np.float32) / 255),
        ("one-hot label", np.eye(classes, dtype=np.float32)[class_index]),
    ]


def sample_photo() -> np.ndarray:
    """A drawn 240×320 "photo" of a dog on a lawn (uint8 BGR, as OpenCV reads a file), so no file is needed."""
    photo = np.zeros((240, 320, 3), dtype=np.uint8)
    photo[:150] = (235, 206, 135)  # sky blue, in BGR
    photo[150:] = (60, 160, 70)  # grass green
    brown, dark = (40, 90, 150), (20, 30, 40)
    cv2.ellipse(photo, (160, 190), (70, 35), 0, 0, 360, brown, -1)  # body
    cv2.circle(photo, (160, 120), 45, brown, -1)  # head
    for side in (-1, 1):
        cv2.ellipse(photo, (160 + side * 42, 110), (14, 32), side * 15, 0, 360, dark, -1)  # ears
        cv2.circle(photo, (160 + side * 16, 110), 6, dark, -1)  # eyes
    cv2.ellipse(photo, (160, 138), (10, 7), 0, 0, 360, dark, -1)  # nose
    return photo
