"""A workshop room in Chromium: an instructor opens it, three learners join by its link in browsers of their own,
each trains the default model, the board lists all three live, and the instructor sends the room to a lesson."""

import re
from pathlib import Path

from browser_support import sidebar_link, train_for_one_epoch
from conftest import wait_until

LEARNERS = ("Ada", "Alan", "<b>Linus</b>")
"""The third name holds a tag: it must show as typed, never as bold."""
SHOTS = Path("/tmp/keras-lab-room-shots")


def board_text(page) -> str:
    table = page.get_by_test_id("stTable")
    return table.first.inner_text() if table.count() else ""


def open_room(browser, dashboard: str):
    instructor = browser.new_context(viewport={"width": 1400, "height": 1300}).new_page()
    instructor.goto(f"{dashboard}/room")
    instructor.get_by_label("Your name, as learners see it").fill("Grace")
    instructor.get_by_role("button", name="Open a room").click()
    link = instructor.get_by_test_id("stCode").first
    link.wait_for(timeout=60_000)
    assert instructor.get_by_role("img", name=re.compile("Room [A-Z0-9]{6}")).count() == 1 or \
        instructor.get_by_text(re.compile(r"^Room [A-Z0-9]{6}$")).count() == 1, "the QR code of the join link"
    return instructor, link.inner_text().strip()


def join(browser, join_link: str, name: str, shot: Path | None = None):
    learner = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    learner.goto(join_link)
    learner.get_by_label("Your name").wait_for(timeout=60_000)
    if shot is not None:
        learner.screenshot(path=shot)
    learner.get_by_label("Your name").fill(name)
    learner.get_by_role("button", name="Join the room").click()
    learner.get_by_text(re.compile(r"^Room · [A-Z0-9]{6}, you are")).wait_for(timeout=30_000)
    return learner


def send_everyone_to(instructor, destination: str) -> None:
    """Pick the destination by typing it (the list is long, and only its visible options are in the page)."""
    instructor.get_by_role("combobox", name="Send everyone to").click()
    instructor.keyboard.type(destination)
    instructor.get_by_role("option", name=re.compile(f"^{re.escape(destination)}")).first.click()
    instructor.get_by_role("button", name="Send everyone").click()


def test_an_instructor_sees_three_learners_train_and_leads_them_to_a_lesson(dashboard, browser):
    SHOTS.mkdir(exist_ok=True)
    instructor, join_link = open_room(browser, dashboard)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?room=[A-Z0-9]{6}", join_link), join_link
    learners = [join(browser, join_link, name, SHOTS / "join-prompt.png" if not position else None)
                for position, name in enumerate(LEARNERS)]
    wait_until(lambda: all(name in board_text(instructor) for name in LEARNERS), timeout=30)

    learners[0].reload()  # A reload keeps the learner in the room: no second prompt.
    learners[0].get_by_text(re.compile(r"^Room · [A-Z0-9]{6}, you are Ada")).wait_for(timeout=60_000)
    assert learners[0].get_by_label("Your name").count() == 0

    for learner in learners:
        sidebar_link(learner, "Train").click()
        learner.get_by_role("button", name="Start training").wait_for(timeout=120_000)
        train_for_one_epoch(learner)

    # The board, never reloaded, shows each learner's test accuracy.
    scored = re.compile(r"\d+\.\d%")
    wait_until(lambda: len(scored.findall(board_text(instructor))) == 3, timeout=30)
    rows = board_text(instructor)
    for name in LEARNERS:
        assert re.search(rf"{re.escape(name)}\s+\d+\.\d%\s+mnist-dense512\s+407,050\s+1\s", rows), rows
    assert instructor.get_by_test_id("stTable").locator("b").count() == 0, "a name's tag is shown, not rendered"
    instructor.screenshot(path=SHOTS / "board.png", full_page=True)

    # Sending the room to a lesson: every learner's page follows, and says who sent it.
    send_everyone_to(instructor, 'Learn, lesson "Convolution')
    for learner in learners:
        learner.wait_for_url(re.compile(r"/learn\?"), timeout=15_000)
        learner.get_by_text(re.compile(r'^Grace sent everyone to Learn, lesson "Convolution')).wait_for(timeout=15_000)
        learner.get_by_role("heading", name=re.compile(r"Convolution")).first.wait_for()
    learners[2].screenshot(path=SHOTS / "learner-sent.png")

    # Sent again while on that page, to another lesson: the lesson changes in place.
    send_everyone_to(instructor, 'Learn, lesson "Recurrent')
    for learner in learners:
        learner.get_by_role("heading", name=re.compile(r"^\d · Recurrent")).wait_for(timeout=15_000)

    # A learner sees only their own run: on Runs, one run, and none of the other learners' run ids anywhere.
    run_ids = [re.search(r"run=([\w-]+)", learner.url).group(1) for learner in learners]
    assert len(set(run_ids)) == 3
    for position, learner in enumerate(learners):
        sidebar_link(learner, "Runs").click()
        learner.get_by_text(re.compile(r"^Your runs are kept on the server")).wait_for(timeout=60_000)
        text = learner.inner_text("body")
        assert not any(run_id in text for other, run_id in enumerate(run_ids) if other != position)
        assert learner.get_by_test_id("stException").count() == 0

    # Everyone to Build with a preset: the preset is chosen there, and the learner's model can come back.
    send_everyone_to(instructor, "Build with MNIST: CNN with two convolutions")
    for learner in learners:
        learner.wait_for_url(re.compile(r"/build\?.*preset=mnist-cnn-2conv"), timeout=15_000)
        learner.get_by_text(re.compile(r"^Grace sent everyone to Build with MNIST: CNN with two")).wait_for()
    learners[0].get_by_role("button", name="Back to my model").click()
    learners[0].wait_for_url(re.compile(r"preset=mnist-dense512"), timeout=15_000)
    assert instructor.get_by_test_id("stException").count() == 0


def test_the_presenter_view_of_the_board_shows_the_link_and_the_board_but_no_key(dashboard, browser):
    instructor, join_link = open_room(browser, dashboard)
    join(browser, join_link, "Ada")
    instructor.get_by_text("Your instructor key (private)").click()
    presenter = instructor.get_by_role("link", name="Open the board in the presenter view").get_attribute("href")
    key = re.search(r"room_key=([\w-]+)", instructor.url).group(1)
    assert key not in presenter, "the projector's address bar shows no key"
    projector = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
    projector.goto(f"{presenter}&theme=dark")
    projector.wait_for_url(re.compile(r"embed_options=dark_theme"), timeout=60_000)
    wait_until(lambda: "Ada" in board_text(projector), timeout=60)
    assert projector.get_by_text(join_link).count() == 1
    assert key not in projector.inner_text("body") and projector.get_by_text("Lead the room").count() == 0
    assert projector.get_by_label("Your name").count() == 0, "the projector is no learner"
    projector.screenshot(path=SHOTS / "presenter-dark.png", full_page=True)
    assert projector.get_by_test_id("stException").count() == 0

    # A lesson's workshop link made in the room carries the room: who opens it joins, then sees the lesson presented.
    sidebar_link(instructor, "Learn").click()
    instructor.get_by_text("For instructors: a link to this lesson").click()
    lesson_link = instructor.get_by_test_id("stCode").filter(has_text="presenter=1").inner_text().strip()
    code = re.search(r"room=([A-Z0-9]{6})", join_link).group(1)
    assert f"room={code}" in lesson_link and "room_key" not in lesson_link, lesson_link
    latecomer = join(browser, lesson_link, "Barbara")
    latecomer.get_by_role("heading", name=re.compile(r"^1 · ")).wait_for(timeout=60_000)
    presenter_type = "() => getComputedStyle(document.querySelector('[data-testid=stAppViewContainer]')).fontSize"
    assert latecomer.evaluate(presenter_type) == "21px", "the presenter view's larger type"
    wait_until(lambda: "Barbara" in board_text(projector), timeout=30)
