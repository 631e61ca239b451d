"""Which free slots to show for a preference, and which one the citizen then picked.

An offer is what the `appointment_offer` slot holds: {"kind", "slots", "description"}.
kind "match": slots fitting the preference; "nearest": none fit, these are the first
free ones after it; "alternatives": the backend's proposals after a slot was taken;
"none": nothing free in the whole booking window.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from typing import Any

from actions.appointments import api, italian
from actions.appointments.when import Preference, normalise
from actions.appointments.when_text import describe

SHOWN = 5  # slots per offer: with "Altri giorni" they fit any channel's button list
WINDOW_DAYS = 30  # the backend's booking window (calendar.yml)
ORDINALS = {"primo": 1, "secondo": 2, "terzo": 3, "quarto": 4, "quinto": 5}


def pick(starts: list[str], pref: Preference) -> list[str]:
    """Up to SHOWN slots fitting `pref`; at most two a day, unless one day was asked for,
    so that "giovedì" shows several Thursdays rather than one busy morning."""
    per_day = SHOWN if pref.single_day else 2
    chosen: list[str] = []
    days: Counter[date] = Counter()
    for start in starts:
        moment = italian.parse_instant(start)
        if not pref.accepts(moment) or days[moment.date()] >= per_day:
            continue
        days[moment.date()] += 1
        chosen.append(start)
        if len(chosen) == SHOWN:
            break
    return chosen


async def make_offer(office: str, service: str, pref: Preference, today: date) -> dict[str, Any]:
    """The slots to show for `pref`; raises BackendUnavailable when the backend is down."""
    span = (pref.last_day - pref.first_day).days + 1 if pref.last_day else WINDOW_DAYS
    starts = await api.free_slots(office, service, pref.first_day, span)
    description = describe(pref, today)
    if chosen := pick(starts, pref):
        return {"kind": "match", "slots": chosen, "description": description}
    # Nothing fits: the first free slots from the day asked, else from today.
    for first in dict.fromkeys((pref.first_day, today)):
        starts = await api.free_slots(office, service, first, WINDOW_DAYS)
        if chosen := pick(starts, Preference(first_day=first)):
            return {"kind": "nearest", "slots": chosen, "description": description}
    return {"kind": "none", "slots": [], "description": description}


def alternatives(starts: list[str]) -> dict[str, Any]:
    return {"kind": "alternatives", "slots": starts[:SHOWN], "description": ""}


def chosen_slot(answer: str, offer: dict[str, Any] | None) -> str | None:
    """The offered slot the citizen means: a button's ISO time, "il secondo", "2",
    "alle 9:30" or "giovedì alle 9:30" (when only one offered slot fits)."""
    slots: list[str] = (offer or {}).get("slots") or []
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?([+-]\d\d:\d\d|Z)?", answer.strip()):
        return answer.strip()
    plain = normalise(answer)
    words = plain.split()
    # "2" or "il secondo" is a position in the list; "alle 2" is a time.
    if not re.search(r"\b(alle|ore|le)\b", plain):
        for word in words:
            number = ORDINALS.get(word) or (int(word) if word.isdigit() and len(words) <= 2 else 0)
            if 1 <= number <= len(slots):
                return slots[number - 1]
    clock = re.search(r"\b(\d{1,2})(?:[:.](\d{2}))?\b", plain)
    if not clock:
        return None
    hour, minute = int(clock.group(1)), int(clock.group(2) or 0)
    fitting = [s for s in slots if _same_time(s, hour, minute, plain)]
    return fitting[0] if len(fitting) == 1 else None


def _same_time(start: str, hour: int, minute: int, plain: str) -> bool:
    moment: datetime = italian.parse_instant(start)
    if (moment.hour, moment.minute) != (hour, minute):
        return False
    weekday = normalise(italian.WEEKDAYS[moment.weekday()])
    named = [d for d in italian.WEEKDAYS if normalise(d) in plain]
    return not named or weekday in plain
