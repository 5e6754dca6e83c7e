"""The Benchmark page's figures: log axes ticked in full numbers with units, and like compared with like."""

import dataclasses

import pytest

from core.benchmark.results import REFERENCE_RESULT, BenchmarkResult
from dashboard.figures.benchmark import (
    batch_size_lines,
    default_comparison,
    epoch_time_bars,
    log_ticks,
    result_name,
)


def measured(model: str, seconds: dict[int, float]) -> BenchmarkResult:
    """A CPU result of `model` with these steady seconds per epoch per batch size, as the runner would save it."""
    row = REFERENCE_RESULT.measurements[0]
    rows = tuple(dataclasses.replace(row, batch_size=batch, steady_epoch_seconds=value,
                                     samples_per_second=row.examples_per_epoch / value)
                 for batch, value in seconds.items())
    return dataclasses.replace(REFERENCE_RESULT, result_id="20261123-181500-3fa9c1", source="measured",
                               label=f"{model} on this laptop", model=model, measurements=rows)


def test_a_wide_log_axis_is_ticked_at_powers_of_ten_with_seconds():
    layout = epoch_time_bars([measured("mnist-cnn-4conv", {128: 0.12}), REFERENCE_RESULT], 128).layout
    assert layout.yaxis.type == "log"
    assert list(layout.yaxis.ticktext) == ["0.1 s", "1 s", "10 s", "100 s", "1,000 s"]
    assert list(layout.yaxis.tickvals) == pytest.approx([0.1, 1, 10, 100, 1000])


def test_a_narrow_log_axis_is_ticked_one_two_five_and_close_seconds_stay_linear():
    assert log_ticks(0.15, 12, " s")[1] == ["0.1 s", "0.2 s", "0.5 s", "1 s", "2 s", "5 s", "10 s", "20 s", "50 s",
                                            "100 s", "200 s", "500 s"]
    layout = batch_size_lines([measured("mnist-dense512", {32: 2.5, 128: 0.9, 1024: 0.4})]).layout
    assert layout.yaxis.type == "linear" and layout.yaxis.ticksuffix == " s"
    assert list(layout.xaxis.ticktext) == ["32", "128", "1,024"], "the batch sizes measured, in full"
    with pytest.raises(ValueError, match="a log axis needs 0 < low ≤ high"):
        log_ticks(0, 10)


def test_an_mlp_is_compared_with_itself_and_the_reference_only_beside_its_own_model():
    mlp = measured("mnist-dense512", {128: 0.5})
    assert default_comparison([mlp, REFERENCE_RESULT]) == [mlp], "the 4-conv CNN's figures are another model's"
    cnn = measured("mnist-cnn-4conv", {128: 30.0})
    assert default_comparison([mlp, cnn, REFERENCE_RESULT]) == [mlp, cnn, REFERENCE_RESULT]
    assert default_comparison([REFERENCE_RESULT]) == [REFERENCE_RESULT], "with nothing measured, the reference alone"
    name = result_name(REFERENCE_RESULT)
    assert name.startswith("mnist-cnn-4conv, a classic Keras tutorial's published figures") and "seed" not in name
