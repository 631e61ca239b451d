"""Every form lets the citizen out with "annulla", "stop", "basta"."""

import pytest
from rasa_sdk import Tracker

from actions.forms import wants_to_stop


def tracker_saying(text: str) -> Tracker:
    return Tracker("web:x", {}, {"text": text}, [], False, None, {}, "action_listen")


@pytest.mark.parametrize("text", ["annulla", "STOP", "Basta!", "lascia perdere", " esci "])
def test_stop_words_leave_the_form(text):
    assert wants_to_stop(tracker_saying(text))


@pytest.mark.parametrize("text", ["Cosenza", "annulla l'appuntamento", "basta che sia giovedì"])
def test_answers_that_merely_contain_a_stop_word_do_not(text):
    assert not wants_to_stop(tracker_saying(text))
