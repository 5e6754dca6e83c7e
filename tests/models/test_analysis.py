"""The builder's shapes and parameter counts against Keras's own, and every kind of nonsense it refuses."""

import random
import re
from dataclasses import replace

import keras
import pytest
from example_specs import EVERY_SPEC

from core.data.dataset import OUTLINES
from core.models.analysis import analyse_spec, check_spec
from core.models.build import build_model, keras_arguments
from core.models.layers import CATALOGUE
from core.models.presets import PRESETS
from core.models.spec import CompileSpec, LayerSpec, ModelSpec

L = LayerSpec.of


@pytest.mark.parametrize("name", list(EVERY_SPEC))
def test_shapes_and_parameters_equal_keras_summary(name):
    spec = EVERY_SPEC[name]
    analysis = check_spec(spec)
    model = build_model(spec)
    keras_rows = [(tuple(layer.output.shape[1:]), layer.count_params(),
                   sum(int(weight.numpy().size) for weight in layer.trainable_weights)) for layer in model.layers]
    ours = [(row.output_shape, row.parameters, row.trainable_parameters) for row in analysis.rows]
    assert ours == keras_rows
    assert analysis.total_parameters == model.count_params()


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_fits_its_dataset(name):
    outline = OUTLINES[PRESETS[name].dataset_name]
    assert analyse_spec(PRESETS[name].spec, outline.example_shape, outline.num_classes).problems == ()


def spec_of(*layers, input_shape=(784,), loss="categorical_crossentropy"):
    return ModelSpec(input_shape=input_shape, layers=tuple(layers), compile=CompileSpec(optimizer="adam", loss=loss))


SOFTMAX_10 = L("Dense", units=10, activation="softmax")
DATA = {"kernel larger than its input": ((6, 6, 1), 10), "pool larger than its input": ((3, 3, 2), 10),
        "softmax on one unit": ((28, 28), 2)}
"""One example's shape and the number of classes, where a case is not about MNIST's."""
NONSENSE = [
    ("conv on a flat input", spec_of(L("Conv2D"), L("Flatten"), SOFTMAX_10),
     r"Layer 1 \(Conv2D\) needs images of shape \(height, width, channels\) but gets a flat vector of 784 values"),
    ("pooling on a flat input", spec_of(L("MaxPooling2D"), SOFTMAX_10), r"Layer 1 \(MaxPooling2D\) needs images"),
    ("recurrent layer on images", spec_of(L("LSTM"), SOFTMAX_10, input_shape=(28, 28, 1)),
     r"Layer 1 \(LSTM\) reads sequences .* add Reshape with target_shape \[28, 28\]"),
    ("dense on images feeding the head", spec_of(L("Dense", units=10, activation="softmax"), input_shape=(28, 28, 1)),
     r"Layer 1 \(Dense\) leaves the model's output with shape \(28, 28, 10\).*Add Flatten before layer 1"),
    ("dense on a sequence", spec_of(L("SimpleRNN", return_sequences=True), SOFTMAX_10, input_shape=(28, 28)),
     r"Layer 2 \(Dense\) .* not one prediction per example"),
    ("kernel larger than its input", spec_of(L("Conv2D", kernel_size=9), L("Flatten"), SOFTMAX_10,
                                             input_shape=(6, 6, 1)),
     r"Layer 1 \(Conv2D\) has a 9×9 window, larger than its 6×6 input; use a smaller window, padding same"),
    ("pool larger than its input", spec_of(L("MaxPooling2D", pool_size=4), L("Flatten"), SOFTMAX_10,
                                           input_shape=(3, 3, 2)), "larger than its 3×3 input"),
    ("zero units", spec_of(LayerSpec("Dense", {"units": 0}), SOFTMAX_10), "Layer 1 .Dense.: units is 0; it must be at least 1"),
    ("negative filters", spec_of(LayerSpec("Conv2D", {"filters": -4}), input_shape=(28, 28, 1)),
     "filters is -4; it must be at least 1"),
    ("zero kernel", spec_of(LayerSpec("Conv2D", {"kernel_size": 0}), input_shape=(28, 28, 1)),
     "kernel_size is 0; it must be at least 1"),
    ("dropout of one", spec_of(LayerSpec("Dropout", {"rate": 1.0}), SOFTMAX_10), "rate is 1; it must be from 0 up to below 1"),
    ("negative dropout", spec_of(LayerSpec("Dropout", {"rate": -0.1}), SOFTMAX_10), "rate is -0.1; it must be at least 0"),
    ("wrong number of outputs", spec_of(L("Dense", units=5, activation="softmax")),
     r"The last layer \(layer 1, Dense\) has 5 outputs but the dataset has 10 classes; set it to 10 units"),
    ("softmax on one unit", spec_of(L("Dense", units=1, activation="softmax"), loss="binary_crossentropy"),
     "Layer 1 puts softmax on one unit"),
    ("binary loss on ten classes", spec_of(SOFTMAX_10, loss="binary_crossentropy"),
     "binary_crossentropy is for two classes, but this dataset has 10"),
    ("cross-entropy without probabilities", spec_of(L("Dense", units=10, activation="linear")),
     "expects probabilities, but the model's last activation is linear; end with softmax"),
    ("too many parameters", spec_of(L("Dense", units=8000), SOFTMAX_10),
     r"The model has 6,360,010 parameters, more than this server's limit of 5,000,000: its weights take 25 MB"),
    ("no layers", spec_of(), "The model has no layers yet"),
    ("input shape the data does not have", spec_of(SOFTMAX_10, input_shape=(100,)),
     r"The input shape \(100,\) holds 100 values, but each example of the dataset has shape \(28, 28\)"),
    ("a reshape that loses values", spec_of(L("Reshape", target_shape=(28, 27)), L("Flatten"), SOFTMAX_10),
     r"Layer 1 \(Reshape\) has target_shape \[28, 27\], 756 values, but its input \(784,\) holds 784"),
    ("a convolution as the last layer", spec_of(L("Conv2D", filters=10), input_shape=(28, 28, 1)),
     r"Layer 1 \(Conv2D\) is the last layer and outputs shape \(26, 26, 10\).*add Flatten \(or "
     r"GlobalAveragePooling2D\) after it"),
    ("a sequence as the output", spec_of(L("LSTM", units=10, return_sequences=True), input_shape=(28, 28)),
     "turn its return_sequences off, or add Flatten after it"),
    ("an embedding after another layer", spec_of(L("Dense"), L("Embedding", input_dim=64), L("Flatten"), SOFTMAX_10),
     r"Layer 2 \(Embedding\) turns word indices into vectors, so it must be the first layer"),
    ("an embedding of scaled inputs", replace(spec_of(L("Embedding", input_dim=256), L("Flatten"), SOFTMAX_10),
                                              input_scale=1 / 255),
     "the inputs are multiplied by 0.00392157; an Embedding model's input scale must be 1"),
    ("a regression metric on class numbers",
     replace(spec_of(SOFTMAX_10, loss="sparse_categorical_crossentropy"),
             compile=CompileSpec(optimizer="adam", loss="sparse_categorical_crossentropy",
                                 metrics=("accuracy", "mean_absolute_error"))),
     "The metric mean_absolute_error compares the 10 outputs with the label, but the loss "
     "sparse_categorical_crossentropy gives class numbers"),
]


@pytest.mark.parametrize("case, spec, message", NONSENSE, ids=[case for case, _, _ in NONSENSE])
def test_nonsense_is_refused_with_a_message_that_says_how_to_fix_it(case, spec, message):
    example_shape, num_classes = DATA.get(case, ((28, 28), 10))
    analysis = analyse_spec(spec, example_shape, num_classes)
    assert analysis.problems, f"{case} was not refused"
    assert any(re.search(message, str(problem)) for problem in analysis.problems), [
        str(problem) for problem in analysis.problems]
    with pytest.raises(ValueError, match=message):
        build_model(spec, example_shape, num_classes)


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"input_shape": [4], "layers": [{"type": "Transformer"}]}', "Layer 1 has type 'Transformer'"),
        ('{"input_shape": [4], "layers": [{"type": "Dense", "settings": {"unit": 3}}]}',
         "Layer 1 \\(Dense\\) has no setting 'unit'; its settings are: units"),
        ('{"input_shape": [4], "layers": [], "compile": {"optimizer": "adamax"}}', "unknown optimizer 'adamax'"),
        ('{"input_shape": [4], "layers": [], "compile": {"loss": "hinge"}}', "unknown loss 'hinge'"),
        ('{"input_shape": [4], "layers": [], "extra": 1}', "a model spec has no 'extra'"),
        ('{"input_shape": [0], "layers": []}', "an input shape is a list of whole numbers of at least 1"),
        ('{"input_shape": [4], "layers": [{"type": "Dense", "settings": {"units": "ten"}}]}',
         "units must be a whole number"),
        ("not json", "this is not valid JSON"),
        ('{"input_shape": [4], "layers": [], "compile": {"metrics": "accuracy"}}', "metrics must be a list of names"),
        ('{"input_shape": [4], "layers": [], "compile": {"metrics": 5}}', "metrics must be a list of names"),
        ('{"input_shape": [4], "layers": [{"type": "Dense", "settings": {"position": 1}}]}',
         "Layer 1 \\(Dense\\) has no setting 'position'"),
        ('{"input_shape": [4], "layers": [{"type": "Dense", "settings": [3]}]}', "settings must be an object"),
        ("[" * 100_000 + "]" * 100_000, "nested far too deeply"),
    ],
)
def test_uploaded_specs_with_unknown_types_or_settings_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        ModelSpec.from_json(text)


ACCEPTED = [
    ("same padding keeps a window larger than its input", spec_of(
        L("Conv2D", kernel_size=5, padding="same"), L("MaxPooling2D", pool_size=6, strides=2, padding="same"),
        L("GlobalAveragePooling2D"), SOFTMAX_10, input_shape=(4, 4, 1)), (16,)),
    ("one sigmoid unit with mean squared error on two classes", spec_of(
        L("Dense", units=1, activation="sigmoid"), loss="mean_squared_error"), (784,)),
]


@pytest.mark.parametrize("case, spec, example_shape", ACCEPTED, ids=[case for case, _, _ in ACCEPTED])
def test_sensible_models_are_not_refused(case, spec, example_shape):
    classes = 2 if spec.output_units == 1 else 10
    assert analyse_spec(spec, example_shape, classes).problems == ()
    build_model(spec, example_shape, classes)


def random_layer(generator: random.Random) -> LayerSpec:
    """A layer of any type with settings drawn from small ranges, so that many random stacks are valid."""
    layer_type = generator.choice(list(CATALOGUE))
    choices = {
        "Dense": {"units": [1, 3, 10], "activation": ["relu", "softmax"], "kernel_regularizer": ["none", "l2"]},
        "Conv2D": {"filters": [2, 4], "kernel_size": [1, 2, 3, 5], "strides": [1, 2, 3], "padding": ["valid", "same"]},
        "MaxPooling2D": {"pool_size": [1, 2, 3], "strides": [None, 1, 2], "padding": ["valid", "same"]},
        "AveragePooling2D": {"pool_size": [2, 3], "strides": [None, 3], "padding": ["valid", "same"]},
        "Reshape": {"target_shape": [(4, 4, 1), (16,), (4, 4), (2, 8), (2, 2, 4)]},
        "SimpleRNN": {"units": [2, 5], "return_sequences": [False, True]},
        "LSTM": {"units": [2, 5], "return_sequences": [False, True]},
        "GRU": {"units": [2, 5], "return_sequences": [False, True]},
        "Embedding": {"input_dim": [5, 50], "output_dim": [3, 4]},
    }.get(layer_type, {})
    return LayerSpec.of(layer_type, **{name: generator.choice(values) for name, values in choices.items()})


def test_random_stacks_agree_with_keras_layer_by_layer():
    """Whatever the builder accepts, Keras builds with the same shapes and counts; what it refuses, Keras refuses
    too (or it would output several predictions per example)."""
    generator, compared = random.Random(7), 0
    for _ in range(150):
        spec = ModelSpec(generator.choice([(16,), (4, 4, 1), (4, 4), (7, 7, 3), (6, 5, 2), (5, 3)]),
                         tuple(random_layer(generator) for _ in range(generator.randint(1, 4))),
                         CompileSpec(optimizer="adam", loss="mean_squared_error", metrics=()))
        analysis = analyse_spec(spec)
        layer_problems = [problem for problem in analysis.problems if "prediction per example" not in str(problem)]
        try:
            model = keras.Sequential([keras.Input(shape=spec.input_shape),
                                      *(getattr(keras.layers, layer.type)(**keras_arguments(layer))
                                        for layer in spec.layers)])
        except ValueError:
            assert layer_problems, f"accepted, but Keras refuses: {spec}"
            continue
        if any("(Embedding)" in str(problem) for problem in layer_problems):
            continue  # Keras builds these, but the builder refuses them on purpose (word indices come first, flat).
        assert not layer_problems, f"refused, but Keras builds it: {spec}\n{layer_problems[0]}"
        keras_rows = [(tuple(layer.output.shape[1:]), layer.count_params(),
                       sum(int(weight.numpy().size) for weight in layer.trainable_weights)) for layer in model.layers]
        assert [(row.output_shape, row.parameters, row.trainable_parameters) for row in analysis.rows] == keras_rows
        compared += 1
    assert compared >= 40, f"only {compared} random stacks were valid: the generator needs tuning"
