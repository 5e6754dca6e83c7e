"""The layers the builder offers and the settings each one takes, as plain data (no Keras import).

The Build page draws its forms from this catalogue, uploaded specs are checked against it, and
`core.models.build` turns a checked layer into Keras. Settings are JSON-friendly: square kernels are one
whole number, a regulariser is a name plus a factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ACTIVATIONS = ("relu", "sigmoid", "tanh", "softmax", "elu", "linear")
PADDINGS = ("valid", "same")
REGULARIZERS = ("none", "l1", "l2")


@dataclass(frozen=True)
class Setting:
    """One keyword argument of a layer: its kind (`int`, `float`, `choice`, `bool`, `shape`) and its limits."""

    name: str
    kind: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    below: float | None = None
    optional: bool = False
    """An optional setting may be None (pooling strides: None means the pool size)."""


@dataclass(frozen=True)
class LayerKind:
    type: str
    summary: str
    settings: tuple[Setting, ...] = ()


def _units(default: int, what: str = "units") -> Setting:
    return Setting(what, "int", default, f"how many {what} (outputs) the layer has", minimum=1)


def _activation(default: str) -> Setting:
    return Setting("activation", "choice", default, "the function applied to each output", choices=ACTIVATIONS)


REGULARIZATION = (
    Setting("kernel_regularizer", "choice", "none",
            "a penalty on large weights added to the loss: l2 (weight decay) or l1 (pushes weights to zero)",
            choices=REGULARIZERS),
    Setting("regularization_factor", "float", 0.01, "how strong the penalty is, as in regularizers.l2(0.01)",
            minimum=0.0),
)
KERNEL = Setting("kernel_size", "int", 3, "the side of the square window each filter looks through", minimum=1)
POOL = (
    Setting("pool_size", "int", 2, "the side of the square window reduced to one value", minimum=1),
    Setting("strides", "int", None, "how far the window moves; empty means the pool size", minimum=1, optional=True),
    Setting("padding", "choice", "valid", "valid: no border; same: pad so the output is input / stride",
            choices=PADDINGS),
)
RECURRENT = (
    _units(32),
    _activation("tanh"),
    Setting("return_sequences", "bool", False,
            "on: an output for every time step (to stack another recurrent layer); off: only the last"),
)

CATALOGUE: dict[str, LayerKind] = {
    kind.type: kind
    for kind in (
        LayerKind("Dense", "every input connected to every unit", (_units(64), _activation("relu"), *REGULARIZATION)),
        LayerKind("Activation", "applies a function to each value", (_activation("relu"),)),
        LayerKind("Dropout", "zeroes a random fraction of values while training, against over-fitting",
                  (Setting("rate", "float", 0.25, "the fraction of values dropped", minimum=0.0, below=1.0),)),
        LayerKind("Flatten", "lays an image or sequence out as one long vector"),
        LayerKind("Reshape", "gives the same values another shape (28×28 rows as 28 time steps, say)",
                  (Setting("target_shape", "shape", (28, 28), "the new shape of one example, without the batch"),)),
        LayerKind("Conv2D", "slides small learned filters over an image",
                  (_units(32, "filters"), KERNEL,
                   Setting("strides", "int", 1, "how many pixels each filter moves at a time", minimum=1),
                   Setting("padding", "choice", "valid", "valid: no border, the image shrinks; same: keeps its size",
                           choices=PADDINGS),
                   _activation("relu"), *REGULARIZATION)),
        LayerKind("MaxPooling2D", "keeps the largest value of each window", POOL),
        LayerKind("AveragePooling2D", "keeps the mean of each window", POOL),
        LayerKind("GlobalAveragePooling2D", "averages each feature map to one number"),
        LayerKind("BatchNormalization", "re-centres and re-scales each feature, which steadies training"),
        LayerKind("Embedding", "turns each word index into a learned vector",
                  (Setting("input_dim", "int", 1000, "the vocabulary size: word indices run from 0 to this - 1",
                           minimum=1),
                   Setting("output_dim", "int", 64, "the length of each word's vector", minimum=1))),
        LayerKind("SimpleRNN", "reads a sequence step by step, keeping a state", RECURRENT),
        LayerKind("LSTM", "a recurrent layer with gates that remember over long sequences", RECURRENT),
        LayerKind("GRU", "a lighter gated recurrent layer", RECURRENT),
    )
}


def layer_kind(layer_type: str, position: int | None = None) -> LayerKind:
    """The catalogue entry, or a ValueError that names the layer and the types there are."""
    if layer_type not in CATALOGUE:
        where = f"Layer {position}" if position is not None else "A layer"
        raise ValueError(f"{where} has type {layer_type!r}, which Keras Lab cannot build; "
                         f"use one of: {', '.join(CATALOGUE)}.")
    return CATALOGUE[layer_type]


def _checked_value(setting: Setting, value: Any, where: str) -> Any:
    """The value in its canonical form, or a ValueError that says what this setting accepts."""
    if value is None and setting.optional:
        return None
    if setting.kind == "choice":
        if value not in setting.choices:
            raise ValueError(f"{where}: {setting.name} is {value!r}; choose one of: {', '.join(setting.choices)}.")
        return value
    if setting.kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{where}: {setting.name} must be true or false, got {value!r}.")
        return value
    if setting.kind == "shape":
        if not isinstance(value, (list, tuple)) or not value or not all(is_whole_number(size) for size in value):
            raise ValueError(f"{where}: {setting.name} must be a list of whole numbers such as [28, 28], got {value!r}.")
        return tuple(int(size) for size in value)
    if setting.kind == "int" and not is_whole_number(value):
        raise ValueError(f"{where}: {setting.name} must be a whole number, got {value!r}.")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ValueError(f"{where}: {setting.name} must be a number, got {value!r}.")
    _check_range(setting, value, where)
    return int(value) if setting.kind == "int" else float(value)


def _check_range(setting: Setting, value: float, where: str) -> None:
    if setting.minimum is not None and value < setting.minimum:
        raise ValueError(f"{where}: {setting.name} is {value:g}; it must be at least {setting.minimum:g} "
                         f"({setting.help}).")
    if setting.below is not None and value >= setting.below:
        low = "" if setting.minimum is None else f"from {setting.minimum:g} up to "
        raise ValueError(f"{where}: {setting.name} is {value:g}; it must be {low}below {setting.below:g} "
                         f"({setting.help}).")


def is_whole_number(value: Any) -> bool:
    """An int that is not a bool (JSON's true would otherwise pass as 1)."""
    return isinstance(value, int) and not isinstance(value, bool)


def checked_settings(layer_type: str, settings: dict[str, Any], position: int | None = None) -> dict[str, Any]:
    """All of the layer's settings, defaults filled in, each checked for its kind (not its range: see shapes).

    Unknown settings are refused, so a typo in an uploaded spec is never silently ignored.
    """
    kind = layer_kind(layer_type, position)
    where = f"Layer {position} ({layer_type})" if position is not None else layer_type
    unknown = sorted(set(settings) - {setting.name for setting in kind.settings})
    if unknown:
        known = ", ".join(setting.name for setting in kind.settings) or "none"
        raise ValueError(f"{where} has no setting {', '.join(map(repr, unknown))}; its settings are: {known}.")
    checked = {
        setting.name: _checked_value(setting, settings.get(setting.name, setting.default), where)
        for setting in kind.settings
    }
    if "pool_size" in checked and checked["strides"] == checked["pool_size"]:
        checked["strides"] = None  # The same pooling: one spelling, so that equal models have equal specs.
    return checked
