"""Facts the citizen states unprompted: "ho 34 anni e due figli, isee 8000".

Read so that the questionnaire does not ask them again. Only what is said plainly is
taken; anything doubtful is left to the questions. Fact names are those of
backend/data/eligibility/facts.yml. Nothing here is logged: ages, ISEE and family are
personal data.
"""

from __future__ import annotations

import re
from typing import Any

from actions.eligibility.numbers import NUMBER, amount, duration, in_days, normalise, number_value

UNKNOWN = "non_so"
FactValue = bool | int | float | str

NO_ISEE = re.compile(
    r"\b(?:non|nn)\s+(?:ce\s+l\s*'\s*)?ho\s+(?:ancora\s+)?(?:fatto\s+)?l?\s*'?\s*isee"
    r"|\bsenza\s+isee"
)
_NUM = rf"({NUMBER})"
# The citizen's own age: "ho 34 anni", "ne ho 45", "io 33 anni", "sono una donna di 40 anni".
_OWN_AGE = [
    re.compile(rf"\bho\s+(?:quasi\s+|circa\s+|gia\s+)?{_NUM}\s+anni\b"),
    re.compile(rf"\bne\s+ho\s+(?:compiuti\s+|quasi\s+|gia\s+)?{_NUM}\b"),
    re.compile(rf"\bho\s+compiuto\s+{_NUM}\s+anni\b"),
    re.compile(rf"^(?:io\s+|cmq\s+)?{_NUM}\s+anni\b"),
    re.compile(rf"\bsono\s+(?:un|una)\s+\w+\s+di\s+{_NUM}\s+anni\b"),
    re.compile(rf"\bio\s+(?:(?!da\b|per\b|in\b)\w+\s+){{1,2}}{_NUM}\s+anni\b"),
]
_RELATIVE = (
    r"figli[oae]?|bambin[oiae]|bimb[oiae]|madre|padre|mamma|papa|suocer[oa]|nonn[oaie]"
    r"|marito|moglie|compagn[oa]|fratell[oi]|sorell[ae]|nipot[ei]|zi[oa]|lei|lui|altr[oa]"
)
_RELATIVE_AGE = re.compile(rf"\b(?:{_RELATIVE})\b[^.;,!?]{{0,30}}?(?<!\bda )\b{_NUM}\s+ann[io]\b")
_MINOR = re.compile(r"\b(?:bambin[oiae]|bimb[oiae]|neonat[oa]|minorenn[ei]|minor[ei])\b")
_NO_MINOR = re.compile(r"\b(?:nessun|niente|senza|non\s+ci\s+sono)\s+(?:\w+\s+)?minor")
_CHILDREN = re.compile(r"\bfigli[oae]?\b")
_NO_CHILDREN = re.compile(r"\b(?:nessun|niente|senza|non\s+ho|nn\s+ho)\s+(?:\w+\s+)?figli")
_ADULT_CHILDREN = re.compile(r"\bfigli[oae]?\s+(?:\w+\s+)?maggiorenn")
_DISABLED = re.compile(
    r"\b(?:invalid[oaie]|invalidita|disabil\w*|handicap\w*|(?:legge|l\.?)\s*104)\b"
)
_NO_DISABLED = re.compile(r"\b(?:nessun[oa]?|non)\s+(?:\w+\s+){0,3}?(?:invalid|disabil)")
_ALONE = re.compile(r"\bvivo\s+(?:da\s+)?sol[oa]\b")
_UNEMPLOYED = re.compile(
    r"\b(?:disoccupat[oa]|inoccupat[oa]|senza\s+(?:un\s+)?lavoro|(?:non|nn)\s+lavoro"
    r"|(?:ho\s+)?perso\s+il\s+lavoro|licenziat[oa])\b"
)
_OUT_OF_WORK_SINCE = re.compile(
    r"\b(?:disoccupat[oa]|senza\s+(?:un\s+)?lavoro|(?:non|nn)\s+lavoro)\s+da\s+(.{0,25})"
)
_FIRED = re.compile(r"\b(?:mi\s+hanno\s+)?licenziat[oa]\b")
_CONTRACT_ENDED = re.compile(
    r"\bcontratto\b[^.;]{0,30}\b(?:scadut|finit|termin)\w*|\bfine\s+contratto\b"
)
_QUIT = re.compile(r"\bmi\s+sono\s+(?:dimess[oa]|licenziat[oa])\b|\bho\s+dato\s+le\s+dimissioni\b")
_JUST_CAUSE = re.compile(r"\bgiusta\s+causa\b")
_NOT_EMPLOYEE = re.compile(
    r"\b(?:contratto\s+a\s+progetto|co\.?\s*co\.?\s*co|collaborazione|partita\s+iva)\b"
)
_SUPPORT = re.compile(
    r"\b(?:prendo|percepisco|ricevo|ho|sono\s+in)\s+(?:gia\s+|ancora\s+)?(?:la\s+|il\s+|l\s*'\s*)?"
    r"(?:naspi|dis-?coll|assegno\s+di\s+inclusione|adi|sfl|supporto\s+formazione)\b"
)
_SHORT_TIME = re.compile(r"\bcassa\s+integrazione\b|\bcig\b")
_CITIZEN = re.compile(
    r"\b(?:sono|io)\s+(?:cittadin[oa]\s+)?italian[oa]\b|\bcittadinanza\s+italiana\b"
    r"|\blungo\s+periodo\b|\bprotezione\s+internazionale\b|\brifugiat[oa]\b"
)
_IN_ITALY_SINCE = re.compile(rf"\bin\s+italia\s+da\s+{_NUM}\s+anni\b")


def _unqualified_children(text: str) -> bool:
    return bool(_CHILDREN.search(text)) and not (
        _NO_CHILDREN.search(text) or _ADULT_CHILDREN.search(text)
    )


def own_age(text: str) -> int | None:
    for pattern in _OWN_AGE:
        match = pattern.search(text)
        value = number_value(match.group(1)) if match else None
        if value is not None and 14 <= value <= 120:
            return int(value)
    return None


def isee_in(text: str) -> FactValue | None:
    if NO_ISEE.search(text):
        return UNKNOWN
    match = re.search(r"\bisee\b(.{0,40})", text)
    if match is None:
        return None
    if re.match(r"\s*(?:a\s+|e\s+|pari\s+a\s+)?zero\b", match.group(1)):
        return 0.0
    value = amount(match.group(1))
    return value if value is not None and 0 <= value <= 10_000_000 else None


def _household(text: str, facts: dict[str, FactValue], known: dict[str, Any]) -> None:
    for match in _RELATIVE_AGE.finditer(text):
        value = number_value(match.group(1))
        if value is not None and value < 18:
            facts["household_has_minor"] = True
        elif value is not None and 60 <= value <= 120:
            facts["household_has_over_60"] = True
    age = facts.get("age", known.get("age"))
    if _NO_MINOR.search(text):
        facts["household_has_minor"] = False
    elif _MINOR.search(text):
        facts["household_has_minor"] = True
    elif _unqualified_children(text) and isinstance(age, int) and age < 36:
        # Children of a parent under 36 are minors but in rare cases: "ho 34 anni e due
        # figli" counts as a minor in the household (the recap lets the citizen correct).
        facts.setdefault("household_has_minor", True)
    if isinstance(age, int) and age >= 60:
        facts["household_has_over_60"] = True
    if _ALONE.search(text):
        facts.setdefault("household_has_minor", False)
        if isinstance(age, int) and age < 60:
            facts.setdefault("household_has_over_60", False)
    if _NO_DISABLED.search(text):
        facts["household_has_disabled"] = False
    elif _DISABLED.search(text):
        # Below 67% a civil invalidity is not a disability for the ISEE: ask instead.
        percent = re.search(r"\b(\d{1,3})\s*%", text)
        if percent is None or int(percent.group(1)) >= 67:
            facts["household_has_disabled"] = True


def _work(text: str, facts: dict[str, FactValue]) -> None:
    if _UNEMPLOYED.search(text):
        facts["unemployed"] = True
    since = _OUT_OF_WORK_SINCE.search(text)
    length = duration(since.group(1)) if since else None
    if length is not None:
        facts["days_since_job_end"] = in_days(*length)
    if _FIRED.search(text) and not _QUIT.search(text):
        facts["was_employee"] = True
        facts["job_loss_involuntary"] = True
    if _CONTRACT_ENDED.search(text):
        facts["job_loss_involuntary"] = True
    if _QUIT.search(text):
        facts["job_loss_involuntary"] = bool(_JUST_CAUSE.search(text))
    if _NOT_EMPLOYEE.search(text):
        facts["was_employee"] = False
    if _SUPPORT.search(text):
        facts["receives_income_support"] = True
    if _SHORT_TIME.search(text):
        facts["short_time_work"] = True


def facts_from_text(text: str, known: dict[str, Any] | None = None) -> dict[str, FactValue]:
    """The facts a message states plainly; `known` are those already collected."""
    known = known or {}
    text = normalise(text)
    facts: dict[str, FactValue] = {}
    age = own_age(text)
    if age is not None:
        facts["age"] = age
    _household(text, facts, known)
    isee = isee_in(text)
    if isee is not None:
        facts["isee"] = isee
    _work(text, facts)
    if _CITIZEN.search(text):
        facts["eligible_citizenship"] = True
    years = _IN_ITALY_SINCE.search(text)
    if years:
        value = number_value(years.group(1)) or 0
        facts["resident_5_years"] = value >= 5
        facts["resident_10_years"] = value >= 10
    return facts
