"""The workshop room in Chromium: how fast the board and the learners' pages follow, and what a room costs the server.

An instructor opens a room and N learners join it by its link, each in a browser context of their own, then:
- **cost:** the server process's CPU, in cores, over --idle seconds with no page open, with the instructor's board alone, and
  with the board and the N learners' pages idle on Home (each learner's page looks where the room was sent every
  1 s: `dashboard/views/room_follow.py`; the board redraws every 2 s: `dashboard/views/room_board.py`);
- **board latency:** every learner starts the default run (1 epoch) at once; for each, the seconds from the run's end
  (its record's `settled_at`) to the instructor's board (never reloaded) first showing their accuracy, and to their
  own Train page first showing "finished, test accuracy";
- **following latency:** the instructor sends everyone to a lesson; for each learner, the seconds from the click to
  their page being on Learn with the banner.
The issue's goal for both latencies is 5 s. Each page notes its own moments (it looks at its text every 0.1 s), so a
figure is at most about 0.1 s late however many pages there are. Last, the server's CPU with the board of N runs. It starts its own server of the checkout at --app-root with the README's command.

    python benchmarks/room_board.py [--learners 8] [--idle 20] [--app-root PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard_server import cpu_seconds, served  # noqa: E402

REPOSITORY = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("KERAS_LAB_CHROMIUM", "/usr/bin/chromium")
EVERY_PAGE_IN_FRONT = ["--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                       "--disable-backgrounding-occluded-windows"]
"""Each learner has a screen of their own: without these, Chromium treats all but one of the N pages as in the
background and slows their timers (Streamlit's `run_every`, the live frames, the pages' own clocks) to one wake-up a
minute after five minutes, which made a room of 30 look minutes slow."""
ROOM_LINE = re.compile(r"^Room · [A-Z0-9]{6}, you are")


def server_cores(pid: int, seconds: float) -> float:
    """The server process's CPU over `seconds`, in cores: what pages cost (its training workers are left out, the
    first of which imports Keras as the first page opens)."""
    before, started = cpu_seconds(pid) or 0.0, time.perf_counter()
    time.sleep(seconds)
    return ((cpu_seconds(pid) or 0.0) - before) / (time.perf_counter() - started)


def new_page(browser, viewport: dict[str, int]):
    """A page in a browser context of its own (a visitor of their own), noting its moments (`MARKS_SCRIPT`)."""
    context = browser.new_context(viewport=viewport)
    context.add_init_script(MARKS_SCRIPT)
    return context.new_page()


def open_room(browser, url: str):
    instructor = new_page(browser, {"width": 1400, "height": 1300})
    instructor.goto(f"{url}/room")
    instructor.get_by_label("Your name, as learners see it").fill("Grace")
    instructor.get_by_role("button", name="Open a room").click()
    link = instructor.get_by_test_id("stCode").first
    link.wait_for(timeout=60_000)
    return instructor, link.inner_text().strip()


def join(browser, link: str, name: str):
    page = new_page(browser, {"width": 1400, "height": 1000})
    page.goto(link)
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join the room").click()
    page.get_by_text(ROOM_LINE).wait_for(timeout=60_000)
    return page


MARKS_SCRIPT = """
window.__marks = {};
window.__watch = {};
setInterval(() => {
    const pending = Object.entries(window.__watch).filter(([name]) => !(name in window.__marks));
    if (!pending.length || !document.body) return;
    const text = document.body.innerText + "\\n@" + location.pathname;
    for (const [name, pattern] of pending) if (new RegExp(pattern, "m").test(text)) window.__marks[name] = Date.now();
}, 100);
"""
"""Each page notes, by its own clock (one machine: the same clock), the moment its text first matched each pattern it
watches for; read afterwards, the figures do not depend on how fast this process polls thirty pages."""


def watch(page, patterns: dict[str, str]) -> None:
    page.evaluate("patterns => Object.assign(window.__watch, patterns)", patterns)


def marks(pages: list, names: list[str], timeout: float, required: bool = True) -> dict[str, float]:
    """Each name's first moment (milliseconds, by the pages' clock) on whichever page watched for it; past `timeout`,
    an error, or (not `required`) the moments seen so far."""
    deadline = time.perf_counter() + timeout
    while True:
        seen = {name: moment for page in pages for name, moment in page.evaluate("window.__marks").items()}
        missing = [name for name in names if name not in seen]
        if not missing or (time.perf_counter() > deadline and not required):
            return seen
        if time.perf_counter() > deadline:
            raise RuntimeError(f"still waiting after {timeout:.0f} s for: {', '.join(missing)}")
        time.sleep(1)


def settled_at(home: Path, visitors: dict[str, str]) -> dict[str, float]:
    """When each learner's run ended, as the server recorded it (seconds since the epoch)."""
    records = [json.loads(path.read_text()) for path in (home / "runs").glob("*/run.json")]
    by_owner = {record["owner"]: record["settled_at"] for record in records}
    return {name: by_owner[visitor] for name, visitor in visitors.items()}


def describe(seconds: list[float]) -> str:
    return f"median {statistics.median(seconds):.1f} s, worst {max(seconds):.1f} s ({len(seconds)} learners)"


def measure(browser, url: str, home: Path, pid: int, learners: int, idle: float) -> None:
    print(f"server alone: {server_cores(pid, idle):.1%} of a core", flush=True)
    instructor, link = open_room(browser, url)
    print(f"with the instructor's board: {server_cores(pid, idle):.1%} of a core", flush=True)
    names = [f"Learner {number}" for number in range(1, learners + 1)]
    pages = dict(zip(names, (join(browser, link, name) for name in names)))
    with_room = server_cores(pid, idle)
    print(f"with the board and {learners} learners idle on Home: {with_room:.1%} of a core", flush=True)

    for page in pages.values():
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train", exact=True).click()
        page.get_by_role("button", name="Start training").wait_for(timeout=120_000)
        field = page.get_by_role("spinbutton", name="Epochs", exact=True)
        field.fill("1")
        field.press("Enter")
    for name, page in pages.items():
        watch(page, {f"finished {name}": r"^finished, test accuracy"})
    watch(instructor, {f"board {name}": rf"\b{name}\s+\d+\.\d%" for name in names})
    for page in pages.values():
        page.get_by_role("button", name="Start training").click()
    everyone = [instructor, *pages.values()]
    marks(everyone, [f"board {name}" for name in names], timeout=900)
    seen = marks(everyone, [f"finished {name}" for name in names], timeout=60, required=False)
    settled = settled_at(home, {name: parse_qs(page.evaluate("location.search")[1:])["visitor"][0]
                                for name, page in pages.items()})
    print("finished run on the board, from the run's end (its record's settled_at): "
          + describe([seen[f"board {name}"] / 1000 - settled[name] for name in names]), flush=True)
    shown = [seen[f"finished {name}"] / 1000 - settled[name] for name in names if f"finished {name}" in seen]
    print("the learner's own Train page showing it finished, from the run's end: "
          + (describe(shown) if shown else "none") + f"; {len(names) - len(shown)} page(s) never showed it in 60 s",
          flush=True)

    for name, page in pages.items():
        watch(page, {f"followed {name}": r"^Grace sent everyone to Learn[\s\S]*^@/learn$"})
    instructor.get_by_role("combobox", name="Send everyone to").click()
    instructor.get_by_role("option", name=re.compile(r'^Learn, lesson "Convolution')).click()
    sent = instructor.evaluate("Date.now()")
    instructor.get_by_role("button", name="Send everyone").click()
    seen = marks(everyone, [f"followed {name}" for name in names], timeout=120)
    print("pages followed to the lesson: " + describe([(seen[f"followed {name}"] - sent) / 1000 for name in names]),
          flush=True)
    with_runs = server_cores(pid, idle)
    print(f"with the board of {learners} finished runs and the learners idle on Learn: {with_runs:.1%} of a core",
          flush=True)

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=8)
    parser.add_argument("--idle", type=float, default=20.0, help="seconds each CPU figure is measured over")
    parser.add_argument("--app-root", type=Path, default=REPOSITORY)
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with served(arguments.app_root) as (url, home, server), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                             *EVERY_PAGE_IN_FRONT])
        measure(browser, url, home, server.pid, arguments.learners, arguments.idle)
        browser.close()

if __name__ == "__main__":
    main()
