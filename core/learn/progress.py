"""A visitor's progress through the Learn page's course, kept on disk so a reload or a server restart keeps it.

Workshop rooms reload often; a learner who answered three lessons right should still see "3 of 7" afterwards.
Each visitor has one small JSON file under the data directory (`progress/<visitor>.json`) listing the keys of
the lessons they answered right, found again by the visitor key that rides in the address, as their runs are.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from core.learn.lessons import LESSONS, lesson_named
from core.predict.drawn_digits import OWNER_PATTERN
from core.settings import data_directory

RIGHT_FIELD = "answered_right"


class LessonProgress:
    """Reads and records which lessons each visitor answered right, one file per visitor under one folder."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else data_directory() / "progress"
        self._lock = threading.Lock()

    def answered_right(self, owner: str) -> frozenset[str]:
        """The keys of the lessons the owner answered right; none for a new visitor or a damaged file.

        Keys of lessons the course no longer has are left out, so a renamed lesson never breaks the page.
        """
        path = self._path(owner)
        try:
            keys = json.loads(path.read_text())[RIGHT_FIELD]
        except FileNotFoundError:
            return frozenset()
        except (OSError, ValueError, KeyError, TypeError) as error:
            logging.getLogger(__name__).warning("%s could not be read (%s); starting that progress afresh", path,
                                                error)
            return frozenset()
        known = {lesson.key for lesson in LESSONS}
        return frozenset(key for key in keys if isinstance(key, str) and key in known)

    def record_right(self, owner: str, lesson_key: str) -> frozenset[str]:
        """Remember that the owner answered this lesson right; returns every lesson they have answered right."""
        lesson_named(lesson_key)  # A ValueError that lists the lessons, before anything is written.
        with self._lock:
            right = self.answered_right(owner) | {lesson_key}
            path = self._path(owner)
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial.json")
            partial.write_text(json.dumps({RIGHT_FIELD: sorted(right)}))
            partial.replace(path)  # A reader never sees half a file.
            return right

    def _path(self, owner: str) -> Path:
        if not isinstance(owner, str) or not OWNER_PATTERN.fullmatch(owner):
            raise ValueError(f"{owner!r} cannot name a learner's progress: use lower-case letters, digits and "
                             "dashes, as the visitor key in the address does.")
        return self.root / f"{owner}.json"
