"""Learn: the first steps in deep learning, one short lesson at a time, each ending in the real tool."""

import streamlit as st

from core.learn.lessons import LESSONS
from dashboard.views.lesson_frame import (
             LESSON_KEY,
             ask_question,
             chosen_lesson,
             show_progress,
             show_try_it,
             show_workshop_link,
)
from dashboard.views.lesson_interactions import INTERACTIONS

st.title("Learn")
lesson = chosen_lesson()
show_progress()
st.selectbox("Lesson", [item.key for item in LESSONS], key=LESSON_KEY,
             format_func=lambda key: next(f"{item.number} · {item.title}" for item in LESSONS if item.key == key))
st.header(f"{lesson.number} · {lesson.title}")
st.markdown(lesson.summary)
INTERACTIONS[lesson.key]()
ask_question(lesson)
show_try_it(lesson)
show_workshop_link(lesson)
