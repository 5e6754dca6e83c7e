"""How a run trains: the backend and steps per call chosen per model, and a JAX run that never loads TensorFlow
yet leaves a model, TensorBoard scalars and curves with one point per step."""

import json
import logging
import subprocess
import sys
import textwrap

import pytest
from conftest import REPOSITORY

from core.models.presets import PRESETS, get_preset
from core.settings import BACKEND_VARIABLE
from core.training.execution import MAX_GROUPED_STEPS, backend_for, steps_per_execution
from core.training.history import RunHistory


@pytest.mark.parametrize("name", PRESETS)
def test_the_cnns_train_on_tensorflow_and_the_rest_on_jax(monkeypatch, name):
    monkeypatch.delenv(BACKEND_VARIABLE, raising=False)
    images = any(layer.type == "Conv2D" for layer in get_preset(name).spec.layers)
    assert backend_for(get_preset(name).spec) == ("tensorflow" if images else "jax")


def test_the_backend_can_be_fixed_for_every_run_and_a_typo_is_named(monkeypatch, caplog):
    spiral = get_preset("spiral-dense10").spec
    monkeypatch.setenv(BACKEND_VARIABLE, "tensorflow")
    assert backend_for(spiral) == "tensorflow"
    monkeypatch.setenv(BACKEND_VARIABLE, "pytorch")
    with caplog.at_level(logging.WARNING):
        assert backend_for(spiral) == "jax"
    assert "KERAS_LAB_BACKEND='pytorch' is not one of auto, jax, tensorflow" in caplog.text


def test_only_short_epochs_of_tiny_steps_on_jax_run_as_one_call():
    assert steps_per_execution("jax", 6, 83 * 50) == 6  # The spiral.
    assert steps_per_execution("jax", 23, 5_274) == 23  # The alphabet LSTM, one window per step.
    assert steps_per_execution("jax", 32, 407_050 * 128) == 1  # The MNIST MLP keeps a point per batch.
    assert steps_per_execution("jax", MAX_GROUPED_STEPS + 1, 10) == 1
    assert steps_per_execution("tensorflow", 6, 83 * 50) == 1
    with pytest.raises(ValueError, match="at least one step"):
        steps_per_execution("jax", 0, 10)


def test_steps_run_as_one_call_are_recorded_one_point_each():
    history = RunHistory()
    history.begin(2, 6)
    history.begin_epoch(1)
    history.record_batch(0, 1.5, 0.25, steps=6)
    snapshot = history.snapshot()
    assert snapshot.batch_losses == (1.5,) * 6 and snapshot.batches_in_epoch == 6 and snapshot.steps_done == 6


JAX_RUN = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from core.cli import main
    status = main(["train", "--preset", "spiral-dense10", "--epochs", "7", "--out", sys.argv[1]])
    import keras
    print(json.dumps({"status": status, "backend": keras.backend.backend(),
                      "tensorflow_loaded": sys.modules.get("tensorflow") is not None}))
""")


def test_a_jax_run_never_loads_tensorflow_and_keeps_its_folder(tmp_path):
    finished = subprocess.run([sys.executable, "-c", JAX_RUN, str(tmp_path)], capture_output=True, text=True,
                              cwd=REPOSITORY, timeout=300)
    outcome = json.loads(finished.stdout.splitlines()[-1])
    assert outcome == {"status": 0, "backend": "jax", "tensorflow_loaded": False}, finished.stderr
    (folder,) = [path.parent for path in tmp_path.glob("*/run.json")]
    record = json.loads((folder / "run.json").read_text())
    assert "on jax" in record["hardware"] and len(record["history"]["batch_losses"]) == 7 * 6
    assert (folder / "model.keras").exists()

    from tensorboard.backend.event_processing.plugin_event_accumulator import EventAccumulator
    from tensorboard.util.tensor_util import make_ndarray

    scalars = EventAccumulator(str(folder / "tensorboard" / "train"), size_guidance={"tensors": 0}).Reload()
    losses = [float(make_ndarray(event.tensor_proto)) for event in scalars.Tensors("epoch_loss")]
    assert losses == pytest.approx([epoch["loss"] for epoch in record["history"]["epochs"]], rel=1e-6)
    assert [event.step for event in scalars.Tensors("epoch_learning_rate")] == list(range(7))
