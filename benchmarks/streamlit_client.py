"""A browser tab without the browser: one Streamlit session over Streamlit's own websocket protocol.

`benchmarks/room.py` opens many of these to put a room's load on a server without running a browser per learner.
Each behaves as Streamlit's frontend does (1.67, the messages in `streamlit.proto`), so the server does the same work
for it as for a page in a browser:
- it connects to `/_stcore/stream` with the `streamlit` subprotocol and asks for a page by its address (`page_name`
  is the url path, such as "train"; "" is the default page); after that it names the page by the hash that the
  server's `navigation` message gave (`page_script_hash`), as the frontend does;
- every rerun it asks for carries the address's query string and every widget's value (the value the server set,
  else the widget's default), and a pressed button as a trigger for that one rerun;
- it times the redraws of `st.fragment(run_every=...)` itself, as the frontend does: an `auto_rerun` message starts a
  timer that asks for that fragment's rerun every `interval` seconds, whether or not the last one is done; a full run
  of the page stops every timer, and the page's script starts again the ones it still wants;
- it fetches what Keras Lab's live frames fetch (`dashboard/live_frames.py`): a `component_instance` of the
  live_run or live_line component asks the live route for its run's newest state every `every_ms`, as the frame's
  script does, while the run is active, and a live_run frame whose run changed state sets its value and asks for the
  rerun that follows, as the frame tells Streamlit;
- it keeps the page's elements by their place (the delta path) and drops what a finished run did not draw again, so
  `texts()` is what the page shows now.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState

STREAM_PATH = "_stcore/stream"
SUBPROTOCOL = "streamlit"
"""The frontend offers "streamlit" (then an XSRF token and a session id to resume, which a new page has not)."""
FULL_RUN_DONE = ForwardMsg.FINISHED_SUCCESSFULLY
FRAGMENT_RUN_DONE = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
COMPILE_ERROR = ForwardMsg.FINISHED_WITH_COMPILE_ERROR
STATEFUL_WIDGETS = ("checkbox", "number_input", "selectbox", "text_input", "text_area")
"""The widgets whose values this client sends. Others (sliders, radios, ...) are left to the server, which then keeps
their last values: what an untouched widget means anyway."""
LIVE_FRAMES = ("live_run", "live_line")
"""Keras Lab's live components (their `mode` argument), whose fetches this client makes as their frames do."""
FETCHES = ThreadPoolExecutor(max_workers=64, thread_name_prefix="live-fetch")
"""The live frames' fetches: a room's pages fetch at once, as their browsers would."""


class PageClosed(ConnectionError):
    """The connection ended (the server closed it, or it broke) while the page was still needed."""


@dataclass
class PlacedElement:
    """An element where the page shows it, with the run that drew it last and the fragment it belongs to."""

    element: Element
    run_id: str
    fragment_id: str


def element_text(element: Element) -> str | None:
    """The words an element shows, for the elements that show some; None for the others."""
    kind = element.WhichOneof("type")
    if kind == "markdown":
        return element.markdown.body
    if kind == "progress":
        return element.progress.text
    if kind == "alert":
        return element.alert.body
    if kind == "heading":
        return element.heading.body
    if kind == "metric":
        return f"{element.metric.label}: {element.metric.body}"
    if kind == "exception":
        return f"{element.exception.type}: {element.exception.message}"
    return None


def initial_widget_state(element: Element) -> WidgetState | None:
    """The state the frontend gives a widget it draws: the value the server set, else the widget's default.

    A widget without either (a number input with value=None, say) still gets a state with its id and no value, as
    the frontend sends it. None for elements that are not stateful widgets.
    """
    kind = element.WhichOneof("type")
    if kind not in STATEFUL_WIDGETS:
        return None
    widget = getattr(element, kind)
    state = WidgetState(id=widget.id)
    if kind == "checkbox":
        state.bool_value = widget.value if widget.set_value else widget.default
    elif kind == "number_input":
        field = "value" if widget.set_value else "default"
        if widget.HasField(field):
            number = getattr(widget, field)
            if widget.data_type == NumberInput.INT:
                state.int_value = int(number)
            else:
                state.double_value = number
    elif kind == "selectbox":
        if widget.set_value:
            if widget.HasField("raw_value"):
                state.string_value = widget.raw_value
        elif widget.HasField("default") and 0 <= widget.default < len(widget.options):
            state.string_value = widget.options[widget.default]
    else:  # text_input, text_area
        field = "value" if widget.set_value else "default"
        if widget.HasField(field):
            state.string_value = getattr(widget, field)
    return state


class StreamlitPage:
    """One open page of a Streamlit app: what the server drew on it, and the reruns it asks for."""

    def __init__(self, base_url: str, page_name: str = "", name: str = "page",
                 on_element: Callable[[Element], None] | None = None,
                 on_live_update: Callable[[str, dict], None] | None = None) -> None:
        """`page_name` is the page's url path ("train"; "" for the default page). `on_element` sees every element
        the server sends, redraws included, as it arrives (a status that shows for one redraw is not missed), and
        `on_live_update` every update a live frame draws, with the frame's mode."""
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{base_url!r} is not the http(s) address of a Streamlit server, such as "
                             "http://localhost:8501.")
        root = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self.stream_url = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}{parts.path.rstrip('/')}/" \
                          f"{STREAM_PATH}"
        self.root = root
        self.address = f"{root}/{page_name}"
        self.page_name = page_name
        self.name = name
        self.on_element = on_element
        self.on_live_update = on_live_update
        self.live_fetches = 0
        self.live_updates: dict[str, dict] = {}
        """The update each live frame (by mode) drew last."""
        self.query_string = ""
        self.page_script_hash = ""
        self.main_script_path = ""
        self.page_not_found: str | None = None
        self.exceptions: list[str] = []
        self.failure: str | None = None
        self.fragment_reruns_asked = 0
        self.fragments_redrawn = 0
        """Fragments the server reran: one run can redraw several, as it merges the requests that wait."""
        self.full_runs_started = 0
        self.full_runs_done = 0
        self.last_full_run_done = 0
        """Which full run (counted from 1) finished last; a press waits for a later one."""
        self.bytes_received = 0
        self._elements: dict[tuple[int, ...], PlacedElement] = {}
        self._widgets: dict[str, WidgetState] = {}
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}
        self._frames: dict[str, asyncio.Task] = {}
        """The live frames' fetch loops, by the component's id: one per frame on the page, as its iframe's."""
        self._run_id = ""
        self._run_fragments: list[str] = []
        self._socket = None
        self._reader: asyncio.Task | None = None
        self._changed = asyncio.Event()
        self._closing = False

    # Opening, pressing, watching, closing.

    async def open(self, timeout: float, query_string: str = "") -> float:
        """Connect and ask for the page, as a browser opening its address does; returns the seconds until its first
        run finished (the whole page drawn)."""
        started = time.perf_counter()
        self.query_string = query_string
        try:
            self._socket = await asyncio.wait_for(
                websockets.connect(self.stream_url, subprotocols=[SUBPROTOCOL], max_size=None, open_timeout=None,
                                   ping_interval=None),
                timeout)
        except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as error:
            raise PageClosed(f"{self.name}: could not connect to {self.stream_url}: {error or 'timed out'}") from None
        self._reader = asyncio.create_task(self._read(), name=f"{self.name} reader")
        await self._send_rerun(page_name=self.page_name)
        await self.wait_until(lambda: self.full_runs_done > 0, started + timeout - time.perf_counter(),
                              "the first page to be complete")
        return time.perf_counter() - started

    async def press(self, label: str, timeout: float) -> None:
        """Press the enabled button with this label and wait until the page's run that it causes has finished."""
        button_id = self.button_id(label)
        asked_after = self.full_runs_started
        await self._send_rerun(trigger_id=button_id)
        await self.wait_until(lambda: self.last_full_run_done > asked_after, timeout,
                              f"the page to finish its run after pressing {label!r}")

    async def wait_until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        """Wait until `condition()` holds, checked after every message; TimeoutError saying what did not happen."""
        deadline = time.perf_counter() + timeout
        while not condition():
            if self.failure is not None:
                raise PageClosed(f"{self.name}: {self.failure} while waiting for {what}")
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                shown = " | ".join(" ".join(text.split())[:120] for text in self.texts()[-3:]) or "nothing yet"
                raise TimeoutError(f"{self.name}: waited {timeout:.0f} s for {what}; the page last showed: {shown}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def close(self) -> None:
        """Stop the timers and close the connection, as closing the tab does."""
        self._closing = True
        self._stop_timers()
        self._stop_frames(keep=set())
        if self._socket is not None:
            with contextlib.suppress(asyncio.TimeoutError, OSError, websockets.ConnectionClosed):
                await asyncio.wait_for(self._socket.close(), 5)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    # What the page shows.

    def texts(self) -> list[str]:
        """The words on the page now, in the page's order (the sidebar's among them)."""
        return [text for _, placed in sorted(self._elements.items())
                if (text := element_text(placed.element)) is not None]

    def elements(self, kind: str) -> list[Element]:
        """The page's elements of one kind ("progress", "button", ...), in the page's order."""
        return [placed.element for _, placed in sorted(self._elements.items())
                if placed.element.WhichOneof("type") == kind]

    def button_id(self, label: str) -> str:
        """The widget id of the enabled button with this label; ValueError naming the buttons there are."""
        buttons = [element.button for element in self.elements("button")]
        for button in buttons:
            if button.label == label and not button.disabled:
                return button.id
        shown = ", ".join(f"{button.label!r}{' (disabled)' if button.disabled else ''}" for button in buttons)
        raise ValueError(f"{self.name}: no enabled button labelled {label!r} on {self.address}; "
                         f"its buttons: {shown or 'none'}.")

    @property
    def is_live(self) -> bool:
        """Whether the page still redraws by itself (a fragment timer or a live frame runs) or a run of it is under
        way."""
        return (bool(self._timers) or any(not task.done() for task in self._frames.values())
                or self.last_full_run_done < self.full_runs_started)

    # The protocol.

    async def _send_rerun(self, page_name: str = "", fragment_id: str = "", auto: bool = False,
                          trigger_id: str | None = None) -> None:
        """A rerun_script BackMsg as the frontend writes it (ClientState with every widget's state)."""
        url = self.address + (f"?{self.query_string}" if self.query_string else "")
        state = ClientState(query_string=self.query_string, page_script_hash=self.page_script_hash,
                            page_name=page_name, fragment_id=fragment_id, is_auto_rerun=auto,
                            context_info=ContextInfo(timezone="UTC", timezone_offset=0, locale="en-US", url=url,
                                                     is_embedded=False, color_scheme="light"))
        state.widget_states.widgets.extend(self._widgets.values())
        if trigger_id is not None:
            state.widget_states.widgets.append(WidgetState(id=trigger_id, trigger_value=True))
        await self._socket.send(BackMsg(rerun_script=state).SerializeToString())

    async def _read(self) -> None:
        try:
            async for payload in self._socket:
                self.bytes_received += len(payload)
                message = ForwardMsg()
                message.ParseFromString(payload)
                self._handle(message)
                self._changed.set()
        except websockets.ConnectionClosed:
            pass
        except Exception as error:  # noqa: BLE001  A message this client cannot read: say so, rather than hang.
            self.failure = f"could not read a message from the server ({type(error).__name__}: {error})"
        finally:
            if self.failure is None and not self._closing:
                self.failure = "the server closed the connection"
            self._stop_timers()
            self._stop_frames(keep=set())
            self._changed.set()

    def _handle(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self._run_id = message.metadata.run.script_run_id
            self._run_fragments = list(message.metadata.run.fragment_ids)
            self.main_script_path = message.new_session.main_script_path
            if not self.page_script_hash:
                self.page_script_hash = message.new_session.page_script_hash
            if not self._run_fragments:  # A full run: the frontend stops every timer (cleanupAutoReruns).
                self.full_runs_started += 1
                self._stop_timers()
        elif kind == "navigation":
            self.page_script_hash = message.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
        elif kind == "page_not_found":
            self.page_not_found = message.page_not_found.page_name
        elif kind == "delta":
            self._place(message)
        elif kind == "script_finished":
            self._finish(message.script_finished)
        elif kind == "auto_rerun":
            self._start_timer(message.auto_rerun.fragment_id, message.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in message.stop_auto_rerun.fragment_ids:
                self._stop_timer(fragment_id)
        elif kind == "ref_hash":
            self.failure = "the server referred to a cached message that this client never cached"

    def _place(self, message: ForwardMsg) -> None:
        delta = message.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        self._elements[tuple(message.metadata.delta_path)] = PlacedElement(element, self._run_id, delta.fragment_id)
        kind = element.WhichOneof("type")
        if kind == "exception":
            trace = element.exception.stack_trace[-1].strip() if element.exception.stack_trace else ""
            self.exceptions.append(f"{element.exception.type}: {element.exception.message}"
                                   + (f" (at {trace})" if trace else ""))
        state = initial_widget_state(element)
        if state is not None and (state.id not in self._widgets or getattr(element, kind).set_value):
            self._widgets[state.id] = state
        if self.on_element is not None:
            self.on_element(element)
        if kind == "component_instance":
            self._start_frame(element)

    def _finish(self, status: int) -> None:
        """A run ended: drop what it did not draw again (for a fragment's run, within its fragments)."""
        if status == FULL_RUN_DONE:
            self._elements = {path: placed for path, placed in self._elements.items()
                              if placed.run_id == self._run_id}
            shown = {getattr(placed.element, placed.element.WhichOneof("type")).id
                     for placed in self._elements.values()
                     if placed.element.WhichOneof("type") in STATEFUL_WIDGETS}
            frames = {placed.element.component_instance.id for placed in self._elements.values()
                      if placed.element.WhichOneof("type") == "component_instance"}
            self._widgets = {widget_id: state for widget_id, state in self._widgets.items()
                             if widget_id in shown or widget_id in frames}
            self._stop_frames(keep=frames)  # A frame the run did not draw again is gone, with its fetches.
            self.full_runs_done += 1
            self.last_full_run_done = self.full_runs_started
        elif status == FRAGMENT_RUN_DONE:
            self._elements = {path: placed for path, placed in self._elements.items()
                              if placed.run_id == self._run_id or placed.fragment_id not in self._run_fragments}
            self.fragments_redrawn += len(self._run_fragments)
        elif status == COMPILE_ERROR:
            self.exceptions.append("the app's script did not compile")
            self.full_runs_done += 1
            self.last_full_run_done = self.full_runs_started

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        """As the frontend's handleAutoRerun: one timer per fragment; the same interval again keeps the timer."""
        if not fragment_id or self._closing or self.failure is not None:
            return
        running = self._timers.get(fragment_id)
        if running is not None and running[0] == interval:
            return
        self._stop_timer(fragment_id)
        task = asyncio.create_task(self._rerun_every(fragment_id, interval), name=f"{self.name} {fragment_id}")
        self._timers[fragment_id] = (interval, task)

    def _stop_timer(self, fragment_id: str) -> None:
        running = self._timers.pop(fragment_id, None)
        if running is not None:
            running[1].cancel()

    def _stop_timers(self) -> None:
        for fragment_id in list(self._timers):
            self._stop_timer(fragment_id)

    async def _rerun_every(self, fragment_id: str, interval: float) -> None:
        """Like the browser's setInterval: a fixed beat, ticks missed while stalled are skipped, not made up."""
        loop = asyncio.get_running_loop()
        next_tick = loop.time() + interval
        while True:
            await asyncio.sleep(max(0.0, next_tick - loop.time()))
            try:
                await self._send_rerun(fragment_id=fragment_id, auto=True)
            except websockets.ConnectionClosed:
                return
            self.fragment_reruns_asked += 1
            next_tick = max(next_tick + interval, loop.time())

    # Keras Lab's live frames.

    def _start_frame(self, element: Element) -> None:
        """A live frame drawn (again): its fetch loop starts, unless this frame's already runs (a rerun gives the
        frame new arguments, which it draws; the loop goes on)."""
        instance = element.component_instance
        arguments = json.loads(instance.json_args or "{}")
        if arguments.get("mode") not in LIVE_FRAMES or self._closing or self.failure is not None:
            return
        update = json.loads(arguments["update"])
        self._show_live(arguments["mode"], update)
        running = self._frames.get(instance.id)
        if running is None or running.done():
            self._frames[instance.id] = asyncio.create_task(self._fetch_while_active(instance.id, arguments, update),
                                                            name=f"{self.name} {arguments['mode']}")

    def _show_live(self, mode: str, update: dict) -> None:
        self.live_updates[mode] = update
        if self.on_live_update is not None:
            self.on_live_update(mode, update)

    def _stop_frames(self, keep: set[str]) -> None:
        for frame_id in [frame_id for frame_id in self._frames if frame_id not in keep]:
            self._frames.pop(frame_id).cancel()

    async def _fetch_while_active(self, frame_id: str, arguments: dict, update: dict) -> None:
        """As the frame's script: fetch every `every_ms` while the run is active, the figures only when newer
        than the ones drawn; a live_run frame whose run changed state sets its value, and Streamlit reruns."""
        mode, known_state, have = arguments["mode"], update["state"], update.get("version")
        loop = asyncio.get_running_loop()
        while update["active"]:
            await asyncio.sleep(arguments["every_ms"] / 1000)
            query = {"run": arguments["run"], **({"have": have} if have else {}),
                     **({"line": "1"} if mode == "live_line" else {})}
            address = f"{self.root}/{arguments['path']}?{urlencode(query)}"
            answer = await loop.run_in_executor(FETCHES, fetch_json, address)
            self.live_fetches += 1
            if answer is None:
                return  # No such run on the server: the frame says so and fetches no more.
            update, size = answer
            self.bytes_received += size
            have = update.get("version", have)
            self._show_live(mode, update)
            self._changed.set()
            if mode == "live_run" and update["state"] != known_state:
                known_state = update["state"]
                value = f"{update['run']}:{known_state}:{time.time()}"
                self._widgets[frame_id] = WidgetState(id=frame_id, json_value=json.dumps(value))
                with contextlib.suppress(websockets.ConnectionClosed):
                    await self._send_rerun()


def fetch_json(address: str) -> tuple[dict, int] | None:
    """GET `address`: its JSON and its size in bytes, or None for an answer that is not 200 (a 404, say)."""
    try:
        with urllib.request.urlopen(address, timeout=60) as response:
            body = response.read()
    except urllib.error.HTTPError:
        return None
    return json.loads(body), len(body)
