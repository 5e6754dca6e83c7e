"""Small real files the tests write, as their tools write them, and the unsafe or malformed inputs that every
loader (the Data page, the store, the CLI) must refuse with its message."""

import gzip
import io
import struct
import zipfile

import cv2
import numpy as np

from core.data.uploads.archive_safety import ArchiveLimits

# --- files as their tools write them ----------------------------------------------------------------------------


def idx_file(array: np.ndarray) -> bytes:
    """MNIST's IDX format: two zero bytes, 0x08 (unsigned bytes), the number of dimensions, each size big-endian."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def npz_file(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def zip_file(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def image_file(height: int, width: int, colour: tuple[int, ...] | None = None, extension: str = ".png",
               seed: int = 0) -> bytes:
    """An image written by OpenCV: random pixels, or one flat colour given in RGB."""
    shape = (height, width) if colour is None or len(colour) == 1 else (height, width, 3)
    if colour is None:
        pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    else:
        pixels = np.zeros(shape, dtype=np.uint8) + np.array(colour[::-1], dtype=np.uint8)  # OpenCV writes BGR.
    ok, encoded = cv2.imencode(extension, pixels)
    assert ok
    return encoded.tobytes()


def digits(count: int, classes: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.default_rng(seed)
    return generator.integers(0, 256, (count, 28, 28), dtype=np.uint8), np.arange(count, dtype=np.uint8) % classes


# --- every unsafe or malformed input, with its message ---------------------------------------------------------


def symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("cat/1.png")
        link.external_attr = 0o120777 << 16  # What `zip --symlinks` writes: the link's mode in the high bits.
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


def good_images(count: int = 2) -> dict[str, bytes]:
    return {f"cat.{number}.png": image_file(8, 8, seed=number) for number in range(count)}


X, Y = digits(10, classes=2)
ROWS = "a,b,label\n" + "".join(f"{index},{index * 2},{index % 2}\n" for index in range(10))

BAD_INPUTS = [
    ("empty file", lambda: (b"", "mine.npz", {}), "mine.npz is empty (0 bytes)"),
    ("over the upload limit", lambda: (npz_file(x_train=X, y_train=Y), "big.npz", {}),
     "more than the 1.0 KB Keras Lab accepts"),
    ("zip bomb: ratio", lambda: (zip_file({"cat.1.png": bytes(4 * 2**20)}), "bomb.zip", {}),
     "more than 100 times its size: that is how a zip bomb looks"),
    ("zip bomb: total size", lambda: (zip_file(good_images(4)), "many.zip",
                                      {"limits": ArchiveLimits(max_total_bytes=600)}), "unpacks to more than"),
    ("gzip bomb in a zip of IDX", lambda: (zip_file({"train-images-idx3-ubyte.gz": gzip.compress(bytes(4 * 2**20)),
                                                     "train-labels-idx1-ubyte.gz": gzip.compress(idx_file(Y))},
                                                    zipfile.ZIP_STORED), "idx.zip", {}), "that is how a zip bomb looks"),
    ("entry with ..", lambda: (zip_file({"../evil.png": image_file(8, 8), **good_images()}), "up.zip", {}),
     "holds the entry '../evil.png', which points outside the archive"),
    ("absolute entry", lambda: (zip_file({"/etc/x.png": image_file(8, 8), **good_images()}), "abs.zip", {}),
     "holds the entry '/etc/x.png', which points outside the archive"),
    ("symlink entry", lambda: (symlink_zip(), "link.zip", {}), "'cat/1.png', a symbolic link"),
    ("a .txt in an image zip", lambda: (zip_file({**good_images(), "notes.txt": b"hello"}), "pets.zip", {}),
     "not PNG or JPEG images, such as 'notes.txt'"),
    ("only corrupt images", lambda: (zip_file({"cat.1.png": b"\x89PNG\r\n\x1a\nbroken", "dog.1.jpg": b"no"}),
                                     "broken.zip", {}), "none of the 2 images in broken.zip could be decoded"),
    ("x and y of different lengths", lambda: (npz_file(x_train=X, y_train=Y[:7]), "short.npz", {}),
     "x_train holds 10 examples but y_train holds 7 labels"),
    ("non-numeric CSV feature", lambda: (ROWS.replace("3,6,1", "3,six,1").encode(), "words.csv", {}),
     "line 5 of words.csv holds 'six' in column 'b', which is not a number"),
    ("NaN CSV feature", lambda: (ROWS.replace("3,6,1", "3,nan,1").encode(), "gaps.csv", {}),
     "line 5 of gaps.csv holds 'nan' in column 'b'"),
    ("NaN npz feature", lambda: (npz_file(x_train=np.where(X > 250, np.nan, X), y_train=Y), "nan.npz", {}),
     "x_train in nan.npz holds"),
    ("negative label", lambda: (npz_file(x_train=X, y_train=Y.astype(int) - 1), "minus.npz", {}),
     "holds the label -1, which is not a class index"),
    ("fractional label", lambda: (npz_file(x_train=X, y_train=Y + 0.5), "half.npz", {}),
     "holds the label 0.5, which is not a class index"),
    ("fractional CSV label", lambda: (ROWS.replace("3,6,1", "3,6,2.5").encode(), "half.csv", {}),
     "holds 2.5, which is not a class"),
    ("a single class", lambda: (npz_file(x_train=X, y_train=np.zeros(10, dtype=int)), "one.npz", {}),
     "one.npz holds a single class ('0')"),
    ("a single class in an image zip", lambda: (zip_file(good_images(3)), "cats.zip", {}),
     "cats.zip holds a single class ('cat')"),
    ("a PNG named .npz", lambda: (image_file(8, 8), "photo.npz", {}), "photo.npz is named like an .npz archive "
                                                                      "(as numpy.savez writes) but is a PNG image"),
    ("a CSV named .zip", lambda: (ROWS.encode(), "table.zip", {}), "table.zip is named like a zip archive but is "
                                                                   "a text file"),
    ("a zip named .csv", lambda: (zip_file(good_images()), "table.csv", {}), "named like a CSV table but is a zip"),
    ("pickled objects in an npz", lambda: (npz_file(x_train=np.array([{"a": 1}] * 10, dtype=object), y_train=Y),
                                           "pickle.npz", {}), "x_train in pickle.npz holds Python objects"),
    ("npz without y_train", lambda: (npz_file(x=X, y=Y), "names.npz", {}), "needs x_train and y_train"),
    ("CSV row of the wrong length", lambda: (ROWS.replace("3,6,1", "3,1").encode(), "ragged.csv", {}),
     "line 5 of ragged.csv holds 2 values but the header names 3 columns"),
    ("semicolon-separated CSV", lambda: (b"a;b;label\n1;2;0\n3;4;1\n", "semi.csv", {}), "semi.csv has a single column"),
    ("one IDX file alone", lambda: (idx_file(X), "train-images-idx3-ubyte", {}), "is one IDX file"),
    ("unknown kind of file", lambda: (b"hello", "notes.txt", {}), "Keras Lab reads .npz arrays"),
]
