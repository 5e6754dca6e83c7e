"""Benchmark: seconds per epoch on each device, measured here, next to results measured elsewhere."""

import streamlit as st

from dashboard.resources import benchmark_jobs, device_report
from dashboard.session import session_owner
from dashboard.views.benchmark_view import (
    import_results,
    plan_form,
    show_hardware,
    show_job,
    show_results,
)

st.title("Benchmark")
st.caption("How long does an epoch take on a CPU, and on a GPU? Each measurement runs in a fresh process with its "
           "device fixed before the framework starts: the same model, data, batch size and number of steps. The "
           "first epoch (tracing and compiling) is reported apart from the median of the others.")
report = device_report()
show_hardware(report)
job = benchmark_jobs().latest(session_owner())
if job is None or not job.is_running:
    plan_form(report)
if job is not None:
    show_job(job)
st.subheader("Results")
show_results()
import_results()
