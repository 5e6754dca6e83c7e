"""Code out: a `ModelSpec` and its `TrainingConfig` as a standalone Keras script, in the classic examples' style.

The script needs only Keras, NumPy and the standard library (and OpenCV for photos). It loads the data the way
Keras Lab does, builds the same model (same layers, settings, optimizer and seed), trains it with the same
settings and evaluates it, so what a learner built leaves the dashboard as code they can read and run anywhere.
Nothing here imports Keras, so a page can show the code at once. A spec's JSON form is `spec.to_json()`.
"""

from __future__ import annotations

import inspect
import json
import textwrap
from dataclasses import dataclass
from string import Template
from typing import Any

from core.data.builtin import alphabet_windows, spiral_points
from core.data.dataset import DatasetOutline, dataset_outline
from core.models.spec import CompileSpec, LayerSpec, ModelSpec, TrainingConfig

_OPTIMIZER_CLASS_NAMES = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW", "adagrad": "Adagrad"}
"""The `keras.optimizers` class each optimizer name stands for (by name: `core.models.build` holds the classes)."""

_POOLING_DEFAULTS = {"strides": None, "padding": "valid"}
_RECURRENT_DEFAULTS = {"activation": "tanh", "return_sequences": False}
_KERAS_DEFAULTS: dict[str, dict[str, Any]] = {
    "Conv2D": {"strides": 1, "padding": "valid"},
    "MaxPooling2D": _POOLING_DEFAULTS,
    "AveragePooling2D": _POOLING_DEFAULTS,
    "SimpleRNN": _RECURRENT_DEFAULTS,
    "LSTM": _RECURRENT_DEFAULTS,
    "GRU": _RECURRENT_DEFAULTS,
}
"""Settings that equal Keras's own default and so are left out of a layer's line, to keep it short.

Only Keras's defaults count here, never the catalogue's: a Dense layer's catalogue default is ReLU, Keras's is
no activation, so `activation` is always written.
"""


@dataclass(frozen=True)
class DataCode:
    """How the script gets one dataset: its settings, its functions (`load_data` last) and its `--data` option.

    `data_help` None means the data is generated and the script has no `--data` option.
    """

    functions: str
    constants: tuple[str, ...] = ()
    data_help: str | None = None
    data_required: bool = False
    imports: tuple[str, ...] = ()


_READ_NPZ = '''
def read_npz(path):
    """The four arrays keras.datasets returns, read from an .npz file (no download, no pickled objects)."""
    with np.load(path, allow_pickle=False) as archive:
        return (archive["x_train"], archive["y_train"]), (archive["x_test"], archive["y_test"])
'''

_DOWNLOADED = '''

def downloaded(load, what, offline):
    """What keras.datasets gives, or a sentence instead of Keras's traceback when the download fails."""
    try:
        return load()
    except Exception as error:  # Keras turns every failed fetch (no network, a proxy, a timeout) into an Exception.
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise SystemExit(f"could not download {what} ({reason}). No network? {offline}")
'''

_MNIST = DataCode(
    functions=_READ_NPZ + _DOWNLOADED + '''

def load_data(path):
    """MNIST from keras.datasets (downloaded once into ~/.keras/datasets), or from an .npz file (--data)."""
    if path is not None:
        return read_npz(path)
    return downloaded(keras.datasets.mnist.load_data, "MNIST",
                      "Run it with --data core/data/mnist_sample.npz, the 5,000 real digits Keras Lab ships.")
''',
    data_help="an .npz file with x_train, y_train, x_test and y_test to use instead of keras.datasets.mnist, "
              "which downloads; offline, use the 5,000 real digits Keras Lab ships in core/data/mnist_sample.npz",
)

_IMDB = DataCode(
    functions=_READ_NPZ + _DOWNLOADED + '''

def load_data(path):
    """IMDB reviews as word indices (the NUM_WORDS most frequent words), cut or zero-padded to MAXLEN as
    pad_sequences does (it keeps a review's last MAXLEN words); or already padded arrays from an .npz (--data)."""
    if path is not None:
        return read_npz(path)
    (x_train, y_train), (x_test, y_test) = downloaded(
        lambda: keras.datasets.imdb.load_data(num_words=NUM_WORDS), "the IMDB reviews",
        "Copy imdb.npz into ~/.keras/datasets, or run it with --data and an .npz of padded reviews.")
    x_train = keras.utils.pad_sequences(x_train, maxlen=MAXLEN)
    x_test = keras.utils.pad_sequences(x_test, maxlen=MAXLEN)
    return (x_train, y_train), (x_test, y_test)
''',
    constants=("NUM_WORDS = 1000", "MAXLEN = 100"),
    data_help="an .npz file with x_train, y_train, x_test and y_test (reviews already padded to MAXLEN word "
              "indices) to use instead of keras.datasets.imdb, which downloads",
)

_SPIRAL = DataCode(
    functions="\n" + inspect.getsource(spiral_points) + '''

def load_data():
    """A seeded spiral to train on and an independent draw of the same spiral (the next seed) to test on."""
    train = spiral_points(POINTS_PER_CLASS, NUM_CLASSES, NOISE, SPIRAL_SEED)
    test = spiral_points(POINTS_PER_CLASS, NUM_CLASSES, NOISE, SPIRAL_SEED + 1)
    return train, test
''',
    constants=("POINTS_PER_CLASS = 100", "NOISE = 0.2", "SPIRAL_SEED = 0"),
)

_ALPHABET = DataCode(
    functions="\n" + inspect.getsource(alphabet_windows) + '''

def load_data():
    """The next-letter task. There are only 23 windows, so, as in the classic example, the model is tested on
    the windows it learns."""
    windows, next_letters = alphabet_windows(NUM_CLASSES, WINDOW)
    return (windows, next_letters), (windows.copy(), next_letters.copy())
''',
    constants=("WINDOW = 3",),
)

_CATSDOGS = DataCode(
    functions='''
def read_image(file):
    """One photo as RGB (OpenCV reads BGR), resized to the model's height and width; None if it is unreadable."""
    image = cv2.imread(str(file))
    if image is None:
        return None
    image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    return cv2.resize(image, (INPUT_SHAPE[1], INPUT_SHAPE[0]))  # OpenCV sizes are (width, height).


def load_data(folder):
    """Photos named cat.1.jpg, dog.2.jpg... (the class is the name before the first dot), TEST_FRACTION of
    them held out at random (SPLIT_SEED) to test on."""
    if not folder.is_dir():
        raise SystemExit(f"{folder} is not a folder: give --data the folder that holds the photos")
    images, labels, skipped = [], [], 0
    for file in sorted(folder.iterdir()):
        name = file.name.split(".")[0]
        if name not in CLASS_NAMES:
            continue
        image = read_image(file)
        if image is None:
            skipped += 1
            continue
        images.append(image)
        labels.append(CLASS_NAMES.index(name))
    print(f"read {len(images)} photos from {folder}, skipped {skipped} unreadable files")
    if not images:
        raise SystemExit(f"no readable photos named cat.N.jpg or dog.N.jpg in {folder}")
    x, y = np.stack(images), np.array(labels, dtype=np.uint8)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(x))
    test, train = np.split(order, [int(len(x) * TEST_FRACTION)])
    return (x[train], y[train]), (x[test], y[test])
''',
    constants=('CLASS_NAMES = ("cat", "dog")  # sorted: cat = 0, dog = 1', "TEST_FRACTION = 0.2", "SPLIT_SEED = 0"),
    data_help="the folder of photos named cat.N.jpg and dog.N.jpg (as in Kaggle's Dogs vs. Cats)",
    data_required=True,
    imports=("cv2",),
)

DATA_CODE: dict[str, DataCode] = {
    "mnist": _MNIST, "spiral": _SPIRAL, "alphabet": _ALPHABET, "imdb": _IMDB, "catsdogs": _CATSDOGS,
}
"""Every dataset's loading code. It reads INPUT_SHAPE and NUM_CLASSES at run time, so it is the same for every spec."""


def _literal(value: Any) -> str:
    """A setting as Python source, strings in double quotes as the Keras examples write them."""
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _scale_literal(scale: float) -> str:
    """`1 / 255` rather than 0.00392156862745098, when that is exactly the same number."""
    divisor = round(1 / scale)
    return f"1 / {divisor}" if scale < 1 and 1 / divisor == scale else repr(float(scale))


def _layer_source(layer: LayerSpec) -> str:
    """`layers.Dense(512, activation="relu")`: the first setting positional, as the classic examples write it."""
    settings = dict(layer.settings)
    regularizer = settings.pop("kernel_regularizer", "none")
    factor = settings.pop("regularization_factor", None)
    defaults = _KERAS_DEFAULTS.get(layer.type, {})
    first = next(iter(settings), None)
    arguments = [
        _literal(value) if name == first else f"{name}={_literal(value)}"
        for name, value in settings.items()
        if name == first or name not in defaults or value != defaults[name]
    ]
    if regularizer != "none":
        arguments.append(f"kernel_regularizer=regularizers.{regularizer}({factor!r})")
    return f"layers.{layer.type}({', '.join(arguments)})"


def _optimizer_source(compile_spec: CompileSpec) -> str:
    """The optimizer object; the learning rate and momentum are named constants when the spec sets them."""
    arguments = []
    if compile_spec.learning_rate is not None:
        arguments.append("learning_rate=LEARNING_RATE")
    if compile_spec.optimizer == "sgd" and compile_spec.momentum:
        arguments.append("momentum=MOMENTUM")
    return f"keras.optimizers.{_OPTIMIZER_CLASS_NAMES[compile_spec.optimizer]}({', '.join(arguments)})"


def _docstring_text(text: str) -> str:
    """User text made safe inside a triple-quoted docstring: one line, backslashes and quotes escaped."""
    return " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"')


def _header(title: str, outline: DatasetOutline, data: DataCode) -> str:
    """The module docstring, which is also the script's --help text."""
    needs = "Keras 3 and NumPy" + (", and OpenCV (cv2) to read the photos" if "cv2" in data.imports else "")
    about = textwrap.fill(
        f"Exported from Keras Lab. Data: {outline.title}, loaded as Keras Lab loads it. The script builds the same "
        f"model, trains it with the same settings and evaluates it on the test set. Needs {needs}.",
        width=110,
    )
    return f'"""{_docstring_text(title) or "A model built in Keras Lab"}\n\n{about}\n"""'


def _imports(spec_layers: tuple[LayerSpec, ...], data: DataCode) -> str:
    """Only what the script uses, grouped as isort would: a script that runs anywhere Keras does."""
    standard = ["import argparse"] + (["from pathlib import Path"] if data.data_help else [])
    regularised = any(layer.settings.get("kernel_regularizer", "none") != "none" for layer in spec_layers)
    keras_modules = "layers, regularizers" if regularised else "layers"
    third_party = [f"import {name}" for name in data.imports] + [
        "import keras", "import numpy as np", f"from keras import {keras_modules}",
    ]
    return "\n".join(standard) + "\n\n" + "\n".join(third_party)


def _constants(spec: ModelSpec, config: TrainingConfig, outline: DatasetOutline, data: DataCode) -> str:
    """Every setting as an UPPER_CASE constant at the top, where a learner looks to change it."""
    lines = [f"SEED = {config.seed}", f"EPOCHS = {config.epochs}", f"BATCH_SIZE = {config.batch_size}"]
    if not config.validate_on_test:
        lines.append(f"VALIDATION_SPLIT = {config.validation_split!r}  # held back from the end of the training data")
    lines += [
        f"INPUT_SHAPE = {tuple(spec.input_shape)!r}",
        f"INPUT_SCALE = {_scale_literal(spec.input_scale)}  # raw inputs are multiplied by this before training",
        f"NUM_CLASSES = {outline.num_classes}",
    ]
    if spec.compile.learning_rate is not None:
        lines.append(f"LEARNING_RATE = {spec.compile.learning_rate!r}")
    if spec.compile.optimizer == "sgd" and spec.compile.momentum:
        lines.append(f"MOMENTUM = {spec.compile.momentum!r}")
    return "\n".join(lines + list(data.constants))


_PREPARE = Template('''
def prepare(x, y):
    """Each example reshaped to INPUT_SHAPE and scaled, as float32, as Keras Lab does; labels $labels."""
    x = x.reshape((len(x), *INPUT_SHAPE)).astype("float32") * np.float32(INPUT_SCALE)
    return x, $label_expression
''')


def _prepare_source(spec: ModelSpec) -> str:
    """`prepare`: what `core.models.inputs.prepare_inputs` and `prepare_labels` do, in two lines."""
    if spec.uses_one_hot_labels:
        return _PREPARE.substitute(labels="one-hot",
                                   label_expression="keras.utils.to_categorical(y, NUM_CLASSES)")
    return _PREPARE.substitute(labels="as integer class indices", label_expression='y.astype("int32")')


def _build_source(spec: ModelSpec, spec_layers: tuple[LayerSpec, ...]) -> str:
    """`build_model`: the model as a `keras.Sequential` list, compiled as `core.models.build.build_model` does."""
    lines = ["keras.Input(shape=INPUT_SHAPE),", *(f"{_layer_source(layer)}," for layer in spec_layers)]
    listed = textwrap.indent("\n".join(lines), " " * 12)
    return f'''
def build_model():
    """The layers in Keras Lab's order, compiled with its optimizer, loss and metrics."""
    model = keras.Sequential(
        [
{listed}
        ]
    )
    model.compile(
        optimizer={_optimizer_source(spec.compile)},
        loss={_literal(spec.compile.loss)},
        metrics={json.dumps(list(spec.compile.metrics))},
    )
    return model
'''


_MAIN = Template('''
def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="how many epochs to train (default: %(default)s)")
    parser.add_argument("--limit", type=int, help="use only the first N training and at most N test examples")
$data_option    args = parser.parse_args()

    (x_train, y_train), (x_test, y_test) = load_data($data_argument)
    if args.limit is not None:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
        x_test, y_test = x_test[: args.limit], y_test[: args.limit]
    x_train, y_train = prepare(x_train, y_train)
    x_test, y_test = prepare(x_test, y_test)
    print(f"x_train {x_train.shape}, x_test {x_test.shape}")

    keras.utils.set_random_seed(SEED)
    model = build_model()
    model.summary()
    model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=args.epochs, $validation)
    scores = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
    print($scores)


if __name__ == "__main__":
    main()
''')


def _data_option(data: DataCode) -> str:
    """The `--data` argument, its help text cut into string literals that fit on a line."""
    if data.data_help is None:
        return ""
    chunks = textwrap.wrap(data.data_help, width=90, break_long_words=False, break_on_hyphens=False)
    literals = [_literal(chunk + " ") for chunk in chunks[:-1]] + [_literal(chunks[-1])]
    arguments = ['"--data"', "type=Path", *(["required=True"] if data.data_required else []),
                 "help=" + "\n        ".join(literals)]
    return "    parser.add_argument(\n" + "".join(f"        {argument},\n" for argument in arguments) + "    )\n"


def _main_source(spec: ModelSpec, config: TrainingConfig, data: DataCode) -> str:
    """`main`: the options, then load, prepare, seed, build, fit and evaluate, as the Train page does."""
    scores = ", ".join(
        f"test {name.replace('_', ' ')} {{scores[{name!r}]:.4f}}" for name in ("loss", *spec.compile.metrics)
    )
    return _MAIN.substitute(
        data_option=_data_option(data),
        data_argument="" if data.data_help is None else "args.data",
        validation="validation_data=(x_test, y_test)" if config.validate_on_test
        else "validation_split=VALIDATION_SPLIT",
        scores=f'f"{scores}"',
    )


def python_script(spec: ModelSpec, config: TrainingConfig, dataset: str, title: str = "") -> str:
    """A standalone script that trains `spec` on `dataset` as Keras Lab would (ValueError: unknown dataset).

    A spec with problems (see `core.models.analysis.check_spec`) is written out as it stands, so the Build page can show
    the code of whatever is being built; the script then fails where Keras Lab would refuse to train.
    """
    outline = dataset_outline(dataset)
    data = DATA_CODE[dataset]
    spec_layers = tuple(LayerSpec.of(layer.type, position, **layer.settings)
                        for position, layer in enumerate(spec.layers, start=1))
    head = (_header(title, outline, data), _imports(spec_layers, data), _constants(spec, config, outline, data))
    functions = (data.functions, _prepare_source(spec), _build_source(spec, spec_layers),
                 _main_source(spec, config, data))
    return "\n\n".join(head) + "\n\n" + "\n\n".join(function.rstrip() for function in functions) + "\n"
