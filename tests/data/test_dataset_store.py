"""Uploaded datasets kept on disk, and `python -m core train --data PATH` driven as a user would, in a subprocess."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import REPOSITORY
from file_builders import BAD_INPUTS, image_file, zip_file

from core.data.store import DatasetStore
from core.data.uploads.upload_box import load_data_file
from core.settings import MAX_UPLOAD_VARIABLE


def csv_dataset(rows: int = 30, name: str = "points.csv"):
    lines = "".join(f"{index % 7 * 0.1:.1f},{index % 5 * 0.2:.1f},{['red', 'green', 'blue'][index % 3]}\n"
                    for index in range(rows))
    return load_data_file(("x,y,colour\n" + lines).encode(), name).dataset


def test_a_saved_dataset_loads_back_as_it_was(tmp_path):
    store = DatasetStore(tmp_path / "datasets")
    texts = "text,label\n" + "".join(f"{word} film,{word}\n" for word in ("good", "bad") * 5)
    original = load_data_file(texts.encode(), "reviews.csv").dataset
    name = store.save(original, "My reviews")
    assert re.fullmatch(r"upload-[0-9a-f]{12}", name)
    loaded = store.load(name)
    assert (loaded.name, loaded.title, loaded.class_names) == (name, "My reviews", original.class_names)
    assert loaded.source == original.source and dict(loaded.word_index) == dict(original.word_index)
    for key in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(loaded, key), getattr(original, key))
        assert getattr(loaded, key).dtype == getattr(original, key).dtype
    assert not loaded.x_train.flags.writeable
    assert sorted(path.name for path in (tmp_path / "datasets").iterdir()) == [f"{name}.json", f"{name}.npz"]


def test_the_same_data_is_stored_once_and_can_be_listed_and_deleted(tmp_path):
    store = DatasetStore(tmp_path)
    first = store.save(csv_dataset(), "points")
    assert store.save(csv_dataset(), "points") == first  # A rerun of the page saving it again changes nothing.
    second = store.save(csv_dataset(rows=45), "more points")
    assert {entry for entry in store.list()} == {(first, "points"), (second, "more points")}
    store.delete(first)
    assert store.list() == [(second, "more points")]
    with pytest.raises(ValueError, match=f"no stored dataset {first}: it was deleted"):
        store.load(first)


@pytest.mark.parametrize("name", ["../upload-0123456789ab", "upload-0123456789ab/../x", "/etc/passwd",
                                  "upload-0123456789AB", "upload-0123", "runs"])
def test_a_hostile_name_is_refused_before_any_file_is_touched(tmp_path, name):
    store = DatasetStore(tmp_path / "datasets")
    for action in (store.load, store.delete):
        with pytest.raises(ValueError, match="is not a stored dataset's name"):
            action(name)
    assert not (tmp_path / "datasets").exists()


def test_the_store_defaults_to_the_data_directory():
    assert DatasetStore().root == Path(os.environ["KERAS_LAB_HOME"]) / "datasets"


# --- the command line ---------------------------------------------------------------------------------------------


def run_cli(tmp_path: Path, *arguments: str, environment: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The CLI started from an empty working folder, its data directory and temporary files in `tmp_path`."""
    for folder in ("cwd", "home", "tmp"):
        (tmp_path / folder).mkdir(exist_ok=True)
    variables = {name: value for name, value in os.environ.items() if name != "TF_CPP_MIN_LOG_LEVEL"}
    variables.update(KERAS_LAB_HOME=str(tmp_path / "home"), TMPDIR=str(tmp_path / "tmp"),
                     PYTHONPATH=str(REPOSITORY), **(environment or {}))
    return subprocess.run([sys.executable, "-m", "core", *arguments], cwd=tmp_path / "cwd", capture_output=True,
                          text=True, timeout=300, env=variables)


def files_under(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


CLI_BAD_INPUTS = [case for case in BAD_INPUTS if not case[1]()[2]]  # Limits passed as options have no flag.


@pytest.mark.parametrize("make_input, message", [case[1:] for case in CLI_BAD_INPUTS],
                         ids=[case[0] for case in CLI_BAD_INPUTS])
def test_train_on_a_bad_file_is_one_error_line_and_writes_nothing(tmp_path, make_input, message):
    data, name, _ = make_input()
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / name).write_bytes(data)
    before = files_under(tmp_path)
    limit = {MAX_UPLOAD_VARIABLE: str(1 / 1024)} if name == "big.npz" else {}
    result = run_cli(tmp_path, "train", "--preset", "spiral-dense10", "--data", str(tmp_path / "inputs" / name),
                     environment=limit)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error:") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr
    assert files_under(tmp_path) - before <= {"cwd", "home", "tmp"}


@pytest.mark.parametrize("make_data, message", [
    (lambda folder: str(folder / "missing.csv"), "missing.csv: no such file"),
    (lambda folder: f"{folder / 'a'},{folder / 'b'},{folder / 'c'}", "got 3 names"),
    (lambda folder: str(write(folder / "wide.csv", "a,b,c,label\n" + "1,2,3,0\n4,5,6,1\n" * 5)),
     "The input shape (2,)"),
])
def test_train_on_a_missing_or_misfitting_file_is_one_error_line(tmp_path, make_data, message):
    result = run_cli(tmp_path, "train", "--preset", "spiral-dense10", "--data", make_data(tmp_path))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("error:") and message in result.stderr
    assert not (tmp_path / "home" / "datasets").exists() and files_under(tmp_path / "cwd") == set()


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_train_spiral_preset_on_a_csv_keeps_the_data_in_the_data_directory(tmp_path):
    lines = "".join(f"{np.cos(index):.3f},{np.sin(index * 0.7):.3f},{index % 3}\n" for index in range(90))
    data = write(tmp_path / "arms.csv", "x,y,arm\n" + lines)
    result = run_cli(tmp_path, "train", "--preset", "spiral-dense10", "--data", str(data), "--epochs", "1", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    assert (summary["train_size"], summary["test_size"]) == (72, 18)
    assert summary["data_notes"] == ["no test part: 20% held out, stratified, seed 0"]
    stored = DatasetStore(tmp_path / "home" / "datasets").load(summary["dataset"])
    assert stored.class_names == ("0", "1", "2") and stored.input_shape == (2,)
    assert files_under(tmp_path / "cwd") == set() and files_under(tmp_path / "tmp") == set()


def test_train_catsdogs_preset_on_a_small_image_zip(tmp_path):
    entries = {f"{kind}.{number}.jpg": image_file(90, 120, extension=".jpg", seed=number)
               for kind in ("cat", "dog") for number in range(8)}
    (tmp_path / "pets.zip").write_bytes(zip_file(entries))
    result = run_cli(tmp_path, "train", "--preset", "catsdogs-cnn", "--data", str(tmp_path / "pets.zip"),
                     "--epochs", "1", "--batch-size", "8")
    assert result.returncode == 0, result.stderr
    assert "data: 16 images of other sizes resized to 128×128" in result.stdout
    assert re.search(r"test loss [0-9.]+, test accuracy [0-9.]+", result.stdout)
