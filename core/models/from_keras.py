"""A loaded Keras model described as a `ModelSpec`, so that an uploaded model flows through Keras Lab like one built
on the Build page (one description of an architecture everywhere).

Only sequential stacks of the builder's own layers can be described; anything else is refused in words.
"""

from __future__ import annotations

from typing import Any

from core.models.layers import CATALOGUE
from core.models.spec import CompileSpec, LayerSpec, ModelSpec

SQUARE_SETTINGS = ("kernel_size", "pool_size", "strides")
"""Keras keeps these as pairs; the builder's layers have square windows and equal strides."""


def _square(name: str, value: Any, layer_name: str) -> Any:
    if not isinstance(value, (list, tuple)):
        return value
    if len(set(value)) != 1:
        raise ValueError(f"layer {layer_name!r} has {name} {tuple(value)}; Keras Lab's layers use square windows "
                         "and equal strides, so this model cannot be shown here.")
    return value[0]


def _regularizer(config: dict[str, Any], layer_name: str) -> dict[str, Any]:
    regularizer = config.get("kernel_regularizer")
    if not regularizer:
        return {}
    name = regularizer.get("class_name", "").lower()
    factors = regularizer.get("config", {})
    if name not in ("l1", "l2") or not factors.get(name):
        raise ValueError(f"layer {layer_name!r} has a {regularizer.get('class_name')} regulariser; Keras Lab shows L1 "
                         "or L2 only.")
    # Keras keeps the factor as float32: 0.001 comes back as 0.0010000000474974513.
    return {"kernel_regularizer": name, "regularization_factor": float(f"{factors[name]:.7g}")}


def layer_spec(layer: Any) -> LayerSpec:
    """One Keras layer as the builder would have made it, or a ValueError naming what Keras Lab cannot show."""
    kind = CATALOGUE.get(type(layer).__name__)
    if kind is None:
        raise ValueError(f"layer {layer.name!r} is a {type(layer).__name__}, which Keras Lab's builder does not "
                         f"have; it can show models made of: {', '.join(CATALOGUE)}.")
    config = layer.get_config()
    settings = {setting.name: config[setting.name] for setting in kind.settings if setting.name in config}
    settings.update({name: _square(name, settings[name], layer.name) for name in SQUARE_SETTINGS if name in settings})
    if "target_shape" in settings:
        settings["target_shape"] = tuple(settings["target_shape"])
    if "kernel_regularizer" in settings:
        settings.pop("kernel_regularizer")
        settings.update(_regularizer(config, layer.name))
    return LayerSpec.of(kind.type, None, **settings)


def spec_from_model(model: Any, input_scale: float, compile_spec: CompileSpec) -> ModelSpec:
    """The model's input shape and layers as a spec, with the input scale and compile settings it should train with
    (a file loaded without its training configuration has neither)."""
    input_shape = tuple(model.inputs[0].shape[1:])
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    return ModelSpec(input_shape=input_shape, layers=tuple(layer_spec(layer) for layer in layers),
                     compile=compile_spec, input_scale=input_scale)
