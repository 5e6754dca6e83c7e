"""A learner's page follows the room: where the instructor sends everyone, each learner's page goes within seconds,
with a banner that says who sent them, and nothing of theirs lost (runs train on; a replaced model can come back)."""

from __future__ import annotations

import streamlit as st

from core.learn.lessons import lesson_named
from core.models.presets import PRESETS
from core.models.spec import ModelSpec
from core.room.room import Direction
from dashboard.address import PAGES_DIRECTORY
from dashboard.markdown_text import markdown_literal
from dashboard.room_session import FOLLOWED_KEY, instructor_key, session_learner, session_room
from dashboard.session import PRESET_KEY, SPEC_KEY, selected_preset, set_working_spec, start_from_preset
from dashboard.views.lesson_frame import LESSON_KEY

FOLLOW_SECONDS = 1.0
"""How often a learner's page looks where the room was sent: a room should follow within 5 s, and on a busy server
the page it goes to takes seconds to draw (`benchmarks/room_board.py` measures both)."""
PENDING_KEY, BANNER_KEY, OWN_MODEL_KEY = "room_pending", "room_banner", "room_own_model"


def follow_the_room(page_title: str) -> None:
    """On every page of a learner in a room: go where the instructor sent everyone, say so, and keep looking.

    Called before anything else draws: the lesson or preset is set before its widgets exist in this run."""
    room = session_room()
    if room is not None and instructor_key():
        st.sidebar.markdown(f"**Room** · {room.code}, which you lead")
    if room is None or instructor_key() or session_learner(room) is None:
        return
    direction: Direction | None = st.session_state.pop(PENDING_KEY, None)
    if direction is not None:
        _take(direction)
        if direction.page.title() != page_title:
            st.switch_page(str(PAGES_DIRECTORY / f"{direction.page}.py"))
    _show_banner(page_title)
    with st.sidebar:
        _room_line()


@st.fragment(run_every=FOLLOW_SECONDS)
def _room_line() -> None:
    """The sidebar's room line, redrawn every second: when the room was sent somewhere new, the whole page reruns to
    follow (a fragment's run setting other widgets' values, or switching pages, was seen to lose the lesson)."""
    room = session_room()
    learner = session_learner(room) if room is not None else None
    if learner is None:
        return
    st.markdown(f"**Room** · {room.code}, you are {markdown_literal(learner.name)}")
    if room.direction is not None and room.direction.number > st.session_state.get(FOLLOWED_KEY, 0):
        st.session_state[FOLLOWED_KEY] = room.direction.number
        st.session_state[PENDING_KEY] = room.direction
        st.rerun(scope="app")


def _take(direction: Direction) -> None:
    """Open the lesson or the preset the room was sent to; the learner's model before it is kept to come back to."""
    if direction.lesson:
        st.session_state[LESSON_KEY] = direction.lesson
    own_model = (selected_preset().name, st.session_state.get(SPEC_KEY))
    if direction.preset in PRESETS and own_model != (direction.preset, None):
        st.session_state[OWN_MODEL_KEY] = own_model
        st.session_state[PRESET_KEY] = direction.preset
        start_from_preset()
    st.session_state[BANNER_KEY] = direction


def _show_banner(page_title: str) -> None:
    direction: Direction | None = st.session_state.get(BANNER_KEY)
    if direction is None or direction.page.title() != page_title:
        return
    where = place_words(direction.page, direction.lesson, direction.preset)
    banner, action = st.columns([5, 1], vertical_alignment="center")
    banner.info(f"{markdown_literal(direction.sender)} sent everyone to {where}.", icon=":material/campaign:")
    own_model = st.session_state.get(OWN_MODEL_KEY)
    if own_model is not None:
        action.button("Back to my model", on_click=_restore, args=(own_model,), icon=":material/undo:")


def _restore(own_model: tuple[str, ModelSpec | None]) -> None:
    preset, spec = own_model
    st.session_state[PRESET_KEY] = preset
    start_from_preset()
    if spec is not None:
        set_working_spec(spec)
    st.session_state.pop(OWN_MODEL_KEY, None)


def place_words(page: str, lesson: str = "", preset: str = "") -> str:
    """'Build with MNIST: one hidden layer of 512', 'Learn, lesson "Convolution"', 'Predict'."""
    if preset:
        return f"{page.title()} with {PRESETS[preset].title}"
    if lesson:
        return f'{page.title()}, lesson "{lesson_named(lesson).title}"'
    return page.title()
