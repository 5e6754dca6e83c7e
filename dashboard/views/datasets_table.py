"""The datasets Keras Lab knows, and whether each one is here: the Data page's catalogue and its choices."""

from __future__ import annotations

import streamlit as st

from core.data.catalogue import dataset_availability
from core.data.dataset import OUTLINES
from dashboard.resources import dataset_store


@st.cache_data(ttl=60, show_spinner="Looking for the datasets…")
def availability_rows() -> list[dict[str, object]]:
    rows = []
    for name, outline in OUTLINES.items():
        availability = dataset_availability(name)
        rows.append({"dataset": name, "what": outline.title,
                     "one example": "×".join(str(size) for size in outline.example_shape),
                     "classes": outline.num_classes, "here?": availability.status,
                     "download": "—" if availability.size_mb is None else f"{availability.size_mb:.1f} MB",
                     "details": availability.detail})
    return rows


def show_catalogue() -> None:
    """A table that wraps its text, so every dataset's details (where to copy its files, say) can be read whole."""
    st.table(availability_rows(), border="horizontal")


def dataset_choices() -> dict[str, str]:
    """Datasets to look at (name → label): the built-in ones and the visitors' uploads."""
    built_in = {name: f"{name} · {outline.title}" for name, outline in OUTLINES.items() if outline.available}
    uploaded = {name: f"{title} (uploaded)" for name, title in dataset_store().list()}
    return built_in | uploaded
