"""Benchmark results as plain data: measurements, JSON in and out (checked thoroughly), and CSV.

Results travel between machines (measured on a GPU box, imported into the hosted demo), so a file read here is
treated as untrusted: every field is checked and a ValueError names the one that is wrong. No Keras import.
"""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
from dataclasses import asdict, dataclass
from typing import Any, Sequence

from core.json_text import parsed_json
from core.models.spec import ModelSpec
from core.training.storage import RUN_ID_PATTERN

SCHEMA_VERSION = 1
SOURCES = ("measured", "imported", "reference")
STATUSES = ("ok", "failed")
CANCELLED = "cancelled"
"""The failure of a measurement that was stopped, or never started, because the benchmark was cancelled."""
MAX_FILE_BYTES = 5_000_000
MAX_MEASUREMENTS = 500
MAX_EPOCH_SECONDS = 1e6
MAX_BATCH_SIZE = 1_000_000
MAX_COUNT = 10**12
"""Steps and examples per epoch beyond this are not a real benchmark."""
CONSISTENCY = 0.01
"""Derived figures (samples per second, the steady median) may differ from their inputs by rounding, not more."""
COMPARED_SETTINGS = ("steps_per_execution", "jit_compile")
"""Settings a device is compared to the CPU under. Mixed precision is not among them: it is GPU-only, so the CPU
baseline always runs in float32 and each row says whether it used mixed precision."""


@dataclass(frozen=True)
class Measurement:
    """One (device, batch size) training measurement; `status` "failed" carries a one-line `failure`."""

    device: str
    device_name: str
    batch_size: int
    steps_per_epoch: int
    examples_per_epoch: int
    settings: dict[str, object]
    status: str
    first_epoch_seconds: float | None
    steady_epoch_seconds: float | None
    epoch_seconds: tuple[float, ...]
    samples_per_second: float | None
    failure: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def compared_settings(self) -> tuple[object, ...]:
        return tuple(self.settings.get(name) for name in COMPARED_SETTINGS)


@dataclass(frozen=True)
class BenchmarkResult:
    """A whole benchmark: what was trained on which data and hardware, and one measurement per device and batch."""

    result_id: str
    created_at: float
    source: str
    label: str
    model: str
    spec: dict
    data: str
    epochs: int
    backend: str
    versions: dict[str, str]
    hardware: dict
    measurements: tuple[Measurement, ...]
    note: str = ""

    def speedups(self) -> dict[int, dict[str, float]]:
        """Per batch size and device: the CPU's steady epoch seconds over the device's, under the same settings."""
        speedups: dict[int, dict[str, float]] = {}
        for measurement in self.measurements:
            baseline = self.cpu_baseline(measurement)
            if measurement.ok and baseline is not None:
                ratio = baseline.steady_epoch_seconds / measurement.steady_epoch_seconds
                speedups.setdefault(measurement.batch_size, {})[measurement.device] = ratio
        return speedups

    def cpu_baseline(self, measurement: Measurement) -> Measurement | None:
        """The ok CPU measurement with the same batch size and compared settings, if there is one."""
        for candidate in self.measurements:
            if (candidate.device == "cpu" and candidate.ok and candidate.batch_size == measurement.batch_size
                    and candidate.compared_settings() == measurement.compared_settings()):
                return candidate
        return None


def result_to_dict(result: BenchmarkResult) -> dict[str, Any]:
    data = asdict(result)
    data["measurements"] = [asdict(measurement) for measurement in result.measurements]
    for measurement in data["measurements"]:
        measurement["epoch_seconds"] = list(measurement["epoch_seconds"])
    return {"schema_version": SCHEMA_VERSION, **data}


def result_to_json(result: BenchmarkResult) -> str:
    return json.dumps(result_to_dict(result), indent=2)


def result_from_json(text: str | bytes, source: str = "imported") -> BenchmarkResult:
    """A result read from a file someone gave us, checked field by field; it is shown as coming from `source`."""
    if len(text) > MAX_FILE_BYTES:
        raise ValueError(f"this file is {len(text) / 1e6:.1f} MB; a benchmark result is at most "
                         f"{MAX_FILE_BYTES / 1e6:.0f} MB.")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("this file is not text (UTF-8): a benchmark result is a JSON file.") from None
    return result_from_dict(parsed_json(text, "a benchmark result"), source)


def result_from_dict(data: Any, source: str | None = None) -> BenchmarkResult:
    """A result from its JSON form, every field checked; `source` replaces the recorded one unless it is None."""
    if source is not None and source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, got {source!r}.")
    if not isinstance(data, dict):
        raise ValueError("a benchmark result is a JSON object with a \"schema_version\" and \"measurements\".")
    if "schema_version" not in data:
        raise ValueError("schema_version is missing: this is not a Keras Lab benchmark result.")
    if data["schema_version"] != SCHEMA_VERSION:
        raise ValueError(f"schema_version {data['schema_version']!r} is not one this Keras Lab reads "
                         f"(it reads {SCHEMA_VERSION}).")
    result_id = _text(data, "result_id")
    if not RUN_ID_PATTERN.fullmatch(result_id):
        raise ValueError(f"result_id {result_id!r} is not a result id (they look like 20261123-181500-3fa9c1).")
    recorded_source = _text(data, "source")
    if recorded_source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, got {recorded_source!r}.")
    measurements = _field(data, "measurements", list)
    if len(measurements) > MAX_MEASUREMENTS:
        raise ValueError(f"measurements holds {len(measurements)} entries; a result has at most {MAX_MEASUREMENTS}.")
    spec = _field(data, "spec", dict)
    try:
        ModelSpec.from_dict(spec)
    except (ValueError, TypeError) as error:
        raise ValueError(f"spec: {error}") from None
    return BenchmarkResult(
        result_id=result_id,
        created_at=_number(data, "created_at", minimum=0, allow_zero=True),
        source=source or recorded_source,
        label=_text(data, "label"),
        model=_text(data, "model"),
        spec=spec,
        data=_text(data, "data"),
        epochs=_whole(data, "epochs", minimum=1, maximum=MAX_COUNT),
        backend=_text(data, "backend"),
        versions=_versions(_field(data, "versions", dict)),
        hardware=_hardware(_field(data, "hardware", dict)),
        measurements=tuple(_measurement(entry, position) for position, entry in enumerate(measurements, start=1)),
        note=_text(data, "note", required=False),
    )


def _field(data: dict, name: str, kind: type, where: str = "", required: bool = True) -> Any:
    """`data[name]` when it is of `kind`; otherwise a ValueError naming the field (and where it sits)."""
    label = f"{where}{name}"
    if name not in data:
        if required:
            raise ValueError(f"{label} is missing.")
        return None
    value = data[name]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ValueError(f"{label} must be {_KIND_WORDS.get(kind, kind.__name__)}, got {value!r}.")
    return value


_KIND_WORDS = {str: "text", list: "a list", dict: "an object", bool: "true or false", int: "a whole number"}


def _text(data: dict, name: str, where: str = "", required: bool = True) -> str:
    value = _field(data, name, str, where, required)
    return "" if value is None else value


def _whole(data: dict, name: str, where: str = "", minimum: int = 1, maximum: int = MAX_COUNT) -> int:
    value = _field(data, name, int, where)
    if not minimum <= value <= maximum:
        raise ValueError(f"{where}{name} must be from {minimum:,} to {maximum:,}, got {value!r}.")
    return value


def _number(data: dict, name: str, where: str = "", minimum: float = 0, maximum: float = math.inf,
            allow_zero: bool = False, required: bool = True) -> float | None:
    """A finite number in range, or None where the field may be null."""
    if name not in data:
        raise ValueError(f"{where}{name} is missing.")
    if data[name] is None and not required:
        return None
    return _checked_number(data[name], f"{where}{name}", minimum, maximum, allow_zero)


def _checked_number(value: Any, label: str, minimum: float = 0, maximum: float = math.inf,
                    allow_zero: bool = False) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"{label} must be a finite number, got {value!r}.")
    if value < minimum or (value == minimum and not allow_zero) or value > maximum:
        raise ValueError(f"{label} must be above {minimum:g} and at most {maximum:g}, got {value!r}.")
    return float(value)


def _versions(versions: dict) -> dict[str, str]:
    for name, version in versions.items():
        if not isinstance(version, str):
            raise ValueError(f"versions.{name} must be text such as \"3.15.1\", got {version!r}.")
    return dict(versions)


def _hardware(hardware: dict) -> dict:
    """cpu (text), cores (0 when unknown) and gpus (a list of {name, memory_mb}); nothing else is kept."""
    gpus = _field(hardware, "gpus", list, "hardware.")
    for position, gpu in enumerate(gpus, start=1):
        where = f"hardware.gpus[{position}]."
        if not isinstance(gpu, dict):
            raise ValueError(f"{where[:-1]} must be an object with a name and memory_mb, got {gpu!r}.")
        _text(gpu, "name", where)
        if gpu.get("memory_mb") is not None:
            _whole(gpu, "memory_mb", where, minimum=1)
    return {
        "cpu": _text(hardware, "cpu", "hardware."),
        "cores": _whole(hardware, "cores", "hardware.", minimum=0, maximum=100_000),
        "gpus": [{"name": gpu["name"], "memory_mb": gpu.get("memory_mb")} for gpu in gpus],
    }


def _measurement(data: Any, position: int) -> Measurement:
    where = f"measurements[{position}]."
    if not isinstance(data, dict):
        raise ValueError(f"measurements[{position}] must be an object, got {data!r}.")
    status = _text(data, "status", where)
    if status not in STATUSES:
        raise ValueError(f"{where}status must be \"ok\" or \"failed\", got {status!r}.")
    epoch_seconds = tuple(_checked_number(seconds, f"{where}epoch_seconds[{index}]", maximum=MAX_EPOCH_SECONDS)
                          for index, seconds in enumerate(_field(data, "epoch_seconds", list, where), start=1))
    timing = {name: _number(data, name, where, maximum=limit, required=False)
              for name, limit in (("first_epoch_seconds", MAX_EPOCH_SECONDS), ("steady_epoch_seconds",
                                  MAX_EPOCH_SECONDS), ("samples_per_second", 1e12))}
    measurement = Measurement(
        device=_text(data, "device", where),
        device_name=_text(data, "device_name", where),
        batch_size=_whole(data, "batch_size", where, maximum=MAX_BATCH_SIZE),
        steps_per_epoch=_whole(data, "steps_per_epoch", where),
        examples_per_epoch=_whole(data, "examples_per_epoch", where),
        settings=_settings(_field(data, "settings", dict, where), where),
        status=status,
        epoch_seconds=epoch_seconds,
        failure=_text(data, "failure", where, required=False),
        **timing,
    )
    _check_consistent(measurement, where)
    return measurement


def _settings(settings: dict, where: str) -> dict[str, object]:
    where = f"{where}settings."
    checked: dict[str, object] = {"steps_per_execution": _whole(settings, "steps_per_execution", where,
                                                                maximum=MAX_COUNT)}
    for name in ("jit_compile", "mixed_precision"):
        checked[name] = _field(settings, name, bool, where)
    if "replicas" in settings:
        checked["replicas"] = _whole(settings, "replicas", where, maximum=100_000)
    return checked


def _check_consistent(measurement: Measurement, where: str) -> None:
    """An ok row has its timings, and they agree with each other; a failed row says why."""
    if not measurement.ok:
        if not measurement.failure:
            raise ValueError(f"{where}failure must say why a failed measurement failed.")
        return
    if measurement.steady_epoch_seconds is None or measurement.samples_per_second is None:
        raise ValueError(f"{where}steady_epoch_seconds and samples_per_second are required when status is ok.")
    expected_rate = measurement.examples_per_epoch / measurement.steady_epoch_seconds
    if abs(measurement.samples_per_second - expected_rate) > CONSISTENCY * expected_rate:
        raise ValueError(f"{where}samples_per_second ({measurement.samples_per_second:g}) does not match "
                         f"examples_per_epoch / steady_epoch_seconds ({expected_rate:g}).")
    if measurement.epoch_seconds:
        if len(measurement.epoch_seconds) < 2 or measurement.first_epoch_seconds != measurement.epoch_seconds[0]:
            raise ValueError(f"{where}epoch_seconds must hold the first epoch (first_epoch_seconds) and at least "
                             "one steady epoch.")
        median = statistics.median(measurement.epoch_seconds[1:])
        if abs(measurement.steady_epoch_seconds - median) > CONSISTENCY * median:
            raise ValueError(f"{where}steady_epoch_seconds ({measurement.steady_epoch_seconds:g}) is not the median "
                             f"of the epochs after the first ({median:g}).")


CSV_COLUMNS = (
    "result_id", "label", "source", "model", "backend", "data", "epochs", "cpu", "cores", "gpus", "device",
    "device_name", "batch_size", "steps_per_epoch", "examples_per_epoch", "steps_per_execution", "jit_compile",
    "mixed_precision", "replicas", "status", "first_epoch_seconds", "steady_epoch_seconds", "samples_per_second",
    "speedup_vs_cpu", "failure",
)


def results_to_csv(results: Sequence[BenchmarkResult]) -> str:
    """One row per measurement, each with its result's label, source, backend and hardware, for a spreadsheet."""
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for result in results:
        speedups = result.speedups()
        gpus = "; ".join(gpu["name"] for gpu in result.hardware.get("gpus", []))
        for measurement in result.measurements:
            writer.writerow({
                "result_id": result.result_id, "label": result.label, "source": result.source,
                "model": result.model, "backend": result.backend, "data": result.data, "epochs": result.epochs,
                "cpu": result.hardware.get("cpu", ""), "cores": result.hardware.get("cores", ""), "gpus": gpus,
                **{name: value for name, value in asdict(measurement).items() if name in CSV_COLUMNS},
                **{name: measurement.settings.get(name, "") for name in ("steps_per_execution", "jit_compile",
                                                                         "mixed_precision", "replicas")},
                "speedup_vs_cpu": speedups.get(measurement.batch_size, {}).get(measurement.device, ""),
            })
    return output.getvalue()


def _quoted_measurement(device: str, device_name: str, seconds: float) -> Measurement:
    """A tutorial's per-epoch figure for the full MNIST at batch 128, as a row the page can draw."""
    examples = 60_000
    return Measurement(device=device, device_name=device_name, batch_size=128, steps_per_epoch=469,
                       examples_per_epoch=examples,
                       settings={"steps_per_execution": 1, "jit_compile": False, "mixed_precision": False},
                       status="ok", first_epoch_seconds=None, steady_epoch_seconds=seconds, epoch_seconds=(),
                       samples_per_second=examples / seconds)


def _reference_result() -> BenchmarkResult:
    from core.models.presets import get_preset

    return BenchmarkResult(
        result_id="00000000-000000-000000",
        created_at=0.0,
        source="reference",
        label="mnist-cnn-4conv, a classic Keras tutorial's published figures",
        model="mnist-cnn-4conv",
        spec=json.loads(get_preset("mnist-cnn-4conv").spec.to_json()),
        data="MNIST, the full 60,000 training digits (as the tutorial trained)",
        epochs=10,
        backend="tensorflow",
        versions={},
        hardware={"cpu": "a desktop or laptop CPU (not named by the tutorial)", "cores": 0,
                  "gpus": [{"name": "an NVIDIA GTX-class GPU (not named by the tutorial)", "memory_mb": None}]},
        measurements=(_quoted_measurement("cpu", "CPU (as quoted)", 160.0),
                      _quoted_measurement("gpu:0", "GTX-class GPU (as quoted)", 18.0)),
        note=("Quoted figures for the 4-conv CNN, never measured here: a classic Keras tutorial reports 'more than "
              "160 s' per epoch on the CPU and 'about 18 s' with GPU acceleration, about 9x (it says about 10x). "
              "Older Keras documentation quoted 190 s per epoch on a laptop CPU against 16 s on a GRID K520 GPU for "
              "the two-convolution MNIST example. Hardware, drivers and library versions differ from yours: measure "
              "your own."),
    )


REFERENCE_RESULT: BenchmarkResult = _reference_result()
