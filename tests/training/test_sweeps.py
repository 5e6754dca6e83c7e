"""Hyperparameter sweeps: the values a learner types, the variants they make, and the runs training in turn."""

import time

import pytest
from conftest import wait_until

from core.models.presets import get_preset
from core.models.spec import TrainingConfig
from core.training.registry import RunRegistry
from core.training.run import RunState
from core.training.storage import RunStorage
from core.training.sweeps import parse_values, queue_sweep, sweep_variants

MLP = get_preset("mnist-mlp-2x128-dropout")
SPIRAL = get_preset("spiral-dense10")


@pytest.mark.parametrize(
    "setting, text, values",
    [("units", "128, 32,64", [32, 64, 128]), ("learning_rate", "0.01; 0.001", [0.001, 0.01]),
     ("dropout", "0.1, 0.3, 0.1", [0.1, 0.3])],
)
def test_values_are_read_sorted_and_without_repeats(setting, text, values):
    assert parse_values(setting, text) == values


@pytest.mark.parametrize(
    "setting, text, message",
    [
        ("units", "32, 64.5", "the values of hidden units .first Dense layer. are whole numbers separated by commas"),
        ("units", "32", "a sweep tries from 2 to 8 different values; got 1"),
        ("units", ",".join(str(value) for value in range(1, 11)), "got 10"),
        ("momentum", "0.1, 0.9", "a sweep can vary units, batch_size, learning_rate, dropout, epochs, not 'momentum'"),
    ],
)
def test_values_that_cannot_be_swept_are_refused_in_words(setting, text, message):
    with pytest.raises(ValueError, match=message):
        parse_values(setting, text)


def test_each_setting_changes_only_what_it_names():
    units = sweep_variants(MLP.spec, MLP.training, {"units": [32, 64]})
    assert [variant.spec.layers[0].settings["units"] for variant in units] == [32, 64]
    assert all(variant.spec.layers[2].settings["units"] == 128 for variant in units), "only the first hidden layer"
    dropout = sweep_variants(MLP.spec, MLP.training, {"dropout": [0.1]})[0]
    assert [layer.settings["rate"] for layer in dropout.spec.layers if layer.type == "Dropout"] == [0.1, 0.1]
    rate = sweep_variants(MLP.spec, MLP.training, {"learning_rate": [0.01]})[0]
    assert rate.spec.compile.learning_rate == 0.01 and rate.label == "learning_rate = 0.01"
    grid = sweep_variants(MLP.spec, MLP.training, {"units": [32, 64], "batch_size": [16, 64, 256]})
    assert [variant.label for variant in grid[:2]] == ["units = 32, batch_size = 16", "units = 32, batch_size = 64"]
    assert len(grid) == 6 and grid[5].spec.layers[0].settings["units"] == 64 and grid[5].config.batch_size == 256
    with pytest.raises(ValueError, match="5 × 4 values make 20 runs; a sweep trains at most 16"):
        sweep_variants(MLP.spec, MLP.training, {"units": [1, 2, 3, 4, 5], "epochs": [1, 2, 3, 4]})
    batch = sweep_variants(MLP.spec, MLP.training, {"batch_size": [32]})[0]
    assert batch.config.batch_size == 32 and batch.spec == MLP.spec


def test_a_setting_the_model_lacks_or_a_bad_value_is_refused():
    with pytest.raises(ValueError, match="this model has no Dropout layer to vary"):
        sweep_variants(SPIRAL.spec, SPIRAL.training, {"dropout": [0.1, 0.2]})
    with pytest.raises(ValueError, match="rate is 1; it must be from 0 up to below 1"):
        sweep_variants(MLP.spec, MLP.training, {"dropout": [0.5, 1.0]})


def test_a_sweep_trains_its_runs_one_after_another_and_keeps_them(tmp_path):
    registry = RunRegistry(RunStorage(tmp_path), max_concurrent=2)
    config = TrainingConfig(epochs=30, batch_size=50)
    variants = sweep_variants(SPIRAL.spec, config, {"units": [4, 8, 16]})
    runs = queue_sweep(registry, "tester", SPIRAL.name, SPIRAL.dataset_name, variants)
    training_together = 0
    while any(run.is_active for run in runs):
        training_together = max(training_together, sum(run.state is RunState.RUNNING for run in runs))
        time.sleep(0.01)
    assert training_together == 1, "one training slot at a time, even with two free"
    assert [run.state for run in runs] == [RunState.FINISHED] * 3
    assert [run.spec.layers[0].settings["units"] for run in runs] == [4, 8, 16]
    assert runs[0].history.snapshot().epochs[-1].epoch == 30
    records = [RunStorage(tmp_path).load_record(run.run_id) for run in runs]
    assert {record["sweep"] for record in records} == {runs[0].sweep}
    assert [record["sweep_values"] for record in records] == [{"units": 4}, {"units": 8}, {"units": 16}]


def test_a_sweep_waits_for_nothing_else_of_the_same_visitor(tmp_path):
    registry = RunRegistry(RunStorage(tmp_path))
    busy = registry.start("tester", SPIRAL.name, SPIRAL.dataset_name, SPIRAL.spec, SPIRAL.training)
    variants = sweep_variants(SPIRAL.spec, SPIRAL.training, {"units": [4, 8]})
    with pytest.raises(ValueError, match="you already have a run training"):
        queue_sweep(registry, "tester", SPIRAL.name, SPIRAL.dataset_name, variants)
    busy.request_stop()
    wait_until(lambda: not busy.is_active)
