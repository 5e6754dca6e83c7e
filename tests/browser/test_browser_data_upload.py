"""The Data page's upload box in Chromium: an IDX pair, a zip of IDX files, and boxes holding files that do not go
together, each ending in a dataset or in one sentence saying what to do, never a traceback."""

import gzip
import io
import re
import zipfile

import numpy as np
from conftest import wait_until
from file_builders import idx_file

from core.data.catalogue import load_dataset

WHAT_TO_DO = "upload one file, or an IDX images file with its labels file"


def mnist_files(count: int = 200) -> list[dict]:
    """The first shipped MNIST digits as MNIST distributes them: gzip-compressed IDX images and labels."""
    mnist = load_dataset("mnist")
    images, labels = np.asarray(mnist.x_train[:count]), np.asarray(mnist.y_train[:count], dtype=np.uint8)
    return [{"name": "train-images-idx3-ubyte.gz", "mimeType": "application/gzip",
             "buffer": gzip.compress(idx_file(images))},
            {"name": "train-labels-idx1-ubyte.gz", "mimeType": "application/gzip",
             "buffer": gzip.compress(idx_file(labels))}]


def zipped(files: list[dict], name: str) -> dict:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as writer:
        for file in files:
            writer.writestr(f"mnist/{file['name']}", file["buffer"])
    return {"name": name, "mimeType": "application/zip", "buffer": archive.getvalue()}


def npz_file() -> dict:
    buffer = io.BytesIO()
    np.savez(buffer, x_train=np.arange(40, dtype=np.float32).reshape(20, 2), y_train=np.arange(20) % 2)
    return {"name": "points.npz", "mimeType": "application/octet-stream", "buffer": buffer.getvalue()}


def csv_file() -> dict:
    rows = "".join(f"{index},{index * 3 % 7},{index % 2}\n" for index in range(20))
    return {"name": "table.csv", "mimeType": "text/csv", "buffer": f"a,b,label\n{rows}".encode()}


def open_upload(page, dashboard: str):
    page.goto(f"{dashboard}/data")
    page.get_by_role("heading", name="Your own data").wait_for(timeout=60_000)
    chooser = page.locator("input[type=file]")
    chooser.wait_for(state="attached")
    return chooser


def empty_the_box(page) -> None:
    """Remove every file with the × beside its name, as a learner would."""
    remove = page.get_by_test_id("stFileUploader").get_by_role("button", name=re.compile(r"^Remove "))
    while remove.count():
        remove.first.click()
        page.wait_for_timeout(300)


def loaded(page, title: str) -> None:
    """The upload became a dataset: its examples are shown and it can be kept, under its file's name."""
    name = page.get_by_role("textbox", name="Name it")
    name.wait_for(timeout=60_000)
    wait_until(lambda: name.input_value() == title, timeout=30)
    assert page.get_by_test_id("stException").count() == 0


def refused(page) -> None:
    """One sentence says what to do; nothing half-loaded is offered to keep."""
    page.get_by_text(re.compile(re.escape(WHAT_TO_DO))).first.wait_for(timeout=60_000)
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_role("textbox", name="Name it").count() == 0


def test_an_idx_pair_a_zip_of_idx_files_and_mixed_boxes(dashboard, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    chooser = open_upload(page, dashboard)
    chooser.set_input_files(files=mnist_files())  # Both files at once, as the page says.
    loaded(page, "train-images-idx3-ubyte")
    page.get_by_text(re.compile(r"no test part: 20% held out")).first.wait_for()

    chooser.set_input_files(files=[npz_file()])  # The box keeps the pair: three files now.
    refused(page)
    empty_the_box(page)

    chooser.set_input_files(files=[zipped(mnist_files(), "mnist-idx.zip")])
    loaded(page, "mnist-idx")
    empty_the_box(page)

    chooser.set_input_files(files=[npz_file()])
    loaded(page, "points")
    chooser.set_input_files(files=[csv_file()])  # An npz left there, then a CSV added.
    refused(page)
    page.get_by_text(re.compile(r"points\.npz, table\.csv")).first.wait_for()
    page.get_by_role("button", name="Remove points.npz").click()  # The CSV alone loads.
    loaded(page, "table")
    page.close()
