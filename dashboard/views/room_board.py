"""The room's board as pages show it, redrawn every few seconds without reloading the page: the table of each
learner's best run, the chart of accuracy against parameters and, for the instructor, the queue and the CSV."""

from __future__ import annotations

import streamlit as st

from core.room.board import BoardRow, Waiting, board_csv, board_rows, room_queue
from core.room.room import Room
from dashboard.figures.room import accuracy_against_parameters
from dashboard.markdown_text import markdown_literal
from dashboard.resources import room_store, run_registry

BOARD_SECONDS = 2.0
"""How often the board is redrawn: a run that finished shows within 5 s."""


def board_now(room: Room) -> tuple[list[BoardRow], list[Waiting]]:
    registry = run_registry()
    runs = registry.runs_of(*room.learners)
    return board_rows(room, runs, registry.queue_position), room_queue(room, runs, registry.queue_position)


def board_table(rows: list[BoardRow]) -> list[dict[str, str]]:
    """The rows as the table shows them; names escaped, so a name shows exactly as the learner typed it."""
    return [{"": str(place), "Learner": markdown_literal(row.learner),
             "Test accuracy": "—" if row.test_accuracy is None else f"{row.test_accuracy:.1%}",
             "Model": markdown_literal(row.model) or "—",
             "Parameters": "—" if row.parameters is None else f"{row.parameters:,}",
             "Epochs": str(row.epochs), "Seconds per epoch": "—" if row.seconds_per_epoch is None else
             f"{row.seconds_per_epoch:.2f}", "Now": f"{row.state} ({row.progress:.0%})" if 0 < row.progress < 1
             else row.state}
            for place, row in enumerate(rows, start=1)]


@st.fragment(run_every=BOARD_SECONDS)
def live_board(code: str, with_queue: bool) -> None:
    room = room_store().get(code)
    if room is None:
        return
    rows, waiting = board_now(room)
    st.subheader(f"Board · {len(room.learners)} learner{'s' if len(room.learners) != 1 else ''}")
    if not rows:
        st.info("No learner has joined yet: they join with the link or the QR code, and appear here at once.",
                icon=":material/hourglass_empty:")
        return
    st.table(board_table(rows), hide_header=False, border="horizontal")
    chart, queue = st.columns([3, 2]) if with_queue else (st.container(), None)
    if any(row.test_accuracy is not None for row in rows):
        chart.plotly_chart(accuracy_against_parameters(rows), width="stretch", key="room_chart")
    if queue is not None:
        with queue:
            show_queue(waiting)


def show_queue(waiting: list[Waiting]) -> None:
    if not waiting:
        st.caption("Queue: no run of the room waits for a training slot.")
        return
    places = ", ".join(f"{item.place}. {markdown_literal(item.learner)} ({markdown_literal(item.model)})"
                       for item in waiting)
    st.markdown(f"**Queue** · {places}")


def download_results(code: str) -> None:
    """The board as CSV, made at the click, so it holds the results of that moment."""
    def results() -> str:
        room = room_store().get(code)
        return board_csv(board_now(room)[0]) if room is not None else ""

    st.download_button("Download the results (CSV)", data=results, file_name=f"keras-lab-room-{code}.csv",
                       mime="text/csv", on_click="ignore", icon=":material/download:")
