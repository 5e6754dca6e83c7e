"""A zip of PNG and JPEG images as a dataset: classes from sub-folders or from file names (cat.1.jpg), decoded
with OpenCV and resized to one size. Images that fail to decode are skipped and counted instead, since one broken
photo among thousands should not cost the learner the rest."""

from __future__ import annotations

import zipfile
from pathlib import PurePosixPath

import numpy as np

from core.data.images import decode_image, resize_for_model
from core.data.uploads.archive_safety import entry_bytes
from core.data.uploads.examples import Examples
from core.number_text import readable_size

COLOUR_IMAGE_SIZE = (128, 128)
GREY_IMAGE_SIZE = (28, 28)
"""(height, width) of images when none is chosen: the cats-vs-dogs example's photos, MNIST's digits."""
MAX_IMAGE_SIDE = 1024
MAX_EXAMPLE_BYTES = 2**30
"""Decoded examples may take 1 GiB: 20,000 colour images of 128×128, or 1.3 million MNIST-size ones."""
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def image_zip_examples(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], name: str,
                       image_size: tuple[int, int] | None, grey: bool | None) -> Examples:
    """Images decoded with OpenCV, resized, as uint8 0–255 (the preset's `input_scale` makes them [0, 1])."""
    others = [entry.filename for entry in entries if not entry.filename.lower().endswith(IMAGE_SUFFIXES)]
    if others:
        raise ValueError(f"{name} holds {len(others)} file{'s' if len(others) > 1 else ''} that "
                         f"{'are' if len(others) > 1 else 'is'} not PNG or JPEG images, such as {others[0]!r}: an "
                         "image zip holds only .png and .jpg images; remove the others and zip it again.")
    if not entries:
        raise ValueError(f"{name} holds no images: zip a folder of .png or .jpg images, one sub-folder per class.")
    _check_image_size(image_size)
    working_size = image_size or COLOUR_IMAGE_SIZE
    _check_memory(len(entries), working_size, name)
    classes, how = _image_classes([entry.filename for entry in entries], name)
    images, kept, skipped_names, original_sizes = [], [], [], []
    for position, entry in enumerate(entries):
        try:
            image = decode_image(entry_bytes(archive, entry, name), entry.filename)
        except ValueError:
            skipped_names.append(entry.filename)
            continue
        original_sizes.append(image.shape[:2])
        images.append(resize_for_model(image, working_size if image.ndim == 2 else (*working_size, 3)))
        kept.append(position)
    if not images:
        raise ValueError(f"none of the {len(entries)} images in {name} could be decoded (such as "
                         f"{skipped_names[0]!r}): they are damaged or not really PNG or JPEG; export them again.")
    grey = all(image.ndim == 2 for image in images) if grey is None else grey
    size = image_size or (GREY_IMAGE_SIZE if grey else COLOUR_IMAGE_SIZE)
    shape = size if grey else (*size, 3)
    x = np.stack([resize_for_model(image, shape) for image in images])
    notes = _image_notes(original_sizes, size, grey, skipped_names)
    class_names = tuple(sorted({classes[position] for position in kept}))
    index = {class_name: number for number, class_name in enumerate(class_names)}
    y = np.array([index[classes[position]] for position in kept], dtype=np.int32)
    description = (f"a zip of {len(images):,} {'grey' if grey else 'colour'} images, classes from {how}, resized "
                   f"to {size[0]}×{size[1]}")
    if _has_declared_parts(entries):
        test_flags = np.array([_declared_test(entries[position].filename) for position in kept])
        return Examples(x[~test_flags], y[~test_flags], x[test_flags], y[test_flags], class_names, description,
                        len(skipped_names), (*notes, "train and test parts from the zip's train/ and test/ folders"))
    return Examples(x, y, None, None, class_names, description, len(skipped_names), notes)


def _check_image_size(image_size: tuple[int, int] | None) -> None:
    if image_size is not None and (len(image_size) != 2 or not all(
            isinstance(side, (int, np.integer)) and 1 <= side <= MAX_IMAGE_SIDE for side in image_size)):
        raise ValueError(f"an image size is (height, width), each from 1 to {MAX_IMAGE_SIDE} pixels, got "
                         f"{image_size}; 128×128 suits colour photos, 28×28 grey digits.")


def _check_memory(image_count: int, size: tuple[int, int], name: str) -> None:
    needed = image_count * size[0] * size[1] * 3
    if needed > MAX_EXAMPLE_BYTES:
        raise ValueError(f"{image_count:,} images of {size[0]}×{size[1]} in {name} would take "
                         f"{readable_size(needed)} of memory, more than {readable_size(MAX_EXAMPLE_BYTES)}: choose a "
                         "smaller size or fewer images.")


def _image_classes(paths: list[str], name: str) -> tuple[list[str], str]:
    """Each image's class: its folder when the images lie in two folders or more, else its name's prefix (cat.1.jpg).

    A train/ or test/ folder at the top only says which part an image belongs to, so it is looked through.
    """
    folders = [PurePosixPath(path).parent for path in paths]
    class_folders = [_without_part_folder(folder) for folder in folders]
    if len({folder.name for folder in class_folders}) >= 2:
        return [folder.name for folder in class_folders], "sub-folder names"
    prefixes = [PurePosixPath(path).name.split(".")[0] for path in paths]
    if len(set(prefixes)) == len(prefixes) > 2:
        raise ValueError(f"cannot tell the classes of the images in {name}: put each class in its own folder "
                         "(cat/1.jpg, dog/1.jpg) or start each file name with its class (cat.1.jpg, dog.1.jpg).")
    return prefixes, "file-name prefixes"


def _without_part_folder(folder: PurePosixPath) -> PurePosixPath:
    parts = folder.parts
    return PurePosixPath(*parts[1:]) if parts and parts[0].casefold() in ("train", "test") else folder


def _declared_test(path: str) -> bool:
    return PurePosixPath(path).parts[0].casefold() == "test"


def _has_declared_parts(entries: list[zipfile.ZipInfo]) -> bool:
    """Whether every image lies under a top train/ or test/ folder, both of them present."""
    tops = {PurePosixPath(entry.filename).parts[0].casefold() for entry in entries}
    return tops == {"train", "test"}


def _image_notes(original_sizes: list[tuple[int, ...]], size: tuple[int, int], grey: bool,
                 skipped_names: list[str]) -> tuple[str, ...]:
    notes = []
    resized = sum(original != tuple(size) for original in original_sizes)
    if resized:
        notes.append(f"{resized:,} image{'s' if resized > 1 else ''} of other sizes resized to {size[0]}×{size[1]}")
    notes.append(f"kept as {'grey' if grey else 'colour'}, raw 0–255 pixels: the preset scales them to [0, 1]")
    if skipped_names:
        shown = ", ".join(skipped_names[:3]) + (" …" if len(skipped_names) > 3 else "")
        notes.append(f"{len(skipped_names):,} image{'s' if len(skipped_names) > 1 else ''} could not be decoded and "
                     f"{'were' if len(skipped_names) > 1 else 'was'} skipped: {shown}")
    return tuple(notes)
