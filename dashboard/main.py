"""The script Streamlit runs for every visit and rerun (`dashboard/app.py` serves it): page config, navigation,
sidebar.

Only Streamlit and Keras Lab's light modules are imported here, so the first page appears at once;
TensorFlow is imported by the worker processes that train runs (the first warms up as the first visitor arrives)
and by the first page that needs a model.
"""

import streamlit as st

from dashboard.address import PAGES_DIRECTORY, sync_with_url
from dashboard.resources import run_registry
from dashboard.room_session import read_room_from_address
from dashboard.session import PERSISTENT_WIDGET_KEYS
from dashboard.sidebar import render_sidebar
from dashboard.streamlit_fixes import keep_keras_state_across_reruns, keep_widget_values
from dashboard.views.room_follow import follow_the_room
from dashboard.views.room_join import ask_name_once
from dashboard.views.workshop import (
    apply_dark_theme,
    apply_presenter_style,
    presenter_mode,
    read_workshop_parameters,
)

keep_keras_state_across_reruns()
run_registry()  # Made once per server: its first worker starts importing Keras now, not at the first Start.
read_workshop_parameters()
st.set_page_config(page_title="Keras Lab", page_icon=":material/science:", layout="wide",
                   initial_sidebar_state="collapsed" if presenter_mode() else "auto")
apply_presenter_style()
apply_dark_theme()
keep_widget_values(PERSISTENT_WIDGET_KEYS)
navigation = st.navigation(
    [
        st.Page(PAGES_DIRECTORY / "home.py", title="Home", icon=":material/home:", default=True),
        st.Page(PAGES_DIRECTORY / "learn.py", title="Learn", icon=":material/school:"),
        st.Page(PAGES_DIRECTORY / "data.py", title="Data", icon=":material/dataset:"),
        st.Page(PAGES_DIRECTORY / "build.py", title="Build", icon=":material/account_tree:"),
        st.Page(PAGES_DIRECTORY / "train.py", title="Train", icon=":material/monitoring:"),
        st.Page(PAGES_DIRECTORY / "predict.py", title="Predict", icon=":material/visibility:"),
        st.Page(PAGES_DIRECTORY / "runs.py", title="Runs", icon=":material/history:"),
        st.Page(PAGES_DIRECTORY / "benchmark.py", title="Benchmark", icon=":material/speed:"),
        st.Page(PAGES_DIRECTORY / "room.py", title="Room", icon=":material/groups:"),
    ]
)
read_room_from_address()
follow_the_room(navigation.title)  # Before the rest: the room may have been sent to another page or preset.
sync_with_url()  # After st.navigation, which sets the address of the page it opens.
render_sidebar()
if not ask_name_once():  # A learner who came by a room's join link gives their name first.
    navigation.run()
