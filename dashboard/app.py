"""Keras Lab's entry point: `streamlit run dashboard/app.py`.

Streamlit serves the pages (`main.py`, the script every visit and rerun runs) and, beside its own routes, the one
that the Train page's live frame fetches its run's progress and curves from (`dashboard.live_feed`).
"""

import streamlit as st
from starlette.routing import Route

from dashboard.live_feed import LIVE_PATH, live_endpoint
from dashboard.resources import run_registry


def route_path(path: str) -> str:
    """`path` under Streamlit's base URL (`server.baseUrlPath`), where a frame served by Streamlit finds it."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/{path}" if base else f"/{path}"


app = st.App("main.py", routes=[Route(route_path(LIVE_PATH), live_endpoint(run_registry))])
