"""A name is found again from a word one edit away, and only when one name is that close."""

import pytest

from bot.components.near_names import NearNames, within_one_edit


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("cosenza", "cosenza", True),
        ("cosnza", "cosenza", True),  # a letter dropped
        ("cossenza", "cosenza", True),  # a letter added
        ("cosebza", "cosenza", True),  # a letter changed
        ("cosezna", "cosenza", True),  # two neighbours swapped
        ("cosnz", "cosenza", False),
        ("csoenaz", "cosenza", False),
        ("ocsenaz", "cosenza", False),
    ],
)
def test_one_edit_is_an_insertion_deletion_substitution_or_swap(a, b, expected):
    assert within_one_edit(a, b) is expected
    assert within_one_edit(b, a) is expected


def test_the_one_close_name_is_found():
    names = NearNames(["cosenza", "catanzaro", "crotone"])
    assert names.closest("crotne") == "crotone"
    assert names.closest("catanzaro") == "catanzaro"
    assert names.closest("milano") is None


def test_a_word_as_close_to_two_names_is_left_alone():
    names = NearNames(["rosarno", "rossano"])
    assert names.closest("rosano") is None
    assert names.closest("rossanoo") == "rossano"


def test_every_name_one_edit_away_is_listed():
    names = NearNames(["rosarno", "rossano", "cosenza"])
    assert names.near("rosano") == ["rosarno", "rossano"]
    assert names.near("rossano") == ["rossano"]
    assert names.near("milano") == []


def test_words_near_a_name_are_listed():
    names = NearNames(["acquaro", "cosenza"])
    assert names.near_any(["acquario", "cosenza", "pizzeria"]) == {"acquario"}
