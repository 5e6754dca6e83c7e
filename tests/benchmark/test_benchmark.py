"""The benchmark: real workers training tiny real models on the CPU, results checked, stored and imported."""

import csv
import io
import json
import re
import statistics
import subprocess
import sys
import threading
from dataclasses import replace

import pytest
from conftest import REPOSITORY

from core.benchmark.plan import BenchmarkPlan, plan_from_arguments
from core.benchmark.results import (
    REFERENCE_RESULT,
    result_from_json,
    result_to_dict,
    result_to_json,
    results_to_csv,
)
from core.benchmark.runner import crash_reason, run_benchmark
from core.benchmark.store import ResultStore
from core.models.presets import get_preset
from core.models.spec import LayerSpec, ModelSpec

TINY_MLP = ModelSpec(
    input_shape=(784,),
    layers=(LayerSpec.of("Dense", units=16, activation="relu"), LayerSpec.of("Dense", units=10, activation="softmax")),
    input_scale=1 / 255,
)


def tiny_plan(**changes) -> BenchmarkPlan:
    """A two-layer MLP on 512 random MNIST-shaped examples: a worker trains it in seconds, mostly start-up."""
    settings = dict(model="tiny mlp", spec=TINY_MLP, dataset="mnist", devices=("cpu",), batch_sizes=(32,), epochs=2,
                    data="random", examples=512)
    return BenchmarkPlan(**{**settings, **changes})


def test_cpu_measurements_end_to_end_round_trip_and_store(tmp_path):
    progress = []
    result = run_benchmark(tiny_plan(batch_sizes=(32, 128), epochs=3), on_progress=progress.append)

    assert [(row.device, row.batch_size, row.status) for row in result.measurements] == [
        ("cpu", 32, "ok"), ("cpu", 128, "ok")]
    for row in result.measurements:
        assert len(row.epoch_seconds) == 3 and row.first_epoch_seconds == row.epoch_seconds[0]
        assert row.steady_epoch_seconds == statistics.median(row.epoch_seconds[1:])
        assert row.samples_per_second == pytest.approx(512 / row.steady_epoch_seconds)
        assert row.settings == {"steps_per_execution": 1, "jit_compile": False, "mixed_precision": False,
                                "replicas": 1}
    assert [row.steps_per_epoch for row in result.measurements] == [16, 4]
    epochs_seen = [(event.measurement_index, event.epoch) for event in progress if event.message.startswith("epoch")]
    assert epochs_seen == [(0, 1), (0, 2), (0, 3), (1, 1), (1, 2), (1, 3)]
    assert result.data.startswith("random arrays shaped like MNIST handwritten digits (28, 28), 10 classes, 512")
    assert result.speedups() == {32: {"cpu": 1.0}, 128: {"cpu": 1.0}}
    assert result.hardware["cores"] >= 1 and result.hardware["gpus"] == []
    assert set(result.versions) == {"python", "keras", "tensorflow", "numpy"}

    assert result_from_json(result_to_json(result)) == replace(result, source="imported")
    store = ResultStore(tmp_path)
    store.save(result)
    store.save(REFERENCE_RESULT)
    (tmp_path / "20000101-000000-abcdef.json").write_text("{not json")
    assert [kept.result_id for kept in store.list()] == [result.result_id, REFERENCE_RESULT.result_id]
    assert store.list()[0] == result  # Kept as measured, not re-labelled.
    store.delete(result.result_id)
    assert [kept.source for kept in store.list()] == ["reference"]
    with pytest.raises(ValueError, match="is not a result id"):
        store.delete("../../etc/passwd")


def test_data_parallel_over_two_logical_cpus_trains_two_replicas():
    result = run_benchmark(tiny_plan(devices=("logical-cpus:2",), batch_sizes=(64,)))
    (row,) = result.measurements
    assert row.status == "ok", row.failure
    assert row.settings["replicas"] == 2 and row.device_name.startswith("2 logical devices on")


def test_a_worker_that_fails_inside_keras_becomes_a_failed_row():
    # Letters 0–25 fed to an Embedding that knows one index: TensorFlow refuses while training, in the worker.
    spec = ModelSpec(input_shape=(3,), layers=(LayerSpec.of("Embedding", input_dim=1, output_dim=2),
                                               LayerSpec.of("Flatten"),
                                               LayerSpec.of("Dense", units=26, activation="softmax")))
    progress = []
    result = run_benchmark(BenchmarkPlan(model="custom spec", spec=spec, dataset="alphabet", devices=("cpu",),
                                         batch_sizes=(4,), epochs=2), on_progress=progress.append)
    (row,) = result.measurements
    assert row.status == "failed" and row.samples_per_second is None
    assert re.fullmatch(r"InvalidArgumentError: indices\[0,0\] = [0-9]+ is not in \[0, 1\)", row.failure)
    assert progress[-1].message == f"failed: {row.failure}"
    assert result_from_json(result_to_json(result)).measurements[0].failure == row.failure


def test_a_time_limit_and_a_cancel_fail_the_current_measurement_and_the_rest():
    (late,) = run_benchmark(tiny_plan(timeout_seconds=0.2)).measurements
    assert late.status == "failed" and late.failure.startswith("took longer than 0.2 s")

    cancel = threading.Event()

    def cancel_after_the_first_epoch(progress):
        if progress.epoch == 1:
            cancel.set()

    result = run_benchmark(tiny_plan(batch_sizes=(32, 64), epochs=50), on_progress=cancel_after_the_first_epoch,
                           cancel=cancel)
    assert [(row.status, row.failure) for row in result.measurements] == [("failed", "cancelled")] * 2
    assert len(result.measurements[0].epoch_seconds) < 50 and result.measurements[1].epoch_seconds == ()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"devices": ("tpu",)}, "unknown device 'tpu'"),
        ({"devices": ("cpu", "cpu")}, "each device once"),
        ({"devices": ("logical-cpus:1",)}, "at least 2 logical devices"),
        ({"batch_sizes": (0,)}, "a batch size is a whole number from 1"),
        ({"epochs": 1}, "epochs must be a whole number of at least 2"),
        ({"backend": "theano"}, "unknown backend 'theano'"),
        ({"mixed_precision": True}, "mixed precision (mixed_float16) is for GPUs"),
        ({"devices": ("all-gpus",), "backend": "torch"}, "not on torch"),
        ({"data": "noise"}, "data is \"dataset\" or \"random\""),
        ({"dataset": "cifar"}, "unknown dataset 'cifar'"),
    ],
)
def test_plans_that_cannot_be_measured_are_refused(changes, message):
    with pytest.raises(ValueError) as error:
        tiny_plan(**changes)
    assert message in str(error.value)


def test_gpu_is_gpu_zero_and_logical_cpus_is_a_device():
    plan = tiny_plan(devices=("cpu", "GPU"), logical_cpus=2)
    assert plan.devices == ("cpu", "gpu:0", "logical-cpus:2") and plan.measurements_total == 3


@pytest.mark.parametrize(
    "returncode, stderr, reason",
    [
        (1, "E0000 noise\ntensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating",
         "ran out of memory: use a smaller batch size or a smaller model."),
        (-9, "", "the worker was killed by signal 9, most likely for using too much memory"),
        (1, "Traceback\nImportError: no module named jax\nI0000 00:00 noise", "exit status 1: ImportError: no module"),
    ],
)
def test_a_worker_that_dies_without_a_word_is_explained(returncode, stderr, reason):
    assert reason in crash_reason(returncode, stderr)


def valid_result() -> dict:
    return result_to_dict(REFERENCE_RESULT)


def changed(path: str, value) -> dict:
    """The reference result with one field (a dotted path, `measurements.0.batch_size`) set or, as ..., removed."""
    data = valid_result()
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[int(key) if key.isdigit() else key]
    if value is ...:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return data


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "this is not valid JSON"),
        ("[1, 2]", "a benchmark result is a JSON object"),
        (json.dumps(changed("schema_version", 2)), "schema_version 2 is not one this Keras Lab reads"),
        (json.dumps(changed("schema_version", ...)), "schema_version is missing"),
        (json.dumps(changed("hardware", ...)), "hardware is missing"),
        (json.dumps(changed("epochs", "ten")), "epochs must be a whole number"),
        (json.dumps(changed("result_id", "../../x")), "is not a result id"),
        (json.dumps(changed("measurements.0.steady_epoch_seconds", -3)),
         "measurements[1].steady_epoch_seconds must be above 0"),
        (json.dumps(changed("measurements.1.steady_epoch_seconds", float("nan"))),
         "measurements[2].steady_epoch_seconds must be a finite number"),
        (json.dumps(changed("measurements.0.steady_epoch_seconds", 2e6)), "at most 1e+06"),
        (json.dumps(changed("measurements.0.batch_size", 10**9)), "measurements[1].batch_size must be from 1 to"),
        (json.dumps(changed("measurements.0.samples_per_second", 400.0)),
         "measurements[1].samples_per_second (400) does not match"),
        (json.dumps(changed("measurements.0.status", "great")), "status must be \"ok\" or \"failed\""),
        (json.dumps(changed("measurements.0.settings.jit_compile", "yes")), "settings.jit_compile must be true or"),
        (json.dumps(changed("measurements", [valid_result()["measurements"][0]] * 501)), "at most 500"),
        (json.dumps(changed("spec.layers", "many")), "spec: layers must be a list"),
        (json.dumps(changed("note", "x" * 5_000_001)), "this file is 5.0 MB"),
        (b"\xff\xfe", "not text (UTF-8)"),
    ],
)
def test_an_imported_file_is_checked_field_by_field(text, message):
    with pytest.raises(ValueError) as error:
        result_from_json(text)
    assert message in str(error.value)


def test_the_reference_is_a_quoted_nine_fold_speedup_and_exports_to_csv():
    assert REFERENCE_RESULT.source == "reference" and "never measured" in REFERENCE_RESULT.note
    assert REFERENCE_RESULT.speedups()[128]["gpu:0"] == pytest.approx(160 / 18)
    rows = list(csv.DictReader(io.StringIO(results_to_csv([REFERENCE_RESULT]))))
    assert [(row["device"], row["source"], row["model"]) for row in rows] == [
        ("cpu", "reference", "mnist-cnn-4conv"), ("gpu:0", "reference", "mnist-cnn-4conv")]
    assert float(rows[1]["speedup_vs_cpu"]) == pytest.approx(160 / 18)


def run_cli(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", "benchmark", *arguments], cwd=REPOSITORY,
                          capture_output=True, text=True, timeout=300)


def test_the_command_line_measures_the_cpu_and_reports_a_missing_gpu_as_a_failed_row(tmp_path):
    out = tmp_path / "result.json"
    result = run_cli("--preset", "spiral-dense10", "--devices", "gpu,cpu", "--epochs", "2", "--batch-sizes",
                     "32,64", "--json", "--out", str(out))
    assert result.returncode == 0, result.stderr
    measured = result_from_json(result.stdout, source="measured")
    assert result_from_json(out.read_text(), source="measured") == measured
    rows = {(row.device, row.batch_size): row for row in measured.measurements}
    assert rows.keys() == {("gpu:0", 32), ("gpu:0", 64), ("cpu", 32), ("cpu", 64)}
    assert rows["cpu", 32].status == rows["cpu", 64].status == "ok"
    assert rows["gpu:0", 32].status == "failed" and rows["gpu:0", 32].failure.startswith("no GPU visible: ")
    assert "pip install" in rows["gpu:0", 32].failure
    assert measured.model == "spiral-dense10" and measured.data.startswith("Spiral arms: 300 training examples")


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--preset", "nope"], "unknown preset 'nope'"),
        (["--preset", "spiral-dense10", "--devices", "tpu"], "unknown device 'tpu'"),
        (["--preset", "spiral-dense10", "--batch-sizes", "32,lots"], "got 'lots'"),
        (["--preset", "spiral-dense10", "--epochs", "1"], "at least 2"),
        (["--preset", "spiral-dense10", "--mixed-precision"], "is for GPUs"),
        (["--preset", "spiral-dense10", "--backend", "theano"], "invalid choice: 'theano'"),
        (["--preset", "spiral-dense10", "--spec", "x.json"], "not allowed with argument --preset"),
        (["--preset", "mnist-dense512", "--dataset", "spiral"], "The input shape (784,) holds 784 values"),
    ],
)
def test_bad_benchmark_arguments_give_one_error_line_and_status_2(arguments, message):
    result = run_cli(*arguments)
    assert result.returncode == 2
    assert result.stderr.startswith("error:") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr


def test_a_preset_spec_file_is_benchmarked_as_a_custom_spec_on_the_dataset_it_fits(tmp_path):
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(get_preset("spiral-dense10").spec.to_json())
    plan = plan_from_arguments(None, spec_file, "cpu", 2)
    assert (plan.model, plan.dataset, plan.batch_sizes) == ("custom spec", "spiral", (128,))
