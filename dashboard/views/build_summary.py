"""What the Build page says about the model as a whole: whether it can train here, its summary and diagram, and the
files and link to take away."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.data.dataset import Dataset
from core.models.analysis import SpecAnalysis
from core.models.export import python_script
from core.models.presets import Preset
from core.models.spec import ModelSpec, TrainingConfig
from core.number_text import counted
from dashboard.address import model_link
from dashboard.figures.diagram import model_diagram
from dashboard.views.build_editor import UPLOAD_KEY, spec_uploaded


def show_readiness(spec: ModelSpec, analysis: SpecAnalysis, dataset: Dataset | None, data_problem: str) -> None:
    """'Ready to train' only when Train could start now; a valid model without its data is told what Train says."""
    size = f"{counted(len(spec.layers), 'layer')}, {analysis.total_parameters:,} parameters"
    if analysis.ok and dataset is not None:
        st.success(f"Ready to train: {size}.", icon=":material/check_circle:")
    elif analysis.ok:
        st.info(f"The model is valid ({size}), but it cannot train here yet: {data_problem} You can still inspect "
                "it and download it as a script.", icon=":material/cloud_off:")
    else:
        for problem in analysis.problems:
            st.error(str(problem), icon=":material/error:")


def show_summary(spec: ModelSpec, analysis: SpecAnalysis, table: pd.DataFrame) -> None:
    """What `model.summary()` prints, its totals, and the model as a diagram."""
    st.dataframe(table, hide_index=True, width="stretch", height="content",  # Every layer, at any type size.
                 column_config={"Param #": st.column_config.NumberColumn(format="localized")})
    st.markdown(f"**Total params** {analysis.total_parameters:,} · **Trainable** {analysis.trainable_parameters:,} · "
                f"**Non-trainable** {analysis.total_parameters - analysis.trainable_parameters:,}")
    st.graphviz_chart(model_diagram(spec, analysis))


def show_take_away(spec: ModelSpec, analysis: SpecAnalysis, preset: Preset, config: TrainingConfig) -> None:
    """The script (offered once the model is valid, since Keras would refuse it too), the spec, a spec to open, and a
    link that opens this very model."""
    code = python_script(spec, config, preset.dataset_name, preset.title)
    script, as_json, upload = st.columns(3)
    script.download_button("Download the Python script", code, file_name=f"{preset.name}.py", mime="text/x-python",
                           icon=":material/download:", on_click="ignore", disabled=not analysis.ok)
    if not analysis.ok:
        script.caption("Offered once the model is valid: as it stands, Keras would refuse it too (see the problems "
                       "above).")
    as_json.download_button("Download the spec (JSON)", spec.to_json(), file_name=f"{preset.name}.json",
                            mime="application/json", icon=":material/data_object:", on_click="ignore")
    upload.file_uploader("Open a spec (JSON)", type=["json"], key=UPLOAD_KEY, on_change=spec_uploaded,
                         help="A spec downloaded from Keras Lab; unknown layer types or settings are refused.")
    with st.expander("Show code: a standalone Keras script", icon=":material/code:"):
        if analysis.ok:
            st.caption("Runs on its own with keras and numpy: `python script.py --epochs 1 --limit 256` for a quick "
                       "try.")
        else:
            st.warning(f"This script will not run yet: {analysis.problems[0]}", icon=":material/error:")
        st.code(code, language="python")
    link = model_link()
    if link is not None:
        st.markdown("**A link to exactly this model**, to share or to put on a slide:")
        st.code(link, language=None, wrap_lines=True)
