"""A CSV table as a dataset: numeric feature columns and a label column, or a text column (reviews, say) and a
label column, the texts encoded as `keras.datasets.imdb` encodes its reviews."""

from __future__ import annotations

import csv
import io
from collections import Counter

import numpy as np

from core.data.reviews import encode_review, words_of
from core.data.uploads.examples import (
    MAX_CLASSES,
    SIGNATURES,
    Examples,
    check_two_classes,
    held_out,
    what_it_is,
)

TEXT_NUM_WORDS, TEXT_LENGTH = 1000, 100
"""A text is encoded as the IMDB preset reads reviews: the 1,000 most frequent words, the last 100 of them."""
LABEL_COLUMN_NAMES = ("label", "labels", "class", "target", "sentiment", "category")
"""Label columns are found by these names, else the last column is the label. Not "y": x, y are often features."""
TEXT_COLUMN_NAMES = ("text", "review", "sentence", "comment", "content")


def csv_examples(data: bytes, name: str, label_column: str | None, text_column: str | None, test_fraction: float,
                 seed: int) -> Examples:
    """Numeric feature columns and a label column, or a text column and a label column (sentiment)."""
    header, rows = _csv_rows(data, name)
    label_index = _column_index(header, label_column, LABEL_COLUMN_NAMES, len(header) - 1, name)
    labels, class_names = _csv_labels([row[label_index] for _, row in rows], header[label_index], rows, name)
    others = [index for index in range(len(header)) if index != label_index]
    if not others:
        raise ValueError(f"{name} has a single column: a CSV needs feature columns (or a text column) and a label "
                         "column, separated by commas (a spreadsheet that wrote semicolons: save it as CSV again).")
    text_index = _text_column_index(header, rows, text_column, others, name)
    if text_index is not None:
        texts = [row[text_index] for _, row in rows]
        check_two_classes(labels, class_names, name)
        return _text_examples(texts, [line for line, _ in rows], labels, class_names, header[text_index],
                              test_fraction, seed, name)
    features = _numeric_columns(rows, others, header, name)
    return Examples(features, labels, None, None, class_names,
                    f"a CSV of {len(others)} numeric feature{'s' if len(others) > 1 else ''} and the label "
                    f"column {header[label_index]!r}")


def _csv_rows(data: bytes, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the (line number, cells) of each non-blank row, every row as long as the header."""
    if b"\x00" in data[:4096] or any(data.startswith(signature) for signature, _ in SIGNATURES):
        raise ValueError(f"{name} is named like a CSV table but is {what_it_is(data)}: give the CSV file itself.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{name} is not UTF-8 text (byte {error.start} is {data[error.start:error.start + 1]!r}): "
                         "save the table as 'CSV UTF-8' from your spreadsheet.") from None
    reader = csv.reader(io.StringIO(text))
    try:
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise ValueError(f"{name} is not a well-formed CSV table (line {reader.line_num}: {error}).") from None
    if len(rows) < 2:
        raise ValueError(f"{name} holds no rows under a header: a CSV needs a header line naming its columns, then "
                         "one line per example.")
    (_, header), body = rows[0], rows[1:]
    header = [cell.strip() for cell in header]
    for line, row in body:
        if len(row) != len(header):
            raise ValueError(f"line {line} of {name} holds {len(row)} values but the header names {len(header)} "
                             "columns: every row needs one value per column.")
    return header, body


def _column_index(header: list[str], wanted: str | None, usual_names: tuple[str, ...], default: int | None,
                  name: str) -> int | None:
    """The column called `wanted`; else the first with one of the usual names; else `default`."""
    folded = [column.casefold() for column in header]
    if wanted is not None:
        if wanted.casefold() not in folded:
            raise ValueError(f"{name} has no column {wanted!r}; its columns are {', '.join(header)}.")
        return folded.index(wanted.casefold())
    return next((folded.index(usual) for usual in usual_names if usual in folded), default)


def _text_column_index(header: list[str], rows: list[tuple[int, list[str]]], text_column: str | None,
                       others: list[int], name: str) -> int | None:
    """The text column of a sentiment CSV: the one asked for, else a non-numeric column named like text (review,
    sentence …) or standing alone beside the labels; None for a CSV of numeric features."""
    if text_column is not None:
        return _column_index(header, text_column, (), None, name)
    named = _column_index(header, None, TEXT_COLUMN_NAMES, None, name)
    candidate = named if named in others else others[0] if len(others) == 1 else None
    if candidate is not None and not all(_is_number(row[candidate]) for _, row in rows):
        return candidate
    return None


def _csv_labels(values: list[str], column: str, rows: list[tuple[int, list[str]]],
                name: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each row's class index and the class names, in sorted order (numerically when the labels are numbers)."""
    values = [value.strip() for value in values]
    if "" in values:
        line = rows[values.index("")][0]
        raise ValueError(f"line {line} of {name} has no label in column {column!r}: give every row its class.")
    if all(_is_number(value) for value in values):
        numbers = np.array([float(value) for value in values])
        if not np.all(np.isfinite(numbers) & (numbers == np.round(numbers))):
            bad = values[int(np.argmax(~(np.isfinite(numbers) & (numbers == np.round(numbers)))))]
            raise ValueError(f"the label column {column!r} of {name} holds {bad}, which is not a class: Keras Lab "
                             "classifies, so labels must be class names or whole numbers (0, 1, 2 …).")
        values = [str(int(number)) for number in numbers]
        class_names = tuple(str(number) for number in sorted({int(number) for number in numbers}))
    else:
        class_names = tuple(sorted(set(values)))
    if len(class_names) > MAX_CLASSES:
        raise ValueError(f"the label column {column!r} of {name} holds {len(class_names):,} different values, more "
                         f"than the {MAX_CLASSES} classes Keras Lab trains: is it the right column? Name the label "
                         "column, or keep fewer classes.")
    index = {class_name: position for position, class_name in enumerate(class_names)}
    return np.array([index[value] for value in values], dtype=np.int32), class_names


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _numeric_columns(rows: list[tuple[int, list[str]]], columns: list[int], header: list[str],
                     name: str) -> np.ndarray:
    """The feature columns as float32, or a message naming the first cell that is not a finite number."""
    for line, row in rows:
        for column in columns:
            cell = row[column].strip()
            if not _is_number(cell):
                raise ValueError(f"line {line} of {name} holds {cell!r} in column {header[column]!r}, which is not a "
                                 "number: feature columns must hold numbers (for a text and a label, give a CSV of "
                                 "those two columns).")
            if not np.isfinite(float(cell)):
                raise ValueError(f"line {line} of {name} holds {cell!r} in column {header[column]!r}: features "
                                 "must be finite numbers, so fill in or remove missing (NaN) values.")
    return np.array([[float(row[column]) for column in columns] for _, row in rows], dtype=np.float32)


def _text_examples(texts: list[str], lines: list[int], labels: np.ndarray, class_names: tuple[str, ...], column: str,
                   test_fraction: float, seed: int, name: str) -> Examples:
    """Texts encoded as `keras.datasets.imdb` encodes reviews, with a word index built from the training texts.

    The split comes first so that the test texts' words do not pick the vocabulary, as in IMDB.
    """
    for text, line in zip(texts, lines):
        if not words_of(text):
            raise ValueError(f"line {line} of {name} has no words in column {column!r}: remove the row or fill it.")
    train, test, note = held_out(labels, test_fraction, seed)
    counts = Counter(word for index in train for word in words_of(texts[index]))
    ranked = sorted(counts, key=lambda word: (-counts[word], word))
    word_index = {word: rank for rank, word in enumerate(ranked, start=1)}
    encoded = np.stack([encode_review(text, word_index, TEXT_NUM_WORDS, TEXT_LENGTH).indices for text in texts])
    return Examples(encoded[train], labels[train], encoded[test], labels[test], class_names,
                    f"a CSV of texts (column {column!r}) and labels", notes=(
                         f"texts encoded as keras.datasets.imdb encodes reviews: the last {TEXT_LENGTH} words, "
                         f"the {TEXT_NUM_WORDS:,} most frequent of the training texts' {len(word_index):,}", note),
                    word_index=word_index)
