"""The whole journey in a real browser: Debian's headless Chromium against a real `streamlit run` (the harness is
in `browser_support.py`)."""

import re
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from browser_support import (
    add_layer,
    choose,
    choose_preset,
    layer_labels,
    live_view,
    set_epochs,
    sidebar_link,
    train_for_one_epoch,
)
from conftest import wait_until
from playwright.sync_api import Error as PlaywrightError

from core.data.catalogue import load_dataset

EPOCHS = 150  # Long enough on the 4,000-digit sample (about 13 s on JAX) to watch the curves redraw, and to leave.
EPOCHS_DRAWN = """() => {
    const plot = document.getElementById('loss') || document.querySelector('.js-plotly-plot');
    const epochs = plot && plot.data && plot.data.find(trace => trace.name === 'train (per epoch)');
    return epochs ? epochs.x.length : 0;
}"""


def epochs_drawn(page) -> int:
    """The epochs on the loss curve, wherever it is drawn (see `drawn_anywhere`)."""
    return drawn_anywhere(page, EPOCHS_DRAWN)


def drawn_anywhere(page, script: str) -> int:
    """What `script` counts on the page and in the run's live frame (`dashboard.live_frames`), which draws the run
    while it trains. A frame the page has just removed may linger in the list, so the most drawn anywhere counts."""
    drawn = [page.evaluate(script)]
    for frame in page.frames:
        if "live_run" in frame.url and not frame.is_detached():
            try:
                drawn.append(frame.evaluate(script))
            except PlaywrightError:
                pass
    return max(drawn)


PROBABILITY_BARS = """() => {
    const bars = [...document.querySelectorAll('.js-plotly-plot')].map(p => p.data && p.data[0]).find(t => t && t.type === 'bar');
    return bars ? {classes: bars.x.length, total: bars.y.reduce((a, b) => a + b, 0)} : null;
}"""


CELL_CENTRE = """([trueClass, predictedClass]) => {
    const plot = document.querySelector('.js-plotly-plot');
    if (!plot || !plot._fullLayout || !plot._fullLayout.xaxis) return null;
    const layout = plot._fullLayout;
    return [layout.xaxis._offset + layout.xaxis.d2p(predictedClass), layout.yaxis._offset + layout.yaxis.d2p(trueClass)];
}"""


def test_preset_to_live_curves_to_prediction(dashboard, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(dashboard)
    page.get_by_role("heading", name="Keras Lab").wait_for()

    sidebar_link(page, "Build").click()
    choose_preset(page, "spiral-dense10")
    page.get_by_text("generated: 100 points per class").first.wait_for()
    page.reload()  # A reload keeps the chosen model: it rides in the address.
    page.get_by_text("generated: 100 points per class").first.wait_for()
    choose_preset(page, "mnist-dense512")
    page.get_by_text(re.compile(r"^Inputs are multiplied by")).wait_for()
    page.get_by_role("link", name="Train this model").click()

    set_epochs(page, EPOCHS)
    page.get_by_role("button", name="Start training").click()

    # The loss curve redraws while the run trains: three different numbers of epochs drawn, so two redraws.
    epochs_seen = set()

    def redrawn_twice() -> bool:
        drawn = epochs_drawn(page)
        if drawn and live_view(page).get_by_text(re.compile(r"^training, epoch \d+/\d+")).count():
            epochs_seen.add(drawn)
        return len(epochs_seen) >= 3

    wait_until(redrawn_twice, timeout=120, every=0.1)
    epochs_before_leaving = max(epochs_seen)

    # Leaving for Predict and coming back neither stops nor restarts the run.
    sidebar_link(page, "Predict").click()
    page.get_by_text("Its predictions appear here when it ends").wait_for()
    sidebar_link(page, "Train").click()
    wait_until(lambda: epochs_drawn(page) >= epochs_before_leaving, timeout=60)

    page.get_by_text("Test accuracy", exact=True).wait_for(timeout=180_000)
    # One run from first epoch to last, never stopped nor restarted (Streamlit's chart replaces the live one).
    wait_until(lambda: epochs_drawn(page) == EPOCHS, timeout=30)
    accuracy = page.get_by_test_id("stMetric").filter(has_text="Test accuracy").get_by_test_id("stMetricValue")
    assert float(accuracy.inner_text().rstrip("%")) >= 90.0
    page.get_by_text(re.compile(r"^finished, test accuracy")).first.wait_for()
    page.reload()  # The run rides in the address too: a reload shows it again, whole.
    page.get_by_text("Test accuracy", exact=True).wait_for()
    wait_until(lambda: epochs_drawn(page) == EPOCHS, timeout=30)

    page.get_by_role("link", name="See its predictions").click()
    page.get_by_text("True label", exact=True).wait_for()
    wait_until(lambda: page.evaluate(PROBABILITY_BARS) is not None, timeout=30)
    bars = page.evaluate(PROBABILITY_BARS)
    assert bars["classes"] == 10 and bars["total"] == pytest.approx(1.0, abs=1e-3)
    page.get_by_role("button", name="Random example").click()
    page.get_by_text("True label", exact=True).wait_for()
    assert page.get_by_test_id("stException").count() == 0

    open_a_confusion_cell(page, "7", "7")
    draw_a_one(page)
    upload_images(page)
    assert page.get_by_test_id("stException").count() == 0
    page.close()


def open_a_confusion_cell(page, true_class: str, predicted_class: str) -> None:
    """Click a cell of the confusion matrix with the mouse: its examples are listed, surest first."""
    page.get_by_text("Confusion matrix", exact=True).first.click()
    page.get_by_text("Click a cell", exact=False).first.wait_for()
    chart = page.locator(".js-plotly-plot").first
    wait_until(lambda: page.evaluate(CELL_CENTRE, [true_class, predicted_class]) is not None, timeout=30)
    x, y = page.evaluate(CELL_CENTRE, [true_class, predicted_class])
    box = chart.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.get_by_text(re.compile(rf"^True {true_class}, predicted {predicted_class}: \d+ examples")).wait_for()
    page.get_by_text(re.compile(rf"^#\d+ {true_class}→{predicted_class} \d+%")).first.wait_for()


def draw_a_one(page) -> None:
    """Draw a vertical stroke on the canvas with the mouse: the model answers, and each preprocessing step shows."""
    page.get_by_text("Draw a digit", exact=True).first.click()
    page.get_by_text("Draw a digit on the black square").wait_for()
    drawing_canvas = page.locator("canvas").last  # The drawable canvas's top layer, which takes the mouse.
    drawing_canvas.wait_for()
    box = drawing_canvas.bounding_box()
    assert box["width"] == box["height"] == 280
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * (0.2 + 0.03 * step))
    page.mouse.up()
    page.get_by_text("The model says", exact=True).wait_for(timeout=30_000)
    for step in ("The ink, light on black", "Cut to the ink's bounding box", "Longer side scaled to 20 px",
                 "Placed in the middle of 28×28", "Centre of mass moved to the centre"):
        page.get_by_text(re.compile(rf"^{re.escape(step)}")).wait_for()
    answer = page.get_by_test_id("stMetric").filter(has_text="The model says").get_by_test_id("stMetricValue")
    assert answer.inner_text() == "1", "a vertical stroke, preprocessed as MNIST was, reads as a one"
    page.get_by_text(re.compile(r"^Predicted in [\d.]+ ms of server time")).wait_for()
    page.get_by_role("button", name="Save to my test set").click()
    page.get_by_text("Saved as a 1: your test set holds 1 drawing.", exact=False).wait_for()
    page.get_by_text("My drawings", exact=True).first.click()
    mine = page.get_by_test_id("stMetric").filter(has_text="Accuracy on your drawings").get_by_test_id("stMetricValue")
    mine.wait_for()
    assert mine.inner_text() == "100.0%"


def remove_the_first_layer(page) -> None:
    """Open layer 1 and press its remove button; pressed again if a page run still under way swallowed the click."""
    for _ in range(3):
        first_layer = page.get_by_test_id("stExpander").first
        if first_layer.locator("details").get_attribute("open") is None:
            first_layer.locator("summary").click()
        first_layer.locator("[class*='-remove'] button").first.click()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(layer_labels(page)) != 1:
            page.wait_for_timeout(200)
        if len(layer_labels(page)) == 1:
            return
    raise AssertionError(f"layer 1 was not removed: {layer_labels(page)}")


def test_build_a_small_cnn_by_hand_then_train_it(dashboard, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(f"{dashboard}/build?preset=mnist-dense512")
    page.get_by_text("Ready to train: 2 layers, 407,050 parameters.").wait_for()

    choose(page, "Input shape (one example)", "(28, 28, 1)")
    page.get_by_text(re.compile(r"^Layer 1 \(Dense\) leaves the model's output with shape")).wait_for()
    remove_the_first_layer(page)

    add_layer(page, "Conv2D", 1)
    add_layer(page, "MaxPooling2D", 2)
    add_layer(page, "Dense", 3)
    error = page.get_by_text(re.compile(r"^Layer 3 \(Dense\) leaves the model's output with shape \(13, 13, 10\).*"
                                        r"Add Flatten before layer 3"))
    error.wait_for()
    assert page.get_by_text("Ready to train").count() == 0

    add_layer(page, "Flatten", 3)
    page.get_by_text("Ready to train: 5 layers, 347,146 parameters.").wait_for()
    assert error.count() == 0
    assert layer_labels(page) == [
        "1 · Conv2D 32 3×3 relu → (None, 26, 26, 32)", "2 · MaxPooling2D 2×2 → (None, 13, 13, 32)",
        "3 · Flatten → (None, 5408)", "4 · Dense 64 relu → (None, 64)", "5 · Dense 10 softmax → (None, 10)",
    ]

    # The link the page offers opens exactly this model in a new session.
    link = page.get_by_test_id("stCode").filter(has_text="spec=").inner_text().strip()
    assert link.startswith(f"{dashboard}/build?preset=mnist-dense512&spec=")
    shared = browser.new_page(viewport={"width": 1400, "height": 1400})
    shared.goto(link)
    shared.get_by_text("Ready to train: 5 layers, 347,146 parameters.").wait_for()
    assert layer_labels(shared) == layer_labels(page)
    shared.close()

    # The learning rate, set and then given back to the optimizer's default.
    rate = page.get_by_role("spinbutton", name="Learning rate")
    rate.fill("0.05")
    rate.press("Enter")
    page.get_by_text("rmsprop, learning rate 0.05.").wait_for()
    page.get_by_role("button", name="Use the optimizer's default").click()
    page.get_by_text("rmsprop, learning rate 0.001 (its default).").wait_for()
    assert rate.input_value() == ""

    # A spec file with an unknown layer is refused in words, and the model built so far stays as it is.
    bad_spec = tmp_path / "bad.json"
    bad_spec.write_text('{"input_shape": [28, 28, 1], "layers": [{"type": "Transformer"}]}')
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(bad_spec))
    page.get_by_text(re.compile(r"bad.json was not loaded: Layer 1 has type 'Transformer'")).wait_for()
    assert len(layer_labels(page)) == 5 and page.get_by_text("Ready to train: 5 layers").count() == 1

    page.get_by_role("link", name="Train this model").click()
    page.get_by_text("as you edited it on Build").wait_for()
    train_for_one_epoch(page)
    page.close()


def test_pause_resume_stop_and_continue_a_run_that_survives_a_reload(dashboard, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{dashboard}/train?preset=spiral-dense10")
    set_epochs(page, 10_000)  # Its 1,000 epochs take 3 s on JAX: too few to pause and resume in; it is stopped.
    page.get_by_role("button", name="Start training").click()
    wait_until(lambda: epochs_drawn(page) >= 3, timeout=120, every=0.1)

    page.reload()  # The run rides in the address: the reloaded page finds it still training, its curves growing.
    live_view(page).get_by_text(re.compile(r"^training, epoch \d+/1000")).first.wait_for()
    drawn = epochs_drawn(page)
    wait_until(lambda: epochs_drawn(page) > drawn, timeout=60, every=0.1)

    page.get_by_role("button", name="Pause").click()
    live_view(page).get_by_text(re.compile(r"paused in epoch \d+/10000")).first.wait_for()
    time.sleep(1.0)  # Let the last redraw after the pause arrive.
    held = epochs_drawn(page)
    time.sleep(1.5)
    assert epochs_drawn(page) == held, "no epoch while paused"
    page.get_by_role("button", name="Resume").click()
    wait_until(lambda: epochs_drawn(page) > held + 2, timeout=60, every=0.1)

    page.get_by_role("button", name="Stop").click()
    page.get_by_text(re.compile(r"^Training stopped: ended in epoch")).wait_for()
    wait_until(lambda: page.evaluate(EPOCHS_DRAWN) > 0, timeout=30)  # Streamlit's own chart, once it has loaded.
    stopped_at = epochs_drawn(page)
    more = page.get_by_role("spinbutton", name="More epochs")
    more.fill("2")
    more.press("Enter")
    page.get_by_role("button", name="Continue training").click()
    page.get_by_text(re.compile(r"^finished, test accuracy")).first.wait_for(timeout=60_000)
    wait_until(lambda: epochs_drawn(page) == stopped_at + 2, timeout=30)
    assert page.get_by_test_id("stException").count() == 0
    page.close()


def test_the_sidebars_run_line_keeps_up_with_the_run(dashboard, browser):
    # The sidebar's line is a live frame too. Streamlit sends a frame its first arguments again whenever the frame's
    # height changes ("starting: ..." wraps, "training, epoch 3/10000" does not); drawn again, they held the line at
    # "starting" while the run trained.
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{dashboard}/train?preset=spiral-dense10")
    set_epochs(page, 10_000)
    page.get_by_role("button", name="Start training").click()
    line = page.frame_locator('iframe[title*="live_line"]').locator("#line")
    epochs_seen = set()

    def line_moves_on() -> bool:
        text = line.text_content() if line.count() else ""  # No frame before the run starts.
        shown = re.fullmatch(r"Run ?·? ?training, epoch (\d+)/10000", text or "")  # The " · " is the style's.
        if shown:
            epochs_seen.add(int(shown.group(1)))
        return len(epochs_seen) >= 3

    wait_until(line_moves_on, timeout=120, every=0.3)
    page.get_by_role("button", name="Stop").click()
    page.get_by_text(re.compile(r"^Training stopped: ended in epoch")).wait_for()
    page.close()


def test_compare_two_runs_and_sweep_three_values(dashboard, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(f"{dashboard}/train?preset=spiral-dense10")
    set_epochs(page, 15)
    again = page.get_by_role("button", name="Start again from scratch")
    for start in ("Start training", "Start again from scratch"):
        page.get_by_role("button", name=start).click()
        wait_until(lambda: again.count() == 0, timeout=30)  # While a run trains, the button reads "Start training".
        wait_until(lambda: again.count() == 1 and again.is_enabled(), timeout=60)

    sidebar_link(page, "Runs").click()
    page.get_by_role("heading", name="Compare").wait_for()
    overlaid = """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot => plot.data.length)"""
    wait_until(lambda: page.evaluate(overlaid)[:2] == [2, 2], timeout=30)  # Two runs on the loss and accuracy charts.

    sidebar_link(page, "Train").click()
    page.get_by_text("Hyperparameter sweep: one or two settings, several values").click()
    values = page.get_by_role("textbox", name="Values").first
    values.fill("4, 8, 16")
    values.press("Enter")
    page.get_by_role("button", name="Run the sweep").click()
    page.get_by_text("The sweep's 3 runs are queued").wait_for()
    page.get_by_role("link", name="See the sweep on Runs").click()
    page.get_by_text("3 of 3 runs finished.").wait_for(timeout=120_000)
    sweep_points = """() => {
        const plot = [...document.querySelectorAll('.js-plotly-plot')].find(p => p.layout.title.text.includes('Sweep over'));
        return plot ? {x: plot.data[0].x, best: plot.data[2].text[0]} : null;
    }"""
    # The chart may redraw a moment after the count of finished runs: wait for its third point.
    wait_until(lambda: len((page.evaluate(sweep_points) or {"x": []})["x"]) == 3, timeout=60)
    points = page.evaluate(sweep_points)
    assert points["x"] == [4, 8, 16] and points["best"].startswith("best: ")
    assert page.get_by_test_id("stException").count() == 0
    page.close()


def test_open_a_model_file_safely(dashboard, browser, tmp_path):
    import keras

    from core.models.build import build_model
    from core.models.presets import get_preset

    build_model(get_preset("spiral-dense10").spec).save(tmp_path / "spiral.keras")
    unsafe = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Lambda(lambda x: x * 2), keras.layers.Dense(3)])
    unsafe.save(tmp_path / "unsafe.keras")

    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{dashboard}/runs?preset=spiral-dense10")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(tmp_path / "unsafe.keras"))
    page.get_by_text(re.compile(r"unsafe.keras was not loaded: this model contains a Lambda layer")).wait_for()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(tmp_path / "spiral.keras"))
    page.get_by_text(re.compile(r"spiral.keras loaded as a run of spiral-dense10, test accuracy")).wait_for()
    page.get_by_text("imported spiral.keras").first.wait_for(state="attached")  # A row of the runs table.
    assert page.get_by_test_id("stException").count() == 0
    page.close()


REGIONS_EPOCH = """() => {
    const titles = [...document.querySelectorAll('.js-plotly-plot')].map(plot => plot.layout && plot.layout.title);
    const words = [document.body.innerText, ...titles.map(title => (title && (title.text || title)) || '')];
    const title = words.join('\\n').match(/Decision regions after epoch (\\d+)/);
    return title ? parseInt(title[1]) : 0;
}"""


def test_the_spiral_decision_regions_redraw_while_it_trains(dashboard, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(f"{dashboard}/train?preset=spiral-dense10")
    set_epochs(page, 3000)  # About 10 s on JAX: long enough to see the regions redraw.
    page.get_by_role("button", name="Start training").click()
    regions_seen = set()

    def redrawn_twice() -> bool:
        regions_seen.add(drawn_anywhere(page, REGIONS_EPOCH))
        return len(regions_seen - {0}) >= 3

    wait_until(redrawn_twice, timeout=120, every=0.1)
    page.get_by_text(re.compile(r"^finished, test accuracy")).first.wait_for(timeout=180_000)
    wait_until(lambda: page.evaluate(REGIONS_EPOCH) == 3000, timeout=30)
    sidebar_link(page, "Predict").click()
    # The Train page shows regions of epoch 3000 too: wait for Predict's own caption before reading its chart.
    page.get_by_text(re.compile(r"^The colour at each point of the plane is the class")).wait_for(timeout=60_000)
    wait_until(lambda: page.evaluate(REGIONS_EPOCH) == 3000, timeout=60)
    regions_traces = """() => {
        const data = [...document.querySelectorAll('.js-plotly-plot')].map(p => p.data)
            .find(data => data && data[0] && data[0].type === 'heatmap');
        return data ? data.map(trace => [trace.type, trace.z ? trace.z.shape : null]) : null;
    }"""
    wait_until(lambda: page.evaluate(regions_traces) is not None, timeout=30)
    assert page.evaluate(regions_traces) == [["heatmap", "80, 80"], *[["scatter", None]] * 3], \
        "an 80×80 grid of answers (class and sureness), and the three arms of points"
    assert page.get_by_test_id("stException").count() == 0
    page.close()


def upload_images(page) -> None:
    """A photo-like PNG of a dark digit on light paper is inverted and read; a file that is no image is refused."""
    page.get_by_text("Upload an image", exact=True).first.click()
    chooser = page.locator("input[type=file]")
    chooser.wait_for(state="attached")
    paper = 255 - cv2.resize(np.asarray(load_dataset("mnist").x_test[0]), (200, 200))
    chooser.set_input_files(files=[{"name": "digit.png", "mimeType": "image/png",
                                    "buffer": cv2.imencode(".png", paper)[1].tobytes()}])
    page.get_by_text("The model says", exact=True).wait_for(timeout=30_000)
    page.get_by_text(re.compile(r"^The paper is lighter than the ink, so the image was inverted")).wait_for()
    chooser.set_input_files(files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"shopping list"}])
    page.get_by_text(re.compile(r"^notes.png is not a PNG or JPEG image")).wait_for(timeout=30_000)


BENCHMARK_BARS = """() => {
    const plot = [...document.querySelectorAll('.js-plotly-plot')].find(p => p.data && p.data.length && p.data[0].type === 'bar');
    return plot ? plot.data.map(trace => [trace.name, trace.x]) : null;
}"""


def test_the_cpu_benchmark_of_the_mlp_runs_from_the_page(dashboard, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(f"{dashboard}/benchmark")
    page.get_by_text(re.compile(r"CPU cores · Keras backends installed")).wait_for(timeout=60_000)
    epochs = page.get_by_role("spinbutton", name="Epochs", exact=True)
    epochs.fill("2")
    examples = page.get_by_role("spinbutton", name="Training examples (0: all)")
    examples.fill("1000")
    page.get_by_role("button", name=re.compile(r"Measure$")).click()
    page.get_by_text(re.compile(r"^Measured 2 of 2: saved as")).wait_for(timeout=300_000)
    wait_until(lambda: page.evaluate(BENCHMARK_BARS) is not None, timeout=30)
    bars = page.evaluate(BENCHMARK_BARS)
    # Every bar is this machine's CPU, the two backends side by side; not the 4-conv CNN's quoted figures.
    assert bars and all(devices == ["cpu"] for _, devices in bars), bars
    assert all("measured here" in name and "published" not in name for name, _ in bars), bars
    assert [name.split(" (")[-2].rsplit(", ", 1)[-1] for name, _ in bars] == ["tensorflow", "jax"], bars

    bad = tmp_path / "results.json"
    bad.write_text('{"schema_version": 1}')
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_text(re.compile(r"^results.json was not imported: ")).wait_for(timeout=30_000)
    assert page.get_by_test_id("stException").count() == 0
    page.close()


def photo_zip(path: Path, per_class: int = 8) -> Path:
    """A cats-vs-dogs style zip (`cat.1.jpg`, `dog.1.jpg`, …) of small JPEGs written with OpenCV, one corrupt."""
    import zipfile

    generator = np.random.default_rng(0)
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(per_class):
            for name, colour in (("cat", (40, 160, 230)), ("dog", (200, 90, 40))):
                image = np.full((96, 80, 3), colour, dtype=np.uint8)
                cv2.circle(image, (40, 48), int(generator.integers(10, 30)), (255, 255, 255), -1)
                archive.writestr(f"{name}.{index}.jpg", cv2.imencode(".jpg", image)[1].tobytes())
        archive.writestr("dog.broken.jpg", b"\xff\xd8\xff not really a photo")
    return path


def test_upload_an_image_zip_see_its_classes_and_train_cats_vs_dogs_on_it(dashboard, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(f"{dashboard}/data")
    page.get_by_role("heading", name="Your own data").wait_for()
    page.locator("input[type=file]").set_input_files(str(photo_zip(tmp_path / "pets.zip")))
    page.get_by_text(re.compile(r"could not be decoded and was skipped")).first.wait_for(timeout=60_000)
    page.get_by_text("Examples of every class").last.wait_for()
    for name in ("cat", "dog"):
        page.get_by_text(name, exact=True).first.wait_for()
    assert page.get_by_test_id("stImage").count() >= 16, "eight photos of each class"
    page.get_by_role("button", name=re.compile(r"Keep it and train on it$")).click()
    page.get_by_text(re.compile(r"^Kept as 'pets'")).wait_for(timeout=30_000)
    wait_until(lambda: "data=upload-" in page.url, timeout=30)

    sidebar_link(page, "Build").click()
    choose_preset(page, "catsdogs-cnn")
    page.get_by_text(re.compile(r"^128×128 colour photos read with OpenCV")).wait_for()
    page.get_by_role("link", name="Train this model").click()
    page.get_by_text(re.compile(r"^Train on the preset's own data")).wait_for()
    train_for_one_epoch(page)
    page.close()


def test_a_shared_lesson_link_opens_the_presenter_view_and_try_it_lands_on_build(dashboard, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{dashboard}/learn?lesson=activations&presenter=1&theme=dark")
    page.wait_for_url(re.compile(r"embed_options=dark_theme"), timeout=60_000)  # The dark theme loads the page again.
    page.get_by_role("heading", name="2 · Activations").wait_for(timeout=60_000)
    font_size = "() => getComputedStyle(document.querySelector('[data-testid=\"stAppViewContainer\"]')).fontSize"
    wait_until(lambda: page.evaluate(font_size) == "21px", timeout=30)  # The presenter view's larger type.
    answer = page.get_by_role("textbox", name=re.compile(r"ReLU\(11\)"))
    answer.fill("11")
    answer.press("Enter")
    page.get_by_role("button", name=re.compile(r"Check$")).click()
    page.get_by_text(re.compile(r"^Right!")).wait_for()
    page.get_by_text("1 of 7 lessons answered right").wait_for()
    page.get_by_role("button", name=re.compile(r"Try it: open")).click()
    page.get_by_role("heading", name="Build").wait_for()
    page.get_by_text("Ready to train: 5 layers", exact=False).first.wait_for()
    assert "preset=mnist-mlp-2x128-dropout" in page.url
    assert page.get_by_test_id("stException").count() == 0
    page.close()
