"""Two-stage fallback: rephrase first, then offer a person."""

from rasa_sdk import Tracker

from actions.core.fallback import ACTION_NAME, previous_turn_was_fallback


def tracker(events: list[dict]) -> Tracker:
    return Tracker("web:x", {}, {}, events, False, None, {}, "action_listen")


def user(text: str) -> dict:
    return {"event": "user", "text": text}


def action(name: str) -> dict:
    return {"event": "action", "name": name}


def test_first_unclear_message_is_not_a_repeat():
    events = [
        action("action_listen"),
        user("ciao"),
        action("utter_greet"),
        action("action_listen"),
        user("blabla"),
    ]
    assert previous_turn_was_fallback(tracker(events)) is False


def test_second_unclear_message_in_a_row_is_a_repeat():
    events = [
        user("blabla"),
        action(ACTION_NAME),
        {"event": "bot", "text": "?"},
        action("action_listen"),
        user("ancora blabla"),
    ]
    assert previous_turn_was_fallback(tracker(events)) is True


def test_an_understood_message_in_between_resets_the_count():
    events = [
        user("blabla"),
        action(ACTION_NAME),
        action("action_listen"),
        user("ciao"),
        action("utter_greet"),
        action("action_listen"),
        user("blabla"),
    ]
    assert previous_turn_was_fallback(tracker(events)) is False
