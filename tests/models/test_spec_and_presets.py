import keras
import pytest

from core.models.build import build_model
from core.models.presets import PRESETS, get_preset
from core.models.spec import CompileSpec, ModelSpec, TrainingConfig


@pytest.mark.parametrize("name", list(PRESETS))
def test_specs_survive_a_json_round_trip(name):
    spec = PRESETS[name].spec
    assert ModelSpec.from_json(spec.to_json()) == spec


def layer_outline(model) -> list[tuple]:
    """What a learner compares with the tutorial: each layer's kind, output shape, weights and activation."""
    return [(type(layer).__name__, tuple(layer.output.shape), layer.count_params(),
             getattr(getattr(layer, "activation", None), "__name__", None)) for layer in model.layers]


CLASSICS = {
    # preset: the tutorial's model, its optimizer and learning rate, its model.fit(epochs, batch_size)
    "mnist-dense512": ([keras.Input((784,)), keras.layers.Dense(512, activation="relu"),
                        keras.layers.Dense(10, activation="softmax")], keras.optimizers.RMSprop, 0.001, (5, 128)),
    "spiral-dense10": ([keras.Input((2,)), keras.layers.Dense(10, activation="relu"),
                        keras.layers.Dense(3, activation="softmax")], keras.optimizers.RMSprop, 0.001, (1000, 50)),
}


@pytest.mark.parametrize("name", list(CLASSICS))
def test_a_classic_preset_builds_the_tutorials_model_and_settings(name):
    layers, optimizer, learning_rate, fit = CLASSICS[name]
    preset = get_preset(name)
    model = build_model(preset.spec)
    assert layer_outline(model) == layer_outline(keras.Sequential(layers))
    assert isinstance(model.optimizer, optimizer) and model.loss == "categorical_crossentropy"
    assert float(model.optimizer.learning_rate) == pytest.approx(learning_rate)
    assert (preset.training.epochs, preset.training.batch_size) == fit


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"epochs": 0, "batch_size": 1}, "epochs must be"),
        ({"epochs": 1, "batch_size": 0}, "batch size must be"),
        ({"epochs": 1, "batch_size": 8, "validation_split": 1.0}, "validation split"),
        ({"epochs": True, "batch_size": 8}, "epochs must be"),
    ],
)
def test_training_config_refuses_nonsense(settings, message):
    with pytest.raises(ValueError, match=message):
        TrainingConfig(**settings)


def test_unknown_preset_names_the_known_ones():
    with pytest.raises(ValueError, match="mnist-dense512"):
        get_preset("resnet")


def test_compile_settings_left_out_keep_their_defaults():
    spec = ModelSpec.from_dict({"input_shape": [2], "layers": [{"type": "Dense", "settings": {"units": 3}}]})
    assert spec.compile == CompileSpec()
