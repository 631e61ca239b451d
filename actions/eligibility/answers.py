"""The reply to the question just asked, read as the value of its fact.

A bare number is the age, the ISEE or the weeks asked for; "sì", "no", "non so" answer a
yes/no question; "non so" answers any question (the verdict then says what to verify at
the CPI). Questions are missing facts as the backend describes them (key, type, min,
max). Nothing here is logged: the replies are personal data.
"""

from __future__ import annotations

import re
from typing import Any

from actions.eligibility.numbers import amount, duration, in_days, in_weeks, normalise, numbers
from actions.eligibility.statements import (
    NO_ISEE,
    UNKNOWN,
    FactValue,
    facts_from_text,
    isee_in,
    own_age,
)

_DONT_KNOW = re.compile(
    r"\b(?:non|nn)\s+(?:lo\s+|l\s*'\s*)?(?:so|sapevo|saprei|sapere|ricordo|conosco)\b"
    r"|\bnon\s+me\s+lo\s+ricordo\b|\bboh\b|\bnon\s+ne\s+ho\s+idea\b|\bchissa\b"
)
_HEDGED_NO = r"(?:assolutamente|direi|credo|penso)\s+(?:di\s+)?no\b"
_NO_AFTER_ALL = re.compile(rf"^{_HEDGED_NO}")
_NO = re.compile(
    rf"^(?:{_HEDGED_NO}|no\b|nessun[oa]?\b|niente\b|mai\b|nemmeno\b|neanche\b|non\b|nn\b)"
)
_YES = re.compile(
    r"^(?:si\b|certo\b|esatto\b|esattamente\b|giusto\b|confermo\b|vero\b|ok\b|okay\b"
    r"|va\s+bene\b|assolutamente\b|(?:direi|credo|penso)\s+di\s+si\b|yes\b)"
)


def dont_know(text: str) -> bool:
    return bool(_DONT_KNOW.search(normalise(text)))


def yes_or_no(text: str) -> bool | None:
    text = normalise(text)
    if _YES.search(text) and not _NO_AFTER_ALL.search(text):
        return True
    if _NO.search(text):
        return False
    return None


def _quantity(key: str, text: str) -> float | None:
    """A number for the fact asked, converted to its unit (years, euro, days, weeks)."""
    if key == "age":
        own = own_age(text)
        if own is not None:
            return own
    if key == "isee":
        isee = isee_in(text)
        if isinstance(isee, float):
            return isee
        return amount(text)
    if "days" in key or "weeks" in key:
        length = duration(text)
        if length is not None:
            return in_weeks(*length) if "weeks" in key else in_days(*length)
    found = numbers(text)
    if found:
        return found[0][0]
    if re.search(r"\b(?:nessun[oa]?|zero|niente)\b", text):
        return 0
    return None


def answer(question: dict[str, Any], text: str, intent: str | None) -> FactValue | None:
    """The value of the fact asked in `question`, or None if the reply does not give it.

    `question` is a missing fact as the backend describes it (key, type, min, max).
    Out-of-range numbers give None: the question is asked again.
    """
    key, kind = question["key"], question["type"]
    if dont_know(text):
        return UNKNOWN
    if kind == "boolean":
        if intent == "affirm":
            return True
        if intent == "deny":
            return False
        stated = facts_from_text(text).get(key)
        return stated if isinstance(stated, bool) else yes_or_no(text)
    normalised = normalise(text)
    if key == "isee" and NO_ISEE.search(normalised):
        return UNKNOWN
    value = _quantity(key, normalised)
    if value is None:
        return None
    low, high = question.get("min"), question.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    return int(value) if kind == "integer" else float(value)
