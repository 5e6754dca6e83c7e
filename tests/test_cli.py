"""The command line, driven as a user would: in a subprocess, offline."""

import json
from pathlib import Path

import pytest
from conftest import run_cli

from core.training.registry import RunRegistry
from core.training.run import RunState
from core.training.storage import RunStorage


def test_presets_are_listed_as_json():
    result = run_cli("presets", "--json")
    assert result.returncode == 0
    presets = {entry["name"]: entry for entry in map(json.loads, result.stdout.splitlines())}
    assert {"mnist-dense512", "spiral-dense10"} <= presets.keys()
    assert presets["mnist-dense512"]["training"]["batch_size"] == 128


def test_train_mnist_dense512_offline_reaches_ninety_percent():
    result = run_cli("train", "--preset", "mnist-dense512", "--epochs", "5", "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    epochs, summary = lines[:-1], lines[-1]
    assert [line["epoch"] for line in epochs] == [1, 2, 3, 4, 5]
    assert all(set(line) == {"epoch", "loss", "accuracy", "seconds", "learning_rate"} for line in epochs)
    assert summary["model"] == "mnist-dense512" and summary["dataset"] == "mnist"
    assert (summary["train_size"], summary["test_size"]) == (4000, 1000)
    assert "shipped with Keras Lab" in summary["dataset_source"]
    assert summary["test_accuracy"] >= 0.90


def test_a_run_trained_on_the_command_line_opens_like_a_dashboard_run(tmp_path):
    result = run_cli("train", "--preset", "spiral-dense10", "--epochs", "2", "--json", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    run = RunRegistry(RunStorage(tmp_path)).get(Path(summary["run_folder"]).name)
    assert run is not None and run.state is RunState.FINISHED and run.test_accuracy == summary["test_accuracy"]
    assert len(run.history.snapshot().epochs) == 2


def test_a_failure_after_training_is_still_one_error_line():
    # /dev/null is no folder: the run trains (TensorFlow logging all the while), then cannot be saved, even as root.
    result = run_cli("train", "--preset", "spiral-dense10", "--epochs", "1", "--out", "/dev/null/runs")
    assert result.returncode == 2
    assert result.stderr.startswith("error:") and result.stderr.count("\n") == 1, result.stderr
    assert "could not be saved" in result.stderr


def test_validation_metrics_appear_when_data_is_held_back():
    result = run_cli("train", "--preset", "spiral-dense10", "--epochs", "2", "--validation-split", "0.2", "--json")
    assert result.returncode == 0, result.stderr
    first_epoch = json.loads(result.stdout.splitlines()[0])
    assert {"val_loss", "val_accuracy"} <= first_epoch.keys()


def test_a_learning_rate_of_1000_diverges_with_advice_and_status_1():
    result = run_cli("train", "--preset", "mnist-dense512", "--optimizer", "sgd", "--learning-rate", "1000",
                     "--epochs", "3")
    assert result.returncode == 1
    assert result.stderr.startswith("error: in epoch 1 the loss grew") and result.stderr.count("\n") == 1, result.stderr
    assert "training diverged" in result.stderr and "Try one ten times smaller (100)" in result.stderr
    assert "test loss" not in result.stdout


def test_the_optimizer_and_learning_rate_reach_the_run(tmp_path):
    result = run_cli("train", "--preset", "mnist-dense512", "--optimizer", "sgd", "--learning-rate", "0.001",
                     "--epochs", "3", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert [line.split(":")[0] for line in result.stdout.splitlines()[1:4]] == ["epoch 1", "epoch 2", "epoch 3"]
    assert "learning_rate 0.001 " in result.stdout and "test loss " in result.stdout
    [folder] = tmp_path.iterdir()
    run = RunRegistry(RunStorage(tmp_path)).get(folder.name)
    assert (run.spec.compile.optimizer, run.spec.compile.learning_rate) == ("sgd", 0.001)


def test_a_spec_file_trains_on_the_first_dataset_it_fits(tmp_path):
    spec = tmp_path / "spiral.json"
    spec.write_text(run_cli("export", "--preset", "spiral-dense10", "--format", "json").stdout)
    result = run_cli("train", "--spec", str(spec), "--epochs", "2", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    assert (summary["model"], summary["dataset"]) == ("custom spec", "spiral")


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["train", "--preset", "spiral-dense10", "--optimizer", "nadam"], "invalid choice: 'nadam'"),
        (["train", "--preset", "spiral-dense10", "--learning-rate", "fast"], "invalid float value: 'fast'"),
        (["train", "--preset", "spiral-dense10", "--learning-rate", "0"], "the learning rate must be a number above 0"),
        (["train", "--preset", "spiral-dense10", "--learning-rate", "inf"], "the learning rate must be a number above 0"),
        (["train", "--spec", "no-such-spec.json"], "No such file or directory"),
        (["train", "--spec", "README.md"], "--spec README.md: this is not valid JSON"),
        (["train", "--preset", "spiral-dense10", "--spec", "x.json"], "not allowed with argument --preset"),
        (["train", "--preset", "nope"], "unknown preset 'nope'"),
        (["train", "--preset", "mnist-dense512", "--epochs", "0"], "epochs must be"),
        (["train", "--preset", "mnist-dense512", "--epochs", "many"], "invalid int value: 'many'"),
        (["train", "--preset", "mnist-dense512", "--dataset", "cifar"], "unknown dataset 'cifar'"),
        (["train", "--preset", "mnist-dense512", "--dataset", "spiral"], "The input shape (784,) holds 784 values"),
        (["train", "--preset", "spiral-dense10", "--validation-split", "0.999"], "leaves 0 of 300 examples"),
        (["train", "--preset", "spiral-dense10", "--seed", "-1"], "seed must be a whole number from 0"),
        (["train", "--preset", "spiral-dense10", "--out", "README.md"], "is a file; give a folder"),
        (["train", "--preset", "spiral-dense10", "--gpu"], "--gpu asks a Ray cluster for a GPU: set KERAS_LAB_EXECUTOR"),
        (["train"], "one of the arguments --preset --spec is required"),
        (["fly"], "invalid choice: 'fly'"),
    ],
)
def test_bad_arguments_give_one_error_line_and_status_2(arguments, message):
    result = run_cli(*arguments)
    assert result.returncode == 2
    assert result.stderr.startswith("error:") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr
