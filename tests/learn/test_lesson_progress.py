"""A visitor's Learn progress, kept on disk: found again by a new store (a restart), apart from other visitors'."""

import json

import pytest

from core.learn.progress import LessonProgress

OWNER = "0123456789abcdef0123456789abcdef"
OTHER = "fedcba9876543210fedcba9876543210"


def test_progress_is_kept_per_visitor_and_survives_a_new_store(tmp_path):
    store = LessonProgress(tmp_path)
    assert store.answered_right(OWNER) == frozenset()
    assert store.record_right(OWNER, "network") == {"network"}
    assert store.record_right(OWNER, "convolution") == {"network", "convolution"}
    assert store.record_right(OWNER, "network") == {"network", "convolution"}, "a lesson counts once"
    assert LessonProgress(tmp_path).answered_right(OWNER) == {"network", "convolution"}
    assert LessonProgress(tmp_path).answered_right(OTHER) == frozenset(), "another visitor's progress is their own"
    assert sorted(path.name for path in tmp_path.iterdir()) == [f"{OWNER}.json"], "no partial file left behind"


def test_a_lesson_the_course_no_longer_has_or_a_damaged_file_starts_afresh(tmp_path):
    (tmp_path / f"{OWNER}.json").write_text(json.dumps({"answered_right": ["network", "transformers", 3]}))
    assert LessonProgress(tmp_path).answered_right(OWNER) == {"network"}
    (tmp_path / f"{OWNER}.json").write_text("{not json")
    assert LessonProgress(tmp_path).answered_right(OWNER) == frozenset()
    assert LessonProgress(tmp_path).record_right(OWNER, "recurrent") == {"recurrent"}


@pytest.mark.parametrize("owner, lesson, message", [
    ("../etc", "network", r"'\.\./etc' cannot name a learner's progress"),
    ("", "network", r"cannot name a learner's progress"),
    (OWNER, "transformers", r"there is no lesson 'transformers'; the lessons are network, "),
])
def test_bad_visitors_and_lessons_are_refused_before_anything_is_written(tmp_path, owner, lesson, message):
    with pytest.raises(ValueError, match=message):
        LessonProgress(tmp_path).record_right(owner, lesson)
    assert not any(tmp_path.iterdir())
