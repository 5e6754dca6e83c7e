"""Your own data as a `Dataset`: an `.npz` of arrays, MNIST-format IDX files, a CSV, or a `.zip` of images (or of
IDX files), from one file or from a box of uploaded files.

Everything is read from bytes in memory, so an upload never touches the disk here, and every way a file can be
wrong or hostile ends in a ValueError that says what is wrong and how to fix it: too large, a zip bomb, entries
that point outside the archive or are links, the wrong content for the file's name, arrays that disagree, features
that are not numbers, labels that are not classes.

The Data page's uploader keeps every file dropped on it, so any mix of files can arrive at once: a file left there
from before beside a new one, an IDX pair, a zip. Each mix ends in a dataset or in one sentence saying what to do.

As every Keras Lab dataset, the result holds raw examples: images stay uint8 0–255 and the preset's
`input_scale` (1/255 for image presets) scales them to [0, 1] when a model trains (`core.models.inputs.prepare_inputs`).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Sequence

from core.data.uploads.archive_safety import (
    DEFAULT_LIMITS,
    ZIP_SIGNATURES,
    ArchiveLimits,
    checked_entries,
    is_system_file,
    opened_zip,
)
from core.data.uploads.csv_table import csv_examples
from core.data.uploads.examples import (
    Examples,
    LoadReport,
    check_signature,
    check_upload_size,
    report_of,
)
from core.data.uploads.idx import IDX_NAME, idx_zip_examples, load_idx_files
from core.data.uploads.image_zip import image_zip_examples
from core.data.uploads.npz import npz_examples

WHAT_TO_UPLOAD = "upload one file, or an IDX images file with its labels file"


def load_uploaded_files(files: Sequence[tuple[bytes, str]], *, image_size: tuple[int, int] | None = None,
                        grey: bool | None = None, test_fraction: float = 0.2, seed: int = 0) -> LoadReport:
    """The dataset in `files` (each its bytes and name): IDX files together make one dataset, any other file must
    come alone. A ValueError names the files and what to do about them."""
    names = [name for _, name in files]
    if len(files) > 1 and all(IDX_NAME.search(name) for name in names):
        return load_idx_files(files, test_fraction=test_fraction, seed=seed)
    if len(files) == 1:
        data, name = files[0]
        return load_data_file(data, name, image_size=image_size, grey=grey, test_fraction=test_fraction, seed=seed)
    if not files:
        raise ValueError(f"no file was given: {WHAT_TO_UPLOAD}.")
    raise ValueError(f"{len(files)} files were given together ({', '.join(names)}): {WHAT_TO_UPLOAD} (MNIST's "
                     "…-idx3-ubyte.gz and …-idx1-ubyte.gz), or a zip of them. Remove the others with the × beside "
                     "their names.")


def load_data_file(data: bytes, file_name: str, *, image_size: tuple[int, int] | None = None,
                   grey: bool | None = None, test_fraction: float = 0.2, seed: int = 0,
                   label_column: str | None = None, text_column: str | None = None,
                   limits: ArchiveLimits = DEFAULT_LIMITS) -> LoadReport:
    """The dataset in one file, read by the loader its name calls for, after checking the content fits the name.

    `image_size` (height, width) and `grey` apply to a zip of images (default: grey 28×28 when every image is grey,
    else colour 128×128); `label_column` and `text_column` to a CSV. Data without a test part is split, stratified,
    holding out `test_fraction` with `seed`.
    """
    name = PurePosixPath(file_name.replace("\\", "/")).name or "the file"
    check_upload_size(len(data), name)
    lower = name.lower()
    if IDX_NAME.search(lower):
        raise ValueError(f"{name} is one IDX file; a dataset needs its images and its labels: give both files "
                         "(images first), or a zip that holds them.")
    if lower.endswith(".npz"):
        examples = npz_examples(data, name, limits)
    elif lower.endswith(".csv"):
        examples = csv_examples(data, name, label_column, text_column, test_fraction, seed)
    elif lower.endswith(".zip"):
        examples = _zip_examples(data, name, image_size, grey, limits)
    else:
        raise ValueError(f"{name}: Keras Lab reads .npz arrays, .csv tables, .zip files of images (or of IDX files) "
                         "and MNIST-format IDX files (name-idx3-ubyte.gz with name-idx1-ubyte.gz); save your data "
                         "as one of these.")
    return report_of(examples, name, test_fraction, seed)


def _zip_examples(data: bytes, name: str, image_size: tuple[int, int] | None, grey: bool | None,
                  limits: ArchiveLimits) -> Examples:
    """A zip of MNIST-format IDX files, or of PNG and JPEG images in class folders or named class.number.jpg."""
    check_signature(data, name, ZIP_SIGNATURES, "a zip archive")
    with opened_zip(data, name) as archive:
        entries = [entry for entry in checked_entries(archive, name, limits) if not is_system_file(entry.filename)]
        idx_entries = [entry for entry in entries if IDX_NAME.search(entry.filename)]
        if idx_entries:
            return idx_zip_examples(archive, idx_entries, name, limits)
        return image_zip_examples(archive, entries, name, image_size, grey)
