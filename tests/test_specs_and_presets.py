import pytest

from core.models.presets import PRESETS, get_preset
from core.models.spec import CompileSpec, ModelSpec, TrainingConfig


@pytest.mark.parametrize("name", list(PRESETS))
def test_specs_survive_a_json_round_trip(name):
    spec = PRESETS[name].spec
    assert ModelSpec.from_json(spec.to_json()) == spec


def test_mnist_dense512_is_the_classic():
    preset = get_preset("mnist-dense512")
    assert preset.spec.input_shape == (784,)
    assert [(layer.type, layer.settings["units"], layer.settings["activation"], layer.settings["kernel_regularizer"])
            for layer in preset.spec.layers] == [("Dense", 512, "relu", "none"), ("Dense", 10, "softmax", "none")]
    assert (preset.spec.compile.optimizer, preset.spec.compile.loss) == ("rmsprop", "categorical_crossentropy")
    assert preset.spec.uses_one_hot_labels and preset.spec.input_scale == pytest.approx(1 / 255)
    assert (preset.training.epochs, preset.training.batch_size) == (5, 128)


def test_spiral_dense10_is_the_classic():
    preset = get_preset("spiral-dense10")
    assert preset.spec.input_shape == (2,)
    assert [layer.settings["units"] for layer in preset.spec.layers] == [10, 3]
    assert (preset.spec.compile.optimizer, preset.spec.compile.learning_rate) == ("rmsprop", 0.001)
    assert (preset.training.epochs, preset.training.batch_size) == (1000, 50)


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
