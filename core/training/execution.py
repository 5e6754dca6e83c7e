"""How a run trains: which Keras backend, and how many steps Keras runs per call. Chosen per model, by a rule
measured on every preset with `benchmarks/execution.py` (its output is quoted in the README).

On a CPU, Keras on JAX launches a step for a fraction of what TensorFlow's per-step and per-epoch machinery costs,
so Dense and recurrent models train several times faster on it (the spiral ten times, the MNIST MLP twice), while
its convolutions are several times slower than TensorFlow's oneDNN kernels (the 2-conv MNIST CNN six times). So a
model with convolution or pooling layers trains on TensorFlow and every other model on JAX. On JAX, an epoch of a
few tiny steps (the spiral's 6, the alphabet's 23 windows of one) runs as one call (`steps_per_execution`), which
halves what is left of the per-step cost; its steps then report their numbers together at the call's end.
TensorFlow gains nothing from that here (measured), so it keeps one step per call, as Keras does by default.

Nothing here imports Keras: the server chooses the worker process (whose backend is fixed at its start) by it.
`.keras` files do not depend on the backend that wrote them, so Predict (TensorFlow, in the server) reads them all.
"""

from __future__ import annotations

import importlib.util
import os
import sys

from core.models.spec import ModelSpec
from core.settings import backend_choice

IMAGE_LAYERS = frozenset({"Conv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D"})
"""Layers whose kernels are faster on TensorFlow's CPU backend than on JAX's."""
MAX_GROUPED_STEPS = 32
"""An epoch of at most this many tiny steps runs as one call on JAX; longer ones keep a step per call, since the
curves are drawn per step and the first epoch compiles all the group's steps unrolled."""
TINY_STEP = 1_000_000
"""A step of at most this many weights times examples (the spiral's 83 weights at batch 50, the alphabet LSTM's
5,274 at batch 1) costs less than launching it, so grouping its epoch's steps pays; the MNIST MLP's 407,050
weights at batch 128 do not (and its per-batch curve keeps every batch)."""


def jax_installed() -> bool:
    return importlib.util.find_spec("jax") is not None


def backend_for(spec: ModelSpec) -> str:
    """The Keras backend a run of `spec` trains on: KERAS_LAB_BACKEND where set, else by the rule above (TensorFlow
    wherever JAX is not installed)."""
    chosen = backend_choice()
    if chosen == "auto":
        chosen = "tensorflow" if any(layer.type in IMAGE_LAYERS for layer in spec.layers) else "jax"
    return chosen if chosen == "tensorflow" or jax_installed() else "tensorflow"


def steps_per_execution(backend: str, batches_per_epoch: int, step_size: int) -> int:
    """Steps per call on `backend` for an epoch of `batches_per_epoch` steps of `step_size` weights times examples:
    the whole epoch at once for a short epoch of tiny steps on JAX, else one step per call."""
    if batches_per_epoch < 1:
        raise ValueError(f"an epoch has at least one step, not {batches_per_epoch}.")
    tiny = step_size <= TINY_STEP and batches_per_epoch <= MAX_GROUPED_STEPS
    return batches_per_epoch if backend == "jax" and tiny else 1


def use_backend_for(spec: ModelSpec) -> None:
    """Make this process's Keras train `spec` on its chosen backend (the CLI, which trains one run); too late once
    Keras is imported (a test calling the CLI in its own process), when the backend stays what it is."""
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = backend_for(spec)
        keep_tensorflow_out()


def keep_tensorflow_out() -> None:
    """In a process about to train on another backend than TensorFlow: make `import tensorflow` fail (Python's own
    switch: None in `sys.modules`), so that Keras and TensorBoard take their TensorFlow-free paths. Otherwise Keras
    imports TensorFlow just to seed it (`keras.utils.set_random_seed`: 4 s and hundreds of MB for nothing), and
    TensorBoard's writer to write files."""
    if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow" and "tensorflow" not in sys.modules:
        sys.modules["tensorflow"] = None
