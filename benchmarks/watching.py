"""Does watching a run slow it down? The default MNIST MLP trained from the Train page in headless Chromium, once
with the page open (watched) and once with the tab moved to Home right after Start (unwatched), alternately.

Printed per repeat and as medians: the steady epoch time of each (the median of the run's recorded epochs after
the first), their ratio, the browser's CPU while watching (all Chromium processes, in cores) and the server
process's CPU per watching page (watched minus unwatched, in % of a core; the workers are not the server), both over
the steady epochs (from the first epoch's end, as the run's record shows it, to the last look before the run's end)
and over all the watching (from the first batch the page shows to the run's end, so with the page's drawing of the
finished run; the page's loading and the Start click's rerun are not watching), and how often the live frame's
progress line changed per second while batches arrived (the curves redraw with it). The issue's targets:
ratio ≤ 1.10, browser ≤ 0.2 cores, server ≤ 3 % of a core per page, ≥ 2 updates a second.

    python benchmarks/watching.py [--epochs 150] [--repeats 3] [--app-root PATH]

`--app-root` measures another checkout of Keras Lab (an older commit, for before/after figures).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard_server import (  # noqa: E402
    cpu_seconds,
    descendants,
    served,
)

REPOSITORY = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("KERAS_LAB_CHROMIUM", "/usr/bin/chromium")
RUN_SECONDS = 600
LIVE_FRAME = 'iframe[title*="live_run"]'
COUNT_UPDATES = """() => {
    window.progressChanges = [];
    let last = null;
    new MutationObserver(() => {
        const text = document.getElementById('line').textContent;
        if (text !== last && text.includes(' · batch ')) { window.progressChanges.push(performance.now()); }
        last = text;
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


@dataclasses.dataclass
class Measured:
    steady_epoch_seconds: float
    browser_cores: float
    """Over the steady epochs: from the end of the first epoch to the last epoch before the run's end."""
    server_cores: float
    whole_browser_cores: float
    """From the first batch the page shows to the run's end, the page's settling on the finished run included."""
    whole_server_cores: float
    updates_per_second: float | None


def chromium_processes() -> list[int]:
    """Chromium's processes (browser, renderers, GPU process), all started below this one by Playwright."""
    found = []
    for pid in descendants(os.getpid()):
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if "chrom" in name:
            found.append(pid)
    return found


def total_cpu(pids: list[int]) -> float:
    return sum(seconds for seconds in map(cpu_seconds, pids) if seconds is not None)


def newest_record(home: Path, after: set[Path]) -> dict | None:
    records = sorted(set((home / "runs").glob("*/run.json")) - after)
    return json.loads(records[-1].read_text()) if records else None


def steady_seconds(record: dict) -> float:
    seconds = [epoch["seconds"] for epoch in record["history"]["epochs"][1:]]
    return statistics.median(seconds)


def train_once(page, url: str, home: Path, server_pid: int, epochs: int, watched: bool) -> Measured:
    """One run from the Train page; the page watches it to the end, or leaves for Home once it has started."""
    page.goto(f"{url}/train")
    field = page.get_by_role("spinbutton", name="Epochs", exact=True)
    field.wait_for(timeout=120_000)
    field.fill(str(epochs))
    field.press("Enter")
    page.wait_for_function(f"() => document.querySelector('input[aria-label=\"Epochs\"]').value === '{epochs}'")
    time.sleep(1)  # Let the rerun the new value caused settle.
    before = set((home / "runs").glob("*/run.json"))
    browsers = chromium_processes()
    page.get_by_role("button", name="Start training").click()
    page.frame_locator(LIVE_FRAME).get_by_text(" · batch ").first.wait_for(timeout=120_000)
    live_frame = next(frame for frame in page.frames if "live_run" in frame.url and not frame.is_detached())
    if not watched:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Home", exact=True).click()
        page.get_by_role("heading", name="Keras Lab").wait_for(timeout=60_000)
    # From here to the run's end: watching (or not), without the page's loading and the Start click's rerun.
    if watched:
        live_frame.evaluate(COUNT_UPDATES)  # The run's live frame draws its progress line (`dashboard.live_frames`).
    samples, changes, deadline = [], [], time.perf_counter() + RUN_SECONDS
    while (record := newest_record(home, before)) is None or record["state"] != "finished":
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the run did not finish within {RUN_SECONDS} s")
        samples.append(Sample(time.perf_counter(), total_cpu(browsers), cpu_seconds(server_pid),
                              record_epochs(record) if record else 0))
        if watched:
            try:
                changes = live_frame.evaluate("window.progressChanges || []")
            except Exception:  # The frame went as the run settled; what it counted last is kept.
                pass
        time.sleep(0.3)
    samples.append(Sample(time.perf_counter(), total_cpu(browsers), cpu_seconds(server_pid), record_epochs(record)))
    steady = [sample for sample in samples[:-1] if sample.epochs >= 1]  # The epochs the steady time is taken over.
    span = (changes[-1] - changes[0]) / 1000 if len(changes) > 1 else 0
    return Measured(steady_seconds(record), *cores_between(steady[0], steady[-1]),
                    *cores_between(samples[0], samples[-1]), (len(changes) - 1) / span if span else None)


@dataclasses.dataclass
class Sample:
    at: float
    browser_cpu: float
    server_cpu: float
    epochs: int


def record_epochs(record: dict) -> int:
    return len(record["history"]["epochs"])


def cores_between(first: Sample, last: Sample) -> tuple[float, float]:
    """The browser's and the server's CPU between two samples, in cores."""
    wall = last.at - first.at
    return (last.browser_cpu - first.browser_cpu) / wall, (last.server_cpu - first.server_cpu) / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--app-root", type=Path, default=REPOSITORY)
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with served(arguments.app_root) as (url, home, server), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        train_once(page, url, home, server.pid, 2, watched=True)  # Warms the worker; not counted.
        pairs = []
        for repeat in range(arguments.repeats):
            watched = train_once(page, url, home, server.pid, arguments.epochs, watched=True)
            unwatched = train_once(page, url, home, server.pid, arguments.epochs, watched=False)
            pairs.append((watched, unwatched))
            print(f"repeat {repeat + 1}: " + describe(watched, unwatched), flush=True)
        browser.close()
    print(f"median of {len(pairs)}: " + describe(median_of([watched for watched, _ in pairs]),
                                                   median_of([unwatched for _, unwatched in pairs])))


def median_of(measured: list[Measured]) -> Measured:
    return Measured(*(statistics.median(getattr(one, field.name) or 0 for one in measured)
                      for field in dataclasses.fields(Measured)))


def describe(watched: Measured, unwatched: Measured) -> str:
    updates = "–" if not watched.updates_per_second else f"{watched.updates_per_second:.1f}"
    return (f"steady epoch watched {watched.steady_epoch_seconds * 1000:.0f} ms, unwatched "
            f"{unwatched.steady_epoch_seconds * 1000:.0f} ms, ratio "
            f"{watched.steady_epoch_seconds / unwatched.steady_epoch_seconds:.2f}; over the steady epochs: browser "
            f"{watched.browser_cores:.2f} cores watching (unwatched {unwatched.browser_cores:.2f}), server "
            f"{watched.server_cores:.1%} of a core watched, {unwatched.server_cores:.1%} unwatched (per page: "
            f"{watched.server_cores - unwatched.server_cores:.1%}); from the first batch to the end, settling "
            f"included: browser {watched.whole_browser_cores:.2f} cores (unwatched "
            f"{unwatched.whole_browser_cores:.2f}), server per page "
            f"{watched.whole_server_cores - unwatched.whole_server_cores:.1%}; {updates} updates a second")


if __name__ == "__main__":
    main()
