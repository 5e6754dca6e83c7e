"""Data: the classic datasets and your own, looked at before anything trains on them."""

import streamlit as st

from dashboard.session import DATA_VIEW_KEY, dataset_named
from dashboard.views.data_upload import upload_section
from dashboard.views.dataset_view import show_dataset
from dashboard.views.datasets_table import dataset_choices, show_catalogue

st.title("Data")
st.caption("Every dataset Keras Lab knows, where it comes from and whether it is here; and your own files, "
           "checked before anything trains on them.")
show_catalogue()
choices = dataset_choices()
if st.session_state.get(DATA_VIEW_KEY) not in choices:
    st.session_state[DATA_VIEW_KEY] = next(iter(choices))
name = st.selectbox("Look at", list(choices), format_func=choices.__getitem__, key=DATA_VIEW_KEY)
try:
    dataset = dataset_named(name)
except ValueError as error:
    st.info(f"{error}", icon=":material/cloud_off:")
else:
    show_dataset(dataset, key="chosen")
st.header("Your own data")
upload_section()
