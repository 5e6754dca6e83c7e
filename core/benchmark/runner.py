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
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from core.benchmark.devices import (
    REPOSITORY,
    DeviceReport,
    backend_versions,
    cpu_cores,
    cpu_name,
    discover_devices,
)
from core.benchmark.plan import (
    BenchmarkPlan,
    TrainingData,
    is_data_parallel,
    is_gpu_device,
    plan_note,
    training_data,
)
from core.benchmark.results import CANCELLED, BenchmarkResult, Measurement
from core.training.failures import OUT_OF_MEMORY, log_says_out_of_memory
from core.training.storage import new_run_id

STOP_GRACE_SECONDS = 5.0
POLL_SECONDS = 0.1
NOISE_PREFIXES = ("WARNING: All log messages before absl", "I0000", "W0000", "E0000", "To enable the following")


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
        result_id=new_run_id(), created_at=time.time(), source="measured",
        label=result_label(plan.model, measurements, report, plan.backend), model=plan.model,
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


def crash_reason(returncode: int | None, stderr: str) -> str:
    """One line for a worker that died without saying why itself: killed, out of memory, or its last error line."""
    if log_says_out_of_memory(stderr):
        return OUT_OF_MEMORY
    if returncode is not None and returncode < 0:
        return (f"the worker was killed by signal {-returncode}"
                + (", most likely for using too much memory" if returncode == -9 else ""))
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
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


def hardware(report: DeviceReport | None) -> dict[str, Any]:
    """The CPU always; the GPUs when they were looked for (a CPU-only benchmark does not start CUDA to ask)."""
    gpus = [{"name": gpu.name, "memory_mb": gpu.memory_mb} for gpu in report.gpus] if report is not None else []
    return {"cpu": cpu_name(), "cores": cpu_cores(), "gpus": gpus}


def library_versions(backend: str, versions: dict[str, str]) -> dict[str, str]:
    return {"python": platform.python_version(), "keras": importlib.metadata.version("keras"),
            backend: versions[backend], "numpy": importlib.metadata.version("numpy")}


def result_label(model: str, measurements: Sequence[Measurement], report: DeviceReport | None, backend: str) -> str:
    """"mnist-dense512 on AMD EPYC (2 cores), jax", with the GPU named when one was measured: results of one
    model on two backends, compared side by side, are told apart by it."""
    label = f"{model} on {cpu_name()} ({cpu_cores()} cores)"
    gpu_names = sorted({gpu.name for gpu in report.gpus}) if report is not None else []
    if gpu_names and any(is_gpu_device(measurement.device) and measurement.ok for measurement in measurements):
        label += " and " + ", ".join(gpu_names)
    return f"{label}, {backend}"
