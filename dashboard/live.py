"""Redrawing part of a page while a run trains, without rerunning the page or touching the training."""

from __future__ import annotations

from typing import Callable

import streamlit as st

REFRESH_SECONDS = 0.4


def draw_live(draw: Callable[[], None], is_active: Callable[[], bool]) -> None:
    """Draw once; while `is_active()`, redraw every REFRESH_SECONDS in a fragment.

    When activity ends the whole page reruns (once per live part of the page), so everything on it shows
    the final state and nothing keeps polling the server.
    """
    if not is_active():
        draw()
        return

    @st.fragment(run_every=REFRESH_SECONDS)
    def redraw() -> None:
        draw()
        if not is_active():
            st.rerun()

    redraw()
