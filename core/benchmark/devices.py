"""What this machine can train on: its CPU, and the GPUs each installed Keras backend can see, with reasons.

Asking a framework for its GPUs initialises CUDA in the asking process, so each backend is asked in a
subprocess (`python -m core.benchmark.devices BACKEND`); the dashboard's server process never touches CUDA. Nothing is
cached: a driver installed meanwhile shows up on the next look.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BACKENDS = ("tensorflow", "jax", "torch")
GPU_INSTALL_HINTS = {
    "tensorflow": 'pip install "tensorflow[and-cuda]"',
    "jax": 'pip install "jax[cuda12]"',
    "torch": "pip install torch, whose default Linux wheels include CUDA",
}
REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class GpuInfo:
    """One GPU as a backend sees it; `memory_mb` is None when neither the backend nor nvidia-smi says."""

    backend: str
    index: int
    name: str
    memory_mb: int | None


@dataclass(frozen=True)
class DeviceReport:
    """The CPU, the GPUs each backend sees, each backend's version, and why there is no GPU when there is none."""

    cpu: str
    cores: int
    gpus: tuple[GpuInfo, ...]
    backends: dict[str, str]
    explanation: str

    def gpus_of(self, backend: str) -> tuple[GpuInfo, ...]:
        return tuple(gpu for gpu in self.gpus if gpu.backend == backend)


def cpu_name() -> str:
    """The processor's marketing name from /proc/cpuinfo (Linux), else what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def cpu_cores() -> int:
    """The cores this process may use (a container's limit, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def backend_versions() -> dict[str, str]:
    """Each Keras backend's installed version, or "not installed", without importing any of them."""
    versions = {}
    for backend in BACKENDS:
        try:
            versions[backend] = importlib.metadata.version(backend) if importlib.util.find_spec(backend) else (
                "not installed")
        except importlib.metadata.PackageNotFoundError:
            versions[backend] = "not installed"
    return versions


def nvidia_driver_present() -> bool:
    return shutil.which("nvidia-smi") is not None or Path("/proc/driver/nvidia").exists()


def nvidia_smi_memory() -> dict[int, int]:
    """Each GPU's total memory in MB by index, from nvidia-smi when it is there (quick, no CUDA context)."""
    if shutil.which("nvidia-smi") is None:
        return {}
    try:
        output = subprocess.run(["nvidia-smi", "--query-gpu=index,memory.total", "--format=csv,noheader,nounits"],
                                capture_output=True, text=True, timeout=10, check=True).stdout
        return {int(index): int(float(memory)) for index, memory in
                (line.split(",") for line in output.splitlines() if line.count(",") == 1)}
    except (OSError, subprocess.SubprocessError, ValueError):
        return {}


def discover_devices(timeout_seconds: float = 60, backends: tuple[str, ...] | None = None) -> DeviceReport:
    """Ask each installed backend (or only `backends`), each in its own subprocess, which GPUs it sees."""
    versions = backend_versions()
    asked = [backend for backend in (backends or BACKENDS) if versions.get(backend, "not installed") != "not installed"]
    probes = {backend: probe_backend(backend, timeout_seconds) for backend in asked}
    memory = nvidia_smi_memory()
    gpus = tuple(
        GpuInfo(backend, gpu["index"], gpu["name"], gpu.get("memory_mb") or memory.get(gpu["index"]))
        for backend, probe in probes.items() for gpu in probe.get("gpus", [])
    )
    explanation = "" if gpus else no_gpu_explanation(versions, probes)
    return DeviceReport(cpu=cpu_name(), cores=cpu_cores(), gpus=gpus, backends=versions, explanation=explanation)


def probe_backend(backend: str, timeout_seconds: float) -> dict:
    """What `python -m core.benchmark.devices BACKEND` prints, or {"error": ...} when the probe fails or hangs."""
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    try:
        completed = subprocess.run([sys.executable, "-m", "core.benchmark.devices", backend], capture_output=True, text=True,
                                   timeout=timeout_seconds, cwd=REPOSITORY, env=environment)
    except subprocess.TimeoutExpired:
        return {"error": f"asking {backend} for its GPUs took longer than {timeout_seconds:g} s"}
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"asking {backend} for its GPUs failed: {last}"}
    return json.loads(lines[-1])


def no_gpu_explanation(versions: dict[str, str], probes: dict[str, dict]) -> str:
    """Plain words for why no backend sees a GPU, and what to install where it is the software."""
    reasons = []
    driver_present = nvidia_driver_present()
    if not driver_present:
        reasons.append("No NVIDIA driver on this machine (no nvidia-smi, no /proc/driver/nvidia): it has no NVIDIA "
                       "GPU, or the driver is not installed. A GPU needs the driver first, then a backend built "
                       "with CUDA.")
    for backend in BACKENDS:
        probe = probes.get(backend)
        if versions.get(backend, "not installed") == "not installed":
            reasons.append(f"{backend} is not installed (for GPUs: {GPU_INSTALL_HINTS[backend]}).")
        elif probe is not None:
            reasons.append(backend_reason(backend, versions[backend], probe, driver_present))
    return " ".join(reasons)


def backend_reason(backend: str, version: str, probe: dict, driver_present: bool) -> str:
    if "error" in probe:
        return f"{probe['error']}."
    if not probe.get("built_with_cuda", True):
        return (f"{backend} {version} is a CPU-only build: it cannot use a GPU "
                f"(for GPUs: {GPU_INSTALL_HINTS[backend]}).")
    if not driver_present:
        return (f"{backend} {version} is built with CUDA and would use a GPU once the driver is there "
                f"(with its CUDA libraries: {GPU_INSTALL_HINTS[backend]}).")
    return (f"{backend} {version} sees no GPU although the driver is there: its CUDA libraries may be missing "
            f"({GPU_INSTALL_HINTS[backend]}).")


def probe_tensorflow() -> dict:
    import tensorflow as tf

    gpus = []
    for index, device in enumerate(tf.config.list_physical_devices("GPU")):
        details = tf.config.experimental.get_device_details(device)
        gpus.append({"index": index, "name": details.get("device_name", device.name)})
    return {"built_with_cuda": tf.test.is_built_with_cuda(), "gpus": gpus}


def probe_jax() -> dict:
    import jax

    try:
        devices = jax.devices("gpu")
    except RuntimeError:  # No GPU platform: JAX without its CUDA plugin, or no driver.
        devices = []
    gpus = []
    for index, device in enumerate(devices):
        stats = device.memory_stats() or {}
        memory = stats.get("bytes_limit")
        gpus.append({"index": index, "name": device.device_kind,
                     "memory_mb": int(memory / 2**20) if memory else None})
    return {"built_with_cuda": importlib.util.find_spec("jax_cuda12_plugin") is not None or bool(gpus), "gpus": gpus}


def probe_torch() -> dict:
    import torch

    gpus = [{"index": index, "name": torch.cuda.get_device_name(index),
             "memory_mb": int(torch.cuda.get_device_properties(index).total_memory / 2**20)}
            for index in range(torch.cuda.device_count())]
    return {"built_with_cuda": torch.version.cuda is not None, "gpus": gpus}


PROBES = {"tensorflow": probe_tensorflow, "jax": probe_jax, "torch": probe_torch}


def main() -> int:
    """`python -m core.benchmark.devices BACKEND`: print one JSON line of what that backend sees."""
    backend = (sys.argv[1:] or [""])[0]
    if backend not in PROBES:
        print(f"error: name a backend: {', '.join(PROBES)}", file=sys.stderr)
        return 2
    print(json.dumps(PROBES[backend]()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
