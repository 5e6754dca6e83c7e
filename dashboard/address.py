"""The address bar: the pages' files it opens, the session's choices it carries (so any setup is a link), and the
links Keras Lab hands out for a chat or a workshop slide."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from core.data.dataset import UPLOADED_NAME
from core.models.presets import PRESETS
from core.models.share_link import spec_from_token, spec_token
from dashboard.resources import run_registry
from dashboard.room_session import ROOM_PARAMETER, room_address_parameters
from dashboard.session import (
    EDIT_ERROR_KEY,
    PRESET_KEY,
    RUN_KEY,
    SPEC_KEY,
    TRAINING_DATA_KEY,
    VISITOR_PARAMETER,
    may_see,
    selected_preset,
    session_owner,
    working_spec,
)

PAGES_DIRECTORY = Path(__file__).resolve().parent.parent / "pages"
"""The page scripts: `st.navigation` registers them, `st.page_link` and `st.switch_page` name them."""
SPEC_PARAMETER = "spec"
RUN_PARAMETER = "run"
PRESET_PARAMETER = "preset"
DATA_PARAMETER = "data"
URL_READ_KEY = "url_read"
"""Set once the address has been read: after that, the session's own choices write the address, not read it."""


def sync_with_url() -> None:
    """The visitor's key, the chosen preset, the edited model, the uploaded data chosen for training, the current
    run and the room ride in the address (`?visitor=...&preset=...&spec=...&data=...&run=...&room=...`).

    A reload or a bookmark then opens the same model and run, and finds the visitor's runs; an unknown value is
    ignored, and another visitor's run is not shown.
    """
    if PRESET_KEY not in st.session_state and st.query_params.get(PRESET_PARAMETER) in PRESETS:
        st.session_state[PRESET_KEY] = st.query_params[PRESET_PARAMETER]
    if RUN_KEY not in st.session_state and RUN_PARAMETER in st.query_params:
        run = run_registry().get(st.query_params[RUN_PARAMETER])
        if run is None or not may_see(run):
            del st.query_params[RUN_PARAMETER]
        else:
            st.session_state[RUN_KEY] = run.run_id
            if PRESET_KEY not in st.session_state and run.preset_name in PRESETS:
                st.session_state[PRESET_KEY] = run.preset_name
                if SPEC_PARAMETER not in st.query_params and run.spec != PRESETS[run.preset_name].spec:
                    st.session_state[SPEC_KEY] = run.spec  # The run trained an edited model: show that one.
    first_visit = not st.session_state.get(URL_READ_KEY)
    st.session_state[URL_READ_KEY] = True
    if first_visit and SPEC_PARAMETER in st.query_params:
        _spec_from_url()
    if first_visit and UPLOADED_NAME.fullmatch(st.query_params.get(DATA_PARAMETER, "")):
        st.session_state[TRAINING_DATA_KEY] = st.query_params[DATA_PARAMETER]
    edited = working_spec() != selected_preset().spec
    wanted = {VISITOR_PARAMETER: session_owner(), PRESET_PARAMETER: selected_preset().name,
              RUN_PARAMETER: st.session_state.get(RUN_KEY),
              SPEC_PARAMETER: spec_token(working_spec()) if edited else None,
              DATA_PARAMETER: st.session_state.get(TRAINING_DATA_KEY), **room_address_parameters()}
    for parameter, value in wanted.items():
        if value is not None and st.query_params.get(parameter) != value:
            st.query_params[parameter] = value
        elif value is None and parameter in st.query_params:
            del st.query_params[parameter]


def _spec_from_url() -> None:
    """A model carried by a shared link; a damaged one is dropped and said so, the preset stays."""
    try:
        st.session_state[SPEC_KEY] = spec_from_token(st.query_params[SPEC_PARAMETER])
    except ValueError as error:
        st.session_state[EDIT_ERROR_KEY] = f"The link's model could not be opened: {error} The preset is shown instead."


def model_link() -> str | None:
    """A link that opens this preset with this model, for a slide or a chat (None where the address is unknown)."""
    if not st.context.url:
        return None
    parameters = {PRESET_PARAMETER: selected_preset().name}
    if working_spec() != selected_preset().spec:
        parameters[SPEC_PARAMETER] = spec_token(working_spec())
    return f"{st.context.url}?{urlencode(parameters)}"


def workshop_link(page: str, **parameters: str) -> str | None:
    """A link for a slide: this server's address, the page, and the chosen lesson, preset, data or mode; and the
    session's room, so that learners who open it join that room."""
    if not st.context.url:
        return None
    parameters = {ROOM_PARAMETER: room_address_parameters()[ROOM_PARAMETER], **parameters}
    base = st.context.url.split("?")[0].rstrip("/")
    base = base.rsplit("/", 1)[0] if base.count("/") > 2 else base  # The server's root, whatever page is open.
    query = urlencode({name: value for name, value in parameters.items() if value})
    return f"{base}/{page}" + (f"?{query}" if query else "")
