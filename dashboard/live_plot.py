"""A Plotly figure redrawn in place while a run trains: the live curves of the Train page.

`st.plotly_chart` redrawn twice a second costs the browser about 0.35 s of work per second for the two curves,
where `Plotly.react` on a bare page costs 0.14 s for the same figures (Chromium's own counters; see the README's
"Watching"). So while a run trains, each curve is a tiny Streamlit component (`components/live_plot/index.html`)
holding one Plotly figure in its own frame, which each rerun hands the figure as JSON for `Plotly.react`. It uses
the Plotly.js that the installed `plotly` package ships, copied next to the page once, so both always agree.
Once the run settles, the page draws the curves with `st.plotly_chart` again (Streamlit's theme, its toolbar).
"""

from __future__ import annotations

import filecmp
import functools
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import plotly
import plotly.graph_objects as go
import plotly.io
import streamlit.components.v1 as components

COMPONENT_PAGE = Path(__file__).parent / "components" / "live_plot" / "index.html"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def served_folder() -> Path:
    """The component's page and the Plotly.js it loads, together in one folder that Streamlit serves (Plotly.js
    comes from the installed package, so it is copied there rather than kept in the repository)."""
    folder = Path(tempfile.gettempdir()) / f"keras-lab-live-plot-{plotly.__version__}"
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
    return components.declare_component("live_plot", path=str(served_folder()))


def live_plot(figure: go.Figure, key: str) -> None:
    """Show `figure` in its live frame, updated in place by every rerun that draws it with the same `key`."""
    _component()(figure=plotly.io.to_json(figure, validate=False), key=key, default=None)
