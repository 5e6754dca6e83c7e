"""Joining a room: the name prompt a learner meets once, on whatever page the join link opened."""

from __future__ import annotations

import streamlit as st

from dashboard.markdown_text import markdown_literal
from dashboard.resources import room_store
from dashboard.room_session import (
    ROOM_NOTICE_KEY,
    instructor_key,
    is_spectator,
    leave_room,
    session_learner,
    session_room,
)
from dashboard.session import session_owner

NAME_KEY = "room_name"
JOIN_ERROR_KEY = "room_join_error"


def _join(code: str) -> None:
    try:
        room_store().join(code, session_owner(), st.session_state.get(NAME_KEY, ""))
        st.session_state.pop(JOIN_ERROR_KEY, None)
    except ValueError as error:
        st.session_state[JOIN_ERROR_KEY] = str(error)


def ask_name_once() -> bool:
    """Ask a visitor who came by a join link for their name, until they give one or decline; True while asking.

    Said once per visitor: their name is kept in the room, found again by the visitor key in the address."""
    notice = st.session_state.pop(ROOM_NOTICE_KEY, None)
    if notice:
        st.warning(notice, icon=":material/meeting_room:")
    room = session_room()
    if room is None or instructor_key() or is_spectator() or session_learner(room) is not None:
        return False
    with st.form("room_join", border=True):
        st.subheader(f":material/groups: Join room {room.code}")
        st.markdown(f"{markdown_literal(room.instructor)} opened this room. Your name shows on the room's board, beside your "
                    "best run; the other learners see names and scores, never your runs.")
        st.text_input("Your name", key=NAME_KEY, max_chars=40, placeholder="a name or a nickname")
        st.form_submit_button("Join the room", type="primary", on_click=_join, args=(room.code,),
                              icon=":material/login:")
    if st.session_state.get(JOIN_ERROR_KEY):
        st.error(st.session_state[JOIN_ERROR_KEY])
    st.button("Use Keras Lab without joining", on_click=leave_room)
    return True

