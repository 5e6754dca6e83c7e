"""Models beyond the presets that the tests build, so every layer type and every way of joining them is checked
against Keras: the presets plus these are EVERY_SPEC."""

from core.models.presets import PRESETS
from core.models.spec import LayerSpec, ModelSpec

L = LayerSpec.of
MORE_SPECS = {
    "every layer type": ModelSpec(
        input_shape=(28, 28, 1),
        layers=(
            L("Conv2D", filters=8, kernel_size=3, strides=2, padding="same", kernel_regularizer="l2"),
            L("BatchNormalization"),
            L("AveragePooling2D", pool_size=3, strides=1, padding="same"),
            L("MaxPooling2D", pool_size=2),
            L("Conv2D", filters=6, kernel_size=2, kernel_regularizer="l1", regularization_factor=0.001),
            L("GlobalAveragePooling2D"),
            L("Reshape", target_shape=(3, 2)),
            L("GRU", units=5, return_sequences=True),
            L("SimpleRNN", units=4, return_sequences=True),
            L("LSTM", units=7),
            L("Activation", activation="elu"),
            L("Dense", units=10, activation="softmax"),
        ),
    ),
    "embedding into a sequence": ModelSpec(
        input_shape=(12,),
        layers=(L("Embedding", input_dim=50, output_dim=8), L("LSTM", units=6, return_sequences=True), L("Flatten"),
                L("Dense", units=2, activation="softmax")),
    ),
}
EVERY_SPEC = {**{name: preset.spec for name, preset in PRESETS.items()}, **MORE_SPECS}
