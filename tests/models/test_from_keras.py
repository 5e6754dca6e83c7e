"""A model loaded from a file becomes a spec and a run like any other."""

import keras
import pytest
from conftest import wait_until
from example_specs import EVERY_SPEC

from core.data.catalogue import load_dataset
from core.models.build import build_model
from core.models.files import load_model_file
from core.models.from_keras import spec_from_model
from core.models.presets import get_preset
from core.training.imported import import_model
from core.training.registry import RunRegistry
from core.training.run import RunState
from core.training.storage import RunStorage


@pytest.mark.parametrize("name", list(EVERY_SPEC))
def test_a_built_model_reads_back_as_the_same_spec(name):
    spec = EVERY_SPEC[name]
    assert spec_from_model(build_model(spec), spec.input_scale, spec.compile) == spec


@pytest.mark.parametrize(
    "layer, message",
    [
        (keras.layers.LayerNormalization(name="norm"), "layer 'norm' is a LayerNormalization, which Keras Lab's builder"),
        (keras.layers.Conv2D(4, (3, 5), name="wide"), r"layer 'wide' has kernel_size \(3, 5\); Keras Lab's layers use "
                                                       "square windows"),
    ],
)
def test_a_model_the_builder_cannot_describe_is_refused_in_words(layer, message):
    model = keras.Sequential([keras.Input(shape=(8, 8, 1)), layer])
    with pytest.raises(ValueError, match=message):
        spec_from_model(model, 1.0, get_preset("mnist-dense512").spec.compile)


def test_an_uploaded_model_becomes_a_finished_run_that_can_train_on(tmp_path):
    spiral = get_preset("spiral-dense10")
    trained = build_model(spiral.spec)
    dataset = load_dataset("spiral")
    trained.fit(dataset.x_train, keras.utils.to_categorical(dataset.y_train, 3), epochs=20, verbose=0)
    trained.save(tmp_path / "mine.keras")

    model = load_model_file((tmp_path / "mine.keras").read_bytes(), "mine.keras", dataset.input_shape, 3)
    spec = spec_from_model(model, spiral.spec.input_scale, spiral.spec.compile)
    registry = RunRegistry(RunStorage(tmp_path / "runs"))
    run = import_model(registry, "tester", spiral.name, "spiral", spec, spiral.training, model, "mine.keras")
    assert run.state is RunState.FINISHED and run.given_name == "imported mine.keras"
    predicted = trained.predict(dataset.x_test, verbose=0).argmax(axis=1)
    assert run.test_accuracy == pytest.approx(float((predicted == dataset.y_test).mean()))
    assert RunStorage(tmp_path / "runs").load_record(run.run_id)["message"] == "loaded from mine.keras, trained elsewhere."

    registry.continue_run(run, "tester", 2)
    wait_until(lambda: not run.is_active)
    assert run.state is RunState.FINISHED and len(run.history.snapshot().epochs) == 2
