"""The Build page through AppTest: live shapes and counts, edits, refusals, compile settings and links."""

import json
import os
from pathlib import Path

from conftest import wait_until
from page_support import APP, key_of, open_app, page_text, visit
from streamlit.testing.v1 import AppTest

from core.models.editing import remove_layer
from core.models.presets import PRESETS
from core.models.share_link import spec_from_token, spec_token


def summary(app: AppTest) -> list[tuple[str, str, object]]:
    table = app.dataframe[0].value
    return list(zip(table["Layer"], table["Output shape"], table["Param #"]))


def totals(app: AppTest) -> str:
    return next(item.value for item in app.markdown if item.value.startswith("**Total params**"))


def layer_names(app: AppTest) -> list[str]:
    return [name.split(" · ", 1)[1] for name, _, _ in summary(app)[1:]]


def errors(app: AppTest) -> str:
    return "\n".join(element.value for element in app.error)


def build_page(preset: str = "mnist-dense512") -> AppTest:
    app = visit(open_app(), "build")
    if preset != "mnist-dense512":
        app.selectbox(key="preset").set_value(preset).run()
    return app


def test_the_summary_matches_keras_and_edits_update_it_live():
    app = build_page()
    assert summary(app) == [("Input", "(None, 784)", 0), ("1 · Dense 512 relu", "(None, 512)", 401920),
                            ("2 · Dense 10 softmax", "(None, 10)", 5130)]
    assert totals(app) == "**Total params** 407,050 · **Trainable** 407,050 · **Non-trainable** 0"
    assert "Ready to train: 2 layers, 407,050 parameters." in app.success[0].value

    app.number_input(key=key_of(app, "number_input", "layer1-", "-units")).set_value(128).run()
    assert summary(app)[1] == ("1 · Dense 128 relu", "(None, 128)", 100480)
    assert totals(app).startswith("**Total params** 101,770 ·")
    assert "mnist-dense512`, edited" in app.sidebar.markdown[0].value
    assert spec_from_token(app.query_params["spec"]).layers[0].settings["units"] == 128


def test_adding_moving_and_removing_layers():
    app = build_page()
    app.selectbox(key="build_add_type").set_value("Dropout").run()
    add = next(button for button in app.button if button.label == "Add layer")
    add.click().run()
    assert layer_names(app) == ["Dense 512 relu", "Dropout 0.25", "Dense 10 softmax"]

    app.button(key=key_of(app, "button", "layer2-", "-up")).click().run()
    assert layer_names(app)[:2] == ["Dropout 0.25", "Dense 512 relu"]
    app.button(key=key_of(app, "button", "layer2-", "-copy")).click().run()
    assert layer_names(app)[:3] == ["Dropout 0.25", "Dense 512 relu", "Dense 512 relu"]
    app.button(key=key_of(app, "button", "layer1-", "-remove")).click().run()
    assert layer_names(app) == ["Dense 512 relu", "Dense 512 relu", "Dense 10 softmax"]
    assert totals(app).startswith(f"**Total params** {784 * 512 + 512 + 512 * 512 + 512 + 5130:,} ·")
    assert not app.exception


def test_nonsense_is_refused_on_the_page_and_train_will_not_start_it():
    app = build_page()
    app.number_input(key=key_of(app, "number_input", "layer2-", "-units")).set_value(5).run()
    assert "has 5 outputs but the dataset has 10 classes; set it to 10 units" in errors(app)
    assert not app.success
    visit(app, "train")
    assert "This model cannot train yet" in errors(app)
    assert next(button for button in app.button if button.label == "Start training").disabled


def test_a_cnn_preset_shows_its_shapes_and_a_flat_input_breaks_it():
    app = build_page("mnist-cnn-4conv")
    rows = summary(app)
    assert rows[1:3] == [("1 · Conv2D 32 5×5 same relu", "(None, 28, 28, 32)", 832),
                         ("2 · Conv2D 32 5×5 same relu", "(None, 28, 28, 32)", 25632)]
    assert rows[9] == ("9 · Flatten", "(None, 3136)", 0)
    assert totals(app).startswith("**Total params** 887,530 ·")
    app.selectbox(key=key_of(app, "selectbox", "input-", "-shape")).set_value((784,)).run()
    assert "Layer 1 (Conv2D) needs images of shape (height, width, channels)" in errors(app)
    next(button for button in app.button if button.label == "Back to the preset's model").click().run()
    assert not app.error and totals(app).startswith("**Total params** 887,530 ·")


def test_compile_settings_are_edited_and_explained():
    app = build_page()
    app.selectbox(key=key_of(app, "selectbox", "compile-", "-optimizer")).set_value("sgd").run()
    app.number_input(key=key_of(app, "number_input", "compile-", "-momentum")).set_value(0.9).run()
    app.selectbox(key=key_of(app, "selectbox", "compile-", "-loss")).set_value("sparse_categorical_crossentropy").run()
    captions = "\n".join(caption.value for caption in app.caption)
    assert "sgd, learning rate 0.01 (its default), momentum 0.9" in captions
    assert "Labels are given as class numbers" in captions
    assert "the usual loss is **categorical_crossentropy**" in captions
    app.selectbox(key=key_of(app, "selectbox", "compile-", "-loss")).set_value("binary_crossentropy").run()
    assert "binary_crossentropy is for two classes, but this dataset has 10" in errors(app)


def test_a_link_with_an_edited_model_opens_it_and_a_damaged_one_says_so():
    app = build_page()
    app.number_input(key=key_of(app, "number_input", "layer1-", "-units")).set_value(64).run()
    token = app.query_params["spec"]

    reloaded = AppTest.from_file(APP, default_timeout=120)
    reloaded.query_params["spec"] = token
    visit(reloaded.run(), "build")
    assert summary(reloaded)[1] == ("1 · Dense 64 relu", "(None, 64)", 50240)

    damaged = AppTest.from_file(APP, default_timeout=120)
    damaged.query_params["spec"] = token[:30]
    visit(damaged.run(), "build")
    assert "The link's model could not be opened" in damaged.warning[0].value
    assert summary(damaged)[1] == ("1 · Dense 512 relu", "(None, 512)", 401920)


def test_a_preset_without_its_data_yet_builds_but_does_not_train():
    app = build_page("imdb-simplernn30")
    assert summary(app)[1:] == [("1 · Embedding 1000→64", "(None, 100, 64)", 64000),
                                ("2 · SimpleRNN 30", "(None, 30)", 2850), ("3 · Dense 16 relu", "(None, 16)", 496),
                                ("4 · Dense 1 sigmoid", "(None, 1)", 17)]
    assert not app.success, "never 'Ready to train' while the data is missing"
    [status] = app.info
    assert status.value.startswith("The model is valid (4 layers, 67,363 parameters), but it cannot train here yet: "
                                   "keras.datasets.imdb is not cached"), "offline, uncached: as Train says"
    assert "It needs 19.1 MB: copy imdb.npz and imdb_word_index.json" in status.value
    visit(app, "train")
    assert "cannot train here yet" in app.info[0].value and "19.1 MB" in app.info[0].value
    assert not app.exception


def test_cats_vs_dogs_builds_and_asks_for_its_photos():
    app = build_page("catsdogs-cnn")
    assert not app.success and len(app.info) == 1
    assert "cannot train here yet: it is not built into Keras Lab: upload yours on the Data page" in app.info[0].value
    visit(app, "train")
    assert "cannot train here yet: it is not built into Keras Lab: upload yours on the Data page" in app.info[0].value
    assert not app.exception


def test_pool_strides_and_the_learning_rate_can_be_set_and_given_back_to_their_defaults():
    app = build_page("mnist-cnn-2conv")
    strides = key_of(app, "selectbox", "layer3-", "-strides")
    assert app.selectbox(key=strides).value == 0, "0 stands for 'same as the pool size'"
    app.selectbox(key=strides).set_value(1).run()
    assert summary(app)[3] == ("3 · MaxPooling2D 2×2 stride 1", "(None, 19, 19, 64)", 0)
    app.selectbox(key=strides).set_value(0).run()
    assert summary(app)[3] == ("3 · MaxPooling2D 2×2", "(None, 10, 10, 64)", 0)
    app.number_input(key=key_of(app, "number_input", "compile-", "-learning_rate")).set_value(0.05).run()
    assert "adam, learning rate 0.05." in "\n".join(caption.value for caption in app.caption)
    next(button for button in app.button if button.label == "Use the optimizer's default").click().run()
    assert "adam, learning rate 0.001 (its default)." in "\n".join(caption.value for caption in app.caption)
    assert not app.exception and not app.warning


def test_a_refused_shape_is_said_and_the_field_shows_the_model_again():
    app = build_page("mnist-dense512")
    app.selectbox(key="build_add_type").set_value("Reshape").run()
    app.number_input(key=key_of(app, "number_input", "add-", "-position")).set_value(1).run()
    next(button for button in app.button if button.label == "Add layer").click().run()
    target = key_of(app, "text_input", "layer1-", "-target_shape")
    assert app.text_input(key=target).value == "28, 28"
    app.text_input(key=target).set_value("28 x 28").run()
    assert "'28 x 28' is not a shape" in app.warning[0].value
    assert app.text_input(key=key_of(app, "text_input", "layer1-", "-target_shape")).value == "28, 28"


def test_train_trains_the_model_as_edited_and_keeps_it_with_the_run():
    app = build_page("spiral-dense10")
    app.number_input(key=key_of(app, "number_input", "layer1-", "-units")).set_value(16).run()
    visit(app, "train").number_input(key="train_epochs").set_value(2).run()
    assert "as you edited it on Build" in "\n".join(element.value for element in app.markdown)
    next(button for button in app.button if button.label == "Start training").click().run()
    wait_until(lambda: app.run() and "finished, test accuracy" in app.sidebar.markdown[-1].value, every=0.3)
    record = json.loads((Path(os.environ["KERAS_LAB_HOME"]) / "runs" / app.query_params["run"] / "run.json").read_text())
    assert [layer["settings"]["units"] for layer in record["spec"]["layers"]] == [16, 3]


def test_a_model_keras_would_refuse_offers_no_script_and_says_why():
    broken = remove_layer(PRESETS["mnist-dense512"].spec, 2)  # Dense 512 as the output of ten classes.
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params.update({"preset": "mnist-dense512", "spec": spec_token(broken)})
    visit(app.run(), "build")
    script, spec_file = app.get("download_button")
    assert script.proto.disabled and not spec_file.proto.disabled, "the spec can still be downloaded and fixed"
    assert "Offered once the model is valid" in page_text(app)
    assert any(warning.value.startswith("This script will not run yet: ") for warning in app.warning)

    valid = build_page("mnist-softmax")
    assert not valid.get("download_button")[0].proto.disabled
    assert valid.success[0].value == "Ready to train: 1 layer, 7,850 parameters.", "one layer, not '1 layers'"
