"""Server time of the Predict page: one canvas prediction, and one interaction while browsing the test set.

Canvas: a real MNIST test digit is enlarged to a 280×280 RGBA drawing; Keras Lab's path (OpenCV preprocessing,
then a direct model call, `core.predict.inference.predict_one`) is timed against plain Keras's `model.predict` on the
already-preprocessed digit, for the MLP and a CNN. Browsing: the Predict page is driven through Streamlit's
AppTest after a real two-epoch run; each click (next example, a filter, a confusion-matrix view) reruns the
page script on the server, and that rerun is timed against what the page would cost if it predicted the test set
again on every click (a plain `model.predict` over all test examples). Medians; ratios below 1 mean faster.

    python benchmarks/predict_speed.py [--repeats 30]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_LAB_OFFLINE", "1")
os.environ.setdefault("KERAS_LAB_HOME", tempfile.mkdtemp(prefix="keras-lab-benchmark-"))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from core.data.catalogue import load_dataset  # noqa: E402
from core.models.build import build_model  # noqa: E402
from core.models.inputs import prepare_inputs  # noqa: E402
from core.models.presets import get_preset  # noqa: E402
from core.predict.drawing import preprocess_drawing  # noqa: E402
from core.predict.inference import predict_one  # noqa: E402

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "main.py")


def median_milliseconds(action: Callable[[], object], repeats: int) -> float:
    action()  # The first call traces the model; a learner pays it once.
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def canvas_drawing(digit: np.ndarray) -> np.ndarray:
    """A test digit as the canvas would send it: 280×280 RGBA, white strokes on black."""
    enlarged = cv2.resize(digit, (280, 280), interpolation=cv2.INTER_LINEAR)
    return np.dstack([enlarged, enlarged, enlarged, np.full_like(enlarged, 255)])


def canvas_figures(repeats: int) -> None:
    dataset = load_dataset("mnist")
    drawing = canvas_drawing(dataset.x_test[0])
    print("One canvas prediction (preprocessing included on Keras Lab's side), median ms:")
    for name in ("mnist-dense512", "mnist-cnn-2conv"):
        spec = get_preset(name).spec
        model = build_model(spec, dataset.input_shape, dataset.num_classes)
        digit = preprocess_drawing(drawing).digit
        ours = median_milliseconds(lambda: predict_one(model, spec, preprocess_drawing(drawing).digit), repeats)
        plain = median_milliseconds(lambda: model.predict(prepare_inputs(spec, digit[np.newaxis]), verbose=0),
                                    repeats)
        print(f"  {name:18s} Keras Lab {ours:6.1f} ms   plain model.predict {plain:6.1f} ms   ratio {ours / plain:.2f}")


def timed_rerun(app: AppTest, action: Callable[[AppTest], object]) -> float:
    started = time.perf_counter()
    action(app)
    app.run()
    elapsed = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"the page failed: {app.exception}")
    return elapsed * 1000


def browsing_figures(repeats: int) -> None:
    app = AppTest.from_file(APP, default_timeout=300).run()
    app.switch_page("../pages/train.py").run()
    app.number_input(key="train_epochs").set_value(2).run()
    next(button for button in app.button if button.label == "Start training").click().run()
    while not any("finished" in element.value for element in app.sidebar.markdown):
        time.sleep(0.5)
        app.run()
    app.switch_page("../pages/predict.py").run()  # Predicts the whole test set once.
    steps = {
        "next example": lambda page: next(button for button in page.button if button.label == "Next").click(),
        "filter: wrong answers": lambda page: page.segmented_control(key="predict_outcome").set_value(
            "wrong" if page.segmented_control(key="predict_outcome").value != "wrong" else "all"),
        "confusion matrix view": lambda page: page.segmented_control(key="predict_view").set_value(
            "Confusion matrix" if page.segmented_control(key="predict_view").value != "Confusion matrix"
            else "Test examples"),
    }
    from dashboard.resources import run_registry

    run = run_registry().get(app.session_state["run_id"])  # The registry AppTest's page used: one per process.
    dataset = load_dataset("mnist")
    model = run_registry().trained_model(run)
    plain = median_milliseconds(
        lambda: model.predict(prepare_inputs(run.spec, dataset.x_test), batch_size=512, verbose=0), repeats)
    print(f"One Predict-page interaction (the page script's rerun on the server), median ms; against predicting "
          f"all {dataset.test_size:,} test examples again ({plain:.1f} ms):")
    for name, step in steps.items():
        times = [timed_rerun(app, step) for _ in range(repeats)]
        ours = statistics.median(times)
        print(f"  {name:24s} {ours:6.1f} ms   ratio to re-predicting {ours / plain:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    arguments = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    canvas_figures(arguments.repeats)
    browsing_figures(arguments.repeats)


if __name__ == "__main__":
    main()
