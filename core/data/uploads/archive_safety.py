"""Reading a zip archive someone gave us without being fooled by it: no entry that points outside the archive, no
link, no encryption or odd compression, and no zip bomb (a small file that unpacks into gigabytes).

Uploaded datasets and uploaded `.keras` models (`core.models.files`) are both zips, and both are held to these rules.
Nothing is ever extracted to disk here: entries are read into memory, no further than their checked sizes.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from core.number_text import readable_size

ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
"""The first bytes of a zip archive, and of an empty one."""
SYSTEM_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
"""Files an operating system adds to a zip on its own (with macOS's `__MACOSX/` folder): skipped, not refused."""


@dataclass(frozen=True)
class ArchiveLimits:
    """How far a compressed file may expand: a zip bomb is a small file that unpacks into gigabytes."""

    max_total_bytes: int = 2**30
    max_ratio: float = 100.0
    """Photos and PNGs hardly compress and MNIST's IDX files shrink about 5 times; bombs shrink thousands of times.
    Float weights barely compress either (Keras's own guard uses the same ratio)."""
    ratio_floor_bytes: int = 2**20
    """Entries smaller than this are never bombs, however well they compress (a CSV of zeros, small JSON)."""
    max_entries: int = 100_000


DEFAULT_LIMITS = ArchiveLimits()


def points_outside(path: str) -> bool:
    """Whether an entry's path is absolute (`/etc`, `C:\\`) or climbs out with '..', in either kind of separator."""
    parts = path.replace("\\", "/").split("/")
    return path.startswith(("/", "\\")) or bool(PureWindowsPath(path).drive) or ".." in parts


def expands_like_a_bomb(unpacked: int, packed: int, limits: ArchiveLimits) -> bool:
    """Whether an entry unpacks to more than `max_ratio` times its packed size (and past the floor where it matters)."""
    return unpacked > limits.ratio_floor_bytes and unpacked > limits.max_ratio * max(packed, 1)


def opened_zip(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ValueError(f"{name} is a damaged zip archive ({error}): create it again.") from None


def checked_entries(archive: zipfile.ZipFile, name: str, limits: ArchiveLimits) -> list[zipfile.ZipInfo]:
    """The archive's files, after refusing links, entries that point outside it, encryption and zip bombs.

    Nothing is ever extracted to disk, but an archive made to escape its folder is hostile, so it is refused.
    """
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise ValueError(f"{name} holds {len(entries):,} entries, more than the {limits.max_entries:,} Keras Lab "
                         "reads: upload a sample of it.")
    total = 0
    for entry in entries:
        _check_entry(entry, name, limits)
        total += entry.file_size
        if total > limits.max_total_bytes:
            raise ValueError(f"{name} unpacks to more than {readable_size(limits.max_total_bytes)}, the most Keras "
                             "Lab unpacks (a zip bomb, or simply too much data): upload a smaller sample.")
    return [entry for entry in entries if not entry.is_dir()]


def _check_entry(entry: zipfile.ZipInfo, name: str, limits: ArchiveLimits) -> None:
    path = entry.filename
    if points_outside(path):
        raise ValueError(f"{name} holds the entry {path!r}, which points outside the archive (an absolute path or "
                         "'..'): Keras Lab refuses such archives; zip the folder again from inside it.")
    if (entry.external_attr >> 16) & 0o170000 == 0o120000:
        raise ValueError(f"{name} holds {path!r}, a symbolic link: Keras Lab refuses links in an archive; zip the "
                         "files themselves (zip without --symlinks).")
    if entry.flag_bits & 0x1:
        raise ValueError(f"{name} is password-protected ({path!r} is encrypted): zip the files without a password.")
    if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValueError(f"{name} compresses {path!r} with method {entry.compress_type}; Keras Lab reads stored or "
                         "deflated entries, which every zip tool writes by default: zip it again with the defaults.")
    check_expansion(entry.file_size, entry.compress_size, f"{path!r} in {name}", limits)


def check_expansion(unpacked: int, packed: int, what: str, limits: ArchiveLimits) -> None:
    """Refuse content that unpacks past the limit, or from far too little: `what` names it in the message."""
    if unpacked > limits.max_total_bytes:
        raise ValueError(f"{what} unpacks to more than {readable_size(limits.max_total_bytes)}, the most Keras Lab "
                         "unpacks (a zip bomb, or simply too much data): upload a smaller sample.")
    if expands_like_a_bomb(unpacked, packed, limits):
        raise ValueError(f"{what} unpacks from {readable_size(packed)} to {readable_size(unpacked)}, more than "
                         f"{limits.max_ratio:g} times its size: that is how a zip bomb looks, not real data, so Keras "
                         "Lab refuses it.")


def entry_bytes(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, name: str) -> bytes:
    """An entry's content, no longer than its checked size (zipfile stops there) and its checksum verified."""
    try:
        return archive.read(entry)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{entry.filename!r} in {name} is damaged ({error}): create the zip again.") from None


def is_system_file(path: str) -> bool:
    return path.startswith("__MACOSX/") or PurePosixPath(path).name.casefold() in SYSTEM_FILES
