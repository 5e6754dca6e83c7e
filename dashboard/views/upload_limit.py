"""The one upload limit every data and model uploader states and enforces: Keras Lab's own (KERAS_LAB_MAX_UPLOAD_MB,
200 MB by default), the same limit `core` checks files against."""

from __future__ import annotations

import streamlit as st

from core.settings import max_upload_bytes


def upload_limit_megabytes() -> int:
    """The limit in whole megabytes, for `st.file_uploader(max_upload_size=...)`, so the browser refuses a larger
    file before sending it.

    Never above Streamlit's own `server.maxUploadSize` (also 200 MB unless a deployment changes it), since the server
    refuses larger requests whatever a widget says.
    """
    return min(max(1, max_upload_bytes() // 2**20), int(st.get_option("server.maxUploadSize")))
