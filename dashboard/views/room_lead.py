"""The instructor's side of the Room page: the join link and its QR code for the slide, the private key, the
presenter view of the board, and sending everyone to a lesson, a preset or a page."""

from __future__ import annotations

import io
import time
from typing import NamedTuple

import segno
import streamlit as st

from core.learn.lessons import LESSONS
from core.models.presets import PRESETS
from core.room.room import Room
from dashboard.address import workshop_link
from dashboard.resources import room_store
from dashboard.room_session import BOARD_PARAMETER, ROOM_PARAMETER
from dashboard.views.room_follow import place_words

LEAD_ERROR_KEY = "room_lead_error"
PAGES_TO_SEND = ("home", "data", "predict", "runs", "benchmark")


class Destination(NamedTuple):
    page: str
    lesson: str = ""
    preset: str = ""


DESTINATIONS = (*(Destination("learn", lesson=lesson.key) for lesson in LESSONS),
                *(Destination(page, preset=preset) for page in ("build", "train") for preset in PRESETS),
                *(Destination(page) for page in PAGES_TO_SEND))
"""Every place a room can be sent: each lesson, each preset on Build or on Train, and the other pages."""


def join_link(room: Room) -> str | None:
    return workshop_link("", **{ROOM_PARAMETER: room.code})


def qr_code_png(link: str) -> bytes:
    """The link as a QR code for the slide (segno makes it; medium error correction survives a glare)."""
    image = io.BytesIO()
    segno.make(link, error="m").save(image, kind="png", scale=10, border=2)
    return image.getvalue()


def show_invitation(room: Room, key: str, presenting: bool) -> None:
    """The join link and its QR code; outside the presenter view, the key and the presenter view's link."""
    link = join_link(room)
    words, picture = st.columns([3, 1])
    words.markdown(f"### Join room **{room.code}**")
    if link is None:
        words.markdown("Open the Room page in a browser to see the join link.")
        return
    words.code(link, language=None)
    words.caption("Learners open the link (or scan the code) and type their name; their runs then show here.")
    picture.image(qr_code_png(link), caption=f"Room {room.code}", width="stretch")
    if presenting or not key:
        return
    with words.expander("Your instructor key (private)", icon=":material/key:"):
        st.markdown("With this key anyone opens this board and leads the room: keep it off the slides. To open the "
                    "board on another machine, choose *Open a room you made* there and type the code and the key.")
        st.code(key, language=None)
    presenter = workshop_link("room", **{ROOM_PARAMETER: room.code, BOARD_PARAMETER: "1"}, presenter="1")
    words.markdown(f"[Open the board in the presenter view]({presenter}) for the projector: the link, the code and "
                   "the board, without your key or controls.")


def _send(code: str, key: str) -> None:
    destination: Destination = st.session_state["room_destination"]
    try:
        room_store().lead(code, key, destination.page, destination.lesson, destination.preset)
        st.session_state.pop(LEAD_ERROR_KEY, None)
    except ValueError as error:
        st.session_state[LEAD_ERROR_KEY] = str(error)


def lead_the_room(room: Room, key: str) -> None:
    """Send everyone's page to one place; each follows within seconds and says who sent it."""
    st.subheader("Lead the room")
    choose, send = st.columns([3, 1], vertical_alignment="bottom")
    choose.selectbox("Send everyone to", DESTINATIONS, key="room_destination",
                     format_func=lambda place: place_words(*place))
    send.button("Send everyone", type="primary", on_click=_send, args=(room.code, key), icon=":material/campaign:")
    if st.session_state.get(LEAD_ERROR_KEY):
        st.error(st.session_state[LEAD_ERROR_KEY])
    elif room.direction is not None:
        sent = time.strftime("%H:%M:%S", time.localtime(room.direction.sent_at))
        st.caption(f"At {sent} you sent everyone to {place_words(room.direction.page, room.direction.lesson, room.direction.preset)}: each learner's page follows "
                   "within seconds, their runs training on.")
