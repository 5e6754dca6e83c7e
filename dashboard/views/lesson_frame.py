"""The Learn page's frame around each lesson: which lesson, the question and its answer, progress, "Try it"."""

from __future__ import annotations

import streamlit as st

from core.learn.lessons import (
    LESSONS,
    Lesson,
    check_answer,
    lesson_named,
    next_lesson,
    progress_summary,
)
from dashboard.address import PAGES_DIRECTORY, workshop_link
from dashboard.resources import lesson_progress
from dashboard.session import PRESET_KEY, session_owner, start_from_preset
from dashboard.views.workshop import DARK_KEY, LESSON_PARAMETER, PRESENTER_KEY

LESSON_KEY = "learn_lesson"
VERDICT_KEY = "learn_verdict"


def chosen_lesson() -> Lesson:
    """The lesson in the address (`?lesson=convolution`) on arrival, then the one chosen on the page."""
    keys = [lesson.key for lesson in LESSONS]
    if LESSON_KEY not in st.session_state:
        offered = st.query_params.get(LESSON_PARAMETER)
        st.session_state[LESSON_KEY] = offered if offered in keys else keys[0]
    if st.query_params.get(LESSON_PARAMETER) != st.session_state[LESSON_KEY]:
        st.query_params[LESSON_PARAMETER] = st.session_state[LESSON_KEY]
    return lesson_named(st.session_state[LESSON_KEY])


def show_progress() -> None:
    """How many lessons this visitor answered right, read from disk so a reload or a restart keeps it."""
    right, total = progress_summary(lesson_progress().answered_right(session_owner()))
    st.progress(right / total, text=f"{right} of {total} lessons answered right")


def _check(lesson: Lesson) -> None:
    verdict = check_answer(lesson.question, st.session_state.get(f"learn_answer_{lesson.key}"))
    st.session_state[VERDICT_KEY] = (lesson.key, verdict)
    if verdict.right:
        lesson_progress().record_right(session_owner(), lesson.key)


def ask_question(lesson: Lesson) -> None:
    """The lesson's question, a Check button, and the kind explanation that follows any answer."""
    question = lesson.question
    st.subheader("Your turn")
    key = f"learn_answer_{lesson.key}"
    if question.kind == "choice":
        st.radio(question.prompt, question.choices, index=None, key=key, horizontal=True)
    else:
        st.text_input(question.prompt, key=key, placeholder="a number")
    st.button("Check", on_click=_check, args=(lesson,), icon=":material/task_alt:", key=f"learn_check_{lesson.key}")
    checked = st.session_state.get(VERDICT_KEY)
    if checked and checked[0] == lesson.key:
        verdict = checked[1]
        (st.success if verdict.right else st.warning)(verdict.message)


def _try(lesson: Lesson) -> None:
    st.session_state[PRESET_KEY] = lesson.preset
    start_from_preset()


def show_try_it(lesson: Lesson) -> None:
    """"Try it" loads the lesson's preset (with its dataset) and opens the Build page."""
    try_column, next_column = st.columns(2)
    if try_column.button(f"Try it: open `{lesson.preset}` on Build", type="primary", icon=":material/science:",
                         on_click=_try, args=(lesson,)):
        st.switch_page(str(PAGES_DIRECTORY / f"{lesson.page}.py"))
    following = next_lesson(lesson.key)
    if following is not None:
        next_column.button(f"Next: {following.title}", icon=":material/arrow_forward:", on_click=st.session_state.update,
                           args=({LESSON_KEY: following.key},))


def show_workshop_link(lesson: Lesson) -> None:
    """For instructors: a link that opens this lesson in the presenter view, to put on a slide."""
    link = workshop_link("learn", lesson=lesson.key, presenter="1",
                         theme="dark" if st.session_state.get(DARK_KEY) else "")
    if link is None:
        return
    with st.expander("For instructors: a link to this lesson"):
        st.code(link, language=None, wrap_lines=True)
        st.caption("The presenter view has larger type and a folded sidebar; add `&theme=dark` for a dark screen. "
                   "Links to other pages work the same way, such as `/build?preset=mnist-cnn-2conv&presenter=1`."
                   + (" You are presenting now." if st.session_state.get(PRESENTER_KEY) else ""))
