"""The visitor's room: the code they joined by (`?room=CODE`), and for an instructor the key that opens its board
(`&room_key=...`). Both ride in the address like the visitor key, so a reload or a restart keeps the room."""

from __future__ import annotations

import streamlit as st

from core.room.room import Learner, Room
from dashboard.resources import room_store
from dashboard.session import session_owner

ROOM_PARAMETER, ROOM_KEY_PARAMETER, BOARD_PARAMETER = "room", "room_key", "board"
ROOM_CODE_KEY, INSTRUCTOR_KEY, SPECTATOR_KEY = "room_code", "room_instructor_key", "room_spectator"
"""A spectator (`&board=1`: the projector's presenter view) sees the board and the join link, as learners may, without
joining and without the key, so the key never shows in a projected address bar."""
FOLLOWED_KEY = "room_followed"
"""The number of the room's last direction this session has followed (or found already given when it came)."""
ROOM_NOTICE_KEY = "room_notice"


def read_room_from_address() -> None:
    """Take the room (and the instructor's key) from the address the first time the session sees them."""
    if ROOM_CODE_KEY in st.session_state or ROOM_PARAMETER not in st.query_params:
        return
    room = room_store().get(st.query_params[ROOM_PARAMETER])
    if room is None:
        st.session_state[ROOM_NOTICE_KEY] = (f"There is no room {st.query_params[ROOM_PARAMETER]!r} on this server: "
                                             "check the join link with your instructor. You can use Keras Lab alone.")
        st.session_state[ROOM_CODE_KEY] = None
        return
    enter_room(room, st.query_params.get(ROOM_KEY_PARAMETER, ""))
    st.session_state[SPECTATOR_KEY] = st.query_params.get(BOARD_PARAMETER) == "1"


def enter_room(room: Room, key: str = "") -> None:
    """From now on the session belongs to this room (as its instructor when the key opens it)."""
    st.session_state[ROOM_CODE_KEY] = room.code
    st.session_state[INSTRUCTOR_KEY] = key if key and room.opens_with(key) else ""
    st.session_state[FOLLOWED_KEY] = room.direction.number if room.direction is not None else 0


def leave_room() -> None:
    for key in (INSTRUCTOR_KEY, FOLLOWED_KEY, SPECTATOR_KEY):
        st.session_state.pop(key, None)
    st.session_state[ROOM_CODE_KEY] = None  # Not read from the address again in this session.


def session_room() -> Room | None:
    code = st.session_state.get(ROOM_CODE_KEY)
    return room_store().get(code) if code else None


def instructor_key() -> str:
    """The key of the session's room when this visitor is its instructor, else ""."""
    return st.session_state.get(INSTRUCTOR_KEY, "") if st.session_state.get(ROOM_CODE_KEY) else ""


def is_spectator() -> bool:
    return bool(st.session_state.get(ROOM_CODE_KEY) and st.session_state.get(SPECTATOR_KEY))


def session_learner(room: Room) -> Learner | None:
    return room.learner(session_owner())


def room_address_parameters() -> dict[str, str | None]:
    """What the address carries of the room, for `dashboard.address.sync_with_url` (None: nothing)."""
    return {ROOM_PARAMETER: st.session_state.get(ROOM_CODE_KEY) or None, ROOM_KEY_PARAMETER: instructor_key() or None,
            BOARD_PARAMETER: "1" if is_spectator() else None}
