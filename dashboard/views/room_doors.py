"""The Room page before a room: open one (instructors), join one by its code, or open again a room you made."""

from __future__ import annotations

import streamlit as st

from dashboard.resources import room_store
from dashboard.room_session import enter_room

DOOR_ERROR_KEY = "room_door_error"


def _create() -> None:
    try:
        room, key = room_store().create(st.session_state.get("room_instructor_name", ""))
    except ValueError as error:
        st.session_state[DOOR_ERROR_KEY] = str(error)
        return
    enter_room(room, key)


def _join_by_code() -> None:
    code = st.session_state.get("room_code_typed", "")
    room = room_store().get(code)
    if room is None:
        st.session_state[DOOR_ERROR_KEY] = (f"There is no room {code.strip()!r} on this server: check the code on "
                                            "your instructor's slide (six letters and digits).")
        return
    enter_room(room)


def _open_as_instructor() -> None:
    code, key = st.session_state.get("room_open_code", ""), st.session_state.get("room_open_key", "").strip()
    room = room_store().instructor_room(code, key)
    if room is None:
        st.session_state[DOOR_ERROR_KEY] = ("That code and key do not open a room here: copy both from the Room page "
                                            "where you made it.")
        return
    enter_room(room, key)


def show_room_doors() -> None:
    """Two doors side by side, and a third in an expander for the instructor on another machine."""
    instructor, learner = st.columns(2, border=True)
    with instructor:
        st.subheader(":material/co_present: Open a room")
        st.markdown("For an instructor: learners join with a link or a QR code, and you see every learner's best run "
                    "on one live board, and can send the whole room to a lesson or a model.")
        st.text_input("Your name, as learners see it", key="room_instructor_name", max_chars=40,
                      placeholder="Your instructor")
        st.button("Open a room", type="primary", on_click=_create, icon=":material/add:")
    with learner:
        st.subheader(":material/login: Join a room")
        st.markdown("For a learner: type the code your instructor shows (or open their link).")
        st.text_input("Room code", key="room_code_typed", max_chars=12, placeholder="ABC234")
        st.button("Join", on_click=_join_by_code, icon=":material/group_add:")
    with st.expander("Open a room you made, on this or another machine", icon=":material/key:"):
        st.text_input("Room code", key="room_open_code", max_chars=12)
        st.text_input("Instructor key", key="room_open_key", type="password")
        st.button("Open the board", on_click=_open_as_instructor)
    error = st.session_state.pop(DOOR_ERROR_KEY, None)
    if error:
        st.error(error)
