"""Edits the builder makes to a `ModelSpec`, each returning a new spec (specs are immutable).

Positions are 1-based, as the page numbers its layers. Every edit checks what it writes, so a spec that
comes out of here has settings of the right kinds; whether it makes a trainable model is `core.models.analysis`'s call.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from core.models.spec import LayerSpec, ModelSpec, checked_input_shape


def _check_position(spec: ModelSpec, position: int, allow_end: bool = False) -> None:
    last = len(spec.layers) + (1 if allow_end else 0)
    if not 1 <= position <= last:
        raise ValueError(f"there is no layer {position}; positions run from 1 to {last}.")


def insert_layer(spec: ModelSpec, position: int, layer_type: str) -> ModelSpec:
    """A new layer of `layer_type` with its default settings, placed so that it becomes layer `position`."""
    _check_position(spec, position, allow_end=True)
    layers = list(spec.layers)
    layers.insert(position - 1, LayerSpec.of(layer_type, position))
    return replace(spec, layers=tuple(layers))


def remove_layer(spec: ModelSpec, position: int) -> ModelSpec:
    _check_position(spec, position)
    return replace(spec, layers=spec.layers[: position - 1] + spec.layers[position:])


def duplicate_layer(spec: ModelSpec, position: int) -> ModelSpec:
    """A copy of the layer right after it (two Conv2D in a row, as the classic CNNs stack them)."""
    _check_position(spec, position)
    layer = spec.layers[position - 1]
    copy = LayerSpec(layer.type, dict(layer.settings))
    return replace(spec, layers=spec.layers[:position] + (copy,) + spec.layers[position:])


def move_layer(spec: ModelSpec, position: int, steps: int) -> ModelSpec:
    """The layer moved up (negative steps) or down; a move past either end stops there."""
    _check_position(spec, position)
    target = min(max(position + steps, 1), len(spec.layers))
    layers = list(spec.layers)
    layers.insert(target - 1, layers.pop(position - 1))
    return replace(spec, layers=tuple(layers))


def change_setting(spec: ModelSpec, position: int, name: str, value: Any) -> ModelSpec:
    """The layer with one setting changed, or a ValueError that says what the setting accepts."""
    _check_position(spec, position)
    layer = spec.layers[position - 1]
    changed = LayerSpec.of(layer.type, position, **{**layer.settings, name: value})
    return replace(spec, layers=spec.layers[: position - 1] + (changed,) + spec.layers[position:])


def change_compile(spec: ModelSpec, **settings: Any) -> ModelSpec:
    """New compile settings (checked by `CompileSpec`)."""
    return replace(spec, compile=replace(spec.compile, **settings))


def change_input_shape(spec: ModelSpec, input_shape: tuple[int, ...]) -> ModelSpec:
    """The same spec reading its examples in another arrangement (flat, image or sequence)."""
    return replace(spec, input_shape=checked_input_shape(input_shape))


def input_shape_options(example_shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The shapes one example can be given: flat for Dense, with a channel axis for Conv2D, steps for RNNs."""
    options = [tuple(example_shape), (math.prod(example_shape),)]
    if len(example_shape) == 2:
        options.append((*example_shape, 1))
    if len(example_shape) == 1:
        options.append((example_shape[0], 1))
    return list(dict.fromkeys(options))


def parse_shape(text: str) -> tuple[int, ...]:
    """'28, 28' or '[28, 28]' as (28, 28); a ValueError for anything but positive whole numbers."""
    parts = [part.strip() for part in text.strip().strip("[]()").split(",") if part.strip()]
    if not parts or not all(part.isdigit() and int(part) >= 1 for part in parts):
        raise ValueError(f"{text!r} is not a shape; write whole numbers of at least 1 separated by commas, "
                         "such as 28, 28.")
    return tuple(int(part) for part in parts)
