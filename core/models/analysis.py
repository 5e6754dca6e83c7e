"""Output shapes, parameter counts and plain-language problems of a `ModelSpec`, worked out without Keras.

The Build page calls `analyse_spec` after every edit, so it must be instant: it follows Keras's own rules
(the tests compare every preset against `model.summary()`), and refuses what would fail or mislead at
training time with a message that names the layer and says how to fix it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from core.models.spec import LayerSpec, ModelSpec
from core.settings import max_parameters

Shape = tuple[int, ...]
PROBABILITY_LOSSES = ("categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy")


class SpecProblem(ValueError):
    """A model that cannot train as built. `position` is its layer (0 for the input, None for the compile)."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class LayerRow:
    """One line of the summary: what Keras's `model.summary()` prints for this layer."""

    position: int
    type: str
    output_shape: Shape
    parameters: int
    trainable_parameters: int


@dataclass(frozen=True)
class SpecAnalysis:
    """The layers that could be worked out, and the problems found (empty when the model can train)."""

    rows: tuple[LayerRow, ...]
    problems: tuple[SpecProblem, ...]

    @property
    def total_parameters(self) -> int:
        return sum(row.parameters for row in self.rows)

    @property
    def trainable_parameters(self) -> int:
        return sum(row.trainable_parameters for row in self.rows)

    @property
    def ok(self) -> bool:
        return not self.problems



def _describe(shape: Shape) -> str:
    if len(shape) == 1:
        return f"a flat vector of {shape[0]} values"
    if len(shape) == 2:
        return f"a sequence of shape {shape} (time steps, features)"
    return f"images of shape {shape} (height, width, channels)"


def _window_output(size: int, window: int, stride: int, padding: str) -> int:
    if padding == "same":
        return math.ceil(size / stride)
    return (size - window) // stride + 1


def _spatial_output(layer: LayerSpec, shape: Shape, window: int, stride: int, channels: int) -> Shape:
    if len(shape) != 3:
        fix = ("choose an image input shape such as (28, 28, 1), or add Reshape with a target_shape such as "
               "[28, 28, 1] before it" if len(shape) == 1 else
               f"add Reshape with target_shape {[*shape[:2], math.prod(shape[2:])]} before it, or Flatten and Dense "
               "layers instead")
        raise ValueError(f"needs images of shape (height, width, channels) but gets {_describe(shape)}; {fix}.")
    height, width, _ = shape
    padding = layer.settings.get("padding", "valid")
    if padding == "valid" and window > min(height, width):
        raise ValueError(f"has a {window}×{window} window, larger than its {height}×{width} input; use a smaller "
                         "window, padding same, or fewer pooling layers before it.")
    return (_window_output(height, window, stride, padding), _window_output(width, window, stride, padding), channels)


def _regularised(settings: dict[str, Any]) -> None:
    if settings.get("kernel_regularizer", "none") != "none" and settings.get("regularization_factor", 0) <= 0:
        raise ValueError("has a regularization factor of 0, so the regulariser does nothing; set a factor such as "
                         "0.01 or choose kernel_regularizer none.")


def _dense(layer: LayerSpec, shape: Shape) -> tuple[Shape, int, int]:
    _regularised(layer.settings)
    units = layer.settings["units"]
    parameters = shape[-1] * units + units
    return (*shape[:-1], units), parameters, parameters


def _conv2d(layer: LayerSpec, shape: Shape) -> tuple[Shape, int, int]:
    _regularised(layer.settings)
    settings = layer.settings
    output = _spatial_output(layer, shape, settings["kernel_size"], settings["strides"], settings["filters"])
    parameters = settings["kernel_size"] ** 2 * shape[-1] * settings["filters"] + settings["filters"]
    return output, parameters, parameters


def _pooling(layer: LayerSpec, shape: Shape) -> tuple[Shape, int, int]:
    pool = layer.settings["pool_size"]
    stride = layer.settings["strides"] or pool
    return _spatial_output(layer, shape, pool, stride, shape[-1]), 0, 0


def _global_pooling(layer: LayerSpec, shape: Shape) -> tuple[Shape, int, int]:
    if len(shape) != 3:
        raise ValueError(f"averages each feature map of an image, but gets {_describe(shape)}; put it after a "
                         "Conv2D or pooling layer.")
    return (shape[-1],), 0, 0


def _reshape(layer: LayerSpec, shape: Shape) -> tuple[Shape, int, int]:
    target = tuple(layer.settings["target_shape"])
    if any(size < 1 for size in target) or math.prod(target) != math.prod(shape):
        raise ValueError(f"has target_shape {list(target)}, {math.prod(target)} values, but its input {shape} holds "
                         f"{math.prod(shape)}; choose sizes whose product is {math.prod(shape)}.")
    return target, 0, 0


def _recurrent(layer: LayerSpec, shape: Shape) -> tuple[Shape, int, int]:
    if len(shape) == 3:
        raise ValueError(f"reads sequences of shape (time steps, features) but gets {_describe(shape)}; add Reshape "
                         f"with target_shape {[shape[0], shape[1] * shape[2]]} before it to read each row as a time "
                         "step.")
    if len(shape) != 2:
        raise ValueError(f"reads sequences of shape (time steps, features) but gets {_describe(shape)}; add Reshape "
                         f"with target_shape {[shape[0], 1]} before it (one value per step), or an Embedding for "
                         "word indices.")
    units, features = layer.settings["units"], shape[-1]
    gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[layer.type]
    biases = 2 if layer.type == "GRU" else 1  # Keras 3's GRU has reset_after=True: two bias vectors per gate.
    parameters = gates * units * (features + units + biases)
    output = (shape[0], units) if layer.settings["return_sequences"] else (units,)
    return output, parameters, parameters


def _embedding(layer: LayerSpec, shape: Shape) -> tuple[Shape, int, int]:
    if len(shape) != 1:
        raise ValueError(f"turns word indices into vectors, one index per step, but gets {_describe(shape)}; give the "
                         "model a flat input of word indices such as (100,).")
    parameters = layer.settings["input_dim"] * layer.settings["output_dim"]
    return (*shape, layer.settings["output_dim"]), parameters, parameters


def _batch_normalization(layer: LayerSpec, shape: Shape) -> tuple[Shape, int, int]:
    # Scale and offset learn; the moving mean and variance are counted but not trained.
    return shape, 4 * shape[-1], 2 * shape[-1]


def _unchanged(layer: LayerSpec, shape: Shape) -> tuple[Shape, int, int]:
    return shape, 0, 0


def _flatten(layer: LayerSpec, shape: Shape) -> tuple[Shape, int, int]:
    return (math.prod(shape),), 0, 0


RULES = {
    "Dense": _dense, "Activation": _unchanged, "Dropout": _unchanged, "Flatten": _flatten, "Reshape": _reshape,
    "Conv2D": _conv2d, "MaxPooling2D": _pooling, "AveragePooling2D": _pooling,
    "GlobalAveragePooling2D": _global_pooling, "BatchNormalization": _batch_normalization, "Embedding": _embedding,
    "SimpleRNN": _recurrent, "LSTM": _recurrent, "GRU": _recurrent,
}


def _check_placement(spec: ModelSpec, position: int, layer: LayerSpec) -> None:
    """An Embedding reads word indices, so it must come first, on inputs that are not scaled."""
    if layer.type != "Embedding":
        return
    if position != 1:
        raise ValueError(f"Layer {position} (Embedding) turns word indices into vectors, so it must be the first "
                         "layer: after another layer its inputs are no longer indices and nothing before it learns. "
                         "Move it to the top.")
    if spec.input_scale != 1.0:
        raise ValueError(f"Layer 1 (Embedding) needs word indices, but the inputs are multiplied by "
                         f"{spec.input_scale:.6g}; an Embedding model's input scale must be 1.")


def _layer_rows(spec: ModelSpec) -> tuple[list[LayerRow], list[SpecProblem]]:
    """Each layer's output shape in turn, stopping at the first layer that cannot take its input."""
    rows: list[LayerRow] = []
    shape: Shape = tuple(spec.input_shape)
    for position, layer in enumerate(spec.layers, start=1):
        try:
            layer = LayerSpec.of(layer.type, position, **layer.settings)
            _check_placement(spec, position, layer)
        except ValueError as error:
            return rows, [SpecProblem(str(error), position)]
        try:
            shape, parameters, trainable = RULES[layer.type](layer, shape)
        except ValueError as error:
            return rows, [SpecProblem(f"Layer {position} ({layer.type}) {error}", position)]
        if any(size < 1 for size in shape):
            return rows, [SpecProblem(f"Layer {position} ({layer.type}) would output shape {shape}, with nothing in "
                                      "it; use a smaller window or stride, or padding same.", position)]
        rows.append(LayerRow(position, layer.type, shape, parameters, trainable))
    return rows, []


def _output_activation(spec: ModelSpec) -> tuple[int, str] | None:
    """The position and activation of the last layer that applies one."""
    for position in range(len(spec.layers), 0, -1):
        activation = spec.layers[position - 1].settings.get("activation")
        if activation is not None:
            return position, activation
    return None


def _flat_output_problem(spec: ModelSpec, rows: list[LayerRow]) -> SpecProblem | None:
    output = rows[-1].output_shape
    if len(output) == 1:
        return None
    shapes_in = [tuple(spec.input_shape), *(row.output_shape for row in rows[:-1])]
    culprit = next((row for row, shape_in in zip(rows, shapes_in) if row.type == "Dense" and len(shape_in) > 1), None)
    if culprit is not None:
        return SpecProblem(
            f"Layer {culprit.position} (Dense) leaves the model's output with shape {output}, not one prediction per "
            f"example: Dense works on the last axis only. Add Flatten before layer {culprit.position} (or a "
            "GlobalAveragePooling2D, or a recurrent layer without return_sequences).", culprit.position)
    last = rows[-1]
    fix = ("turn its return_sequences off, or add Flatten after it" if last.type in ("SimpleRNN", "LSTM", "GRU")
           else "add Flatten (or GlobalAveragePooling2D) after it")
    return SpecProblem(
        f"Layer {last.position} ({last.type}) is the last layer and outputs shape {output}, not one prediction per "
        f"example: {fix}, then a Dense layer with one unit per class.", last.position)


def _head_problems(spec: ModelSpec, rows: list[LayerRow], num_classes: int) -> list[SpecProblem]:
    """The output layer against the number of classes, and the loss against the output and labels."""
    last = rows[-1]
    units = last.output_shape[0]
    loss = spec.compile.loss
    problems = []
    binary = loss == "binary_crossentropy"
    single_probability = num_classes == 2 and units == 1 and loss in ("binary_crossentropy", "mean_squared_error")
    if binary and num_classes != 2:
        problems.append(SpecProblem(
            f"The loss binary_crossentropy is for two classes, but this dataset has {num_classes}; use "
            "categorical_crossentropy (one-hot labels) or sparse_categorical_crossentropy (integer labels)."))
    elif binary and units != 1:
        problems.append(SpecProblem(
            f"The loss binary_crossentropy compares one probability per example with a 0/1 label, but the last "
            f"layer (layer {last.position}) has {units} units; give it 1 unit with sigmoid, or keep {units} units "
            "and use categorical_crossentropy.", last.position))
    elif not binary and not single_probability and units != num_classes:
        problems.append(SpecProblem(
            f"The last layer (layer {last.position}, {last.type}) has {units} outputs but the dataset has "
            f"{num_classes} classes; set it to {num_classes} units, one per class.", last.position))
    head = _output_activation(spec)
    if head is not None and head[1] == "softmax" and units == 1:
        problems.append(SpecProblem(
            f"Layer {head[0]} puts softmax on one unit, which always outputs 1.0, so nothing is learned; use sigmoid "
            "for a single unit, or 2 units with softmax.", head[0]))
    elif loss in PROBABILITY_LOSSES and (head is None or head[1] not in ("softmax", "sigmoid")):
        activation = "none" if head is None else head[1]
        problems.append(SpecProblem(
            f"The loss {loss} expects probabilities, but the model's last activation is {activation}; end with "
            f"{'sigmoid' if binary else 'softmax'}.", head[0] if head else last.position))
    regression_metrics = [metric for metric in spec.compile.metrics if metric != "accuracy"]
    if regression_metrics and units > 1 and not spec.uses_one_hot_labels:
        problems.append(SpecProblem(
            f"The metric {regression_metrics[0]} compares the {units} outputs with the label, but the loss {loss} "
            "gives class numbers, not one-hot rows; use categorical_crossentropy or remove the metric."))
    return problems


def _size_problem(total: int, limit: int) -> SpecProblem | None:
    if total <= limit:
        return None
    megabytes = total * 4 / 1e6
    return SpecProblem(
        f"The model has {total:,} parameters, more than this server's limit of {limit:,}: its weights take "
        f"{megabytes:,.0f} MB, about {3 * megabytes:,.0f} MB with the optimizer's state, and an epoch would take "
        "minutes. Use fewer units or filters, or a pooling layer before Flatten.")


def analyse_spec(spec: ModelSpec, example_shape: Shape | None = None, num_classes: int | None = None,
                 limit: int | None = None) -> SpecAnalysis:
    """Shapes and parameter counts of every layer, and what stops the model from training on such data."""
    problems: list[SpecProblem] = []
    if example_shape is not None and math.prod(example_shape) != math.prod(spec.input_shape):
        problems.append(SpecProblem(
            f"The input shape {tuple(spec.input_shape)} holds {math.prod(spec.input_shape)} values, but each example "
            f"of the dataset has shape {tuple(example_shape)} ({math.prod(example_shape)} values); pick an input "
            "shape with the same number of values (for a spec made for another dataset, choose that dataset's "
            "preset first).", 0))
    if not spec.layers:
        return SpecAnalysis((), (*problems, SpecProblem("The model has no layers yet: add at least the output "
                                                       "layer, a Dense layer with one unit per class.")))
    rows, layer_problems = _layer_rows(spec)
    problems += layer_problems
    if not layer_problems:
        flat = _flat_output_problem(spec, rows)
        if flat is not None:
            problems.append(flat)
        elif num_classes is not None:
            problems += _head_problems(spec, rows, num_classes)
    size = _size_problem(sum(row.parameters for row in rows), max_parameters() if limit is None else limit)
    if size is not None:
        problems.append(size)
    return SpecAnalysis(tuple(rows), tuple(problems))


def check_spec(spec: ModelSpec, example_shape: Shape | None = None, num_classes: int | None = None) -> SpecAnalysis:
    """`analyse_spec`, raising its first problem: the gate before anything is built or trained."""
    analysis = analyse_spec(spec, example_shape, num_classes)
    if analysis.problems:
        raise analysis.problems[0]
    return analysis
