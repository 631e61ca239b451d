"""When the citizen would like to come, read from Italian free text.

dateparser finds "10 dicembre" or "domani" but drops the qualifiers that matter here
("dopo il", "mattina", "prossima") and misses "fra tre giorni" and "dopodomani"
(shared/spec/recipes.md), so this small layer reads the phrases citizens use into a
filter on free slots: a range of days, weekdays, morning or afternoon, a time of day.
Unknown words are ignored; a text with nothing recognisable gives None.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from actions.appointments import italian

# CPI afternoons start after lunch; a slot starting at 13:00 or later is "pomeriggio".
AFTERNOON = time(13, 0)
WORKDAYS = frozenset(range(5))

# fmt: off
_UNITS = (
    "zero", "uno", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove",
    "dieci", "undici", "dodici", "tredici", "quattordici", "quindici", "sedici",
    "diciassette", "diciotto", "diciannove",
)
# fmt: on


def _number_words() -> dict[str, int]:
    words = {word: n for n, word in enumerate(_UNITS) if n}
    words.update({"un": 1, "una": 1, "venti": 20, "trenta": 30})
    for tens, base in (("vent", 20), ("trent", 30)):
        for n in range(1, 10):
            # "ventuno", "ventotto" drop the vowel; "ventidue" keeps it.
            stem = tens if _UNITS[n][0] in "uo" else tens + ("i" if base == 20 else "a")
            words[stem + _UNITS[n]] = base + n
    return words


NUMBER_WORDS = _number_words()
_NUM = r"(\d{1,2}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_MONTH_NAMES = list(italian.MONTHS)
_MONTH = r"(" + "|".join(_MONTH_NAMES + [m[:3] for m in _MONTH_NAMES]) + r")"
_WEEKDAY_WORDS = ("lunedi", "martedi", "mercoledi", "giovedi", "venerdi", "sabato", "domenica")
_WEEKDAY = r"\b(" + "|".join(_WEEKDAY_WORDS) + r")\b"
_HOUR = r"(\d{1,2})(?:[:.](\d{2}))?\b"

_ASAP = re.compile(
    r"\b(prima possibile|appena possibile|quanto prima|al piu presto|piu presto possibile"
    r"|prim[oa] (data|giorno|posto|orario|appuntamento|disponibil\w*)|subito|urgente|asap"
    r"|qualsiasi|qualunque|indifferente|sempre|quando (volete|vuoi|capita))\b"
)
_MORNING = re.compile(r"\b(mattin[aoe]|mattinata|stamattina|stamani|domattina|prima di pranzo)\b")
_AFTERNOON = re.compile(r"\b(pomerigg?i[o]?|pomeridian[oa]|dopo pranzo|sera|stasera)\b")
_EXCLUDE = re.compile(r"\b(tranne|eccetto|escluso|esclusi|non)\b")
_DATE_QUALIFIER = (
    r"(?:\b(dopo (?:il|l)|prima (?:del|dell|di)|entro (?:il|l)|a partire (?:dal|dall|da)"
    r"|dal|dall|da|per (?:il|l)|il|l)\s+)?"
)
_DAY_MONTH = re.compile(_DATE_QUALIFIER + r"\b(\d{1,2}|primo)\s+" + _MONTH + r"\b(?:\s+(\d{4}))?")
_NUMERIC_DATE = re.compile(_DATE_QUALIFIER + r"\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\b")
_DAY_ONLY = re.compile(
    r"\b(dopo (?:il|l)|prima (?:del|dell)|entro (?:il|l)|dal|dall|il|l)\s+(\d{1,2})\b"
    r"(?![/.:-]\d|\s+" + _MONTH + r"|\s+(?:giorn|settiman))"
)
_RANGE = re.compile(
    r"\bdal{1,2}\s+(\d{1,2})(?:\s+" + _MONTH + r")?\s+al{1,2}\s+(\d{1,2})\s+" + _MONTH + r"\b"
)
_IN_DAYS = re.compile(r"\b(?:tra|fra)\s+" + _NUM + r"\s+giorn[oi]\b")
_IN_WEEKS = re.compile(r"\b(?:tra|fra)\s+(?:" + _NUM + r"\s+)?settiman[ae]\b")
_NEXT_WEEK = re.compile(r"\b(settimana prossima|prossima settimana|settimana che viene)\b")
_THIS_WEEK = re.compile(r"\b(questa settimana|in settimana|entro la settimana)\b")
_NEXT_MONTH = re.compile(r"\b(mese prossimo|prossimo mese)\b")
_END_OF_MONTH = re.compile(r"\b(entro )?(la )?fine (del )?mese\b")
_NOT_BEFORE = re.compile(r"\b(?:dopo le|dalle|a partire dalle)\s+" + _HOUR)
_NOT_AFTER = re.compile(r"\b(?:prima delle|entro le|fino alle)\s+" + _HOUR)
_AROUND = re.compile(r"\b(?:alle|verso le|per le|ore)\s+" + _HOUR)


@dataclass(frozen=True)
class Preference:
    """A filter on slots. `first_day` is never before today; None means no limit."""

    first_day: date
    last_day: date | None = None
    weekdays: frozenset[int] = frozenset()  # 0 = Monday; empty = any day
    part_of_day: str | None = None  # "mattina" or "pomeriggio"
    not_before: time | None = None
    not_after: time | None = None
    around: time | None = None  # "alle 10": within half an hour of it

    @property
    def single_day(self) -> bool:
        return self.last_day == self.first_day

    def accepts(self, moment: datetime) -> bool:
        day, clock = moment.date(), moment.time().replace(tzinfo=None)
        if day < self.first_day or (self.last_day is not None and day > self.last_day):
            return False
        if self.weekdays and day.weekday() not in self.weekdays:
            return False
        if self.part_of_day == "mattina" and clock >= AFTERNOON:
            return False
        if self.part_of_day == "pomeriggio" and clock < AFTERNOON:
            return False
        if self.not_before is not None and clock < self.not_before:
            return False
        if self.not_after is not None and clock >= self.not_after:
            return False
        return self.around is None or abs(_minutes(clock) - _minutes(self.around)) <= 30


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def normalise(text: str) -> str:
    """Lower case, no accents, apostrophes and punctuation as spaces ("l'11" -> "l 11")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"[^a-z0-9/:.\- ]+", " ", plain)
    plain = re.sub(r"(?<!\d)[.:/-]|[.:/-](?!\d)", " ", plain)
    return re.sub(r"\s+", " ", plain).strip()


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _month(word: str) -> int:
    return next(i for i, name in enumerate(_MONTH_NAMES, 1) if name.startswith(word))


def _make_date(day: int, month: int, year: int | None, today: date) -> date | None:
    try:
        found = date(year if year is not None else today.year, month, day)
    except ValueError:
        return None
    if year is None and found < today:
        # "il 10 gennaio" written in December means next January.
        found = date(found.year + 1, month, day)
    return found


def _apply_qualifier(pref: Preference, qualifier: str | None, day: date) -> Preference:
    qualifier = (qualifier or "").split(" ")[0]
    if qualifier == "dopo":
        return replace(pref, first_day=day + timedelta(days=1))
    if qualifier == "prima":
        return replace(pref, last_day=day - timedelta(days=1))
    if qualifier == "entro":
        return replace(pref, last_day=day)
    if qualifier in ("a", "dal", "dall", "da"):
        return replace(pref, first_day=day)
    return replace(pref, first_day=day, last_day=day)


def _clock(hours: str, minutes: str | None) -> time | None:
    h, m = int(hours), int(minutes or 0)
    return time(h, m) if 7 <= h <= 20 and m < 60 else None


def _days(text: str, today: date, pref: Preference) -> Preference:
    """Relative days and weeks: "domani", "fra tre giorni", "la settimana prossima"..."""
    monday = today - timedelta(days=today.weekday())
    if re.search(r"\b(oggi|stamattina|stamani|stasera)\b", text):
        pref = replace(pref, first_day=today, last_day=today)
    if re.search(r"\b(domani|domattina)\b", text):
        pref = replace(pref, first_day=today + timedelta(1), last_day=today + timedelta(1))
    if re.search(r"\bdopodomani\b", text):
        pref = replace(pref, first_day=today + timedelta(2), last_day=today + timedelta(2))
    if match := _IN_DAYS.search(text):
        day = today + timedelta(days=_number(match.group(1)))
        pref = replace(pref, first_day=day, last_day=day)
    if match := _IN_WEEKS.search(text):
        start = today + timedelta(weeks=_number(match.group(1) or "1"))
        pref = replace(pref, first_day=start, last_day=start + timedelta(6))
    if _NEXT_WEEK.search(text):
        pref = replace(pref, first_day=monday + timedelta(7), last_day=monday + timedelta(13))
    if _THIS_WEEK.search(text):
        pref = replace(pref, first_day=today, last_day=monday + timedelta(6))
    first_of_next = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    if _NEXT_MONTH.search(text):
        following = (first_of_next + timedelta(days=32)).replace(day=1)
        pref = replace(pref, first_day=first_of_next, last_day=following - timedelta(1))
    if match := _END_OF_MONTH.search(text):
        end = first_of_next - timedelta(1)
        start = today if match.group(1) else max(today, end - timedelta(6))
        pref = replace(pref, first_day=start, last_day=end)
    return pref


def _dates(text: str, today: date, pref: Preference) -> Preference:
    """Calendar dates, with "dopo il", "prima del", "entro il", "dal ... al ..."."""
    if match := _RANGE.search(text):
        last_month = _month(match.group(4))
        first = _make_date(
            int(match.group(1)), _month(match.group(2) or match.group(4)), None, today
        )
        last = _make_date(int(match.group(3)), last_month, None, today)
        if first and last:
            return replace(pref, first_day=first, last_day=last)
    for match in _DAY_MONTH.finditer(text):
        number = 1 if match.group(2) == "primo" else int(match.group(2))
        year = int(match.group(4)) if match.group(4) else None
        if found := _make_date(number, _month(match.group(3)), year, today):
            pref = _apply_qualifier(pref, match.group(1), found)
    for match in _NUMERIC_DATE.finditer(text):
        year = int(match.group(4)) if match.group(4) else None
        if year is not None and year < 100:
            year += 2000
        if found := _make_date(int(match.group(2)), int(match.group(3)), year, today):
            pref = _apply_qualifier(pref, match.group(1), found)
    for match in _DAY_ONLY.finditer(text):
        # "dopo il 10": this month's 10th, or next month's when it has passed.
        number = int(match.group(2))
        found = _make_date(number, today.month, None, today) if number >= today.day else None
        if found is None:
            nxt = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
            found = _make_date(number, nxt.month, nxt.year, today)
        if found:
            pref = _apply_qualifier(pref, match.group(1), found)
    return pref


def _weekdays(text: str) -> frozenset[int]:
    """'giovedì', 'mercoledì o giovedì', 'tutti i giorni tranne il venerdì'."""
    excluded_from = m.start() if (m := _EXCLUDE.search(text)) else len(text)
    wanted, unwanted = set(), set()
    for match in re.finditer(_WEEKDAY, text):
        day = _WEEKDAY_WORDS.index(match.group(1))
        (wanted if match.start() < excluded_from else unwanted).add(day)
    if unwanted and not wanted:
        return frozenset(WORKDAYS - unwanted)
    return frozenset(wanted - unwanted)


def _times(text: str, pref: Preference) -> Preference:
    morning, afternoon = bool(_MORNING.search(text)), bool(_AFTERNOON.search(text))
    if morning != afternoon:
        pref = replace(pref, part_of_day="mattina" if morning else "pomeriggio")
    if (match := _NOT_BEFORE.search(text)) and (at := _clock(*match.groups())):
        pref = replace(pref, not_before=at)
    if (match := _NOT_AFTER.search(text)) and (at := _clock(*match.groups())):
        pref = replace(pref, not_after=at)
    if (match := _AROUND.search(text)) and (at := _clock(*match.groups())):
        pref = replace(pref, around=at)
    return pref


def parse(text: str, today: date) -> Preference | None:
    """The preference in `text`, or None when nothing in it says when."""
    plain = normalise(text)
    nothing = Preference(first_day=today)
    pref = _times(plain, _dates(plain, today, _days(plain, today, nothing)))
    if not pref.single_day:
        # With a date, its own weekday is the one that counts ("martedì 3 febbraio").
        pref = replace(pref, weekdays=_weekdays(plain))
    if pref == nothing and not _ASAP.search(plain):
        return None
    # A date already past ("prima di ieri") still looks from today.
    return replace(pref, first_day=max(pref.first_day, today))
