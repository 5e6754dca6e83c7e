"""The Benchmark page's parts: what this machine has, the plan form, a measurement in progress, and results."""

from __future__ import annotations

import streamlit as st

from core.benchmark.devices import DeviceReport
from core.benchmark.jobs import BenchmarkJob
from core.benchmark.plan import BenchmarkPlan
from core.benchmark.results import (
    REFERENCE_RESULT,
    BenchmarkResult,
    result_from_json,
    result_to_json,
    results_to_csv,
)
from core.data.dataset import OUTLINES
from core.models.presets import PRESETS
from dashboard.figures.benchmark import (
    batch_size_lines,
    default_comparison,
    epoch_time_bars,
    measurement_rows,
    result_name,
)
from dashboard.live import draw_live
from dashboard.resources import benchmark_jobs
from dashboard.session import selected_preset, session_owner, working_spec

BATCH_SIZES = (32, 64, 128, 256, 512, 1024)
COMPARED_BACKENDS = ("jax", "tensorflow")
"""Measured side by side by default: the two backends Keras Lab chooses between for a run."""
BUILT_MODEL = "the model on Build"
BATCH_KEY, IMPORT_KEY = "benchmark_batch", "benchmark_import"


def show_hardware(report: DeviceReport) -> None:
    installed = [f"{name} {version}" for name, version in report.backends.items() if version != "not installed"]
    st.markdown(f"**This machine** · {report.cpu}, {report.cores} CPU cores · Keras backends installed: "
                f"{', '.join(installed) or 'none'}")
    if report.gpus:
        st.dataframe([{"backend": gpu.backend, "device": f"gpu:{gpu.index}", "name": gpu.name,
                       "memory (MB)": gpu.memory_mb} for gpu in report.gpus], hide_index=True)
    else:
        st.info(f"No GPU here: {report.explanation} The CPU can still be measured, and results measured on a GPU "
                "elsewhere can be imported below.", icon=":material/memory:")


def device_options(report: DeviceReport) -> list[str]:
    indices = sorted({gpu.index for gpu in report.gpus})
    return ["cpu", *(f"gpu:{index}" for index in indices), *(["all-gpus"] if len(indices) > 1 else [])]


def plan_form(report: DeviceReport) -> None:
    """What to measure; submitting starts the benchmark (or says why it cannot start)."""
    trainable = [name for name, preset in PRESETS.items() if OUTLINES[preset.dataset_name].available]
    with st.form("benchmark_plan"):
        model_column, device_column, batch_column = st.columns([2, 2, 2])
        model = model_column.selectbox("Model", [*trainable, BUILT_MODEL], index=trainable.index("mnist-dense512"))
        devices = device_column.multiselect("Devices", device_options(report), default=device_options(report))
        batch_sizes = batch_column.multiselect("Batch sizes", BATCH_SIZES, default=[128])
        epochs_column, examples_column, data_column, backend_column = st.columns([1, 1, 1, 1.4])  # Two tags fit.
        epochs = epochs_column.number_input("Epochs", min_value=2, max_value=50, value=3,
                                            help="The first epoch also traces and compiles the model, so it is "
                                                 "reported apart; the median of the others is the epoch time.")
        examples = examples_column.number_input("Training examples (0: all)", min_value=0, max_value=1_000_000,
                                                value=0, step=500)
        data = data_column.radio("Data", ("dataset", "random"), horizontal=True,
                                 help="Random arrays of the same shape time the same arithmetic without the data.")
        installed = [name for name, version in report.backends.items() if version != "not installed"]
        backends = backend_column.multiselect(
            "Backends", installed or ["tensorflow"], default=[name for name in COMPARED_BACKENDS if name in installed],
            help="Each one measured in turn, side by side below: Keras Lab trains a model on the one that is faster "
                 "for it (JAX for Dense and recurrent models, TensorFlow for convolutions, on a CPU).")
        steps, jit, mixed = st.columns(3)
        steps_per_execution = steps.number_input("steps_per_execution", min_value=1, max_value=1000, value=1,
                                                 help="Batches run per call into the framework: helps small models.")
        jit_compile = jit.checkbox("jit_compile (XLA)")
        mixed_precision = mixed.checkbox("Mixed precision (GPU only)", disabled=not report.gpus)
        submitted = st.form_submit_button("Measure", type="primary", icon=":material/speed:")
    if not submitted:
        return
    try:
        spec = working_spec() if model == BUILT_MODEL else PRESETS[model].spec
        dataset = selected_preset().dataset_name if model == BUILT_MODEL else PRESETS[model].dataset_name
        plans = [BenchmarkPlan(model="custom spec" if model == BUILT_MODEL else model, spec=spec, dataset=dataset,
                               devices=tuple(devices), batch_sizes=tuple(sorted(batch_sizes)), epochs=int(epochs),
                               backend=backend, steps_per_execution=int(steps_per_execution),
                               jit_compile=jit_compile, mixed_precision=mixed_precision, data=data,
                               examples=int(examples) or None) for backend in backends]
        benchmark_jobs().start(session_owner(), plans)
    except ValueError as error:
        st.error(f"Not started: {error}", icon=":material/error:")
        return
    st.rerun()


def show_job(job: BenchmarkJob) -> None:
    """Progress while it measures, with a cancel button; then its outcome in a line."""
    def draw() -> None:
        progress = job.progress
        if job.is_running:
            text = "starting the first measurement…"
            if progress is not None:
                text = f"{job.plans[job.plan_index].backend}: {progress.message}"
            st.progress(job.fraction_done, text=text)
        elif job.error:
            st.error(f"The benchmark stopped: {job.error}", icon=":material/error:")
        elif job.results:
            rows = [row for result in job.results for row in result.measurements]
            failed = [row for row in rows if row.status != "ok"]
            saved = " and ".join(f"'{result.label}'" for result in job.results)
            st.success(f"Measured {len(rows) - len(failed)} of {len(rows)}: saved as {saved}."
                       + (f" {len(failed)} failed, see the table." if failed else ""), icon=":material/check:")

    draw_live(draw, lambda: job.is_running)
    if job.is_running:
        st.button("Cancel", on_click=job.cancel.set, icon=":material/cancel:",
                  help="Stops the measurement in progress; the ones not started are marked cancelled.")


def import_results() -> None:
    """Results measured elsewhere (a GPU box, say), checked before they are kept next to the local ones."""
    uploaded = st.file_uploader("Import a results file (JSON)", type=["json"], key=IMPORT_KEY)
    if uploaded is None:
        return
    try:
        result = result_from_json(uploaded.getvalue(), source="imported")
    except ValueError as error:
        st.error(f"{uploaded.name} was not imported: {error}", icon=":material/error:")
        return
    if all(kept.result_id != result.result_id for kept in benchmark_jobs().store.list()):
        benchmark_jobs().store.save(result)
    st.success(f"Imported '{result.label}' from {uploaded.name}.", icon=":material/upload:")


def show_results() -> None:
    """Chosen results side by side: bars per device, a line per batch size, every measurement in a table."""
    results: list[BenchmarkResult] = [*benchmark_jobs().store.list(), REFERENCE_RESULT]
    names = {result_name(result): result for result in results}
    default = [result_name(result) for result in default_comparison(results)]
    # No key: when a new result arrives the options change, and the choice starts again from the newest ones.
    shown = [names[name] for name in st.multiselect("Results to compare", list(names), default=default,
                                                    help="The quoted reference is the 4-conv CNN: it is chosen "
                                                         "for you beside measurements of that model, or before "
                                                         "anything is measured.")]
    if not shown:
        st.info("Choose one or more results to compare.")
        return
    models = sorted({result.model for result in shown})
    if len(models) > 1:
        st.warning(f"These are different models ({', '.join(models)}): their seconds per epoch do not compare, "
                   "only their speed-ups over the CPU do.", icon=":material/compare_arrows:")
    batch_sizes = sorted({row.batch_size for result in shown for row in result.measurements})
    batch = st.segmented_control("Batch size", batch_sizes, default=128 if 128 in batch_sizes else batch_sizes[0],
                                 key=BATCH_KEY, required=True)
    st.plotly_chart(epoch_time_bars(shown, batch), width="stretch", key="benchmark_bars")
    if len(batch_sizes) > 1:
        st.plotly_chart(batch_size_lines(shown), width="stretch", key="benchmark_lines")
    st.dataframe(measurement_rows(shown), hide_index=True, width="stretch",
                 column_config={"speed-up vs CPU": st.column_config.NumberColumn(format="%.1f×"),
                                "samples per second": st.column_config.NumberColumn(format="%.0f"),
                                "first epoch (s)": st.column_config.NumberColumn(format="%.3f"),
                                "steady epoch (s)": st.column_config.NumberColumn(format="%.3f")})
    for result in shown:
        if result.note:
            st.caption(f"**{result.label}**: {result.note}")
    json_column, csv_column = st.columns(2)
    newest = shown[0]
    json_column.download_button(f"Download '{newest.label}' as JSON", result_to_json(newest),
                                file_name=f"keras-lab-benchmark-{newest.result_id}.json", mime="application/json",
                                icon=":material/download:")
    csv_column.download_button("Download the compared results as CSV", results_to_csv(shown),
                               file_name="keras-lab-benchmarks.csv", mime="text/csv", icon=":material/download:")
