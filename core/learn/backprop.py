"""Back-propagation through a 2-2-1 network, every number of the forward and the backward pass shown with the
formula that gave it, small enough to follow by hand (only numpy: nothing here trains or imports Keras)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from core.learn.lesson_math import activation

WEIGHT_NAMES = ("w_x1_h1", "w_x2_h1", "b_h1", "w_x1_h2", "w_x2_h2", "b_h2", "w_out1", "w_out2", "b_out")
"""The tiny network's nine numbers: w_x1_h1 goes from input x1 to hidden unit h1, w_out1 from h1 to the output."""

HIDDEN_UNITS = ("h1", "h2")


class BackpropExample(NamedTuple):
    """One training example and the network's weights before the step; `backprop_steps(*example)` takes it whole."""

    inputs: tuple[float, float]
    target: float
    weights: Mapping[str, float]


DEFAULT_EXAMPLE = BackpropExample(
    inputs=(0.5, 1.0),
    target=1.0,
    weights=MappingProxyType({
        "w_x1_h1": 0.4, "w_x2_h1": 0.3, "b_h1": 0.1,
        "w_x1_h2": 0.2, "w_x2_h2": 0.6, "b_h2": -0.2,
        "w_out1": 0.8, "w_out2": -0.5, "b_out": -0.3,
    }),
)
"""The example the backpropagation lesson shows: its output is 0.48 where 1 is wanted."""


@dataclass(frozen=True)
class Step:
    """One number of the forward or backward pass, with the formula that gave it."""

    name: str
    value: float
    formula: str


def backprop_steps(inputs: tuple[float, float], target: float, weights: Mapping[str, float]) -> list[Step]:
    """The forward pass, then the gradient of the loss with respect to every weight, one `Step` per number.

    The network: two inputs x1, x2; two hidden units h = sigmoid(w_x1·x1 + w_x2·x2 + b); one output
    y = sigmoid(w_out1·h1 + w_out2·h2 + b_out); loss = ½·(y − target)², whose ½ makes dLoss/dOutput = y − target.
    The backward steps follow the chain rule from the loss back to the inputs' weights, reusing each slope once.
    """
    x = dict(zip(("x1", "x2"), _checked_inputs(inputs)))
    w = _checked_weights(weights)
    forward = _forward_steps(x, float(target), w)
    return forward + _backward_steps(x, float(target), w, {step.name: step.value for step in forward})


def _forward_steps(x: dict[str, float], target: float, w: dict[str, float]) -> list[Step]:
    steps = []
    hidden = {}
    for unit in HIDDEN_UNITS:
        total = w[f"w_x1_{unit}"] * x["x1"] + w[f"w_x2_{unit}"] * x["x2"] + w[f"b_{unit}"]
        hidden[unit] = _sigmoid(total)
        steps += [
            Step(f"hidden sum z_{unit}", total, f"w_x1_{unit}·x1 + w_x2_{unit}·x2 + b_{unit} = "
                 f"{_n(w[f'w_x1_{unit}'])}·{_n(x['x1'])} + {_n(w[f'w_x2_{unit}'])}·{_n(x['x2'])} + "
                 f"{_n(w[f'b_{unit}'])}"),
            Step(f"hidden {unit}", hidden[unit], f"sigmoid(z_{unit}) = sigmoid({total:.4g})"),
        ]
    output_sum = w["w_out1"] * hidden["h1"] + w["w_out2"] * hidden["h2"] + w["b_out"]
    output = _sigmoid(output_sum)
    return steps + [
        Step("output sum z_out", output_sum, f"w_out1·h1 + w_out2·h2 + b_out = {_n(w['w_out1'])}·{_n(hidden['h1'])} "
             f"+ {_n(w['w_out2'])}·{_n(hidden['h2'])} + {_n(w['b_out'])}"),
        Step("output", output, f"sigmoid(z_out) = sigmoid({output_sum:.4g})"),
        Step("loss", 0.5 * (output - target) ** 2, f"½·(output − target)² = ½·({_n(output)} − {_n(target)})²"),
    ]


def _backward_steps(x: dict[str, float], target: float, w: dict[str, float], value: dict[str, float]) -> list[Step]:
    output = value["output"]
    d_output = output - target
    d_output_sum = d_output * output * (1 - output)
    steps = [
        Step("dLoss/dOutput", d_output, f"output − target = {_n(output)} − {_n(target)}"),
        Step("dLoss/dz_out", d_output_sum,
             f"dLoss/dOutput·output·(1 − output) = {_n(d_output)}·{_n(output)}·(1 − {_n(output)})"),
    ]
    for index, unit in enumerate(HIDDEN_UNITS, start=1):
        hidden = value[f"hidden {unit}"]
        steps.append(Step(f"dLoss/dw_out{index}", d_output_sum * hidden,
                          f"dLoss/dz_out·{unit} = {_n(d_output_sum)}·{_n(hidden)}"))
    steps.append(Step("dLoss/db_out", d_output_sum, "dLoss/dz_out·1"))
    for index, unit in enumerate(HIDDEN_UNITS, start=1):
        hidden = value[f"hidden {unit}"]
        d_hidden = d_output_sum * w[f"w_out{index}"]
        d_hidden_sum = d_hidden * hidden * (1 - hidden)
        steps += [
            Step(f"dLoss/d{unit}", d_hidden,
                 f"dLoss/dz_out·w_out{index} = {_n(d_output_sum)}·{_n(w[f'w_out{index}'])}"),
            Step(f"dLoss/dz_{unit}", d_hidden_sum,
                 f"dLoss/d{unit}·{unit}·(1 − {unit}) = {_n(d_hidden)}·{_n(hidden)}·(1 − {_n(hidden)})"),
            *(Step(f"dLoss/dw_{name}_{unit}", d_hidden_sum * x[name],
                   f"dLoss/dz_{unit}·{name} = {_n(d_hidden_sum)}·{_n(x[name])}") for name in ("x1", "x2")),
            Step(f"dLoss/db_{unit}", d_hidden_sum, f"dLoss/dz_{unit}·1"),
        ]
    return steps


def gradients(inputs: tuple[float, float], target: float, weights: Mapping[str, float]) -> dict[str, float]:
    """dLoss/dweight for each of `WEIGHT_NAMES`, read off `backprop_steps`."""
    by_name = {step.name: step.value for step in backprop_steps(inputs, target, weights)}
    return {name: by_name[f"dLoss/d{name}"] for name in WEIGHT_NAMES}


def _sigmoid(value: float) -> float:
    return float(activation("sigmoid", np.array(value)))


def _n(value: float) -> str:
    """A number as the formulas show it: four significant digits, negative ones in brackets."""
    text = f"{value:.4g}"
    return f"({text})" if value < 0 else text


def _checked_inputs(inputs: tuple[float, float]) -> tuple[float, float]:
    values = tuple(float(value) for value in inputs)
    if len(values) != 2 or not all(np.isfinite(values)):
        raise ValueError(f"the tiny network takes two finite inputs (x1, x2), got {inputs!r}.")
    return values


def _checked_weights(weights: Mapping[str, float]) -> dict[str, float]:
    missing = [name for name in WEIGHT_NAMES if name not in weights]
    unknown = [name for name in weights if name not in WEIGHT_NAMES]
    if missing or unknown:
        raise ValueError(f"the tiny network's weights are {', '.join(WEIGHT_NAMES)}; missing: {missing or 'none'}, "
                         f"unknown: {unknown or 'none'}.")
    return {name: float(weights[name]) for name in WEIGHT_NAMES}
