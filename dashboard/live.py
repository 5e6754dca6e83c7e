"""Redrawing part of a page while a run trains, without rerunning the page or touching the training."""

from __future__ import annotations

from typing import Callable, Hashable, TypeVar

import streamlit as st

REFRESH_SECONDS = 0.5
"""Twice a second, for the parts of a page that a fragment redraws (a benchmark's progress, a sweep's runs, the
Predict page's wait); a training run is drawn live by the frames of `dashboard.live_frames` instead."""
Built = TypeVar("Built")


def draw_live(draw: Callable[[], None], is_active: Callable[[], bool],
              every: Callable[[], float] | float = REFRESH_SECONDS) -> None:
    """Draw once; while `is_active()`, redraw every `every` seconds (a number, or a function of the moment: a
    queued run's page need not redraw as often as a training one's) in a fragment.

    When activity ends, or the interval `every` gives changes, the whole page reruns (once per live part of the
    page), so everything on it shows the new state and nothing keeps polling the server at the old pace.
    """
    if not is_active():
        draw()
        return
    interval = every() if callable(every) else every

    @st.fragment(run_every=interval)
    def redraw() -> None:
        draw()
        if not is_active() or (callable(every) and every() != interval):
            st.rerun()

    redraw()


def built_once_per_version(name: str, version: Hashable, build: Callable[[], Built]) -> Built:
    """What `build` makes, made again only when `version` changes: a live part redraws twice a second, and between
    two batches (or while a run is paused) nothing it shows has changed. Kept per session."""
    key = f"_built_{name}"
    cached = st.session_state.get(key)
    if cached is None or cached[0] != version:
        cached = (version, build())
        st.session_state[key] = cached
    return cached[1]
