"""What happens inside a trained model for one example: each layer's output, and which pixels the answer rests on.

Everything here calls the model directly (`model(x, training=False)`) rather than `model.predict`: the Predict
page asks about one example at a time, and `predict` spends more time setting up than a small model computes.
Only the Keras 3 API is used, so it works the same on the TensorFlow, JAX and PyTorch backends.
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass

import keras
import numpy as np

from core.models.inputs import prepare_inputs
from core.models.layers import is_whole_number
from core.models.spec import ModelSpec
from core.predict.inference import class_probabilities

OCCLUSION_BATCH_SIZE = 256
"""Occluded copies per model call: all of them for a 28×28 digit (144), a few calls for a 128×128 photo."""


@dataclass(frozen=True, eq=False)
class LayerActivation:
    """One layer's output for one example, without the batch axis: (24, 24, 32) for a Conv2D, (128,) for a Dense."""

    layer_name: str
    layer_class: str
    output: np.ndarray

    @property
    def is_feature_map(self) -> bool:
        """A stack of 2-D maps (height, width, channels), as Conv2D and pooling give: one image per channel."""
        return self.output.ndim == 3

    @property
    def is_vector(self) -> bool:
        """One number per unit, as Dense, Flatten and Dropout give: draw them as a row of bars or cells."""
        return self.output.ndim == 1


_probes: weakref.WeakKeyDictionary[keras.Model, keras.Model] = weakref.WeakKeyDictionary()
_probes_lock = threading.Lock()
"""Streamlit serves many sessions from threads of one process, so the cache is shared and guarded."""


def activation_probe(model: keras.Model) -> keras.Model:
    """A model with the same input whose outputs are every layer's output, built once per model and reused.

    It shares the model's layers and weights, so it follows the model through further training. The cache holds
    the model weakly: when the model is dropped, so is its probe.
    """
    with _probes_lock:
        probe = _probes.get(model)
        if probe is None:
            probe = keras.Model(inputs=model.inputs, outputs=[layer.output for layer in _computing_layers(model)])
            _probes[model] = probe
        return probe


def layer_activations(model: keras.Model, spec: ModelSpec, example: np.ndarray) -> list[LayerActivation]:
    """Every layer's output for one raw example (a 28×28 digit, a 2-D point), in the order the layers run."""
    inputs = prepare_inputs(spec, _as_one_example(spec, example))
    probe = activation_probe(model)
    outputs = probe([inputs], training=False)
    return [
        LayerActivation(layer_name=layer.name, layer_class=type(layer).__name__,
                        output=keras.ops.convert_to_numpy(output)[0])
        for layer, output in zip(_computing_layers(model), outputs)
    ]


def _computing_layers(model: keras.Model) -> list[keras.Layer]:
    """The model's layers in order, without the InputLayer a functional model lists: it computes nothing."""
    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def _as_one_example(spec: ModelSpec, example: np.ndarray) -> np.ndarray:
    """The raw example as a batch of one, or a ValueError when it cannot be reshaped to the model's input."""
    example = np.asarray(example)
    expected = math.prod(spec.input_shape)
    if example.size != expected:
        raise ValueError(f"the model takes {expected} values per example (input shape {spec.input_shape}), but this "
                         f"example has shape {example.shape} ({example.size} values); pass one example of the "
                         f"dataset the model was built for, not a batch.")
    return example[np.newaxis]


def default_occlusion_patch(height: int, width: int) -> tuple[int, int]:
    """Patch and stride that scale with the image: 6 and 2 for a 28×28 digit, 27 and 9 for a 128×128 photo.

    A patch about a fifth of the image hides a stroke of a digit without hiding the whole digit; a stride of a
    third of the patch keeps the number of occluded copies near 150 at any size.
    """
    patch = max(1, round(min(height, width) * 6 / 28))
    return patch, max(1, patch // 3)


def occlusion_saliency(model: keras.Model, spec: ModelSpec, example: np.ndarray, class_index: int,
                       patch: int | None = None, stride: int | None = None, fill_value: float = 0.0) -> np.ndarray:
    """Which pixels the probability of `class_index` rests on, as an (height, width) float32 map in [0, 1].

    A square patch of `fill_value` slides over the raw image; each pixel scores the average drop in the class's
    probability over the patches that cover it, and the map is divided by its largest score (all zeros when no
    patch lowers the probability). `fill_value` is in raw units and should be the dataset's background, 0 for
    MNIST's black, so that hiding background changes nothing and only hiding the object counts. Unlike
    gradient maps this needs only forward passes, so it is the same on every backend, and it works for any
    model that takes the image, flattened or not. `patch` and `stride` default by the image's size
    (`default_occlusion_patch`).
    """
    image = _checked_image(spec, example)
    height, width = image.shape[:2]
    patch, stride = _checked_patch(height, width, patch, stride)
    corners = [(top, left) for top in _patch_starts(height, patch, stride)
               for left in _patch_starts(width, patch, stride)]
    occluded = np.repeat(image[np.newaxis], len(corners) + 1, axis=0)  # The first copy stays whole: the baseline.
    for copy, (top, left) in enumerate(corners, start=1):
        occluded[copy, top:top + patch, left:left + patch] = fill_value
    probabilities = _probabilities_in_batches(model, spec, occluded)
    if not 0 <= class_index < probabilities.shape[1]:
        raise ValueError(f"class index {class_index} is out of range: the model has {probabilities.shape[1]} classes, "
                         f"0 to {probabilities.shape[1] - 1}.")
    drops = np.maximum(probabilities[0, class_index] - probabilities[1:, class_index], 0.0)
    return _normalised(_average_over_patches(drops, corners, patch, (height, width)))


def _checked_patch(height: int, width: int, patch: int | None, stride: int | None) -> tuple[int, int]:
    """The patch and stride to use: the defaults for the image's size where None, or a ValueError."""
    default_patch, default_stride = default_occlusion_patch(height, width)
    patch = default_patch if patch is None else patch
    stride = default_stride if stride is None else stride
    if not is_whole_number(patch) or not 1 <= patch <= min(height, width):
        raise ValueError(f"the occlusion patch must be a whole number of pixels from 1 to {min(height, width)} "
                         f"(the image is {height}×{width}), got {patch!r}.")
    if not is_whole_number(stride) or stride < 1:
        raise ValueError(f"the occlusion stride must be a whole number of pixels of at least 1, got {stride!r}.")
    return patch, stride


def _average_over_patches(drops: np.ndarray, corners: list[tuple[int, int]], patch: int,
                          size: tuple[int, int]) -> np.ndarray:
    """Each pixel's average drop over the patches that covered it (every pixel is covered at least once)."""
    total, coverage = np.zeros(size, np.float32), np.zeros(size, np.float32)
    for drop, (top, left) in zip(drops, corners):
        total[top:top + patch, left:left + patch] += drop
        coverage[top:top + patch, left:left + patch] += 1.0
    return total / coverage


def _normalised(saliency: np.ndarray) -> np.ndarray:
    """Divided by its peak, so 1 marks what matters most; all zeros when nothing matters."""
    peak = saliency.max()
    return saliency / peak if peak > 0 else np.zeros_like(saliency)


def _checked_image(spec: ModelSpec, example: np.ndarray) -> np.ndarray:
    """The example as a float32 image (height, width) or (height, width, channels), or a ValueError."""
    example = np.asarray(example)
    if example.ndim not in (2, 3) or min(example.shape[:2]) < 2:
        raise ValueError(f"occlusion saliency needs one image of shape (height, width) or (height, width, channels), "
                         f"such as a 28×28 digit; this example has shape {example.shape}. For points and sequences "
                         f"look at the layer activations instead.")
    _as_one_example(spec, example)  # Refuses an image of another size with a message that says what fits.
    return example.astype(np.float32)


def _patch_starts(size: int, patch: int, stride: int) -> list[int]:
    """Where patches start along one axis, every `stride` pixels, with a last one flush with the edge."""
    starts = list(range(0, size - patch + 1, stride))
    if starts[-1] != size - patch:
        starts.append(size - patch)
    return starts


def _probabilities_in_batches(model: keras.Model, spec: ModelSpec, raw_examples: np.ndarray) -> np.ndarray:
    """Class probabilities for many raw examples, a few direct model calls of `OCCLUSION_BATCH_SIZE` at most."""
    outputs = [
        keras.ops.convert_to_numpy(model(prepare_inputs(spec, raw_examples[start:start + OCCLUSION_BATCH_SIZE]),
                                         training=False))
        for start in range(0, len(raw_examples), OCCLUSION_BATCH_SIZE)
    ]
    return class_probabilities(np.concatenate(outputs))
