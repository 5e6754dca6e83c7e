"""The one description of a model (`ModelSpec`) and of how to train it (`TrainingConfig`).

Both are plain, frozen, JSON-serialisable data: presets produce them, the pages edit them, training builds
Keras from them and runs store them. Nothing here imports Keras, so the pages can show a spec instantly.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from core.json_text import parsed_json
from core.models.layers import checked_settings, is_whole_number

OPTIMIZERS = ("sgd", "rmsprop", "adam", "adamw", "adagrad")
LOSSES = ("categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy", "mean_squared_error")
METRICS = ("accuracy", "mean_absolute_error", "mean_squared_error")


def _is_number(value: object) -> bool:
    """A real, finite number: not a bool, not NaN, not infinity (JSON specs may spell `Infinity`)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class LayerSpec:
    """One Keras layer: its class name in `keras.layers` and the keyword arguments it is built with."""

    type: str
    settings: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, layer_type: str, position: int | None = None, /, **settings: Any) -> LayerSpec:
        """A layer with every setting spelled out (defaults filled in) and checked against the catalogue."""
        return cls(layer_type, checked_settings(layer_type, settings, position))

    @classmethod
    def from_dict(cls, data: dict[str, Any], position: int | None = None) -> LayerSpec:
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            raise ValueError(f"layer {position} must be an object with a \"type\" such as \"Dense\", got {data!r}.")
        settings = data.get("settings", {})
        if not isinstance(settings, dict):
            raise ValueError(f"layer {position} ({data['type']}): settings must be an object, got {settings!r}.")
        return cls(data["type"], checked_settings(data["type"], settings, position))


@dataclass(frozen=True)
class CompileSpec:
    """What `model.compile` is given. A `learning_rate` of None keeps the optimizer's own default.

    `momentum` is SGD's (0 is plain gradient descent); the other optimizers have no such setting.
    """

    optimizer: str = "rmsprop"
    loss: str = "categorical_crossentropy"
    learning_rate: float | None = None
    metrics: tuple[str, ...] = ("accuracy",)
    momentum: float = 0.0

    def __post_init__(self) -> None:
        for name, value, allowed in (("optimizer", self.optimizer, OPTIMIZERS), ("loss", self.loss, LOSSES)):
            if value not in allowed:
                raise ValueError(f"unknown {name} {value!r}; use one of: {', '.join(allowed)}.")
        unknown = [metric for metric in self.metrics if metric not in METRICS]
        if unknown:
            raise ValueError(f"unknown metric {unknown[0]!r}; use any of: {', '.join(METRICS)}.")
        if self.learning_rate is not None and not (_is_number(self.learning_rate) and self.learning_rate > 0):
            raise ValueError(f"the learning rate must be a number above 0 (0.001 is usual), got {self.learning_rate!r}.")
        if not (_is_number(self.momentum) and 0 <= self.momentum < 1):
            raise ValueError(f"momentum must be from 0 up to below 1 (0.9 is usual), got {self.momentum!r}.")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CompileSpec:
        """Settings left out keep their defaults; unknown ones are refused."""
        known = {"optimizer", "loss", "learning_rate", "metrics", "momentum"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"the compile settings have no {', '.join(map(repr, unknown))}; "
                             f"they are: {', '.join(sorted(known))}.")
        metrics = data.get("metrics", list(cls.metrics))
        if not isinstance(metrics, list) or not all(isinstance(metric, str) for metric in metrics):
            raise ValueError(f"metrics must be a list of names such as [\"accuracy\"], got {metrics!r}.")
        return cls(**{**data, "metrics": tuple(metrics)})


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
    def output_units(self) -> int | None:
        """The size of the last layer that has units (None when no layer sets one)."""
        for layer in reversed(self.layers):
            for name in ("units", "filters"):
                if name in layer.settings:
                    return layer.settings[name]
        return None

    @property
    def uses_one_hot_labels(self) -> bool:
        """Categorical cross-entropy, and mean squared error over several outputs, compare against one-hot rows."""
        if self.compile.loss == "categorical_crossentropy":
            return True
        return self.compile.loss == "mean_squared_error" and (self.output_units or 1) > 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSpec:
        """A spec from its JSON form, every part checked: a ValueError says what is wrong and where."""
        if not isinstance(data, dict):
            raise ValueError("a model spec is a JSON object with \"input_shape\", \"layers\" and \"compile\".")
        unknown = sorted(set(data) - {"input_shape", "layers", "compile", "input_scale"})
        if unknown:
            raise ValueError(f"a model spec has no {', '.join(map(repr, unknown))}; its parts are input_shape, "
                             "layers, compile and input_scale.")
        input_shape = checked_input_shape(data.get("input_shape"))
        layers = data.get("layers")
        if not isinstance(layers, list):
            raise ValueError(f"layers must be a list of layers, got {layers!r}.")
        input_scale = data.get("input_scale", 1.0)
        if not _is_number(input_scale) or input_scale <= 0:
            raise ValueError(f"input_scale must be a number above 0 (1/255 for pixels), got {input_scale!r}.")
        compile_settings = data.get("compile", {})
        if not isinstance(compile_settings, dict):
            raise ValueError(f"compile must be an object such as {{\"optimizer\": \"adam\"}}, got {compile_settings!r}.")
        return cls(
            input_shape=input_shape,
            layers=tuple(LayerSpec.from_dict(layer, position) for position, layer in enumerate(layers, start=1)),
            compile=CompileSpec.from_dict(compile_settings),
            input_scale=float(input_scale),
        )

    @classmethod
    def from_json(cls, text: str) -> ModelSpec:
        return cls.from_dict(parsed_json(text, "a model spec"))


def checked_input_shape(input_shape: Any) -> tuple[int, ...]:
    """One example's shape as a tuple, or a ValueError: whole numbers of at least 1, such as (28, 28, 1)."""
    if not isinstance(input_shape, (list, tuple)) or not input_shape or not all(
        is_whole_number(size) and size >= 1 for size in input_shape
    ):
        raise ValueError(f"an input shape is a list of whole numbers of at least 1, such as [784] or [28, 28, 1], "
                         f"got {input_shape!r}.")
    return tuple(input_shape)


MONITORS = ("val_loss", "val_accuracy", "loss", "accuracy")
SCHEDULES = ("constant", "step", "plateau")
"""Learning-rate schedules: keep it; multiply it by a factor every N epochs; multiply it when the loss stalls."""


@dataclass(frozen=True)
class TrainingConfig:
    """How long and in what steps to train.

    `validation_split` holds back the last part of the training data; `validate_on_test` instead watches the
    test set during training, as the classic MNIST CNN example does (`validation_data=(x_test, y_test)`).
    Early stopping is off while `early_stopping_patience` is 0. `schedule_every` is the step schedule's epochs
    between drops, and the plateau schedule's patience. `gpu` asks a cluster (`core.training.ray_executor`) for a
    node's GPU; a run on this machine uses whatever devices Keras finds, as ever.
    """

    epochs: int
    batch_size: int
    validation_split: float = 0.0
    seed: int = 0
    validate_on_test: bool = False
    shuffle: bool = True
    early_stopping_patience: int = 0
    early_stopping_monitor: str = "val_loss"
    restore_best_weights: bool = True
    schedule: str = "constant"
    schedule_factor: float = 0.5
    schedule_every: int = 10
    gpu: bool = False

    @property
    def has_validation(self) -> bool:
        return self.validate_on_test or self.validation_split > 0

    def __post_init__(self) -> None:
        if not is_whole_number(self.epochs) or self.epochs < 1:
            raise ValueError(f"epochs must be a whole number of at least 1, got {self.epochs!r}.")
        if not is_whole_number(self.batch_size) or self.batch_size < 1:
            raise ValueError(f"batch size must be a whole number of at least 1, got {self.batch_size!r}.")
        if not is_whole_number(self.seed) or not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be a whole number from 0 to {2**32 - 1}, got {self.seed!r}.")
        if not 0.0 <= self.validation_split < 1.0:
            raise ValueError(
                f"validation split must be at least 0 and below 1 (a fraction such as 0.1), "
                f"got {self.validation_split!r}."
            )
        if self.validate_on_test and self.validation_split:
            raise ValueError("validate either on a split of the training data or on the test set, not both; "
                             "set the validation split to 0 to validate on the test set.")
        self._check_early_stopping()
        self._check_schedule()

    def _check_early_stopping(self) -> None:
        if not is_whole_number(self.early_stopping_patience) or self.early_stopping_patience < 0:
            raise ValueError(f"early-stopping patience must be a whole number of epochs, 0 for off, "
                             f"got {self.early_stopping_patience!r}.")
        if self.early_stopping_monitor not in MONITORS:
            raise ValueError(f"early stopping can watch {', '.join(MONITORS)}, not {self.early_stopping_monitor!r}.")
        if self.early_stopping_patience and self.early_stopping_monitor.startswith("val_") and not self.has_validation:
            raise ValueError(f"early stopping watches {self.early_stopping_monitor}, but this run keeps no validation "
                             "data: set a validation split, validate on the test set, or watch loss instead.")

    def _check_schedule(self) -> None:
        if self.schedule not in SCHEDULES:
            raise ValueError(f"the learning-rate schedule is one of {', '.join(SCHEDULES)}, not {self.schedule!r}.")
        if not (isinstance(self.schedule_factor, (int, float)) and 0 < self.schedule_factor < 1):
            raise ValueError(f"the schedule's factor multiplies the learning rate and must be between 0 and 1 "
                             f"(0.5 halves it), got {self.schedule_factor!r}.")
        if not is_whole_number(self.schedule_every) or self.schedule_every < 1:
            raise ValueError(f"the schedule's number of epochs must be a whole number of at least 1, "
                             f"got {self.schedule_every!r}.")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingConfig:
        return cls(**data)
