"""A workshop room without browsers: can one server take N learners who all press Start at once?

N simulated visitors each open Train, press "Start training" (the default run: mnist-dense512, 5 epochs) within a
few seconds of each other and watch their run until it ends. They speak Streamlit's own websocket protocol
(`benchmarks/streamlit_client.py`): every widget's value with each rerun, the button as a trigger, and the fetches
of the Train page's live frames (its run's progress and curves, the sidebar's run line: `dashboard/live_frames.py`)
timed by the client as the frames time them, so the server does what open pages cause (only drawing the charts,
the browsers' part, is left out). It checks and prints:
- every run finished and nothing is lost: each page ends "finished, ...", and the run records under
  `KERAS_LAB_HOME/runs/` are N, all finished, each with a test accuracy;
- the queue told each waiting visitor their place ("K run(s) ahead in the queue") and the places counted down;
- a newcomer's first page (the default page) is complete (its script finished) in at most 3 s while the room trains:
  timed a few times, spaced, once every visitor has pressed Start and while at least half the runs are unfinished;
- the server's CPU, as cores used on average over the room's time (the server process alone, and its children, the
  training workers), and its peak resident memory, both read from /proc every 0.5 s.

It starts its own server of the checkout at --app-root (default: the one this file is in) with the README's command
(`streamlit run dashboard/app.py`), headless, on a free port, without a file watcher (edits in the checkout must not
disturb the measurement), with a fresh temporary KERAS_LAB_HOME and KERAS_LAB_OFFLINE=1 (so the default run trains on
the shipped MNIST sample), in a process session of its own so that it and its workers are ended together. With
--url it measures a running server instead (--home for its runs folder, --server-pid for its CPU and memory).

    python benchmarks/room.py [--visitors 8] [--app-root PATH] [--stagger 3] [--seed 0] [--timeout 900]
    python benchmarks/room.py --url http://localhost:8501 [--home ~/.keras-lab] [--server-pid PID]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard_server import (  # noqa: E402
    cpu_seconds,
    descendants,
    free_port,
    log_tail,
    resident_megabytes,
    start_server,
    stop_server,
    wait_until_healthy,
)
from streamlit.proto.Element_pb2 import Element  # noqa: E402
from streamlit_client import PageClosed, StreamlitPage  # noqa: E402

REPOSITORY = Path(__file__).resolve().parents[1]
TRAIN_PAGE = "train"
FIRST_PAGE = ""
"""The default page: what a newcomer typing the server's address gets."""
START_LABEL = "Start training"
QUEUE_LINE = re.compile(r"waiting for a free training slot \((\d+) run\(s\) ahead in the queue\)")
ENDED = re.compile(r"(finished|failed|stopped|interrupted)\b")
RUN_LINE_PREFIX = "**Run** · "
"""The sidebar's line about the run: the status where a page has no progress bar (yet)."""
WAITING_FOR = {"opened": "for Train to open", "pressed": "to press Start, or for the page after it",
               "ended": "for its run to end"}
"""A visitor's steps, each counted for the room when it is done (or given up)."""
FIRST_PAGE_BOUND_SECONDS = 3.0
SAMPLE_SECONDS = 0.5


# What each visitor saw.

@dataclass
class Visitor:
    """One simulated learner: what their page said, from opening Train to the end of their run."""

    number: int
    press_delay: float
    statuses: list[str] = field(default_factory=list)
    """Every status line the page showed, in order, each once in a row ("training, epoch 2/5", ...)."""
    queue_places: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    visitor_key: str = ""
    run_id: str = ""
    opened_seconds: float | None = None
    pressed_at: float | None = None
    ended_at: float | None = None
    fragment_reruns_asked: int = 0
    fragments_redrawn: int = 0
    live_fetches: int = 0
    megabytes_received: float = 0.0

    @property
    def final_status(self) -> str:
        return self.statuses[-1] if self.statuses else "nothing shown"

    @property
    def finished(self) -> bool:
        return self.ended_at is not None and self.final_status.startswith("finished")

    def see(self, element: Element) -> None:
        """Note a status line the moment the page receives it (the settled run's progress bar)."""
        if element.WhichOneof("type") == "progress":
            self.note(element.progress.text)

    def see_live(self, mode: str, update: dict) -> None:
        """Note a status line the moment a live frame draws it (each of its updates while the run is active)."""
        self.note(update["line"])

    def note(self, line: str) -> None:
        status = line.split(" · ")[0]  # Without " · batch 3/32 · 1.2 s elapsed · ...".
        if not status or (self.statuses and self.statuses[-1] == status):
            return
        self.statuses.append(status)
        place = QUEUE_LINE.search(status)
        if place and (not self.queue_places or self.queue_places[-1] != int(place.group(1))):
            self.queue_places.append(int(place.group(1)))


def page_status(page: StreamlitPage) -> str:
    """The run's status as the page shows it now: the progress bar's words, else its live frame's, else the
    sidebar's run line."""
    for progress in page.elements("progress"):
        return progress.progress.text.split(" · ")[0]
    for mode in ("live_run", "live_line"):
        if mode in page.live_updates:
            return page.live_updates[mode]["line"].split(" · ")[0]
    for text in page.texts():
        if text.startswith(RUN_LINE_PREFIX):
            return text[len(RUN_LINE_PREFIX):]
    return ""


def run_has_ended(page: StreamlitPage) -> bool:
    """The page has settled: no redraw timer left, no run of it under way, and it says the run ended."""
    return not page.is_live and ENDED.match(page_status(page)) is not None


class Room:
    """The visitors, and the moments the newcomers and the sampler wait for."""

    def __init__(self, base_url: str, visitors: int, stagger: float, seed: int, timeout: float) -> None:
        if visitors < 1:
            raise ValueError(f"--visitors must be at least 1, not {visitors}.")
        if stagger < 0:
            raise ValueError(f"--stagger is the spread of the Start presses in seconds: 0 or more, not {stagger}.")
        if timeout <= 0:
            raise ValueError(f"--timeout is in seconds and must be above 0, not {timeout}.")
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError(f"--url {base_url!r} is not a server's http(s) address, such as http://localhost:8501.")
        chance = random.Random(seed)
        self.base_url = base_url
        self.visitors = [Visitor(number, chance.uniform(0, stagger)) for number in range(1, visitors + 1)]
        self.timeout = timeout
        self.all_opened = asyncio.Event()
        self.all_pressed = asyncio.Event()
        self.all_ended = asyncio.Event()
        self.started_at = self.deadline = 0.0
        self.ended_at: float | None = None
        self._opened = self._pressed = self._ended = 0

    def begin(self) -> None:
        """The room's clock starts (and its --timeout runs) when the first visitor opens a page."""
        self.started_at = time.perf_counter()
        self.deadline = self.started_at + self.timeout

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.perf_counter())

    def unfinished(self) -> int:
        return len(self.visitors) - self._ended

    def _count(self, step: str) -> None:
        """One more visitor opened, pressed or ended (or gave up at that step); the last one sets its event."""
        setattr(self, f"_{step}", getattr(self, f"_{step}") + 1)
        if getattr(self, f"_{step}") == len(self.visitors):
            getattr(self, f"all_{step}").set()
            if step == "ended":
                self.ended_at = time.perf_counter()

    async def visit(self, visitor: Visitor) -> None:
        """Open Train, wait for the room, press Start after this visitor's delay, watch the run until it ends."""
        page = StreamlitPage(self.base_url, TRAIN_PAGE, name=f"visitor {visitor.number}", on_element=visitor.see,
                             on_live_update=visitor.see_live)
        steps = ["opened", "pressed", "ended"]  # Still to count for the room; the rest count as given up at the end.
        try:
            visitor.opened_seconds = await page.open(self.remaining())
            if page.page_not_found is not None:
                raise ValueError(f"the server has no page {TRAIN_PAGE!r} (it answered page_not_found)")
            self._count(steps.pop(0))
            await asyncio.wait_for(self.all_opened.wait(), self.remaining())
            await asyncio.sleep(visitor.press_delay)
            await page.press(START_LABEL, self.remaining())
            visitor.pressed_at = time.perf_counter()
            query = parse_qs(page.query_string)
            visitor.visitor_key = query.get("visitor", [""])[0]
            visitor.run_id = query.get("run", [""])[0]
            self._count(steps.pop(0))
            await page.wait_until(lambda: run_has_ended(page), self.remaining(), "its run to end")
            visitor.ended_at = time.perf_counter()
        except (TimeoutError, asyncio.TimeoutError):
            visitor.errors.append(f"still waiting {WAITING_FOR[steps[0]]} when the room's --timeout of "
                                  f"{self.timeout:.0f} s ran out; its page last said: "
                                  f"{page_status(page) or 'no status yet'!r}")
        except (PageClosed, ValueError) as error:
            visitor.errors.append(str(error).removeprefix(f"{page.name}: "))
        finally:
            visitor.errors.extend(f"the page showed an exception: {text}" for text in page.exceptions)
            visitor.fragment_reruns_asked = page.fragment_reruns_asked
            visitor.fragments_redrawn = page.fragments_redrawn
            visitor.live_fetches = page.live_fetches
            visitor.megabytes_received = page.bytes_received / 2**20
            await page.close()
            for step in steps:
                self._count(step)

    async def newcomers(self, count: int, spacing: float) -> tuple[list[float], list[str]]:
        """Time a new visitor's first page, up to `count` times, while at least half the runs are unfinished."""
        seconds: list[float] = []
        errors: list[str] = []
        try:
            await asyncio.wait_for(self.all_pressed.wait(), self.remaining())
        except asyncio.TimeoutError:
            return seconds, ["no newcomer was timed: the visitors had not all pressed Start by the --timeout"]
        for number in range(1, count + 1):
            if self.unfinished() * 2 < len(self.visitors) or self.remaining() <= 0:
                break
            page = StreamlitPage(self.base_url, FIRST_PAGE, name=f"newcomer {number}")
            try:
                seconds.append(await page.open(min(self.remaining(), 120)))
                errors.extend(f"newcomer {number}'s page showed an exception: {text}" for text in page.exceptions)
            except (PageClosed, TimeoutError, asyncio.TimeoutError) as error:
                errors.append(str(error))
            finally:
                await page.close()
            await asyncio.sleep(spacing)
        return seconds, errors



class Sampler:
    """The server's and its workers' CPU time and resident memory, every SAMPLE_SECONDS."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.server_peak = 0.0
        self.workers_peak = 0.0
        self.largest_worker = 0.0
        self.samples = 0

    def sample(self) -> None:
        workers = descendants(self.server_pid)
        for pid in [self.server_pid, *workers]:
            seconds = cpu_seconds(pid)
            if seconds is not None:
                self.first.setdefault(pid, 0.0 if self.samples and pid != self.server_pid else seconds)
                self.last[pid] = seconds
        self.server_peak = max(self.server_peak, resident_megabytes(self.server_pid))
        resident = [resident_megabytes(pid) for pid in workers]
        self.workers_peak = max(self.workers_peak, sum(resident))
        self.largest_worker = max([self.largest_worker, *resident])
        self.samples += 1

    def cpu_seconds(self, workers: bool) -> float:
        """CPU seconds used since the first sample: the server's own, or its descendants' (a worker that appeared
        later counts from its start)."""
        return sum(self.last[pid] - self.first[pid] for pid in self.last if (pid != self.server_pid) == workers)

    @property
    def worker_count(self) -> int:
        return len([pid for pid in self.last if pid != self.server_pid])

    async def every(self, interval: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.sample()
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except asyncio.TimeoutError:
                pass
        self.sample()


# The records, and the report.

def check_records(home: Path, visitors: list[Visitor]) -> tuple[int, int, list[str]]:
    """The runs folder's records of these visitors: how many, how many finished with a test accuracy, problems."""
    keys = {visitor.visitor_key for visitor in visitors if visitor.visitor_key}
    records = {}
    for path in sorted((home / "runs").glob("*/run.json")):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            records[path.parent.name] = {"unreadable": str(error)}
            continue
        if record.get("owner") in keys:
            records[record.get("run_id", path.parent.name)] = record
    problems = [f"visitor {visitor.number}'s run {visitor.run_id} has no record under {home / 'runs'}"
                for visitor in visitors if visitor.run_id and visitor.run_id not in records]
    good = 0
    for run_id, record in records.items():
        if "unreadable" in record:
            problems.append(f"the record of {run_id} cannot be read: {record['unreadable']}")
        elif record.get("state") != "finished" or record.get("test_accuracy") is None:
            problems.append(f"run {run_id} is recorded {record.get('state')!r} with test accuracy "
                            f"{record.get('test_accuracy')} ({record.get('message') or 'no message'})")
        else:
            good += 1
    return len(records), good, problems


def counts_down(places: list[int], visitors: int) -> bool:
    """Places that make sense: fewer ahead than there are other visitors, and fewer each time they change."""
    return places[0] < visitors and all(later < earlier for earlier, later in itertools.pairwise(places))


def training_slots() -> int | None:
    """The slots a server started here has (KERAS_LAB_MAX_RUNS, else one per core)."""
    text = os.environ.get("KERAS_LAB_MAX_RUNS", "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else os.cpu_count()


def server_log_errors(log_path: Path | None) -> list[str]:
    """Tracebacks in the log of a server started here, each by its exception's line."""
    if log_path is None or not log_path.exists():
        return []
    lines = log_path.read_text(errors="replace").splitlines()
    found = []
    for index, line in enumerate(lines):
        if line.startswith("Traceback"):
            rest = [later for later in lines[index + 1:index + 200] if later and not later.startswith(" ")]
            found.append(f"the server's log has a traceback: {rest[0] if rest else line}")
    return found


@dataclass
class Report:
    """The report's lines, the errors found, and whether every check held."""

    wall: float
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    passed: bool = True
    summary: list[str] = field(default_factory=list)
    """The short form of each number, for the last line."""

    def say(self, line: str, holds: bool = True) -> None:
        self.lines.append(line)
        self.passed = self.passed and holds


def print_visitors(visitors: list[Visitor]) -> None:
    """One line per visitor, and the status lines their page went through."""
    for visitor in visitors:
        took = "" if visitor.ended_at is None or visitor.pressed_at is None else \
            f" {visitor.ended_at - visitor.pressed_at:.1f} s after Start"
        opened = "" if visitor.opened_seconds is None else f"Train opened in {visitor.opened_seconds:.1f} s; "
        print(f"visitor {visitor.number:2d} (Start at +{visitor.press_delay:.1f} s): {visitor.final_status}{took} "
              f"({opened}queue places: {', '.join(map(str, visitor.queue_places)) or 'none'}; redraws asked "
              f"{visitor.fragment_reruns_asked}, done {visitor.fragments_redrawn}; "
              f"live fetches {visitor.live_fetches}; "
              f"{visitor.megabytes_received:.1f} MB received)")
        print(f"    saw: {' → '.join(visitor.statuses) or 'nothing'}")


def report_runs(report: Report, visitors: list[Visitor], records: tuple[int, int, list[str]] | None,
                home: Path | None) -> None:
    count = len(visitors)
    finished = sum(visitor.finished for visitor in visitors)
    report.errors += [f"visitor {visitor.number}: {error}" for visitor in visitors for error in visitor.errors]
    line = f"runs finished: {finished}/{count} by the pages"
    nothing_lost = finished == count
    if records is not None:
        recorded, good, problems = records
        line += f"; {recorded} record(s) of these visitors under {home / 'runs'}, {good} finished with a test accuracy"
        nothing_lost = nothing_lost and recorded == good == count and not problems
        report.errors += problems
    report.say(line + (" -> nothing lost" if nothing_lost else " -> RUNS MISSING OR UNFINISHED"), nothing_lost)
    report.summary.append(f"runs finished {finished}/{count}")


def report_queue(report: Report, visitors: list[Visitor], slots: int | None) -> None:
    waited = [visitor for visitor in visitors if visitor.queue_places]
    wrong = [str(visitor.number) for visitor in waited if not counts_down(visitor.queue_places, len(visitors))]
    expected = "" if slots is None else f" ({slots} training slot(s): about {max(0, len(visitors) - slots)} must wait)"
    verdict = "the places counted down" if not wrong else f"places NOT counting down for visitor(s) {', '.join(wrong)}"
    verdict = verdict if waited else "nobody saw the queue"
    report.say(f"queue: {len(waited)} of {len(visitors)} visitor(s) were told their place{expected}; {verdict}",
               not wrong)
    report.summary.append(f"queue places seen by {len(waited)}")


def report_newcomers(report: Report, seconds: list[float], errors: list[str]) -> None:
    report.errors += errors
    if not seconds:
        report.say("newcomer's first page: not timed (the room ended before a newcomer came while at least half the "
                   "runs were unfinished)")
        report.summary.append("newcomer not timed")
        return
    median, worst = statistics.median(seconds), max(seconds)
    within = worst <= FIRST_PAGE_BOUND_SECONDS
    report.say(f"newcomer's first page complete: median {median:.2f} s, max {worst:.2f} s over {len(seconds)} "
               f"({', '.join(f'{value:.2f}' for value in seconds)}; bound {FIRST_PAGE_BOUND_SECONDS:g} s) -> "
               f"{'within' if within else 'OVER'} the bound", within)
    report.summary.append(f"newcomer first page median {median:.2f} s / max {worst:.2f} s")


def report_server(report: Report, sampler: Sampler | None, visitors: list[Visitor], client_cpu_seconds: float) -> None:
    if sampler is None:
        report.say("server CPU and memory: not measured (give --server-pid, the process id of the server at --url)")
    else:
        server_cores = sampler.cpu_seconds(workers=False) / report.wall
        worker_cores = sampler.cpu_seconds(workers=True) / report.wall
        report.say(f"server CPU: {server_cores:.2f} cores on average (the server process alone); workers: "
                   f"{worker_cores:.2f} cores ({sampler.worker_count} process(es)), over the {report.wall:.1f} s")
        report.say(f"memory, peak resident: server {sampler.server_peak:,.0f} MB; workers "
                   f"{sampler.workers_peak:,.0f} MB together (the largest {sampler.largest_worker:,.0f} MB); "
                   f"{sampler.samples} samples")
        report.summary.append(f"server {server_cores:.2f} cores / {sampler.server_peak:,.0f} MB peak, workers "
                              f"{worker_cores:.2f} cores / {sampler.workers_peak:,.0f} MB peak")
    asked = sum(visitor.fragment_reruns_asked for visitor in visitors)
    done = sum(visitor.fragments_redrawn for visitor in visitors)
    fetches = sum(visitor.live_fetches for visitor in visitors)
    report.say(f"live: the live frames fetched {fetches} updates ({fetches / report.wall:.1f} a second); fragment "
               f"timers asked for {asked} redraws, the server redrew {done}; the simulated visitors themselves "
               f"used {client_cpu_seconds / report.wall:.2f} cores")


def print_report(room: Room, newcomers: tuple[list[float], list[str]], sampler: Sampler | None,
                 records: tuple[int, int, list[str]] | None, home: Path | None, slots: int | None,
                 client_cpu_seconds: float, server_errors: list[str]) -> bool:
    """Every visitor, then the room's numbers and its errors; returns whether every check held."""
    report = Report(wall=(room.ended_at or time.perf_counter()) - room.started_at)
    print_visitors(room.visitors)
    report.say(f"\nroom of {len(room.visitors)} visitor(s): {report.wall:.1f} s from the first page opened to the "
               "last run ended")
    report_runs(report, room.visitors, records, home)
    report_queue(report, room.visitors, slots)
    report_newcomers(report, *newcomers)
    report_server(report, sampler, room.visitors, client_cpu_seconds)
    report.errors += server_errors
    report.passed = report.passed and not report.errors
    print("\n".join(report.lines))
    print("errors: " + ("none" if not report.errors else f"{len(report.errors)}\n  " + "\n  ".join(report.errors)))
    print(f"\n{'PASS' if report.passed else 'FAIL'}: N={len(room.visitors)}, wall {report.wall:.1f} s, "
          + ", ".join(report.summary) + f", errors {len(report.errors)}")
    return report.passed


async def measure(room: Room, sampler: Sampler | None, newcomers: int,
                  spacing: float) -> tuple[list[float], list[str]]:
    """The visitors, the newcomers and the sampler, together, until every visitor is done."""
    room.begin()
    stop_sampling = asyncio.Event()
    sampling = asyncio.create_task(sampler.every(SAMPLE_SECONDS, stop_sampling)) if sampler else None
    timing = asyncio.create_task(room.newcomers(newcomers, spacing))
    try:
        await asyncio.gather(*(room.visit(visitor) for visitor in room.visitors))
    finally:
        stop_sampling.set()
        if sampling is not None:
            await sampling
    return await timing  # It ends soon after the room: it times no newcomer once most runs are done.


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=8, help="learners in the room (default 8)")
    parser.add_argument("--url", help="a running server to measure instead of starting one, e.g. http://localhost:8501")
    parser.add_argument("--app-root", type=Path, default=REPOSITORY,
                        help="the Keras Lab checkout whose server to start (default: this one)")
    parser.add_argument("--home", type=Path, help="with --url: that server's KERAS_LAB_HOME, to read its run records")
    parser.add_argument("--server-pid", type=int, help="with --url: that server's process id, for CPU and memory")
    parser.add_argument("--stagger", type=float, default=3.0, help="Start presses spread over this many seconds")
    parser.add_argument("--seed", type=int, default=0, help="seeds the order and moments of the Start presses")
    parser.add_argument("--newcomers", type=int, default=3, help="how many times a newcomer's first page is timed")
    parser.add_argument("--newcomer-spacing", type=float, default=2.0, help="seconds between newcomers")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up on the room after this many seconds")
    parser.add_argument("--keep-home", action="store_true", help="keep the temporary KERAS_LAB_HOME and server log")
    arguments = parser.parse_args()
    if arguments.url is None and (arguments.home or arguments.server_pid):
        parser.error("--home and --server-pid describe a server given with --url; without --url one is started here.")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # So that `finally` still stops the server.
    server, log_path, scratch = None, None, None
    home = arguments.home
    try:
        room = Room(arguments.url or "http://127.0.0.1", arguments.visitors, arguments.stagger, arguments.seed,
                    arguments.timeout)  # Checks the arguments before a server is started.
        if arguments.newcomers < 0 or arguments.newcomer_spacing < 0:
            raise ValueError("--newcomers and --newcomer-spacing must be 0 or more.")
        if arguments.url is None:
            app_root = arguments.app_root.resolve()
            scratch = Path(tempfile.mkdtemp(prefix="keras-lab-room-"))
            home, log_path = scratch / "home", scratch / "server.log"
            home.mkdir()
            base_url = f"http://127.0.0.1:{free_port()}"
            server = start_server(app_root, home, int(base_url.rsplit(":", 1)[1]), log_path)
            where = f"server started here from {app_root} (pid {server.pid}), KERAS_LAB_HOME={home}"
        else:
            base_url = arguments.url.rstrip("/")
            where = f"server at {base_url}"
            home = home or Path(os.environ.get("KERAS_LAB_HOME") or Path.home() / ".keras-lab").expanduser()
        wait_until_healthy(base_url, server, log_path)
        pid = server.pid if server is not None else arguments.server_pid
        slots = training_slots() if server is not None else None
        print(f"{arguments.visitors} visitor(s) on {base_url}: {where}; Start presses spread over "
              f"{arguments.stagger:g} s (seed {arguments.seed})", flush=True)
        room.base_url = base_url
        sampler = Sampler(pid) if pid is not None else None
        client_cpu = time.process_time()
        newcomers = asyncio.run(measure(room, sampler, arguments.newcomers, arguments.newcomer_spacing))
        client_cpu = time.process_time() - client_cpu
        records = check_records(home, room.visitors) if home is not None and home.is_dir() else None
        server_errors = server_log_errors(log_path)
        if server is not None and server.poll() is not None:
            server_errors.append(f"the server exited during the room (status {server.returncode}):\n"
                                 f"{log_tail(log_path)}")
        passed = print_report(room, newcomers, sampler, records, home, slots, client_cpu, server_errors)
    except (ValueError, RuntimeError, TimeoutError) as error:  # Said in a sentence, after the server is stopped.
        print(f"error: {error}", file=sys.stderr)
        passed = False
    finally:
        if server is not None:
            stop_server(server)
        if scratch is not None:
            if arguments.keep_home:
                print(f"kept {scratch} (the runs and the server's log)")
            else:
                shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
