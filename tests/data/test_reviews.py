"""Typed reviews encoded as `keras.datasets.imdb` encodes its own, and read by a real SimpleRNN."""

import keras
import numpy as np
import pytest

from core.data.reviews import OUT_OF_VOCABULARY, START, encode_review
from core.models.build import build_model
from core.models.inputs import vocabulary_size
from core.models.spec import CompileSpec, LayerSpec, ModelSpec
from core.predict.inference import predict_one

# A word index as `imdb.get_word_index()` gives it: rank 1 is the most frequent word.
WORDS = ["the", "film", "was", "great", "awful", "wonderful", "boring", "a", "and", "plot", "loved", "hated"]
WORD_INDEX = {word: rank for rank, word in enumerate(WORDS, start=1)}
VOCABULARY = 12  # Indices below 12: ranks 1–8 (index 4–11); "and", "plot", "loved", "hated" are out of vocabulary.
LENGTH = 8


def test_words_are_indexed_as_imdb_does_and_unknown_ones_flagged():
    review = encode_review("The film was GREAT, and the plot!", WORD_INDEX, VOCABULARY, LENGTH)
    expected = [START, 1 + 3, 2 + 3, 3 + 3, 4 + 3, OUT_OF_VOCABULARY, 1 + 3, OUT_OF_VOCABULARY]
    assert review.indices.tolist() == expected
    assert [word for word, known in review.words if not known] == ["and", "plot"]
    assert review.unknown_words == 2


def test_long_reviews_keep_their_end_and_short_ones_are_padded_in_front_as_pad_sequences_does():
    for text in ("great", "the film was great the film was great and boring"):
        review = encode_review(text, WORD_INDEX, VOCABULARY, LENGTH)
        raw = [START] + [WORD_INDEX[word] + 3 if WORD_INDEX[word] + 3 < VOCABULARY else OUT_OF_VOCABULARY
                         for word in text.split()]
        np.testing.assert_array_equal(review.indices, keras.utils.pad_sequences([raw], maxlen=LENGTH)[0])


def test_a_review_without_words_is_refused():
    with pytest.raises(ValueError, match=r"the review has no words"):
        encode_review(" ?! ", WORD_INDEX, VOCABULARY, LENGTH)


def test_a_simplernn_learns_the_words_and_reads_a_typed_review():
    spec = ModelSpec(
        input_shape=(LENGTH,),
        layers=(LayerSpec.of("Embedding", input_dim=VOCABULARY, output_dim=8), LayerSpec.of("SimpleRNN", units=8),
                LayerSpec.of("Dense", units=1, activation="sigmoid")),
        compile=CompileSpec(optimizer="adam", loss="binary_crossentropy", learning_rate=0.01),
    )
    assert vocabulary_size(spec, WORD_INDEX) == VOCABULARY
    generator = np.random.default_rng(0)
    texts, labels = [], []
    for _ in range(400):
        positive = int(generator.integers(0, 2))
        words = [*generator.choice(["the film was", "the", "a film", "was"]).split(),
                 generator.choice(["great", "wonderful"] if positive else ["awful", "boring"])]
        texts.append(" ".join(generator.permutation(words)))  # The telling word anywhere in the sentence.
        labels.append(positive)
    inputs = np.stack([encode_review(text, WORD_INDEX, VOCABULARY, LENGTH).indices for text in texts])
    keras.utils.set_random_seed(0)
    model = build_model(spec, (LENGTH,), 2)
    model.fit(inputs, np.array(labels), epochs=20, batch_size=32, verbose=0)
    liked = predict_one(model, spec, encode_review("a wonderful film", WORD_INDEX, VOCABULARY, LENGTH).indices)
    disliked = predict_one(model, spec, encode_review("the film was boring", WORD_INDEX, VOCABULARY, LENGTH).indices)
    assert liked[1] > 0.8 and disliked[1] < 0.2, (liked, disliked)
