"""Building and compiling a Keras model from a `ModelSpec`. The only place a spec becomes Keras objects."""

from __future__ import annotations

import keras

from core.specs import ModelSpec

LAYER_TYPES = {"Dense": keras.layers.Dense, "Dropout": keras.layers.Dropout, "Flatten": keras.layers.Flatten}
OPTIMIZERS = {"sgd": keras.optimizers.SGD, "rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam}


def build_model(spec: ModelSpec) -> keras.Model:
    """A compiled `keras.Sequential` for the spec, or a ValueError naming the layer or setting that is wrong."""
    layers = [keras.Input(shape=spec.input_shape)]
    for position, layer in enumerate(spec.layers, start=1):
        if layer.type not in LAYER_TYPES:
            raise ValueError(
                f"layer {position} has type {layer.type!r}, which Keras Lab cannot build; "
                f"use one of: {', '.join(LAYER_TYPES)}."
            )
        layers.append(LAYER_TYPES[layer.type](**layer.settings))
    model = keras.Sequential(layers)
    model.compile(optimizer=make_optimizer(spec), loss=spec.compile.loss, metrics=list(spec.compile.metrics))
    return model


def make_optimizer(spec: ModelSpec) -> keras.optimizers.Optimizer:
    """The spec's optimizer, with its learning rate when the spec sets one."""
    name = spec.compile.optimizer.lower()
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {spec.compile.optimizer!r}; use one of: {', '.join(OPTIMIZERS)}.")
    if spec.compile.learning_rate is None:
        return OPTIMIZERS[name]()
    return OPTIMIZERS[name](learning_rate=spec.compile.learning_rate)
