"""A training run drawn live: on the Train page its progress bar, curves and speed, and in every page's sidebar its
one line, each in a frame that fetches its updates.

The frames are a small Streamlit component (`components/live_run/index.html`, one page in two modes) that asks
Keras Lab's live route (`dashboard.live_feed`) for the run's newest state every few tenths of a second and redraws
in place (the curves with Plotly). No Streamlit rerun happens while they watch; when the run's state
changes (it starts, pauses, settles), a frame tells Streamlit, and the rerun that follows draws the page for the new
state (the settled run with Streamlit's own charts, say). The component uses the Plotly.js that the installed
`plotly` package ships, copied next to the page once, so both always agree.
"""

from __future__ import annotations

import filecmp
import functools
import json
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import plotly
import streamlit.components.v1 as components

from core.training.run import TrainingRun
from dashboard.live_feed import LIVE_PATH, live_line, live_update

COMPONENT_PAGE = Path(__file__).parent / "components" / "live_run" / "index.html"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
RUN_FETCH_SECONDS = 0.4
"""Between one update's arrival and the next fetch on the Train page: with the fetch's own time, over two updates a
second, so the curves look live (`benchmarks/watching.py` measures what it costs)."""
LINE_FETCH_SECONDS = 1.0
"""The sidebar's line changes once an epoch: once a second is enough, and in a room of thirty, the server has thirty
of them to answer."""


def served_folder() -> Path:
    """The component's page and the Plotly.js it loads, together in one folder that Streamlit serves (Plotly.js
    comes from the installed package, so it is copied there rather than kept in the repository)."""
    folder = Path(tempfile.gettempdir()) / f"keras-lab-live-run-{plotly.__version__}"
    folder.mkdir(exist_ok=True)
    for source in (COMPONENT_PAGE, PLOTLY_JS):
        target = folder / source.name
        if not target.exists() or not filecmp.cmp(source, target, shallow=False):
            partial = folder / f"{source.name}.partial"
            shutil.copyfile(source, partial)
            partial.replace(target)  # Atomic: a second server starting at once never serves half a file.
    return folder


def live_run_frame(run: TrainingRun) -> None:
    """The run's progress, curves and speed on the Train page, live while it is active."""
    _live_frame("live_run", run, live_update(run), RUN_FETCH_SECONDS)


def live_line_frame(run: TrainingRun) -> None:
    """The run's line in the sidebar ('Run · training, epoch 3/10'), live while it is active."""
    _live_frame("live_line", run, live_line(run), LINE_FETCH_SECONDS)


def _live_frame(mode: str, run: TrainingRun, update: dict[str, object], every_seconds: float) -> None:
    """The component in `mode`, its name too (so tests and benchmarks find its frames by their address), drawing
    `update` at once and fetching the next every `every_seconds`."""
    _component(mode)(mode=mode, run=run.run_id, update=json.dumps(update), path=LIVE_PATH,
                     every_ms=round(every_seconds * 1000), key=f"{mode}_{run.run_id}", default=None)


@functools.cache
def _component(name: str) -> Callable[..., object]:
    return components.declare_component(name, path=str(served_folder()))
