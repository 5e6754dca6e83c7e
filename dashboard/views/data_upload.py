"""Your own data on the Data page: upload a file, see it checked and previewed, keep it, train on it."""

from __future__ import annotations

import streamlit as st

from core.data.uploads.examples import LoadReport
from dashboard.address import PAGES_DIRECTORY
from dashboard.resources import dataset_store, read_upload
from dashboard.session import DATA_VIEW_KEY, TRAINING_DATA_KEY
from dashboard.views.dataset_view import show_dataset
from dashboard.views.upload_limit import upload_limit_megabytes

UPLOAD_KEY = "data_upload"
KEPT_KEY = "data_kept"
IMAGE_SIZES = {"28×28": (28, 28), "32×32": (32, 32), "64×64": (64, 64), "128×128": (128, 128)}
FORMATS = ("An `.npz` with `x_train`, `y_train` (and optionally `x_test`, `y_test`); MNIST-format IDX files "
           "(images and labels, raw or `.gz`, both at once, or a zip of them); a CSV of numeric columns and a label column, or of a "
           "text column and a label column; or a `.zip` of images, one sub-folder per class or named like "
           "`cat.1.jpg`.")


def keep(report: LoadReport, title: str) -> None:
    name = dataset_store().save(report.dataset, title)
    st.session_state[DATA_VIEW_KEY] = name
    st.session_state[TRAINING_DATA_KEY] = name
    st.session_state[KEPT_KEY] = title


def upload_section() -> None:
    if KEPT_KEY in st.session_state:
        st.success(f"Kept as '{st.session_state.pop(KEPT_KEY)}': Train now trains on it. Choose a preset whose model "
                   "fits it on Build (catsdogs-cnn for 128×128 colour photos).", icon=":material/check:")
        st.page_link(str(PAGES_DIRECTORY / "build.py"), label="Choose a model on Build", icon=":material/account_tree:")
    limit = upload_limit_megabytes()
    st.caption(f"{FORMATS} Files of up to {limit} MB each.")
    files = st.file_uploader("Your data", accept_multiple_files=True, key=UPLOAD_KEY, max_upload_size=limit)
    size_column, colour_column, split_column = st.columns(3)
    size = size_column.selectbox("Images resized to", list(IMAGE_SIZES), index=3,
                                 help="For a zip of images: 128×128 for colour photos, 28×28 for grey digits.")
    colour = colour_column.radio("Image colour", ("colour", "grey"), horizontal=True)
    test_fraction = split_column.slider("Held out for testing (when the data has no test part)", 0.1, 0.5, 0.2, 0.05,
                                        help="Stratified: every class keeps the same share. Seeded, so the same "
                                             "file always splits the same way.")
    if not files:
        return
    try:
        report = read_upload(tuple(file.file_id for file in files), IMAGE_SIZES[size], colour == "grey",
                             test_fraction, files)
    except ValueError as error:
        st.error(f"Not loaded: {error}", icon=":material/error:")
        return
    for note in report.notes:
        st.caption(note)
    show_dataset(report.dataset, key="upload")
    title = st.text_input("Name it", value=report.dataset.title, max_chars=80)
    st.button("Keep it and train on it", type="primary", on_click=keep, args=(report, title.strip() or "my data"),
              icon=":material/save:", help="Keeps it on this server and makes it the data the Train page uses.")
