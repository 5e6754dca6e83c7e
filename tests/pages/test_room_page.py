"""The Room page and the room's reach into every page, through AppTest: opening a room, a learner asked for their
name once, escaped names, following the instructor, what a learner may see, and a restart."""

from page_support import APP, button, open_app, page_text, visit
from streamlit.testing.v1 import AppTest

from dashboard.resources import room_store


def instructor_app(name: str = "Grace") -> AppTest:
    app = visit(open_app(), "room")
    app.text_input(key="room_instructor_name").set_value(name)
    button(app, "Open a room").click().run()
    assert not app.exception, app.exception
    return app


def arriving(**parameters: str) -> AppTest:
    """A visitor opening a link with these parameters (a join link, or a reload of a learner's address)."""
    app = AppTest.from_file(APP, default_timeout=120)
    for name, value in parameters.items():
        app.query_params[name] = value
    app.run()
    assert not app.exception, app.exception
    return app


def asked_for_a_name(app: AppTest) -> bool:
    return any(field.label == "Your name" for field in app.text_input)


def join_as(code: str, name: str) -> AppTest:
    learner = arriving(room=code)
    assert asked_for_a_name(learner)
    learner.text_input(key="room_name").set_value(name)
    button(learner, "Join the room").click().run()
    assert not learner.exception, learner.exception
    return learner


def test_an_instructor_opens_a_room_whose_code_and_key_ride_in_the_address():
    app = instructor_app()
    code, key = app.query_params["room"], app.query_params["room_key"]
    assert f"### Join room **{code}**" in page_text(app)
    assert [subheader.value for subheader in app.subheader][:2] == ["Lead the room", "Board · 0 learners"]
    assert room_store().instructor_room(code, key) is not None
    assert "No learner has joined yet" in page_text(app)


def test_a_learner_is_asked_for_a_name_once_and_it_shows_as_typed():
    code = instructor_app().query_params["room"]
    learner = arriving(room=code)
    button(learner, "Join the room").click().run()  # No name typed.
    assert "Type your name" in page_text(learner) and asked_for_a_name(learner)
    assert not learner.title, "the page waits for the name"

    learner = join_as(code, "<script>alert(1)</script>")
    assert not asked_for_a_name(learner)
    sidebar = "\n".join(element.value for element in learner.sidebar.markdown)
    assert r"you are \<script\>alert\(1\)\</script\>" in sidebar
    visit(learner, "train")
    assert not asked_for_a_name(learner), "asked once: moving between pages keeps the name"
    again = arriving(room=code, visitor=learner.query_params["visitor"])  # A reload, or the server restarted.
    assert not asked_for_a_name(again) and again.title[0].value.endswith("Keras Lab")

    # Another room's key opens nothing: its bearer is a learner like any other, asked for a name.
    stranger = arriving(room=code, room_key=instructor_app().query_params["room_key"])
    assert asked_for_a_name(stranger) and "room_key" not in stranger.query_params


def test_the_board_escapes_names_and_a_learner_sees_no_controls_and_no_key():
    instructor = instructor_app()
    code = instructor.query_params["room"]
    learner = visit(join_as(code, "**Bold** <b>Linus</b>"), "room")
    instructor.run()
    names = instructor.table[0].value["Learner"].tolist()
    assert names == [r"\*\*Bold\*\* \<b\>Linus\</b\>"]
    assert learner.table[0].value["Learner"].tolist() == names, "a learner sees the board's names and scores"
    labels = [item.label for item in learner.button]
    assert "Send everyone" not in labels and "Leave the room" in labels
    assert not learner.get("download_button") and instructor.get("download_button")
    assert instructor.query_params["room_key"] not in str(learner._tree)


def test_learners_follow_the_instructor_to_a_preset_and_can_get_their_model_back():
    instructor = instructor_app()
    code = instructor.query_params["room"]
    learner = visit(join_as(code, "Ada"), "build")
    learner.selectbox(key="preset").set_value("spiral-dense10").run()
    instructor.selectbox(key="room_destination").select_index(
        next(index for index, option in enumerate(instructor.selectbox(key="room_destination").options)
             if option == "Train with MNIST: CNN with two convolutions")).run()
    button(instructor, "Send everyone").click().run()
    assert "you sent everyone to Train with MNIST: CNN with two convolutions" in page_text(instructor)

    learner.run()  # What the sidebar's room line does every two seconds in a browser.
    assert not learner.exception, learner.exception
    assert learner.title[0].value == "Train" and learner.session_state["preset"] == "mnist-cnn-2conv"
    assert "Grace sent everyone to Train with MNIST: CNN with two convolutions." in page_text(learner)
    button(learner, "Back to my model").click().run()
    assert learner.session_state["preset"] == "spiral-dense10"
    learner.run()
    assert learner.session_state["preset"] == "spiral-dense10", "a direction is followed once"


def test_an_unknown_room_code_says_so_and_the_page_works():
    app = arriving(room="ZZZZZZ")
    assert "There is no room 'ZZZZZZ' on this server" in "\n".join(warning.value for warning in app.warning)
    assert not asked_for_a_name(app) and app.title[0].value.endswith("Keras Lab")
    assert "room" not in app.query_params


def test_the_room_survives_a_restart_of_the_server():
    instructor = instructor_app()
    code, key = instructor.query_params["room"], instructor.query_params["room_key"]
    learner = join_as(code, "Ada")
    room_store.clear()  # What a restart does to the server's rooms in memory.
    board = visit(arriving(room=code, room_key=key, visitor=instructor.query_params["visitor"]), "room")
    assert board.table[0].value["Learner"].tolist() == ["Ada"]
    again = arriving(room=code, visitor=learner.query_params["visitor"])
    assert not asked_for_a_name(again)


def test_the_board_for_the_projector_needs_no_key_and_asks_no_name():
    code = instructor_app().query_params["room"]
    join_as(code, "Ada")
    projector = visit(arriving(room=code, board="1", presenter="1"), "room")
    assert not asked_for_a_name(projector) and "room_key" not in projector.query_params
    assert projector.table[0].value["Learner"].tolist() == ["Ada"]
    assert "Send everyone" not in [item.label for item in projector.button] and not projector.get("download_button")
