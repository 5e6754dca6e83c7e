"""One benchmark measurement in its own process: `python -m core.benchmark.worker` with a job as JSON on stdin.

The parent (`core.benchmark.runner`) fixes the device in the environment (`CUDA_VISIBLE_DEVICES`, `KERAS_BACKEND`)
before this process starts, so the framework only ever sees the device being measured. The worker prints one
JSON line per finished epoch and a last line with what it measured; on failure it says why in one line (as a
JSON line and on stderr) and exits with status 1. Importing this module does nothing; `main()` does the work.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import numpy as np

RANDOM_SEED = 0


def read_job() -> dict[str, Any]:
    job = json.loads(sys.stdin.read())
    if not isinstance(job, dict):
        raise ValueError("the worker's job must be a JSON object.")
    return job


def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def split_cpu(logical_cpus: int) -> None:
    """TensorFlow only: show the CPU as `logical_cpus` devices, so data parallelism can be tried without GPUs.

    It must happen before TensorFlow touches a device; JAX gets the same from `XLA_FLAGS`, set by the parent.
    """
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * logical_cpus)


def random_arrays(example_shape: list[int], classes: int, examples: int, input_scale: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Seeded stand-in data: raw values in the range the spec's input scale expects (0–255 for pixels)."""
    generator = np.random.default_rng(RANDOM_SEED)
    inputs = generator.uniform(0.0, 1.0 / input_scale, size=(examples, *example_shape)).astype(np.float32)
    return inputs, generator.integers(0, classes, size=examples)


def training_arrays(job: dict[str, Any], spec: Any) -> tuple[np.ndarray, np.ndarray]:
    """The job's first `examples` training examples (or random ones), prepared as training prepares them."""
    from core.data.catalogue import load_dataset
    from core.models.inputs import prepare_inputs, prepare_labels

    examples = job["examples"]
    if job["data"] == "random":
        inputs, labels = random_arrays(job["example_shape"], job["classes"], examples, spec.input_scale)
    else:
        dataset = load_dataset(job["dataset"])
        inputs, labels = dataset.x_train[:examples], dataset.y_train[:examples]
    return prepare_inputs(spec, inputs), prepare_labels(spec, labels, job["classes"])


def visible_gpu_names(backend: str) -> list[str]:
    from core.benchmark.devices import PROBES

    return [gpu["name"] for gpu in PROBES[backend]()["gpus"]]


def device_name(job: dict[str, Any], backend: str, replicas: int) -> str:
    """What the measurement really ran on, in words; a GPU job with no GPU visible is refused here."""
    from core.benchmark.devices import cpu_cores, cpu_name

    device = job["device"]
    if device == "cpu":
        return f"{cpu_name()} ({cpu_cores()} cores)"
    if device.startswith("logical-cpus:"):
        return f"{replicas} logical devices on {cpu_name()} ({cpu_cores()} cores)"
    names = visible_gpu_names(backend)
    if not names:
        raise ValueError(f"no GPU visible to {backend} in the worker (CUDA_VISIBLE_DEVICES selects {device}).")
    return names[0] if device.startswith("gpu:") else f"{replicas} × " + " + ".join(sorted(set(names)))


def distribution_scope(job: dict[str, Any], backend: str) -> tuple[Any, int]:
    """A context to build the model in, and the number of replicas that train it (1 without data parallelism)."""
    import contextlib

    import keras

    if not job["data_parallel"]:
        return contextlib.nullcontext(), 1
    if backend == "tensorflow":
        import tensorflow as tf

        if job["logical_cpus"]:
            devices = [device.name for device in tf.config.list_logical_devices("CPU")]
            strategy = tf.distribute.MirroredStrategy(devices, cross_device_ops=tf.distribute.ReductionToOneDevice())
        else:
            strategy = tf.distribute.MirroredStrategy()
        return strategy.scope(), strategy.num_replicas_in_sync
    if backend == "jax":
        keras.distribution.set_distribution(keras.distribution.DataParallel())
        return contextlib.nullcontext(), len(keras.distribution.list_devices())
    raise ValueError(f"data parallelism over several devices needs the tensorflow or jax backend, not {backend}.")


def build_for_benchmark(job: dict[str, Any], spec: Any, backend: str) -> Any:
    """The spec's model, compiled with its own optimizer and loss plus the benchmark's execution settings.

    jit_compile is always explicit, because Keras's "auto" turns XLA on for GPUs only and the devices would no
    longer be compared under the same settings; JAX always compiles with XLA, so there it is always on.
    """
    from core.models.build import build_model, make_optimizer

    model = build_model(spec)
    model.compile(optimizer=make_optimizer(spec), loss=spec.compile.loss, metrics=list(spec.compile.metrics),
                  steps_per_execution=job["steps_per_execution"],
                  jit_compile=True if backend == "jax" else job["jit_compile"])
    return model


def epoch_timer() -> Any:
    """A callback that times each epoch from its start to its end and prints it as one JSON line."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []
            self._started_at = 0.0

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self._started_at = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            self.seconds.append(time.perf_counter() - self._started_at)
            emit("epoch", epoch=epoch + 1, seconds=self.seconds[-1])

    return EpochTimer()


def measure(job: dict[str, Any]) -> None:
    if job["logical_cpus"] and job["backend"] == "tensorflow":
        split_cpu(job["logical_cpus"])
    import keras

    from core.models.spec import ModelSpec

    backend = keras.config.backend()
    if backend != job["backend"]:
        raise ValueError(f"the worker runs Keras on {backend}, not on {job['backend']}: KERAS_BACKEND was overridden.")
    if job["mixed_precision"]:
        keras.mixed_precision.set_global_policy("mixed_float16")
    spec = ModelSpec.from_dict(job["spec"])
    inputs, labels = training_arrays(job, spec)
    scope, replicas = distribution_scope(job, backend)
    name = device_name(job, backend, replicas)
    with scope:
        model = build_for_benchmark(job, spec, backend)
    timer = epoch_timer()
    model.fit(inputs, labels, batch_size=job["batch_size"], epochs=job["epochs"], verbose=0, callbacks=[timer])
    emit("measurement", device_name=name, replicas=replicas, jit_compile=bool(model.jit_compile),
         epoch_seconds=timer.seconds)


def one_line(error: BaseException) -> str:
    """The error in one line: the framework's own message where it says more than "Graph execution error"."""
    from core.training.failures import OUT_OF_MEMORY, describe_failure, is_out_of_memory

    message = getattr(error, "message", "") or str(error)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    meaningful = [line for line in lines if not line.startswith(("Graph execution error", "Detected at node",
                                                                 "File ", "[[", "Stack trace"))]
    if is_out_of_memory(error):
        return OUT_OF_MEMORY
    if meaningful and meaningful[0] != (lines or [""])[0]:
        return f"{type(error).__name__}: {meaningful[0]}"
    return describe_failure(error)


def main() -> int:
    try:
        measure(read_job())
    except Exception as error:  # Any failure becomes one line for the parent's failed row.
        message = one_line(error)
        emit("failed", message=message)  # stdout: the framework's own logs on stderr may come after it.
        print(message, file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
