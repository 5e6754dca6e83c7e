"""A model trained elsewhere as a finished run: an uploaded `.keras` file, once `core.models.files` has loaded it
safely and checked it against the dataset, is scored on the test set and kept like any run, ready to predict with
or to train further."""

from __future__ import annotations

from typing import Any

from core.data.catalogue import load_dataset
from core.models.spec import ModelSpec, TrainingConfig
from core.training.registry import RunRegistry
from core.training.run import TrainingRun
from core.training.storage import new_run_id


def import_model(registry: RunRegistry, owner: str, preset_name: str, dataset_name: str, spec: ModelSpec,
                 config: TrainingConfig, model: Any, file_name: str) -> TrainingRun:
    """The loaded Keras `model` compiled as `spec` says, scored, saved and kept in `registry` as a finished run."""
    # These import Keras; the caller has loaded a Keras model already.
    from core.models.build import make_optimizer
    from core.predict.inference import accuracy_on

    dataset = load_dataset(dataset_name)
    model.compile(optimizer=make_optimizer(spec), loss=spec.compile.loss, metrics=list(spec.compile.metrics))
    run = TrainingRun(run_id=new_run_id(), owner=owner, preset_name=preset_name, dataset_name=dataset_name,
                      spec=spec, config=config, given_name=f"imported {file_name}"[:80], model=model,
                      dataset_source=dataset.source, train_size=dataset.train_size, test_size=dataset.test_size,
                      test_accuracy=accuracy_on(model, spec, dataset.x_test, dataset.y_test))
    registry.keep_finished(run, f"loaded from {file_name}, trained elsewhere.")
    return run
