"""Two Streamlit behaviours Keras Lab works around, each fixed here and nowhere else.

1. After each script run, fragment reruns included, Streamlit calls `keras.backend.clear_session()`
   (`_clean_problem_modules` in `streamlit/runtime/scriptrunner/script_runner.py`; no setting turns it off)
   once Keras is imported. Training no longer happens in the server (runs train in worker processes), but the
   Predict page loads a model into it, and from then on each of those calls took 183 ms (measured beside a loaded
   MLP on two cores, with a 174 ms full garbage collection inside it) while the Train page redraws its curves
   every 0.4 s for each visitor watching: most of a core for nothing. Keras Lab keeps each model inside its run
   and never needs that reset. The hook's only other duty is closing matplotlib figures, and Keras Lab draws none.
2. Streamlit forgets a widget's value when the page that shows it is left, so a learner coming back to Train would
   find their epochs and batch size back at the preset's defaults.
"""

from __future__ import annotations

from typing import Iterable

import streamlit as st
from streamlit.runtime.scriptrunner import script_runner

KEPT_VALUES_KEY = "kept_widget_values"


def _leave_keras_alone() -> None:
    """Keras Lab's replacement for Streamlit's clean-up hook: there is nothing to clean."""


def keep_keras_state_across_reruns() -> None:
    """Replace the hook; if a Streamlit release renames it, tests/pages/test_pages.py notices that Keras is reset."""
    if hasattr(script_runner, "_clean_problem_modules"):
        script_runner._clean_problem_modules = _leave_keras_alone


def keep_widget_values(keys: Iterable[str]) -> None:
    """Write the widgets' values back, which keeps them across pages.

    A copy is also kept under a key no widget owns: when a page's run is cut short by the next click (a slow page
    left at once), Streamlit can drop the widget values even though they were written back, and the copy restores
    them.
    """
    kept = st.session_state.setdefault(KEPT_VALUES_KEY, {})
    for key in keys:
        if key in st.session_state:
            kept[key] = st.session_state[key]
        if key in kept:
            st.session_state[key] = kept[key]


def forget_widget_value(key: str) -> None:
    """Drop a widget's value for good (back to its default), the kept copy too."""
    st.session_state.pop(key, None)
    st.session_state.get(KEPT_VALUES_KEY, {}).pop(key, None)
