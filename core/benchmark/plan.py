"""Measured epoch times, device against device: one subprocess per (device, batch size), the device fixed first.

Each measurement trains the same model on the same data with the same batch size for the same number of epochs
in a fresh `python -m core.benchmark.worker`, whose environment shows the framework only the device measured
(`CUDA_VISIBLE_DEVICES=""` for the CPU, as Keras users have always done). The first epoch, which traces the
graph and compiles, is reported apart from the median of the steady epochs. A worker that crashes, runs out of
memory or runs out of time becomes a failed row; the others carry on. Nothing here imports Keras.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import platform
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from core.benchmark.devices import (
    BACKENDS,
    REPOSITORY,
    DeviceReport,
    backend_versions,
    cpu_cores,
    cpu_name,
    discover_devices,
)
from core.benchmark.results import (
    CANCELLED,
    MAX_BATCH_SIZE,
    BenchmarkResult,
    Measurement,
    new_result_id,
)
from core.data.catalogue import dataset_outline, load_dataset
from core.models.analysis import check_spec
from core.models.inputs import check_fits
from core.models.presets import get_preset
from core.models.spec import ModelSpec

DEVICE_PATTERN = re.compile(r"cpu|gpu(:(?P<gpu>[0-9]+))?|all-gpus|logical-cpus:(?P<logical>[0-9]+)")
RANDOM_EXAMPLES = 4_000
"""Examples of random data when no limit is given: as many as the shipped MNIST sample holds."""
CUSTOM_SPEC = "custom spec"
STOP_GRACE_SECONDS = 5.0
POLL_SECONDS = 0.1


def normalised_device(device: str) -> str:
    """"gpu" means "gpu:0"; anything not of the forms cpu, gpu[:N], all-gpus, logical-cpus:N is refused."""
    match = DEVICE_PATTERN.fullmatch(device.strip().lower()) if isinstance(device, str) else None
    if match is None:
        raise ValueError(f"unknown device {device!r}; use cpu, gpu, gpu:N (N counts from 0), all-gpus or "
                         "logical-cpus:N (the CPU split into N devices, to try data parallelism without GPUs).")
    if match["logical"] is not None and int(match["logical"]) < 2:
        raise ValueError(f"{device!r}: split the CPU into at least 2 logical devices, such as logical-cpus:2.")
    return f"gpu:{int(match['gpu'] or 0)}" if match.group().startswith("gpu") else match.group()


def is_gpu_device(device: str) -> bool:
    return device.startswith("gpu:") or device == "all-gpus"


def is_data_parallel(device: str) -> bool:
    return device == "all-gpus" or device.startswith("logical-cpus:")


@dataclass(frozen=True)
class BenchmarkPlan:
    """What to measure: one model on one dataset, on each device at each batch size, for `epochs` epochs.

    `epochs` is at least 2 so that there is a steady epoch after the first (which compiles). `logical_cpus`
    and a "logical-cpus:N" device say the same thing; either one is enough.
    """

    model: str
    spec: ModelSpec
    dataset: str
    devices: tuple[str, ...]
    batch_sizes: tuple[int, ...]
    epochs: int
    backend: str = "tensorflow"
    steps_per_execution: int = 1
    jit_compile: bool = False
    mixed_precision: bool = False
    data: str = "dataset"
    examples: int | None = None
    timeout_seconds: float = 600
    logical_cpus: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.spec, ModelSpec):
            raise ValueError(f"spec must be a ModelSpec, got {type(self.spec).__name__}.")
        dataset_outline(self.dataset)
        object.__setattr__(self, "devices", self._checked_devices())
        self._check_batch_sizes()
        for name, value, minimum in (("epochs", self.epochs, 2), ("steps_per_execution", self.steps_per_execution, 1)):
            if not _is_whole(value) or value < minimum:
                raise ValueError(f"{name} must be a whole number of at least {minimum}, got {value!r}"
                                 + (" (the first epoch compiles; the steady ones come after it)." if minimum == 2
                                    else "."))
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}; use one of: {', '.join(BACKENDS)}.")
        if self.data not in ("dataset", "random"):
            raise ValueError(f"data is \"dataset\" or \"random\", not {self.data!r}.")
        if self.examples is not None and (not _is_whole(self.examples) or self.examples < 1):
            raise ValueError(f"examples must be a whole number of at least 1 (or none for all), got {self.examples!r}.")
        if not (isinstance(self.timeout_seconds, (int, float)) and 0 < self.timeout_seconds < math.inf):
            raise ValueError(f"the time limit must be a number of seconds above 0, got {self.timeout_seconds!r}.")
        self._check_switches()

    def _checked_devices(self) -> tuple[str, ...]:
        if isinstance(self.devices, str) or not self.devices:
            raise ValueError("name at least one device, such as (\"cpu\", \"gpu\").")
        devices = [normalised_device(device) for device in self.devices]
        if not _is_whole(self.logical_cpus) or self.logical_cpus == 1 or self.logical_cpus < 0:
            raise ValueError(f"logical_cpus is 0 (off) or 2 or more, got {self.logical_cpus!r}.")
        split = [device for device in devices if device.startswith("logical-cpus:")]
        if self.logical_cpus and not split:
            devices.append(f"logical-cpus:{self.logical_cpus}")
        elif split and (len(split) > 1 or self.logical_cpus not in (0, int(split[0].split(":")[1]))):
            raise ValueError("the CPU can be split into logical devices one way per benchmark; "
                             f"got {', '.join(split)} with logical_cpus={self.logical_cpus}.")
        if split:
            object.__setattr__(self, "logical_cpus", int(split[0].split(":")[1]))
        if len(set(devices)) < len(devices):
            raise ValueError(f"each device once, please: {', '.join(devices)}.")
        return tuple(devices)

    def _check_batch_sizes(self) -> None:
        if isinstance(self.batch_sizes, (str, int)) or not self.batch_sizes:
            raise ValueError("give at least one batch size, such as (32, 128).")
        for batch_size in self.batch_sizes:
            if not _is_whole(batch_size) or not 1 <= batch_size <= MAX_BATCH_SIZE:
                raise ValueError(f"a batch size is a whole number from 1 to {MAX_BATCH_SIZE:,}, got {batch_size!r}.")
        if len(set(self.batch_sizes)) < len(self.batch_sizes):
            raise ValueError(f"each batch size once, please: {self.batch_sizes}.")

    def _check_switches(self) -> None:
        if not isinstance(self.jit_compile, bool) or not isinstance(self.mixed_precision, bool):
            raise ValueError("jit_compile and mixed_precision are true or false.")
        if self.mixed_precision and not any(is_gpu_device(device) for device in self.devices):
            raise ValueError("mixed precision (mixed_float16) is for GPUs: on a CPU it is slower, not faster. Add a "
                             "GPU device, or leave mixed precision off.")
        if self.backend == "torch" and any(is_data_parallel(device) for device in self.devices):
            raise ValueError("training on several devices at once (all-gpus, logical-cpus:N) uses the framework's "
                             "own data parallelism, which Keras Lab drives on tensorflow and jax, not on torch.")

    @property
    def measurements_total(self) -> int:
        return len(self.devices) * len(self.batch_sizes)

    def settings_for(self, device: str) -> dict[str, object]:
        """The switches a device's measurements run with; mixed precision is not applicable off the GPU."""
        return {"steps_per_execution": self.steps_per_execution, "jit_compile": self.jit_compile,
                "mixed_precision": self.mixed_precision and is_gpu_device(device)}


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_list(text: str, what: str) -> tuple[str, ...]:
    items = tuple(item.strip() for item in text.split(",") if item.strip())
    if not items:
        raise ValueError(f"give at least one {what}, separated by commas.")
    return items


def parse_batch_sizes(text: str) -> tuple[int, ...]:
    """"32,128,512" as (32, 128, 512), or a ValueError naming the entry that is no whole number."""
    sizes = []
    for item in parse_list(text, "batch size"):
        if not item.isdigit():
            raise ValueError(f"batch sizes are whole numbers separated by commas, such as 32,128,512; got {item!r}.")
        sizes.append(int(item))
    return tuple(sizes)


def fitting_dataset(spec: ModelSpec) -> str:
    """The first trainable dataset whose examples and classes the spec fits, for a spec given without one."""
    for name in ("mnist", "spiral", "alphabet"):
        outline = dataset_outline(name)
        try:
            check_spec(spec, outline.example_shape, outline.num_classes)
        except ValueError:
            continue
        return name
    raise ValueError("this spec fits none of the datasets mnist, spiral and alphabet; name one with --dataset "
                     "and use --data random to measure on random arrays of its shape.")


def plan_from_arguments(preset: str | None, spec_path: Path | None, devices: str, epochs: int,
                        batch_sizes: str | None = None, dataset: str | None = None, **settings: Any) -> BenchmarkPlan:
    """A plan from command-line text: a preset name or a spec file, comma lists of devices and batch sizes.

    The batch sizes default to the preset's own (128 for a spec file); `settings` are the plan's other fields.
    """
    if (preset is None) == (spec_path is None):
        raise ValueError("give either --preset NAME or --spec FILE.")
    if preset is not None:
        chosen = get_preset(preset)
        model, spec, default_dataset = chosen.name, chosen.spec, chosen.dataset
        default_batch = chosen.training.batch_size
    else:
        spec = ModelSpec.from_json(spec_path.read_text())
        model, default_dataset, default_batch = CUSTOM_SPEC, dataset or fitting_dataset(spec), 128
    return BenchmarkPlan(
        model=model, spec=spec, dataset=dataset or default_dataset, devices=parse_list(devices, "device"),
        batch_sizes=parse_batch_sizes(batch_sizes) if batch_sizes else (default_batch,), epochs=epochs, **settings,
    )


@dataclass(frozen=True)
class BenchmarkProgress:
    """Where a running benchmark is: measurement `measurement_index` (from 0) of `measurements_total`.

    `epoch` is 0 while a measurement starts (the framework imports, the data loads) and the epoch just finished
    after that.
    """

    measurement_index: int
    measurements_total: int
    device: str
    batch_size: int
    epoch: int
    epochs: int
    message: str


@dataclass(frozen=True)
class TrainingData:
    """What every measurement trains on, decided once so that all of them train on the same examples."""

    kind: str
    description: str
    examples: int
    example_shape: tuple[int, ...]
    classes: int


def training_data(plan: BenchmarkPlan) -> TrainingData:
    """The dataset when it loads (and the spec fits it), else seeded random arrays of its shape, saying why."""
    outline = dataset_outline(plan.dataset)
    reason = "as asked"
    if plan.data == "dataset":
        try:
            dataset = load_dataset(plan.dataset)
        except (ValueError, OSError) as error:
            reason = f"because the dataset could not load: {error}"
        else:
            check_fits(plan.spec, dataset)
            examples = min(plan.examples or dataset.train_size, dataset.train_size)
            return TrainingData("dataset", f"{dataset.title}: {examples:,} training examples · {dataset.source}",
                                examples, dataset.input_shape, dataset.num_classes)
    check_spec(plan.spec, outline.example_shape, outline.num_classes)
    examples = plan.examples or RANDOM_EXAMPLES
    description = (f"random arrays shaped like {outline.title} {outline.example_shape}, {outline.num_classes} "
                   f"classes, {examples:,} examples, seed 0 ({reason})")
    return TrainingData("random", description, examples, outline.example_shape, outline.num_classes)


def worker_job(plan: BenchmarkPlan, data: TrainingData, device: str, batch_size: int) -> dict[str, Any]:
    """What one worker is told on stdin: everything it needs, as JSON."""
    settings = plan.settings_for(device)
    return {
        "spec": json.loads(plan.spec.to_json()), "dataset": plan.dataset, "data": data.kind,
        "examples": data.examples, "example_shape": list(data.example_shape), "classes": data.classes,
        "device": device, "backend": plan.backend, "batch_size": batch_size, "epochs": plan.epochs,
        "steps_per_execution": settings["steps_per_execution"], "jit_compile": settings["jit_compile"],
        "mixed_precision": settings["mixed_precision"], "logical_cpus": plan.logical_cpus,
        "data_parallel": is_data_parallel(device),
    }


def worker_environment(job: dict[str, Any]) -> dict[str, str]:
    """The environment that fixes the device before the framework starts, and keeps its logs quiet."""
    environment = {**os.environ, "KERAS_BACKEND": job["backend"], "TF_CPP_MIN_LOG_LEVEL": "3"}
    device = job["device"]
    if device == "all-gpus":
        environment.pop("CUDA_VISIBLE_DEVICES", None)
    elif device.startswith("gpu:"):
        environment["CUDA_VISIBLE_DEVICES"] = device.split(":")[1]
    else:
        environment["CUDA_VISIBLE_DEVICES"] = ""
        if job["backend"] == "jax":
            environment["JAX_PLATFORMS"] = "cpu"
            if job["logical_cpus"]:
                environment["XLA_FLAGS"] = (environment.get("XLA_FLAGS", "") +
                                            f" --xla_force_host_platform_device_count={job['logical_cpus']}").strip()
    return environment


@dataclass
class _WorkerOutcome:
    """What one worker said: the epochs it finished, and either its measurement or why it failed."""

    epoch_seconds: list[float] = field(default_factory=list)
    report: dict[str, Any] | None = None
    failure: str = ""


def run_worker(job: dict[str, Any], timeout_seconds: float, on_epoch: Callable[[int, float], None],
               cancel: threading.Event | None) -> _WorkerOutcome:
    """Run one measurement's worker to its end, its time limit or a cancel, whichever comes first."""
    outcome = _WorkerOutcome()
    with tempfile.TemporaryFile(mode="w+") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "core.benchmark.worker"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=REPOSITORY,
                                   env=worker_environment(job))
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_read_lines, args=(process, json.dumps(job), lines), daemon=True).start()
        deadline = time.monotonic() + timeout_seconds
        finished = False
        while not finished:
            if cancel is not None and cancel.is_set():
                outcome.failure = CANCELLED
                break
            if time.monotonic() > deadline:
                outcome.failure = f"took longer than {timeout_seconds:g} s (the time limit of one measurement)"
                break
            try:
                line = lines.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            finished = line is None
            if not finished:
                _take_line(line, outcome, on_epoch)
        _stop(process, finished)
        if not outcome.failure and outcome.report is None:
            stderr.seek(0)
            outcome.failure = crash_reason(process.returncode, stderr.read())
    return outcome


def _read_lines(process: subprocess.Popen, job_text: str, lines: queue.Queue) -> None:
    """Give the worker its job, then pass on what it prints, line by line; None when it closes its output."""
    try:
        process.stdin.write(job_text)
        process.stdin.close()
    except OSError:  # The worker died before it read its job; its exit status says why.
        pass
    for line in process.stdout:
        lines.put(line)
    lines.put(None)


def _take_line(line: str, outcome: _WorkerOutcome, on_epoch: Callable[[int, float], None]) -> None:
    try:
        message = json.loads(line)
    except json.JSONDecodeError:  # A library printed to stdout: not ours.
        return
    if not isinstance(message, dict):
        return
    if message.get("event") == "epoch":
        outcome.epoch_seconds.append(float(message["seconds"]))
        on_epoch(int(message["epoch"]), float(message["seconds"]))
    elif message.get("event") == "measurement":
        outcome.report = message
    elif message.get("event") == "failed":
        outcome.failure = str(message.get("message", "the worker failed"))


def _stop(process: subprocess.Popen, finished: bool) -> None:
    """Let a finished worker exit; terminate one that is still running, and kill it if it will not go."""
    try:
        process.wait(timeout=STOP_GRACE_SECONDS if finished else 0)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


OUT_OF_MEMORY_MARKERS = ("out of memory", "resourceexhausted", "resource_exhausted", "oom", "memoryerror")
NOISE_PREFIXES = ("WARNING: All log messages before absl", "I0000", "W0000", "E0000", "To enable the following")


def crash_reason(returncode: int | None, stderr: str) -> str:
    """One line for a worker that died without saying why itself: killed, out of memory, or its last error line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if any(marker in line.lower() for line in lines for marker in OUT_OF_MEMORY_MARKERS):
        return "ran out of memory: use a smaller batch size or a smaller model."
    if returncode is not None and returncode < 0:
        return (f"the worker was killed by signal {-returncode}"
                + (", most likely for using too much memory" if returncode == -9 else ""))
    meaningful = [line for line in lines if not line.startswith(NOISE_PREFIXES)]
    last = meaningful[-1] if meaningful else "no error message"
    return f"the worker stopped with exit status {returncode}: {last}"


def measurement_of(plan: BenchmarkPlan, data: TrainingData, device: str, batch_size: int,
                   outcome: _WorkerOutcome) -> Measurement:
    """The row for one worker: timings from its epochs, or status "failed" with its one-line reason."""
    report = outcome.report or {}
    settings = plan.settings_for(device)
    if report:
        settings = {**settings, "jit_compile": bool(report["jit_compile"]), "replicas": int(report["replicas"])}
    epochs = tuple(report.get("epoch_seconds", outcome.epoch_seconds))
    common = dict(device=device, device_name=str(report.get("device_name", "")), batch_size=batch_size,
                  steps_per_epoch=math.ceil(data.examples / batch_size), examples_per_epoch=data.examples,
                  settings=settings, epoch_seconds=epochs)
    if not report:
        return failed_measurement(common, outcome.failure)
    steady = statistics.median(epochs[1:])
    return Measurement(**common, status="ok", first_epoch_seconds=epochs[0], steady_epoch_seconds=steady,
                       samples_per_second=data.examples / steady)


def failed_measurement(common: dict[str, Any], failure: str) -> Measurement:
    return Measurement(**common, status="failed", first_epoch_seconds=None, steady_epoch_seconds=None,
                       samples_per_second=None, failure=failure)


def run_benchmark(plan: BenchmarkPlan, on_progress: Callable[[BenchmarkProgress], None] | None = None,
                  cancel: threading.Event | None = None) -> BenchmarkResult:
    """Measure every (device, batch size) of the plan in turn, each in its own worker process."""
    versions = backend_versions()
    if versions[plan.backend] == "not installed":
        raise ValueError(f"the {plan.backend} backend is not installed here; install it, or choose one of: "
                         f"{', '.join(name for name, version in versions.items() if version != 'not installed')}.")
    data = training_data(plan)
    report = (discover_devices(backends=(plan.backend,)) if any(is_gpu_device(device) for device in plan.devices)
              else None)
    notify = on_progress or (lambda progress: None)
    measurements = []
    for index, (device, batch_size) in enumerate((device, batch_size) for device in plan.devices
                                                 for batch_size in plan.batch_sizes):
        def progress(epoch: int, message: str) -> None:
            notify(BenchmarkProgress(index, plan.measurements_total, device, batch_size, epoch, plan.epochs, message))

        measurement = measure_one(plan, data, device, batch_size, report, progress, cancel)
        measurements.append(measurement)
        progress(len(measurement.epoch_seconds), "done" if measurement.ok else f"failed: {measurement.failure}")
    return BenchmarkResult(
        result_id=new_result_id(), created_at=time.time(), source="measured",
        label=result_label(plan.model, measurements, report), model=plan.model,
        spec=json.loads(plan.spec.to_json()), data=data.description, epochs=plan.epochs, backend=plan.backend,
        versions=library_versions(plan.backend, versions), hardware=hardware(report),
        measurements=tuple(measurements), note=plan_note(plan),
    )


def measure_one(plan: BenchmarkPlan, data: TrainingData, device: str, batch_size: int, report: DeviceReport | None,
                progress: Callable[[int, str], None], cancel: threading.Event | None) -> Measurement:
    """One row: refused at once when cancelled or when no GPU is visible, else measured by a worker."""
    if cancel is not None and cancel.is_set():
        return measurement_of(plan, data, device, batch_size, _WorkerOutcome(failure=CANCELLED))
    if is_gpu_device(device) and report is not None and not report.gpus_of(plan.backend):
        failure = f"no GPU visible: {report.explanation}"
        return measurement_of(plan, data, device, batch_size, _WorkerOutcome(failure=failure))
    progress(0, f"starting {device}, batch size {batch_size}")
    outcome = run_worker(worker_job(plan, data, device, batch_size), plan.timeout_seconds,
                         lambda epoch, seconds: progress(epoch, f"epoch {epoch} of {plan.epochs}: {seconds:.2f} s"),
                         cancel)
    return measurement_of(plan, data, device, batch_size, outcome)


def hardware(report: DeviceReport | None) -> dict[str, Any]:
    """The CPU always; the GPUs when they were looked for (a CPU-only benchmark does not start CUDA to ask)."""
    gpus = [{"name": gpu.name, "memory_mb": gpu.memory_mb} for gpu in report.gpus] if report is not None else []
    return {"cpu": cpu_name(), "cores": cpu_cores(), "gpus": gpus}


def library_versions(backend: str, versions: dict[str, str]) -> dict[str, str]:
    return {"python": platform.python_version(), "keras": importlib.metadata.version("keras"),
            backend: versions[backend], "numpy": importlib.metadata.version("numpy")}


def result_label(model: str, measurements: Sequence[Measurement], report: DeviceReport | None) -> str:
    """"mnist-dense512 on AMD EPYC (2 cores)", with the GPU named when one was measured."""
    label = f"{model} on {cpu_name()} ({cpu_cores()} cores)"
    gpu_names = sorted({gpu.name for gpu in report.gpus}) if report is not None else []
    if gpu_names and any(is_gpu_device(measurement.device) and measurement.ok for measurement in measurements):
        label += " and " + ", ".join(gpu_names)
    return label


def plan_note(plan: BenchmarkPlan) -> str:
    if plan.mixed_precision:
        return "Mixed precision (mixed_float16) on the GPUs only; the CPU rows run in float32, where it would not help."
    return ""
