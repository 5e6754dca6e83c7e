"""The model as a diagram: one box per layer with its output shape, drawn by Streamlit's Graphviz chart."""

from __future__ import annotations

from core.models.analysis import SpecAnalysis
from core.models.spec import LayerSpec, ModelSpec

BOX_COLORS = {"Dense": "#dbe9f6", "Conv2D": "#fde2c8", "MaxPooling2D": "#e6f4d7", "AveragePooling2D": "#e6f4d7",
              "GlobalAveragePooling2D": "#e6f4d7", "SimpleRNN": "#eadcf5", "LSTM": "#eadcf5", "GRU": "#eadcf5",
              "Embedding": "#f7e1ee"}
"""Families of layers share a colour: dense, convolution, pooling, recurrent, embedding; the rest stay grey."""
PROBLEM_COLOR = "#f8d0d0"
LINE_COLOR = "#8a8f98"
"""Arrows and box outlines in a grey that reads on the light theme's white and on the dark theme's black alike; the
diagram's own background is transparent, so it sits on the page's."""


def layer_caption(layer: LayerSpec) -> str:
    """The settings that tell layers apart at a glance: 'Conv2D 32 5×5 same relu', 'Dropout 0.25'."""
    settings = layer.settings
    parts: list[str] = [layer.type]
    if "units" in settings:
        parts.append(str(settings["units"]))
    if "filters" in settings:
        parts.append(f"{settings['filters']} {settings['kernel_size']}×{settings['kernel_size']}")
    if "pool_size" in settings:
        parts.append(f"{settings['pool_size']}×{settings['pool_size']}")
    if settings.get("strides") not in (None, settings.get("pool_size", 1)):
        parts.append(f"stride {settings['strides']}")
    if settings.get("padding") == "same":
        parts.append("same")
    if "rate" in settings:
        parts.append(f"{settings['rate']:g}")
    if "target_shape" in settings:
        parts.append(str(list(settings["target_shape"])))
    if "input_dim" in settings:
        parts.append(f"{settings['input_dim']}→{settings['output_dim']}")
    if settings.get("activation") not in (None, "linear", "tanh") or layer.type == "Activation":
        parts.append(settings["activation"])
    if settings.get("return_sequences"):
        parts.append("all steps")
    if settings.get("kernel_regularizer", "none") != "none":
        parts.append(f"{settings['kernel_regularizer']}({settings['regularization_factor']:g})")
    return " ".join(parts)


def _dot_string(text: str) -> str:
    """The text as a quoted DOT label, its double quotes made single so the label cannot end early."""
    return '"' + text.replace('"', "'") + '"'


def model_diagram(spec: ModelSpec, analysis: SpecAnalysis) -> str:
    """DOT source: input, then each layer with its output shape; a layer with a problem is red, later ones dashed."""
    rows = {row.position: row for row in analysis.rows}
    problem_positions = {problem.position for problem in analysis.problems}
    lines = ["digraph model {", "rankdir=TB; nodesep=0.2; ranksep=0.25; bgcolor=transparent;",
             f'edge [color="{LINE_COLOR}"];',
             'node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, fillcolor="#eeeeee", '
             f'color="{LINE_COLOR}"];',
             f"n0 [label={_dot_string(f'Input {tuple(spec.input_shape)}')}, fillcolor=\"#ffffff\"];"]
    for position, layer in enumerate(spec.layers, start=1):
        row = rows.get(position)
        shape = f"→ {row.output_shape}" if row else "→ ?"
        color = PROBLEM_COLOR if position in problem_positions else BOX_COLORS.get(layer.type, "#eeeeee")
        style = "" if row or position in problem_positions else ', style="rounded,dashed"'
        label = _dot_string(layer_caption(layer) + "\\n" + shape)
        lines.append(f'n{position} [label={label}, fillcolor="{color}"{style}];')
        lines.append(f"n{position - 1} -> n{position};")
    lines.append("}")
    return "\n".join(lines)
