"""Code out: every exported script runs on its own, offline, and is Keras Lab's data, model and training.

The scripts run as a user runs them (a subprocess each, three at a time, each importing TensorFlow); the
model and the data are also compared with Keras Lab's own in this process, array for array.
"""

import ast
import dataclasses
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import keras
import numpy as np
import pytest
from conftest import run_cli

from core.data.builtin import MNIST_SAMPLE_PATH
from core.data.catalogue import load_dataset
from core.models.analysis import analyse_spec
from core.models.build import build_model
from core.models.export import python_script
from core.models.inputs import prepare_inputs, prepare_labels
from core.models.presets import PRESETS
from core.models.spec import (
    OPTIMIZERS,
    CompileSpec,
    LayerSpec,
    ModelSpec,
    TrainingConfig,
)
from core.training.history import RunHistory
from core.training.train import train_model

L = LayerSpec.of
SCORES = re.compile(r"^test loss (\d+\.\d+), test accuracy (\d+\.\d+)", re.MULTILINE)
SPIRAL = PRESETS["spiral-dense10"]


REGULARISED = ModelSpec(
    input_shape=(2,),
    layers=(
        L("Dense", units=32, activation="relu", kernel_regularizer="l2", regularization_factor=0.01),
        L("BatchNormalization"),
        L("Dropout", rate=0.2),
        L("Dense", units=3, activation="softmax"),
    ),
    compile=CompileSpec(optimizer="sgd", learning_rate=0.05, momentum=0.9, metrics=("accuracy", "mean_absolute_error")),
)
"""An L2-regularised spiral model with batch norm, SGD with momentum and a second metric."""

IMAGE_LAYERS = ModelSpec(
    input_shape=(784,),
    layers=(
        L("Reshape", target_shape=(28, 28, 1)),
        L("Conv2D", filters=8, kernel_size=3, strides=2, padding="same", activation="elu",
               kernel_regularizer="l1", regularization_factor=0.001),
        L("Conv2D", filters=8, kernel_size=3),
        L("BatchNormalization"),
        L("AveragePooling2D", pool_size=2, strides=1, padding="same"),
        L("MaxPooling2D", pool_size=2),
        L("AveragePooling2D", pool_size=3),
        L("GlobalAveragePooling2D"),
        L("Flatten"),
        L("Dense", units=16, activation="tanh", kernel_regularizer="l2", regularization_factor=0.02),
        L("Activation", activation="sigmoid"),
        L("Dropout", rate=0.1),
        L("Dense", units=10, activation="softmax"),
    ),
    compile=CompileSpec(optimizer="adagrad", metrics=("accuracy", "mean_absolute_error")),
    input_scale=1 / 255,
)
"""Every image layer of the catalogue, each setting once at Keras's default (left out) and once not."""

SEQUENCE_LAYERS = ModelSpec(
    input_shape=(100,),
    layers=(
        L("Embedding", input_dim=1000, output_dim=8),
        L("GRU", units=8, return_sequences=True),
        L("LSTM", units=8, activation="relu", return_sequences=True),
        L("SimpleRNN", units=4, return_sequences=True),
        L("SimpleRNN", units=4),
        L("Dense", units=1, activation="sigmoid"),
    ),
    compile=CompileSpec(optimizer="adamw", loss="binary_crossentropy", learning_rate=0.01),
)
"""Every sequence layer of the catalogue."""

MODELS = {
    **{name: (preset.spec, preset.dataset_name) for name, preset in PRESETS.items()},
    "regularised": (REGULARISED, "spiral"),
    "image-layers": (IMAGE_LAYERS, "mnist"),
    "sequence-layers": (SEQUENCE_LAYERS, "imdb"),
    **{f"spiral-{optimizer}": (dataclasses.replace(SPIRAL.spec, compile=CompileSpec(optimizer=optimizer)), "spiral")
       for optimizer in OPTIMIZERS},
}


def exported(spec: ModelSpec, dataset: str, config: TrainingConfig = SPIRAL.training) -> dict:
    """The script's top level run as a module (not as __main__): its constants and functions, nothing trained."""
    namespace = {"__name__": "exported"}
    exec(compile(python_script(spec, config, dataset), "exported.py", "exec"), namespace)
    return namespace


def _imdb_npz(path: Path) -> Path:
    """Random reviews of 100 word indices below 1,000, already padded, with 0/1 labels."""
    generator = np.random.default_rng(0)
    np.savez(path, x_train=generator.integers(0, 1000, (300, 100)), y_train=generator.integers(0, 2, 300),
             x_test=generator.integers(0, 1000, (100, 100)), y_test=generator.integers(0, 2, 100))
    return path


def _photo_folder(folder: Path) -> Path:
    """24 real JPEGs of random colours named like Kaggle's (cat.N.jpg, dog.N.jpg) and one corrupt file."""
    folder.mkdir()
    generator = np.random.default_rng(0)
    for index in range(12):
        for name in ("cat", "dog"):
            assert cv2.imwrite(str(folder / f"{name}.{index}.jpg"), generator.integers(0, 256, (30, 40, 3), np.uint8))
    (folder / "cat.99.jpg").write_bytes(b"not a jpeg at all")
    return folder


def _run(script: Path, arguments: list[str]) -> subprocess.CompletedProcess:
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, str(script), *arguments], cwd=script.parent, capture_output=True,
                          text=True, encoding="utf-8", timeout=600, env=environment)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    """Every preset's script run for one epoch on 256 examples, and a few more runs, three at a time."""
    folder = tmp_path_factory.mktemp("exported")
    data = {"mnist": ["--data", str(MNIST_SAMPLE_PATH)], "imdb": ["--data", str(_imdb_npz(folder / "imdb.npz"))],
            "catsdogs": ["--data", str(_photo_folder(folder / "photos"))], "spiral": [], "alphabet": []}
    jobs = {name: (python_script(preset.spec, preset.training, preset.dataset_name, preset.title),
                   ["--epochs", "1", "--limit", "256", *data[preset.dataset_name]])
            for name, preset in PRESETS.items()}
    jobs["regularised"] = (python_script(REGULARISED, TrainingConfig(epochs=3, batch_size=32, validation_split=0.1,
                                                                     seed=7), "spiral"), ["--epochs", "1"])
    jobs["catsdogs-without-data"] = (jobs["catsdogs-cnn"][0], [])
    for name, (text, _) in jobs.items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(_run, folder / f"{name}.py", arguments) for name, (_, arguments) in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_script_trains_and_prints_its_test_scores(runs, name):
    result = runs[name]
    assert result.returncode == 0, result.stderr
    assert SCORES.search(result.stdout), result.stdout


def test_the_photo_script_skips_an_unreadable_file_and_says_so(runs):
    assert "read 24 photos" in runs["catsdogs-cnn"].stdout
    assert "skipped 1 unreadable files" in runs["catsdogs-cnn"].stdout
    # 24 photos, 20% (4) held out to test; resized from 40×30 to the model's 128×128.
    assert "x_train (20, 128, 128, 3), x_test (4, 128, 128, 3)" in runs["catsdogs-cnn"].stdout


def test_the_photo_script_asks_for_its_folder(runs):
    result = runs["catsdogs-without-data"]
    assert result.returncode == 2
    assert "the following arguments are required: --data" in result.stderr


@pytest.mark.parametrize("name, spec", [("mnist-cnn-4conv", PRESETS["mnist-cnn-4conv"].spec),
                                        ("regularised", REGULARISED)])
def test_the_script_summary_counts_keras_labs_parameters(runs, name, spec):
    assert runs[name].returncode == 0, runs[name].stderr
    total = re.search(r"Total params: ([\d,]+)", runs[name].stdout)
    assert total is not None, runs[name].stdout
    assert int(total.group(1).replace(",", "")) == analyse_spec(spec).total_parameters


def test_every_metric_is_printed(runs):
    assert re.search(r"^test loss \d+\.\d{4}, test accuracy \d+\.\d{4}, test mean absolute error \d+\.\d{4}$",
                     runs["regularised"].stdout, re.MULTILINE), runs["regularised"].stdout


def test_the_script_trains_to_keras_labs_own_numbers(runs):
    assert runs["spiral-dense10"].returncode == 0, runs["spiral-dense10"].stderr
    loss, accuracy = map(float, SCORES.search(runs["spiral-dense10"].stdout).groups())
    spiral = load_dataset("spiral")  # The script ran with --limit 256: the first 256 examples of each part.
    first = dataclasses.replace(spiral, x_train=spiral.x_train[:256], y_train=spiral.y_train[:256],
                                x_test=spiral.x_test[:256], y_test=spiral.y_test[:256])
    lab = train_model(SPIRAL.spec, dataclasses.replace(SPIRAL.training, epochs=1), first, RunHistory())
    assert loss == pytest.approx(lab.test_loss, abs=2e-4)
    assert accuracy == pytest.approx(lab.test_accuracy, abs=2e-4)


def _without_names(config):
    """A Keras config with the layer and optimizer names (numbered per process) left out."""
    if isinstance(config, dict):
        return {key: _without_names(value) for key, value in config.items() if key != "name"}
    if isinstance(config, list):
        return [_without_names(value) for value in config]
    return config


@pytest.mark.parametrize("name", MODELS)
def test_the_script_builds_keras_labs_model(name):
    spec, dataset = MODELS[name]
    keras.utils.set_random_seed(0)
    theirs = exported(spec, dataset)["build_model"]()
    keras.utils.set_random_seed(0)
    ours = build_model(spec)
    assert _without_names(theirs.get_config()) == _without_names(ours.get_config())
    assert _without_names(theirs.get_compile_config()) == _without_names(ours.get_compile_config())
    assert _without_names(theirs.optimizer.get_config()) == _without_names(ours.optimizer.get_config())
    assert all(np.array_equal(a, b) for a, b in zip(theirs.get_weights(), ours.get_weights(), strict=True))


@pytest.mark.parametrize("name", PRESETS)
def test_settings_are_named_constants_with_keras_labs_values(name):
    preset = PRESETS[name]
    script = exported(preset.spec, preset.dataset_name, preset.training)
    config, spec = preset.training, preset.spec
    assert (script["EPOCHS"], script["BATCH_SIZE"], script["SEED"]) == (config.epochs, config.batch_size, config.seed)
    assert script["INPUT_SHAPE"] == spec.input_shape and script["INPUT_SCALE"] == spec.input_scale
    assert script.get("VALIDATION_SPLIT", 0.0) == config.validation_split
    assert script.get("LEARNING_RATE") == spec.compile.learning_rate


@pytest.mark.parametrize("dataset, arguments", [("spiral", ()), ("alphabet", ()), ("mnist", (MNIST_SAMPLE_PATH,))])
def test_the_script_prepares_keras_labs_data(dataset, arguments):
    spec = next(preset.spec for preset in PRESETS.values() if preset.dataset_name == dataset)
    script = exported(spec, dataset)
    lab = load_dataset(dataset)  # Offline in the tests: MNIST is the shipped sample the script is given.
    (x_train, y_train), (x_test, y_test) = script["load_data"](*arguments)
    for (x, y), (lab_x, lab_y) in (((x_train, y_train), (lab.x_train, lab.y_train)),
                                   ((x_test, y_test), (lab.x_test, lab.y_test))):
        x, y = script["prepare"](x, y)
        assert x.dtype == np.float32 and np.array_equal(x, prepare_inputs(spec, lab_x))
        assert np.array_equal(y, prepare_labels(spec, lab_y, lab.num_classes))


@pytest.mark.parametrize("name", PRESETS)
def test_the_script_imports_only_keras_numpy_and_the_standard_library(name):
    preset = PRESETS[name]
    tree = ast.parse(python_script(preset.spec, preset.training, preset.dataset_name))
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    allowed = {"argparse", "pathlib", "keras", "numpy"} | ({"cv2"} if preset.dataset_name == "catsdogs" else set())
    assert modules <= allowed and {"keras", "numpy"} <= modules


def test_a_title_cannot_break_the_script():
    title = 'Mine: """quoted""" \\ and\nmore'
    text = python_script(SPIRAL.spec, SPIRAL.training, "spiral", title)
    assert ast.get_docstring(ast.parse(text)).splitlines()[0] == 'Mine: """quoted""" \\ and more'


def test_an_unknown_dataset_is_refused():
    with pytest.raises(ValueError, match="unknown dataset 'cifar'"):
        python_script(SPIRAL.spec, SPIRAL.training, "cifar")


def test_a_model_still_being_built_exports_as_it_stands():
    # The Build page shows the code at every step, also while the model cannot train yet.
    unfinished = dataclasses.replace(SPIRAL.spec, layers=SPIRAL.spec.layers[:1])
    assert not analyse_spec(unfinished, (2,), 3).ok
    text = python_script(unfinished, SPIRAL.training, "spiral")
    assert 'layers.Dense(10, activation="relu"),\n        ]' in text


def test_the_command_line_exports_the_spec_as_json():
    result = run_cli("export", "--preset", "mnist-cnn-4conv", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert ModelSpec.from_json(result.stdout) == PRESETS["mnist-cnn-4conv"].spec


def test_the_command_line_exports_the_script():
    result = run_cli("export", "--preset", "mnist-cnn-4conv", "--format", "python")
    assert result.returncode == 0, result.stderr
    compile(result.stdout, "exported.py", "exec")
    preset = PRESETS["mnist-cnn-4conv"]
    assert result.stdout == python_script(preset.spec, preset.training, preset.dataset_name, preset.title)


def test_the_command_line_refuses_an_unknown_preset():
    result = run_cli("export", "--preset", "nope")
    assert result.returncode == 2
    assert result.stderr.startswith("error: unknown preset 'nope'") and result.stderr.count("\n") == 1, result.stderr


def test_the_mnist_script_offline_says_how_to_run_it_instead_of_a_traceback(tmp_path):
    script = tmp_path / "mnist.py"
    preset = PRESETS["mnist-dense512"]
    script.write_text(python_script(preset.spec, preset.training, preset.dataset_name, preset.title), encoding="utf-8")
    unreachable = "http://127.0.0.1:9"  # No network, the same on every machine: every fetch is refused at once.
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_HOME": str(tmp_path / "keras"),
                   "http_proxy": unreachable, "https_proxy": unreachable, "HTTPS_PROXY": unreachable}
    result = subprocess.run([sys.executable, str(script), "--epochs", "1"], cwd=tmp_path, capture_output=True,
                            text=True, encoding="utf-8", timeout=600, env=environment)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    last_line = result.stderr.strip().splitlines()[-1]  # After TensorFlow's own start-up lines.
    assert last_line.startswith("could not download MNIST (") and last_line.endswith(
        "No network? Run it with --data core/data/mnist_sample.npz, the 5,000 real digits Keras Lab ships."), last_line
