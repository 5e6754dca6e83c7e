"""Plotly figures and tables of benchmark results (seconds per epoch by device, speed-ups, batch size), and which
results are compared by default."""

from __future__ import annotations

import math
from typing import Sequence

import plotly.graph_objects as go

from core.benchmark.results import BenchmarkResult, Measurement
from dashboard.figures.style import class_color, lay_out

REFERENCE_COLOR = "#9aa5b1"
LOG_SPREAD = 50
"""Seconds that differ more than this many times (a laptop's 0.1 s beside a tutorial's 160 s) get a log axis, so
both stay readable; closer ones a linear axis, where a difference looks as big as it is."""
ONE_TWO_FIVE_DECADES = 3
"""Up to this many decades a log axis is ticked at 1, 2 and 5 of each; over more, at powers of ten alone."""


def result_color(index: int, result: BenchmarkResult) -> str:
    return REFERENCE_COLOR if result.source == "reference" else class_color(index)


def result_name(result: BenchmarkResult) -> str:
    """How a result is named in legends: a quoted reference never passes for a measurement."""
    kind = {"reference": "reference, quoted", "imported": "imported"}.get(result.source, "measured here")
    return f"{result.label} ({kind})"


def default_comparison(results: Sequence[BenchmarkResult], most: int = 2) -> list[BenchmarkResult]:
    """The newest `most` measured or imported results, and the quoted reference only beside one of its own model
    (or alone, when nothing has been measured yet): like is compared with like unless the learner asks otherwise."""
    references = [result for result in results if result.source == "reference"]
    chosen = [result for result in results if result.source != "reference"][:most]
    return chosen + [reference for reference in references
                     if not chosen or any(result.model == reference.model for result in chosen)]


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
    return lay_out(figure, height=420, title=f"Seconds per epoch at batch size {batch_size} (after the first epoch)",
                   legend_below=True, barmode="group", yaxis=seconds_axis(seconds),
                   xaxis={"title": "device", "type": "category"})


def seconds_axis(seconds: Sequence[float]) -> dict[str, object]:
    """A y axis of seconds per epoch: log when they spread widely, ticked in full ("0.2 s", "100 s"), else linear."""
    positive = [value for value in seconds if value > 0]
    if not positive or max(positive) / min(positive) <= LOG_SPREAD:
        return {"title": "seconds per epoch", "type": "linear", "ticksuffix": " s"}
    values, labels = log_ticks(min(positive), max(positive), " s")
    return {"title": "seconds per epoch (log scale)", "type": "log", "tickmode": "array", "tickvals": values,
            "ticktext": labels}


def log_ticks(low: float, high: float, unit: str = "") -> tuple[list[float], list[str]]:
    """Ticks for a log axis from `low` to `high`, at 1, 2 and 5 of each decade (powers of ten alone over many
    decades), each written in full with its unit: Plotly's own log labels print only the leading digit of most
    ticks ("0.1, 2, 5, 1, 2, 5, 10"), which reads as nonsense."""
    if not (0 < low <= high and math.isfinite(high)):
        raise ValueError(f"a log axis needs 0 < low ≤ high, both finite; got low {low!r} and high {high!r}.")
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    mantissas = (1, 2, 5) if last - first <= ONE_TWO_FIVE_DECADES else (1,)
    ticks = [(mantissa * 10.0 ** exponent, exponent) for exponent in range(first, last + 1) for mantissa in mantissas]
    return [value for value, _ in ticks], [f"{value:,.{max(-exponent, 0)}f}{unit}" for value, exponent in ticks]


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
    batch_sizes = sorted({row.batch_size for result in results for row in result.measurements if row.ok})
    seconds = [row.steady_epoch_seconds for result in results for row in result.measurements if row.ok]
    # Ticked at the batch sizes measured, in full: they double from one to the next, so 1-2-5 ticks would miss them.
    return lay_out(figure, height=380, title="Seconds per epoch against batch size", legend_below=True,
                   xaxis={"title": "batch size", "type": "log", "tickmode": "array", "tickvals": batch_sizes,
                          "ticktext": [f"{size:,}" for size in batch_sizes]},
                   yaxis=seconds_axis(seconds))


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
