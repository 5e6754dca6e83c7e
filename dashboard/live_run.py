"""A training run drawn live on the Train page: its progress bar and curves, in one frame that fetches its updates.

The frame (`components/live_run/index.html`) is a small Streamlit component that holds one Plotly figure per curve
and asks Keras Lab's live route (`dashboard.live_feed`) for the run's newest state every `FETCH_SECONDS`, redrawing
in place with `Plotly.react`. No Streamlit rerun happens while it watches; when the run settles, the frame tells
Streamlit, and the rerun that follows draws the settled run with Streamlit's own charts. It uses the Plotly.js that
the installed `plotly` package ships, copied next to the page once, so both always agree.
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
from dashboard.live_feed import LIVE_PATH, live_update

COMPONENT_PAGE = Path(__file__).parent / "components" / "live_run" / "index.html"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
FETCH_SECONDS = 0.4
"""Between one update's arrival and the next fetch: about 2.4 updates a second with the fetch's own time, so the
curves look live (`benchmarks/watching.py` measures what it costs)."""


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


@functools.cache
def _component() -> Callable[..., object]:
    return components.declare_component("live_run", path=str(served_folder()))


def live_run_frame(run: TrainingRun) -> None:
    """The run's progress and curves, live until it settles; then Streamlit reruns the page."""
    _component()(run=run.run_id, update=json.dumps(live_update(run)), path=LIVE_PATH,
                 every_ms=round(FETCH_SECONDS * 1000), key=f"live_run_{run.run_id}", default=None)
