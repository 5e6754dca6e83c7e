"""Loading a user's `.keras` file: real Keras models saved to disk, loaded back or refused, nothing mocked."""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
from keras.src.saving import serialization_lib

from core.models.files import load_model_file


def saved_bytes(model: keras.Model, folder: Path) -> bytes:
    """The bytes of `model.save`, as a user would upload them."""
    path = folder / "model.keras"
    model.save(path)
    return path.read_bytes()


def dense_model(input_shape: tuple[int, ...], outputs: int) -> keras.Model:
    return keras.Sequential([keras.Input(input_shape), keras.layers.Flatten(),
                             keras.layers.Dense(outputs, activation="softmax")])


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """300 MB of zeros deflated to about 1.3 MB, written in chunks so the test never holds the 300 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("config.json", "{}")
        with archive.open("model.weights.h5", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(300):
                member.write(chunk)
    return buffer.getvalue()


def test_a_saved_model_loads_and_predicts_as_the_original(tmp_path):
    model = dense_model((4,), 3)
    examples = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)

    loaded = load_model_file(saved_bytes(model, tmp_path), "mine.keras", (4,), 3)

    np.testing.assert_allclose(loaded.predict_on_batch(examples), model.predict_on_batch(examples), rtol=1e-6)


@pytest.mark.parametrize("input_shape, example_shape, outputs, num_classes", [
    ((784,), (28, 28), 10, 10),  # the examples, flattened, hold as many values as the model takes
    ((2,), (2,), 1, 2),  # one sigmoid probability for two classes
], ids=["flattened input", "single output for two classes"])
def test_a_model_that_fits_the_dataset_is_accepted(tmp_path, input_shape, example_shape, outputs, num_classes):
    model = dense_model(input_shape, outputs)
    loaded = load_model_file(saved_bytes(model, tmp_path), "mine.keras", example_shape, num_classes)
    assert loaded.output_shape == (None, outputs)


def marker_lambda(marker: Path) -> Callable[[Any], Any]:
    """A Python lambda that leaves `marker` when called: self-contained (the path in its closure, the import a
    builtin), so it leaves it too when Keras rebuilds it from the bytecode stored in a file."""
    marker_path = str(marker)
    return lambda x: (__import__("pathlib").Path(marker_path).touch(), x)[1]


def lambda_layer_file(folder: Path, marker: Path) -> bytes:
    return saved_bytes(keras.Sequential([keras.Input((3,)), keras.layers.Lambda(marker_lambda(marker)),
                                         keras.layers.Dense(2)]), folder)


def named_function_lambda_layer_file(folder: Path, marker: Path) -> bytes:
    marker_path = str(marker)

    def leave_marker(x):
        __import__("pathlib").Path(marker_path).touch()
        return x

    return saved_bytes(keras.Sequential([keras.Input((3,)), keras.layers.Lambda(leave_marker),
                                         keras.layers.Dense(2)]), folder)


def lambda_activation_file(folder: Path, marker: Path) -> bytes:
    """A Dense layer whose activation is a serialized Python lambda. Keras saves a lambda activation in a form it
    cannot read back, so this file is written by hand, as an attacker would."""
    with zipfile.ZipFile(io.BytesIO(saved_bytes(dense_model((3,), 2), folder))) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    dense = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Dense")
    dense["config"]["activation"] = keras.saving.serialize_keras_object(marker_lambda(marker))
    members["config.json"] = json.dumps(config).encode()
    data = zip_of(members)
    (folder / "model.keras").write_bytes(data)
    return data


UNSAFE_FILES = [lambda_layer_file, named_function_lambda_layer_file, lambda_activation_file]
RUNNABLE_UNSAFE_FILES = [lambda_layer_file, lambda_activation_file]
"""The files whose lambda Keras does run when told to load unsafely (it cannot find a named function at all)."""


@pytest.fixture
def marker(tmp_path) -> Path:
    return tmp_path / "the lambda ran"


@pytest.fixture
def unsafe_deserialization_enabled():
    """What `keras.config.enable_unsafe_deserialization()` does for the whole process, undone afterwards."""
    before = serialization_lib.in_safe_mode()
    keras.config.enable_unsafe_deserialization()
    yield
    serialization_lib.global_state.set_global_attribute("safe_mode_saving", before)


@pytest.mark.filterwarnings("ignore:The object being serialized includes a `lambda`")
@pytest.mark.parametrize("unsafe_file", RUNNABLE_UNSAFE_FILES)
def test_these_files_do_run_code_when_keras_loads_them_unsafely(tmp_path, marker, unsafe_file):
    unsafe_file(tmp_path, marker)
    marker.unlink(missing_ok=True)  # building the model to save it may have run the lambda

    keras.saving.load_model(tmp_path / "model.keras", safe_mode=False)(np.zeros((1, 3), dtype=np.float32))
    assert marker.exists()


@pytest.mark.filterwarnings("ignore:The object being serialized includes a `lambda`")
@pytest.mark.parametrize("unsafe_file", UNSAFE_FILES)
def test_a_model_with_a_lambda_is_refused_and_never_run(tmp_path, marker, unsafe_file):
    data = unsafe_file(tmp_path, marker)
    marker.unlink(missing_ok=True)

    with pytest.raises(ValueError, match="Lambda layers run arbitrary Python code, so they are never loaded"):
        load_model_file(data, "unsafe.keras", (3,), 2)
    assert not marker.exists()


@pytest.mark.filterwarnings("ignore:The object being serialized includes a `lambda`")
@pytest.mark.parametrize("unsafe_file", RUNNABLE_UNSAFE_FILES)
def test_a_lambda_is_refused_even_when_keras_safe_mode_is_switched_off(tmp_path, marker, unsafe_file,
                                                                      unsafe_deserialization_enabled):
    data = unsafe_file(tmp_path, marker)
    marker.unlink(missing_ok=True)

    with pytest.raises(ValueError, match="never loaded"):
        load_model_file(data, "unsafe.keras", (3,), 2)
    assert not marker.exists()


def test_a_model_with_an_unknown_custom_layer_is_refused_by_name(tmp_path):
    @keras.saving.register_keras_serializable(package="KerasLabModelFileTests")
    class UnknownToKerasLab(keras.layers.Layer):
        def call(self, inputs):
            return inputs

    model = keras.Sequential([keras.Input((3,)), UnknownToKerasLab(), keras.layers.Dense(2)])
    data = saved_bytes(model, tmp_path)
    del keras.saving.get_custom_objects()["KerasLabModelFileTests>UnknownToKerasLab"]  # as in a fresh process

    with pytest.raises(ValueError, match="custom class 'UnknownToKerasLab'.*custom objects are not loaded"):
        load_model_file(data, "custom.keras", (3,), 2)


@pytest.mark.parametrize("file_name, make_data, limits, message", [
    pytest.param("model.keras", lambda: b"", {}, "'model.keras' is empty", id="empty"),
    pytest.param("model.keras", lambda: bytes(range(256)) * 4, {}, "not a zip archive", id="random bytes"),
    pytest.param("model.h5", lambda: b"anything", {}, ".h5 files from old Keras are not supported", id=".h5 name"),
    pytest.param("model.keras", lambda: b"\x89HDF\r\n\x1a\n" + bytes(100), {},
                 ".h5 files from old Keras are not supported", id="HDF5 content"),
    pytest.param("model.zip", lambda: zip_of({"config.json": b"{}"}), {}, "'model.zip' is not a .keras model file",
                 id="wrong extension"),
    pytest.param("model.keras", lambda: zip_of({"../escape.txt": b"x"}), {}, "'../escape.txt', which points outside",
                 id="parent path"),
    pytest.param("model.keras", lambda: zip_of({"/etc/escape": b"x"}), {}, "'/etc/escape', which points outside",
                 id="absolute path"),
    pytest.param("model.keras", lambda: zip_of({"weights.txt": b"x"}), {}, "has no config.json", id="no config"),
    pytest.param("model.keras", lambda: zip_of({"config.json": b"{not json"}), {}, "config.json is not valid JSON",
                 id="broken config"),
    pytest.param("model.keras", zip_bomb, {}, "that is a zip bomb", id="zip bomb"),
    pytest.param("model.keras", lambda: zip_of({"config.json": b"{}", "model.weights.h5": bytes(2_000_000)}),
                 {"max_unpacked_bytes": 1_000_000}, "unpacks to 1.9 MB, over the 1.0 MB limit", id="unpacks too big"),
    pytest.param("model.keras", lambda: bytes(2_000_000), {"max_bytes": 1_000_000}, "is 1.9 MB, over the 1.0 MB limit",
                 id="too big"),
    pytest.param("model.keras", lambda: zip_of({"config.json": b"{}"}), {}, "Keras could not load this model",
                 id="not a model"),
])
def test_a_bad_file_is_refused_with_what_is_wrong(file_name, make_data, limits, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        load_model_file(make_data(), file_name, (3,), 2, **limits)


def test_no_temporary_copy_is_left_behind_after_a_load_or_a_refusal(tmp_path, monkeypatch):
    uploads = tmp_path / "temporary"
    uploads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(uploads))
    load_model_file(saved_bytes(dense_model((3,), 2), tmp_path), "model.keras", (3,), 2)
    with pytest.raises(ValueError, match="Keras could not load this model"):
        load_model_file(zip_of({"config.json": b"{}"}), "model.keras", (3,), 2)
    assert list(uploads.iterdir()) == []


def test_a_model_whose_input_does_not_fit_is_refused_with_both_shapes(tmp_path):
    data = saved_bytes(dense_model((10,), 10), tmp_path)
    with pytest.raises(ValueError, match=r"inputs of shape \(10,\) \(10 values\) but each example of this dataset "
                                         r"has shape \(28, 28\) \(784 values\)"):
        load_model_file(data, "model.keras", (28, 28), 10)


def test_a_model_with_the_wrong_number_of_classes_is_refused_with_both_shapes(tmp_path):
    data = saved_bytes(dense_model((28, 28), 5), tmp_path)
    with pytest.raises(ValueError, match=r"outputs of shape \(5,\) but this dataset has 10 classes, so it needs "
                                         r"outputs of shape \(10,\)"):
        load_model_file(data, "model.keras", (28, 28), 10)


def two_inputs() -> keras.Model:
    first, second = keras.Input((3,)), keras.Input((3,))
    return keras.Model([first, second], keras.layers.Dense(2)(keras.layers.Concatenate()([first, second])))


def two_outputs() -> keras.Model:
    inputs = keras.Input((6,))
    return keras.Model(inputs, [keras.layers.Dense(2)(inputs), keras.layers.Dense(2)(inputs)])


def open_length() -> keras.Model:
    inputs = keras.Input((None, 3))
    return keras.Model(inputs, keras.layers.Dense(2)(keras.layers.GlobalAveragePooling1D()(inputs)))


@pytest.mark.filterwarnings("ignore:You are saving a model that has not yet been built")
@pytest.mark.parametrize("make_model, message", [
    (two_inputs, "this model has 2 inputs"),
    (two_outputs, "this model has 2 outputs"),
    (lambda: keras.Sequential([keras.layers.Dense(2)]), "saved before it was built, so it has no input shape"),
    (open_length, "inputs of shape (None, 3), with sizes left open"),
], ids=["two inputs", "two outputs", "never built", "open length"])
def test_a_model_that_does_not_take_one_array_of_examples_is_refused(tmp_path, make_model, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        load_model_file(saved_bytes(make_model(), tmp_path), "model.keras", (6,), 2)
