"""Plotly figures and tables of benchmark results: seconds per epoch by device, speed-ups, and batch size."""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

from core.benchmark_results import BenchmarkResult, Measurement
from dashboard.charts import CLASS_COLORS

REFERENCE_COLOR = "#9aa5b1"
MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def result_color(index: int, result: BenchmarkResult) -> str:
    return REFERENCE_COLOR if result.source == "reference" else CLASS_COLORS[index % len(CLASS_COLORS)]


def result_name(result: BenchmarkResult) -> str:
    """How a result is named in legends: a quoted reference never passes for a measurement."""
    kind = {"reference": "reference, quoted", "imported": "imported"}.get(result.source, "measured here")
    return f"{result.label} ({kind})"


def epoch_time_bars(results: Sequence[BenchmarkResult], batch_size: int) -> go.Figure:
    """Steady seconds per epoch for each device, a bar group per result, labelled with the speed-up over the CPU."""
    figure = go.Figure()
    seconds = []
    for index, result in enumerate(results):
        speedups = result.speedups().get(batch_size, {})
        rows = [row for row in result.measurements if row.batch_size == batch_size and row.status == "ok"]
        if not rows:
            continue
        seconds += [row.steady_epoch_seconds for row in rows]
        figure.add_bar(
            x=[row.device for row in rows], y=[row.steady_epoch_seconds for row in rows], name=result_name(result),
            marker={"color": result_color(index, result),
                    "pattern": {"shape": "/" if result.source == "reference" else ""}},
            text=[f"{row.steady_epoch_seconds:.3g} s" + (f" · {speedups[row.device]:.1f}× the CPU"
                                                        if row.device in speedups and row.device != "cpu" else "")
                  for row in rows],
            textposition="outside",
            customdata=[row.device_name for row in rows],
            hovertemplate="%{customdata}: %{y:.3g} s per epoch<extra>%{fullData.name}</extra>",
        )
    # A laptop's 0.1 s next to a tutorial's 160 s: on a log scale both bars stay readable.
    spread = max(seconds) / min(seconds) if seconds and min(seconds) > 0 else 1.0
    figure.update_layout(title=f"Seconds per epoch at batch size {batch_size} (after the first epoch)",
                         barmode="group", height=420, margin=MARGIN,
                         yaxis={"title": "seconds per epoch" + (" (log scale)" if spread > 50 else ""),
                                "type": "log" if spread > 50 else "linear"},
                         xaxis={"title": "device", "type": "category"}, legend={"orientation": "h", "y": -0.25})
    return figure


def batch_size_lines(results: Sequence[BenchmarkResult]) -> go.Figure:
    """Seconds per epoch against batch size, a line per result and device: where a GPU starts to win."""
    figure = go.Figure()
    for index, result in enumerate(results):
        devices = dict.fromkeys(row.device for row in result.measurements if row.status == "ok")
        for dash, device in zip(("solid", "dash", "dot", "dashdot"), devices):
            rows = sorted((row for row in result.measurements if row.device == device and row.status == "ok"),
                          key=lambda row: row.batch_size)
            figure.add_scatter(x=[row.batch_size for row in rows], y=[row.steady_epoch_seconds for row in rows],
                               mode="lines+markers", name=f"{device} · {result_name(result)}",
                               line={"color": result_color(index, result), "dash": dash, "width": 2})
    figure.update_layout(title="Seconds per epoch against batch size", height=380, margin=MARGIN,
                         xaxis={"title": "batch size", "type": "log"}, yaxis={"title": "seconds per epoch", "type": "log"},
                         legend={"orientation": "h", "y": -0.3})
    return figure


def measurement_rows(results: Sequence[BenchmarkResult]) -> list[dict[str, object]]:
    """Every measurement as a table row; a failed one says why instead of giving times."""
    rows = []
    for result in results:
        speedups = result.speedups()
        for row in result.measurements:
            rows.append({
                "result": result_name(result), "device": row.device, "hardware": row.device_name,
                "batch size": row.batch_size, "settings": settings_text(row),
                "first epoch (s)": row.first_epoch_seconds, "steady epoch (s)": row.steady_epoch_seconds,
                "samples per second": row.samples_per_second,
                "speed-up vs CPU": speedups.get(row.batch_size, {}).get(row.device),
                "status": "ok" if row.status == "ok" else f"failed: {row.failure}",
            })
    return rows


def settings_text(row: Measurement) -> str:
    """The switches that were on, in words ("default" when none)."""
    words = []
    if int(row.settings.get("steps_per_execution", 1) or 1) > 1:
        words.append(f"steps_per_execution {row.settings['steps_per_execution']}")
    if row.settings.get("jit_compile"):
        words.append("jit_compile")
    if row.settings.get("mixed_precision"):
        words.append("mixed precision")
    return ", ".join(words) or "default"
