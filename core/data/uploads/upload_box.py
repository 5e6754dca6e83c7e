"""What a box of uploaded files becomes: one file's dataset, or the dataset in MNIST-format IDX files given together.

The Data page's uploader keeps every file dropped on it, so any mix of files can arrive at once: a file left there
from before beside a new one, an IDX pair, a zip. Each mix ends in a dataset or in one sentence saying what to do.
"""

from __future__ import annotations

from typing import Sequence

from core.data.uploads.formats import (
    IDX_NAME,
    LoadReport,
    load_data_file,
    load_idx_files,
)

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
