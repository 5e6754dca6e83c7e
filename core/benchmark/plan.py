"""What a benchmark measures: one model on one dataset, on each device at each batch size, for a number of epochs.

A plan is checked thoroughly when it is made, from the dashboard's widgets or the command line's text, so that
`core.benchmark.runner` only ever measures something that can be measured. Nothing here imports Keras.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.benchmark.devices import BACKENDS
from core.benchmark.results import MAX_BATCH_SIZE
from core.data.catalogue import load_dataset
from core.data.dataset import dataset_outline
from core.models.analysis import check_spec
from core.models.inputs import check_fits
from core.models.layers import is_whole_number
from core.models.presets import get_preset
from core.models.spec import ModelSpec

DEVICE_PATTERN = re.compile(r"cpu|gpu(:(?P<gpu>[0-9]+))?|all-gpus|logical-cpus:(?P<logical>[0-9]+)")
RANDOM_EXAMPLES = 4_000
"""Examples of random data when no limit is given: as many as the shipped MNIST sample holds."""
CUSTOM_SPEC = "custom spec"


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
            if not is_whole_number(value) or value < minimum:
                raise ValueError(f"{name} must be a whole number of at least {minimum}, got {value!r}"
                                 + (" (the first epoch compiles; the steady ones come after it)." if minimum == 2
                                    else "."))
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}; use one of: {', '.join(BACKENDS)}.")
        if self.data not in ("dataset", "random"):
            raise ValueError(f"data is \"dataset\" or \"random\", not {self.data!r}.")
        if self.examples is not None and (not is_whole_number(self.examples) or self.examples < 1):
            raise ValueError(f"examples must be a whole number of at least 1 (or none for all), got {self.examples!r}.")
        if not (isinstance(self.timeout_seconds, (int, float)) and 0 < self.timeout_seconds < math.inf):
            raise ValueError(f"the time limit must be a number of seconds above 0, got {self.timeout_seconds!r}.")
        self._check_switches()

    def _checked_devices(self) -> tuple[str, ...]:
        if isinstance(self.devices, str) or not self.devices:
            raise ValueError("name at least one device, such as (\"cpu\", \"gpu\").")
        devices = [normalised_device(device) for device in self.devices]
        if not is_whole_number(self.logical_cpus) or self.logical_cpus == 1 or self.logical_cpus < 0:
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
            if not is_whole_number(batch_size) or not 1 <= batch_size <= MAX_BATCH_SIZE:
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
        model, spec, default_dataset = chosen.name, chosen.spec, chosen.dataset_name
        default_batch = chosen.training.batch_size
    else:
        spec = ModelSpec.from_json(spec_path.read_text())
        model, default_dataset, default_batch = CUSTOM_SPEC, dataset or fitting_dataset(spec), 128
    return BenchmarkPlan(
        model=model, spec=spec, dataset=dataset or default_dataset, devices=parse_list(devices, "device"),
        batch_sizes=parse_batch_sizes(batch_sizes) if batch_sizes else (default_batch,), epochs=epochs, **settings,
    )


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


def plan_note(plan: BenchmarkPlan) -> str:
    if plan.mixed_precision:
        return "Mixed precision (mixed_float16) on the GPUs only; the CPU rows run in float32, where it would not help."
    return ""
