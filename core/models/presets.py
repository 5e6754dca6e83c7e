"""The classic examples a learner meets, each as a ready-made `ModelSpec` with its training defaults."""

from __future__ import annotations

from dataclasses import dataclass

from core.models.spec import CompileSpec, LayerSpec, ModelSpec, TrainingConfig


@dataclass(frozen=True)
class Preset:
    """A classic example: the model, the dataset it was written for and how it was trained."""

    name: str
    title: str
    description: str
    dataset_name: str
    spec: ModelSpec
    training: TrainingConfig


L = LayerSpec.of
PIXELS = 1 / 255
"""The classic examples divide pixels (0–255) by 255 before training."""


def _dense_head(*hidden: LayerSpec, classes: int = 10) -> tuple[LayerSpec, ...]:
    return (*hidden, L("Dense", units=classes, activation="softmax"))


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            name="mnist-dense512",
            title="MNIST: one hidden layer of 512",
            description=(
                "The first example of most Keras courses: each 28×28 digit flattened to 784 numbers in [0, 1], "
                "one hidden Dense layer of 512 ReLU units and a 10-way softmax, trained with RMSprop on one-hot labels."
            ),
            dataset_name="mnist",
            spec=ModelSpec(
                input_shape=(784,),
                layers=_dense_head(L("Dense", units=512, activation="relu")),
                compile=CompileSpec(optimizer="rmsprop", loss="categorical_crossentropy"),
                input_scale=PIXELS,
            ),
            training=TrainingConfig(epochs=5, batch_size=128),
        ),
        Preset(
            name="mnist-softmax",
            title="MNIST: softmax regression",
            description=(
                "No hidden layer at all: 784 pixels straight into 10 softmax units, trained with plain SGD. The "
                "classic baseline reaches about 92% on the full MNIST; every hidden layer is measured against it."
            ),
            dataset_name="mnist",
            spec=ModelSpec(
                input_shape=(784,),
                layers=_dense_head(),
                compile=CompileSpec(optimizer="sgd", loss="categorical_crossentropy"),
                input_scale=PIXELS,
            ),
            training=TrainingConfig(epochs=200, batch_size=128, validation_split=0.2),
        ),
        Preset(
            name="mnist-mlp-2x128-dropout",
            title="MNIST: two hidden layers of 128 with dropout",
            description=(
                "Two hidden layers of 128 ReLU units, each followed by Dropout 0.3 against over-fitting, trained "
                "with Adam; 20% of the training digits are held back for validation. About 97–98% on the full MNIST."
            ),
            dataset_name="mnist",
            spec=ModelSpec(
                input_shape=(784,),
                layers=_dense_head(L("Dense", units=128, activation="relu"), L("Dropout", rate=0.3),
                                   L("Dense", units=128, activation="relu"), L("Dropout", rate=0.3)),
                compile=CompileSpec(optimizer="adam", loss="categorical_crossentropy"),
                input_scale=PIXELS,
            ),
            training=TrainingConfig(epochs=20, batch_size=128, validation_split=0.2),
        ),
        Preset(
            name="mnist-cnn-4conv",
            title="MNIST: CNN with four convolutions",
            description=(
                "Two blocks of two 'same' convolutions (32 filters 5×5, then 64 filters 3×3), each block max-pooled "
                "and followed by Dropout 0.25, then Dense 256 and the softmax. Adam, batch 128, 10 epochs, watching "
                "the test set as validation data; 99% or more on the full MNIST."
            ),
            dataset_name="mnist",
            spec=ModelSpec(
                input_shape=(28, 28, 1),
                layers=_dense_head(
                    L("Conv2D", filters=32, kernel_size=5, padding="same", activation="relu"),
                    L("Conv2D", filters=32, kernel_size=5, padding="same", activation="relu"),
                    L("MaxPooling2D", pool_size=2),
                    L("Dropout", rate=0.25),
                    L("Conv2D", filters=64, kernel_size=3, padding="same", activation="relu"),
                    L("Conv2D", filters=64, kernel_size=3, padding="same", activation="relu"),
                    L("MaxPooling2D", pool_size=2, strides=2),
                    L("Dropout", rate=0.25),
                    L("Flatten"),
                    L("Dense", units=256, activation="relu"),
                    L("Dropout", rate=0.25),
                ),
                compile=CompileSpec(optimizer="adam", loss="categorical_crossentropy"),
                input_scale=PIXELS,
            ),
            training=TrainingConfig(epochs=10, batch_size=128, validate_on_test=True),
        ),
        Preset(
            name="mnist-cnn-2conv",
            title="MNIST: CNN with two convolutions",
            description=(
                "The classic small CNN: 32 then 64 filters of 5×5 with ReLU, one 2×2 max-pool, Flatten, Dense 128 "
                "and the softmax. Trained with Adam for 5 epochs of batch 128 (Keras Lab's choice)."
            ),
            dataset_name="mnist",
            spec=ModelSpec(
                input_shape=(28, 28, 1),
                layers=_dense_head(
                    L("Conv2D", filters=32, kernel_size=5, activation="relu"),
                    L("Conv2D", filters=64, kernel_size=5, activation="relu"),
                    L("MaxPooling2D", pool_size=2),
                    L("Flatten"),
                    L("Dense", units=128, activation="relu"),
                ),
                compile=CompileSpec(optimizer="adam", loss="categorical_crossentropy"),
                input_scale=PIXELS,
            ),
            training=TrainingConfig(epochs=5, batch_size=128),
        ),
        Preset(
            name="spiral-dense10",
            title="Spiral: three arms, one hidden layer of 10",
            description=(
                "Three interleaved spiral arms of 2-D points that no straight line separates: a hidden layer of "
                "10 ReLU units learns the curved boundaries. RMSprop with learning rate 0.001, as in the classic."
            ),
            dataset_name="spiral",
            spec=ModelSpec(
                input_shape=(2,),
                layers=_dense_head(L("Dense", units=10, activation="relu"), classes=3),
                compile=CompileSpec(optimizer="rmsprop", loss="categorical_crossentropy", learning_rate=0.001),
            ),
            training=TrainingConfig(epochs=1000, batch_size=50),
        ),
        Preset(
            name="alphabet-lstm32",
            title="Alphabet: an LSTM learns the next letter",
            description=(
                "Three letters in, the next one out: each window (A B C → D) is three time steps of one number, "
                "the letter's index divided by 26. An LSTM of 32 units and a 26-way softmax, Adam, one window per "
                "batch, 500 epochs."
            ),
            dataset_name="alphabet",
            spec=ModelSpec(
                input_shape=(3, 1),
                layers=_dense_head(L("LSTM", units=32), classes=26),
                compile=CompileSpec(optimizer="adam", loss="categorical_crossentropy"),
                input_scale=1 / 26,
            ),
            training=TrainingConfig(epochs=500, batch_size=1),
        ),
        Preset(
            name="imdb-simplernn30",
            title="IMDB: a SimpleRNN reads movie reviews",
            description=(
                "Each review as its last 100 word indices (the 1,000 most frequent words; shorter reviews are padded): an "
                "Embedding of 64, a SimpleRNN of 30 units, Dense 16 ReLU and one sigmoid unit for 'positive', with binary "
                "cross-entropy."
            ),
            dataset_name="imdb",
            spec=ModelSpec(
                input_shape=(100,),
                layers=(
                    L("Embedding", input_dim=1000, output_dim=64),
                    L("SimpleRNN", units=30),
                    L("Dense", units=16, activation="relu"),
                    L("Dense", units=1, activation="sigmoid"),
                ),
                compile=CompileSpec(optimizer="adam", loss="binary_crossentropy"),
            ),
            training=TrainingConfig(epochs=10, batch_size=128, validation_split=0.2),
        ),
        Preset(
            name="catsdogs-cnn",
            title="Cats vs dogs: a small CNN on photos",
            description=(
                "128×128 colour photos read with OpenCV and scaled to [0, 1]: two blocks of a 3×3 convolution of 32 "
                "filters and a 2×2 max-pool, Flatten, Dense 96 and a 2-way softmax. Adam with learning rate 1e-4, "
                "20 epochs of batch 32."
            ),
            dataset_name="catsdogs",
            spec=ModelSpec(
                input_shape=(128, 128, 3),
                layers=_dense_head(
                    L("Conv2D", filters=32, kernel_size=3, activation="relu"),
                    L("MaxPooling2D", pool_size=2),
                    L("Conv2D", filters=32, kernel_size=3, activation="relu"),
                    L("MaxPooling2D", pool_size=2),
                    L("Flatten"),
                    L("Dense", units=96, activation="relu"),
                    classes=2,
                ),
                compile=CompileSpec(optimizer="adam", loss="categorical_crossentropy", learning_rate=1e-4),
                input_scale=PIXELS,
            ),
            training=TrainingConfig(epochs=20, batch_size=32),
        ),
    )
}
DEFAULT_PRESET = "mnist-dense512"
"""The preset a new visitor starts on: the first example of most Keras courses."""


def get_preset(name: str) -> Preset:
    """The preset called `name`, or a ValueError that lists the ones there are."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}.") from None
