"""The one description of a model (`ModelSpec`) and of how to train it (`TrainingConfig`).

Both are plain, frozen, JSON-serialisable data: presets produce them, the pages edit them, training builds
Keras from them and runs store them. Nothing here imports Keras, so the pages can show a spec instantly.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

CATEGORICAL_LOSSES = ("categorical_crossentropy",)
"""Losses that expect one-hot labels; every other loss is given integer labels."""


@dataclass(frozen=True)
class LayerSpec:
    """One Keras layer: its class name in `keras.layers` and the keyword arguments it is built with."""

    type: str
    settings: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LayerSpec:
        return cls(type=data["type"], settings=dict(data.get("settings", {})))


@dataclass(frozen=True)
class CompileSpec:
    """What `model.compile` is given. A `learning_rate` of None keeps the optimizer's own default."""

    optimizer: str = "rmsprop"
    loss: str = "categorical_crossentropy"
    learning_rate: float | None = None
    metrics: tuple[str, ...] = ("accuracy",)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CompileSpec:
        """Settings left out keep their defaults."""
        return cls(**{**data, "metrics": tuple(data.get("metrics", cls.metrics))})


@dataclass(frozen=True)
class ModelSpec:
    """A sequential model: the shape of one input, the layers in order, and the compile settings.

    `input_scale` multiplies the raw inputs before they reach the model, as the classic examples divide
    pixels by 255 before calling `fit`.
    """

    input_shape: tuple[int, ...]
    layers: tuple[LayerSpec, ...]
    compile: CompileSpec = CompileSpec()
    input_scale: float = 1.0

    @property
    def uses_one_hot_labels(self) -> bool:
        return self.compile.loss in CATEGORICAL_LOSSES

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSpec:
        return cls(
            input_shape=tuple(data["input_shape"]),
            layers=tuple(LayerSpec.from_dict(layer) for layer in data["layers"]),
            compile=CompileSpec.from_dict(data.get("compile", {})),
            input_scale=float(data.get("input_scale", 1.0)),
        )

    @classmethod
    def from_json(cls, text: str) -> ModelSpec:
        return cls.from_dict(json.loads(text))


def _is_whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class TrainingConfig:
    """How long and in what steps to train. `validation_split` holds back the last part of the training data."""

    epochs: int
    batch_size: int
    validation_split: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not _is_whole_number(self.epochs) or self.epochs < 1:
            raise ValueError(f"epochs must be a whole number of at least 1, got {self.epochs!r}.")
        if not _is_whole_number(self.batch_size) or self.batch_size < 1:
            raise ValueError(f"batch size must be a whole number of at least 1, got {self.batch_size!r}.")
        if not _is_whole_number(self.seed) or not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be a whole number from 0 to {2**32 - 1}, got {self.seed!r}.")
        if not 0.0 <= self.validation_split < 1.0:
            raise ValueError(
                f"validation split must be at least 0 and below 1 (a fraction such as 0.1), "
                f"got {self.validation_split!r}."
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingConfig:
        return cls(**data)
