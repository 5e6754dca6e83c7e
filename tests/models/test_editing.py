"""The builder's edits, links that carry a model, and the words that explain compile settings."""

import pytest

from core.models.analysis import analyse_spec
from core.models.compile_options import compile_summary, suggested_loss
from core.models.editing import (
    change_compile,
    change_input_shape,
    change_setting,
    duplicate_layer,
    input_shape_options,
    insert_layer,
    move_layer,
    parse_shape,
    remove_layer,
)
from core.models.presets import PRESETS
from core.models.share_link import spec_from_token, spec_token

DENSE512 = PRESETS["mnist-dense512"].spec


def layer_types(spec):
    return [layer.type for layer in spec.layers]


def test_a_hand_built_cnn_goes_from_refused_to_ready():
    spec = change_input_shape(DENSE512, (28, 28, 1))
    spec = remove_layer(spec, 1)
    for position, layer_type in enumerate(("Conv2D", "MaxPooling2D"), start=1):
        spec = insert_layer(spec, position, layer_type)
    spec = insert_layer(spec, 3, "Dense")
    assert layer_types(spec) == ["Conv2D", "MaxPooling2D", "Dense", "Dense"]
    assert "Add Flatten before layer 3" in str(analyse_spec(spec, (28, 28), 10).problems[0])

    spec = insert_layer(spec, 3, "Flatten")
    analysis = analyse_spec(spec, (28, 28), 10)
    assert analysis.ok
    assert [row.output_shape for row in analysis.rows] == [(26, 26, 32), (13, 13, 32), (5408,), (64,), (10,)]


def test_duplicate_move_and_remove_keep_everything_else():
    spec = change_setting(DENSE512, 1, "units", 100)
    spec = duplicate_layer(spec, 1)
    assert [layer.settings["units"] for layer in spec.layers] == [100, 100, 10]
    spec = move_layer(spec, 3, -1)
    assert [layer.settings["units"] for layer in spec.layers] == [100, 10, 100]
    assert move_layer(spec, 1, -5) == spec, "a move past the top stays at the top"
    assert layer_types(remove_layer(spec, 2)) == ["Dense", "Dense"]
    assert DENSE512.layers[0].settings["units"] == 512, "the preset itself is never changed"


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda spec: change_setting(spec, 1, "units", 0), "units is 0; it must be at least 1"),
        (lambda spec: change_setting(spec, 1, "activation", "swish"), "choose one of: relu"),
        (lambda spec: change_setting(spec, 1, "filters", 3), "has no setting 'filters'"),
        (lambda spec: remove_layer(spec, 3), "there is no layer 3; positions run from 1 to 2"),
        (lambda spec: insert_layer(spec, 1, "Conv3D"), "'Conv3D', which Keras Lab cannot build"),
        (lambda spec: change_compile(spec, learning_rate=0.0), "the learning rate must be a number above 0"),
        (lambda spec: change_compile(spec, learning_rate=float("inf")), "the learning rate must be a number above 0"),
        (lambda spec: change_compile(spec, momentum=1.5), "momentum must be from 0 up to below 1"),
    ],
)
def test_a_refused_edit_says_why(edit, message):
    with pytest.raises(ValueError, match=message):
        edit(DENSE512)


def test_input_shapes_offered_for_each_kind_of_data():
    assert input_shape_options((28, 28)) == [(28, 28), (784,), (28, 28, 1)]
    assert input_shape_options((3,)) == [(3,), (3, 1)]
    assert input_shape_options((128, 128, 3)) == [(128, 128, 3), (49152,)]
    assert parse_shape("[28, 28]") == (28, 28)
    with pytest.raises(ValueError, match="is not a shape"):
        parse_shape("28, zero")


@pytest.mark.parametrize("name", list(PRESETS))
def test_a_link_carries_the_whole_model(name):
    spec = duplicate_layer(PRESETS[name].spec, 1)
    token = spec_token(spec)
    assert spec_from_token(token) == spec
    assert len(token) < 1000, "short enough for any browser's address bar"


@pytest.mark.parametrize("token", ["", "not-a-token", spec_token(DENSE512)[:40], "eJwLycgsVgCiRIWS1OISAC0gBd0"])
def test_a_damaged_link_is_refused_with_words(token):
    with pytest.raises(ValueError, match="damaged|not valid JSON|model spec"):
        spec_from_token(token)


def test_compile_words():
    assert suggested_loss(PRESETS["imdb-simplernn30"].spec, 2) == "binary_crossentropy"
    assert suggested_loss(DENSE512, 10) == "categorical_crossentropy"
    assert compile_summary(change_compile(DENSE512, optimizer="sgd", momentum=0.9).compile) == (
        "sgd, learning rate 0.01 (its default), momentum 0.9")
