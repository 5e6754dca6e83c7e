"""Building and compiling a Keras model from a `ModelSpec`. The only place a spec becomes Keras objects."""

from __future__ import annotations

from typing import Any

import keras

from core.models.analysis import check_spec
from core.models.spec import LayerSpec, ModelSpec

OPTIMIZER_CLASSES = {
    "sgd": keras.optimizers.SGD,
    "rmsprop": keras.optimizers.RMSprop,
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "adagrad": keras.optimizers.Adagrad,
}
REGULARIZER_CLASSES = {"l1": keras.regularizers.L1, "l2": keras.regularizers.L2}


def keras_arguments(layer: LayerSpec) -> dict[str, Any]:
    """The layer's settings as Keras keyword arguments: a regulariser object from its name and factor."""
    arguments = dict(layer.settings)
    regularizer = arguments.pop("kernel_regularizer", "none")
    factor = arguments.pop("regularization_factor", None)
    if regularizer != "none":
        arguments["kernel_regularizer"] = REGULARIZER_CLASSES[regularizer](factor)
    return arguments


def build_model(spec: ModelSpec, example_shape: tuple[int, ...] | None = None,
                num_classes: int | None = None) -> keras.Model:
    """A compiled `keras.Sequential` for the spec, or a ValueError naming the layer or setting that is wrong."""
    check_spec(spec, example_shape, num_classes)
    layers = [keras.Input(shape=spec.input_shape)]
    for position, layer in enumerate(spec.layers, start=1):
        checked = LayerSpec.of(layer.type, position, **layer.settings)
        layers.append(getattr(keras.layers, layer.type)(**keras_arguments(checked)))
    model = keras.Sequential(layers)
    model.compile(optimizer=make_optimizer(spec), loss=spec.compile.loss, metrics=list(spec.compile.metrics))
    return model


def make_optimizer(spec: ModelSpec) -> keras.optimizers.Optimizer:
    """The spec's optimizer, with its learning rate when the spec sets one, and SGD's momentum."""
    arguments: dict[str, Any] = {}
    if spec.compile.learning_rate is not None:
        arguments["learning_rate"] = spec.compile.learning_rate
    if spec.compile.optimizer == "sgd":
        arguments["momentum"] = spec.compile.momentum
    return OPTIMIZER_CLASSES[spec.compile.optimizer](**arguments)
