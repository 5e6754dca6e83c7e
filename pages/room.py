"""Room: a workshop's room. The instructor opens it and gets a join link with a QR code, sees each learner's best
run on a live board and leads the room to a lesson or a model; a learner sees the board's names and scores."""

import streamlit as st

from dashboard.markdown_text import markdown_literal
from dashboard.room_session import instructor_key, is_spectator, leave_room, session_learner, session_room
from dashboard.views.room_board import download_results, live_board
from dashboard.views.room_doors import show_room_doors
from dashboard.views.room_lead import lead_the_room, show_invitation
from dashboard.views.workshop import presenter_mode

st.title("Room")
room = session_room()
if room is None:
    show_room_doors()
elif instructor_key() or is_spectator():  # The instructor, or the projector's view of the board.
    show_invitation(room, instructor_key(), presenting=presenter_mode() or is_spectator())
    if instructor_key() and not presenter_mode():
        lead_the_room(room, instructor_key())
    live_board(room.code, with_queue=True)
    if instructor_key():
        download_results(room.code)
else:
    learner = session_learner(room)
    st.markdown(f"You are in room **{room.code}** as **{markdown_literal(learner.name)}**. The board shows every "
                "learner's name and best score; your runs are yours alone.")
    live_board(room.code, with_queue=False)
    st.button("Leave the room", on_click=leave_room, icon=":material/logout:")
