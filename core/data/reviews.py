"""A review typed by a learner, encoded the way `keras.datasets.imdb` encodes its reviews.

`keras.datasets.imdb.load_data(num_words=N)` gives each review as word indices: 1 marks the start, a word's
index is its rank in the word index plus 3 (`index_from`), and every word outside the N most frequent becomes
2 (out of vocabulary). The SimpleRNN example then keeps the last `length` indices, padding with 0 in front.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

import numpy as np

PADDING, START, OUT_OF_VOCABULARY, INDEX_FROM = 0, 1, 2, 3
WORD_PATTERN = re.compile(r"[a-z0-9']+")
"""Keras's old text tokenizer: lower case, punctuation splits words, apostrophes stay (don't, it's)."""


@dataclass(frozen=True)
class EncodedReview:
    """The model's input for one review, and each typed word with whether the model knows it."""

    indices: np.ndarray
    words: tuple[tuple[str, bool], ...]

    @property
    def unknown_words(self) -> int:
        return sum(not known for _, known in self.words)


def words_of(text: str) -> list[str]:
    return WORD_PATTERN.findall(text.lower())


def encode_review(text: str, word_index: Mapping[str, int], num_words: int, length: int) -> EncodedReview:
    """Word indices as `keras.datasets.imdb` would give them, padded or cut (keeping the end) to `length`."""
    if length < 1:
        raise ValueError(f"a review is encoded into at least one index, got length {length}.")
    words = words_of(text)
    if not words:
        raise ValueError("the review has no words: type a sentence or two, such as 'a wonderful film'.")
    indices, known = [START], []
    for word in words:
        index = word_index.get(word, num_words) + INDEX_FROM
        known.append(index < num_words)
        indices.append(index if index < num_words else OUT_OF_VOCABULARY)
    kept = indices[-length:]
    padded = np.full(length, PADDING, dtype=np.int32)
    padded[length - len(kept):] = kept
    return EncodedReview(padded, tuple(zip(words, known)))
