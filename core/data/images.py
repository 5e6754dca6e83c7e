"""An uploaded PNG or JPEG decoded with OpenCV and resized into a raw example for any image model.

A raw example is what the dataset holds (uint8 0–255 of the dataset's example shape); `core.models.inputs.prepare_inputs`
scales it for the model, exactly as it scales the dataset's own examples.
"""

from __future__ import annotations

import struct

import cv2
import numpy as np

from core.data.dataset import is_image_shape

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Larger files are refused: no photo for a 28×28 or 128×128 model needs more than 20 MB."""

MAX_PIXELS = 50_000_000
"""Larger images are refused before decoding: 50 megapixels (about 8,700×5,800) is more than most cameras save,
and a small compressed file can hold a huge flat image that would take gigabytes of memory once decoded."""

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
"""The start-of-frame markers (SOF0–SOF15), which hold the image's size; C4, C8 and CC are other segments."""

JPEG_MARKERS_WITHOUT_LENGTH = frozenset(range(0xD0, 0xD8)) | {0x01}
"""The restart markers and TEM stand alone; every other segment says its length after its marker."""

def decode_image(data: bytes, name: str = "the file") -> np.ndarray:
    """The image in a PNG or JPEG file: RGB (height, width, 3) or grey (height, width), uint8.

    Transparency is dropped (each pixel keeps the colour it stores), 16-bit images become 8-bit, and a photo's
    EXIF orientation is applied so it stands the way the camera showed it. `name` is how messages call the file.
    """
    if not data:
        raise ValueError(f"{name} is empty (0 bytes): upload a PNG or JPEG image.")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{name} is {len(data) / 2**20:.1f} MB, more than the {MAX_FILE_BYTES // 2**20} MB "
                         "Keras Lab reads: save a smaller copy (a model sees at most a few hundred pixels a side).")
    kind, width, height = _image_header(data, name)
    if width * height > MAX_PIXELS:
        raise ValueError(f"{name} is a {width}×{height} {kind}, more than the {MAX_PIXELS / 1e6:.0f} megapixels "
                         "Keras Lab decodes: shrink it (to 1,000 pixels a side, say) and upload that copy.")
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_ANYCOLOR)
    if image is None:
        raise ValueError(_damaged(name, kind))
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def _image_header(data: bytes, name: str = "the file") -> tuple[str, int, int]:
    """("PNG" or "JPEG", width, height) read from the file's header, without decoding its pixels."""
    if data.startswith(PNG_SIGNATURE):
        if len(data) < 24 or data[12:16] != b"IHDR":
            raise ValueError(_damaged(name, "PNG"))
        width, height = struct.unpack(">II", data[16:24])
        return "PNG", width, height
    if data.startswith(JPEG_SIGNATURE):
        return ("JPEG", *_jpeg_size(data, name))
    raise ValueError(f"{name} is not a PNG or JPEG image (its first bytes are {data[:8]!r}): "
                     "upload a photo or drawing saved as PNG or JPEG.")


def _jpeg_size(data: bytes, name: str) -> tuple[int, int]:
    """(width, height) from the JPEG's start-of-frame segment, walking the segments that come before it."""
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            break
        marker = data[position + 1]
        if marker == 0xFF:  # Fill byte before a marker.
            position += 1
            continue
        if marker in JPEG_MARKERS_WITHOUT_LENGTH:
            position += 2
            continue
        if marker in JPEG_FRAME_MARKERS and position + 9 <= len(data):
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return width, height
        position += 2 + struct.unpack(">H", data[position + 2:position + 4])[0]
    raise ValueError(_damaged(name, "JPEG"))


def _damaged(name: str, kind: str) -> str:
    return (f"{name} starts like a {kind} image but cannot be decoded: it is damaged or cut short (an upload that "
            "did not finish, say). Open it in an image viewer, save it again as PNG or JPEG and upload that copy.")


def resize_for_model(image: np.ndarray, example_shape: tuple[int, ...]) -> np.ndarray:
    """The image as a raw example of `example_shape`: (height, width) or (height, width, 1) grey, or
    (height, width, 3) RGB, uint8.

    The image is stretched to the exact size, as Keras's `image_dataset_from_directory` and Keras Lab's datasets
    resize photos, so a model sees an upload the way it saw its training images. Shrinking averages pixels
    (`INTER_AREA`, no jagged edges or moiré); enlarging interpolates (`INTER_LINEAR`).
    """
    height, width, channels = _image_shape_for(example_shape)
    pixels = checked_image(image)
    if channels == 3 and pixels.ndim == 2:
        pixels = cv2.cvtColor(pixels, cv2.COLOR_GRAY2RGB)
    elif channels == 1 and pixels.ndim == 3:
        pixels = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    shrinking = height <= pixels.shape[0] and width <= pixels.shape[1]
    resized = cv2.resize(pixels, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)
    return resized.reshape(example_shape)


def _image_shape_for(example_shape: tuple[int, ...]) -> tuple[int, int, int]:
    """(height, width, channels) of the images a model of this example shape takes, or a ValueError."""
    shape = tuple(example_shape)
    if not is_image_shape(shape) or not all(isinstance(size, (int, np.integer)) and size >= 1 for size in shape):
        raise ValueError(f"a model whose examples have shape {shape} does not take images: image models take "
                         "(height, width) or (height, width, 1) grey, or (height, width, 3) colour examples.")
    return shape[0], shape[1], 1 if len(shape) == 2 else shape[2]


def checked_image(image: np.ndarray) -> np.ndarray:
    """The image as `decode_image` gives it (uint8 grey or RGB), or a ValueError that says what it should be."""
    pixels = np.asarray(image)
    if pixels.dtype != np.uint8 or pixels.size == 0 or not (
            pixels.ndim == 2 or pixels.ndim == 3 and pixels.shape[2] == 3):
        raise ValueError(f"an image to resize must be uint8 (height, width) grey or (height, width, 3) RGB, as "
                         f"decode_image returns, got {pixels.dtype} of shape {pixels.shape}.")
    return pixels
