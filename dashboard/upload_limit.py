"""The one upload limit every data and model uploader states and enforces: Keras Lab's own (KERAS_LAB_MAX_UPLOAD_MB,
200 MB by default), the same limit `core` checks files against."""

from __future__ import annotations

import logging

import streamlit as st

from core.data_files import DEFAULT_UPLOAD_MEGABYTES, max_upload_bytes


def upload_limit_megabytes() -> int:
    """The limit in whole megabytes, for `st.file_uploader(max_upload_size=...)`, so the browser refuses a larger
    file before sending it.

    Never above Streamlit's own `server.maxUploadSize` (also 200 MB unless a deployment changes it), since the server
    refuses larger requests whatever a widget says; a KERAS_LAB_MAX_UPLOAD_MB that is not a size falls back to the
    default here, and `core` names the mistake when a file is checked.
    """
    try:
        megabytes = max(1, max_upload_bytes() // 2**20)
    except ValueError as error:
        logging.getLogger(__name__).warning("%s", error)
        megabytes = DEFAULT_UPLOAD_MEGABYTES
    return min(megabytes, int(st.get_option("server.maxUploadSize")))
