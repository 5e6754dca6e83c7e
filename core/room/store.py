"""The server's rooms, one small JSON file each under the data directory (`rooms/<CODE>.json`), so a room outlives
a server restart as its runs do. Pages read rooms every few seconds: reads come from memory after the first."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Callable

from core.room.room import (
    CODE_PATTERN,
    Room,
    key_digest,
    learner_name,
    new_instructor_key,
    new_room_code,
    normalised_code,
)
from core.settings import data_directory

ATTEMPTS_AT_A_NEW_CODE = 20


class RoomStore:
    """Creates, finds, fills and leads rooms; one per server, its lock shared by every session."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else data_directory() / "rooms"
        self._rooms: dict[str, Room] = {}
        self._lock = threading.Lock()

    def create(self, instructor: str) -> tuple[Room, str]:
        """A new room and its instructor key: the key is returned once and only its digest is kept."""
        instructor = learner_name(instructor) if instructor.strip() else "Your instructor"
        key = new_instructor_key()
        with self._lock:
            for _ in range(ATTEMPTS_AT_A_NEW_CODE):
                code = new_room_code()
                if self._read(code) is None:
                    room = Room(code=code, key_digest=key_digest(key), instructor=instructor)
                    self._write(room)
                    return room, key
        raise RuntimeError("No free room code was found: remove old rooms from the data directory's rooms folder.")

    def get(self, code: str) -> Room | None:
        """The room of this code (typed loosely: `abc-def`), or None for a code no room has."""
        with self._lock:
            return self._read(normalised_code(code))

    def instructor_room(self, code: str, key: str) -> Room | None:
        """The room, when `key` is its instructor's; None otherwise (an unknown code or another key)."""
        room = self.get(code)
        return room if room is not None and room.opens_with(key) else None

    def join(self, code: str, owner: str, name: str) -> Room:
        """Put the visitor in the room under `name` (again: a new name replaces their old one)."""
        return self._change(code, lambda room: room.with_learner(owner, name))

    def lead(self, code: str, key: str, page: str, lesson: str = "", preset: str = "") -> Room:
        """Send everyone in the room to `page` (with a lesson or a preset); only the instructor's key may."""
        def led(room: Room) -> Room:
            if not room.opens_with(key):
                raise ValueError(f"That key does not open room {room.code}: only its instructor can lead it.")
            return room.led_to(page, room.instructor, lesson, preset)

        return self._change(code, led)

    def _change(self, code: str, change: Callable[[Room], Room]) -> Room:
        with self._lock:
            room = self._read(normalised_code(code))
            if room is None:
                raise ValueError(f"There is no room {code!r} on this server: check the code with your instructor.")
            changed = change(room)
            self._write(changed)
            return changed

    def _read(self, code: str) -> Room | None:
        """Call with the lock held."""
        if code in self._rooms:
            return self._rooms[code]
        if not CODE_PATTERN.fullmatch(code):
            return None
        path = self.root / f"{code}.json"
        try:
            room = Room.from_record(json.loads(path.read_text()))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            logging.getLogger(__name__).warning("%s could not be read (%s): that room is not shown", path, error)
            return None
        self._rooms[code] = room
        return room

    def _write(self, room: Room) -> None:
        """Call with the lock held. Written whole, then moved into place: a reader never sees half a room."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"{room.code}.json"
        partial = path.with_suffix(".partial.json")
        partial.write_text(json.dumps(room.to_record()))
        partial.replace(path)
        self._rooms[room.code] = room
