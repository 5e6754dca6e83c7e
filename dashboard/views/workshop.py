"""Workshop mode: a presenter view for the projector (the links that open it are `dashboard.address.workshop_link`).

`?presenter=1` enlarges the type and keeps the sidebar folded away; `&theme=dark` switches to Streamlit's own dark
theme (as set in `.streamlit/config.toml`) for rooms where a white screen glares. The choice is kept for the
session, so moving between pages keeps it.
"""

from __future__ import annotations

import streamlit as st

PRESENTER_PARAMETER, THEME_PARAMETER, LESSON_PARAMETER = "presenter", "theme", "lesson"
PRESENTER_KEY, DARK_KEY = "workshop_presenter", "workshop_dark"
PRESENTER_STYLE = """
<style>
  html, body, [data-testid="stAppViewContainer"] { font-size: 21px; }
  [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.15rem; }
  h1 { font-size: 2.8rem !important; }
</style>
"""
EMBED_OPTIONS_PARAMETER, DARK_THEME_OPTION = "embed_options", "dark_theme"
SWITCH_TO_DARK = f"""<script>
  const address = new URL(window.location.href);
  if (!address.searchParams.getAll("{EMBED_OPTIONS_PARAMETER}").includes("{DARK_THEME_OPTION}")) {{
    address.searchParams.append("{EMBED_OPTIONS_PARAMETER}", "{DARK_THEME_OPTION}");
    window.location.replace(address);
  }}
</script>"""
"""Streamlit's frontend chooses its theme when the page loads, and `?embed_options=dark_theme` makes it the dark
one: the one way a page can pick a theme, so a browser that is not dark yet loads the page again once with it (never
twice: `st.query_params` does not show the embed options, so the script itself looks whether it asked already)."""


def read_workshop_parameters() -> None:
    """Take the presenter and theme choices from the address the first time they appear in it."""
    if PRESENTER_PARAMETER in st.query_params:
        st.session_state[PRESENTER_KEY] = st.query_params[PRESENTER_PARAMETER] not in ("", "0")
    if THEME_PARAMETER in st.query_params:
        st.session_state[DARK_KEY] = st.query_params[THEME_PARAMETER] == "dark"


def presenter_mode() -> bool:
    return bool(st.session_state.get(PRESENTER_KEY))


def apply_presenter_style() -> None:
    """Larger type on every page while presenting (Streamlit's theme has one font size for every visitor)."""
    if presenter_mode():
        st.html(PRESENTER_STYLE)


def apply_dark_theme() -> None:
    """Streamlit's dark theme, charts and widgets included, once `&theme=dark` asked for it."""
    if st.session_state.get(DARK_KEY) and st.context.theme.type != "dark":
        st.html(SWITCH_TO_DARK, unsafe_allow_javascript=True)
