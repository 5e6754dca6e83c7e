"""A seeded, stratified train/test split for data that comes without a test part (an upload, say).

Stratified means each class keeps its share in both parts, so a rare class is tested too; seeded means the same
file and seed always give the same split, so two runs on an upload compare fairly.
"""

from __future__ import annotations

import numpy as np


def stratified_split(labels: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, test indices) into `labels`, each part shuffled.

    Every class with at least 2 examples lands in both parts (at least one example each); a class with a single
    example trains. The indices come shuffled because Keras's `validation_split` takes the last examples as they
    stand: sorted by class, it would validate on the last class only.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"the test fraction must lie between 0 and 1 (0.2 holds out a fifth), got {test_fraction}.")
    labels = np.asarray(labels)
    generator = np.random.default_rng(seed)
    train_parts, test_parts = [], []
    for label in np.unique(labels):
        members = generator.permutation(np.flatnonzero(labels == label))
        held_out = min(len(members) - 1, max(1, round(len(members) * test_fraction))) if len(members) >= 2 else 0
        test_parts.append(members[:held_out])
        train_parts.append(members[held_out:])
    test = np.concatenate(test_parts) if test_parts else np.array([], dtype=np.intp)
    if len(test) == 0:
        raise ValueError(f"{len(labels)} examples are too few to hold some out for testing: a test part needs a class "
                         "with at least 2 examples. Add examples, or give a test part of your own.")
    return generator.permutation(np.concatenate(train_parts)), generator.permutation(test)
