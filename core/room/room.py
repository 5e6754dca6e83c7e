"""A workshop room: its join code, the digest of its instructor's key, its learners, and where it was last led.

The code is short, for a slide and a QR code; the key is long and secret, for the instructor alone. Both come from
`secrets`, independently, so one tells nothing of the other, and only the key's digest is ever written down.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from core.learn.lessons import lesson_named
from core.models.presets import PRESETS

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Capitals and digits with no look-alikes (no O/0, no I/1): read off a projector and typed on a phone."""
CODE_LENGTH = 6
CODE_PATTERN = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
KEY_BYTES = 24
"""192 random bits: no one guesses an instructor key, whatever codes they have seen."""
LONGEST_NAME = 40


def new_room_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_instructor_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def normalised_code(text: str) -> str:
    """A code as a learner may type it (lower case, spaces, a dash) in the form the room is stored under."""
    return re.sub(r"[\s-]", "", text).upper()


def learner_name(text: str) -> str:
    """The name as shown on the board: trimmed and on one line; a ValueError says what to type instead."""
    name = " ".join(str(text).split())
    if not name:
        raise ValueError("Type your name (or a nickname) so that your instructor can find you on the board.")
    if len(name) > LONGEST_NAME:
        raise ValueError(f"That name is {len(name)} characters long: use at most {LONGEST_NAME}.")
    return name


@dataclass(frozen=True)
class Learner:
    name: str
    joined_at: float


@dataclass(frozen=True)
class Direction:
    """Where the instructor sent everyone: a page, with a lesson (Learn) or a preset (Build, Train) when chosen.

    `number` counts the directions of the room, so a learner's page follows each one once."""

    number: int
    page: str
    sender: str
    lesson: str = ""
    preset: str = ""
    sent_at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Room:
    code: str
    key_digest: str
    instructor: str
    created_at: float = field(default_factory=time.time)
    learners: dict[str, Learner] = field(default_factory=dict)
    """Visitor key → learner: a learner's runs are the ones their visitor key started after they joined."""
    direction: Direction | None = None

    def opens_with(self, key: str) -> bool:
        """Whether `key` is this room's instructor key (compared in constant time)."""
        return hmac.compare_digest(self.key_digest, key_digest(key))

    def learner(self, owner: str) -> Learner | None:
        return self.learners.get(owner)

    def with_learner(self, owner: str, name: str) -> Room:
        """The room with this visitor in it under `name`; a name another learner has is refused, as the board would
        then show two rows nobody can tell apart."""
        name = learner_name(name)
        taken = [other for other_owner, other in self.learners.items()
                 if other_owner != owner and other.name.casefold() == name.casefold()]
        if taken:
            raise ValueError(f"Someone in this room is already called {name}: add an initial or a nickname.")
        joined_at = self.learners[owner].joined_at if owner in self.learners else time.time()
        return replace(self, learners={**self.learners, owner: Learner(name, joined_at)})

    def led_to(self, page: str, sender: str, lesson: str = "", preset: str = "") -> Room:
        """The room sent to `page`; an unknown lesson or preset is refused (a ValueError that lists the known)."""
        if lesson:
            lesson_named(lesson)
        if preset and preset not in PRESETS:
            raise ValueError(f"There is no preset {preset!r}: choose one of {', '.join(PRESETS)}.")
        number = self.direction.number + 1 if self.direction is not None else 1
        return replace(self, direction=Direction(number, page, sender, lesson, preset))

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Room:
        direction = record.get("direction")
        return cls(code=record["code"], key_digest=record["key_digest"], instructor=record["instructor"],
                   created_at=record["created_at"],
                   learners={owner: Learner(**learner) for owner, learner in record["learners"].items()},
                   direction=Direction(**direction) if direction else None)
