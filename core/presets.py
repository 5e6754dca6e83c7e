"""The classic examples a learner meets, each as a ready-made `ModelSpec` with its training defaults."""

from __future__ import annotations

from dataclasses import dataclass

from core.specs import CompileSpec, LayerSpec, ModelSpec, TrainingConfig


@dataclass(frozen=True)
class Preset:
    """A classic example: the model, the dataset it was written for and how it was trained."""

    name: str
    title: str
    description: str
    dataset: str
    spec: ModelSpec
    training: TrainingConfig


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
            dataset="mnist",
            spec=ModelSpec(
                input_shape=(784,),
                layers=(
                    LayerSpec("Dense", {"units": 512, "activation": "relu"}),
                    LayerSpec("Dense", {"units": 10, "activation": "softmax"}),
                ),
                compile=CompileSpec(optimizer="rmsprop", loss="categorical_crossentropy"),
                input_scale=1 / 255,
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
            dataset="spiral",
            spec=ModelSpec(
                input_shape=(2,),
                layers=(
                    LayerSpec("Dense", {"units": 10, "activation": "relu"}),
                    LayerSpec("Dense", {"units": 3, "activation": "softmax"}),
                ),
                compile=CompileSpec(optimizer="rmsprop", loss="categorical_crossentropy", learning_rate=0.001),
            ),
            training=TrainingConfig(epochs=1000, batch_size=50),
        ),
    )
}


def get_preset(name: str) -> Preset:
    """The preset called `name`, or a ValueError that lists the ones there are."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}.") from None
