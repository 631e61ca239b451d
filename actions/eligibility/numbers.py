"""Numbers as Italians write them in a chat: "34", "trentaquattro", "8.500", "circa 7 mila".

The text is first normalised by `normalise` (lower case, no accents): every pattern here
is plain ASCII.
"""

from __future__ import annotations

import re
import unicodedata

UNITS = {
    "zero": 0, "un": 1, "uno": 1, "una": 1, "due": 2, "tre": 3, "quattro": 4, "cinque": 5,
    "sei": 6, "sette": 7, "otto": 8, "nove": 9, "dieci": 10, "undici": 11, "dodici": 12,
    "tredici": 13, "quattordici": 14, "quindici": 15, "sedici": 16, "diciassette": 17,
    "diciotto": 18, "diciannove": 19,
}  # fmt: skip
TENS = {
    "venti": 20, "trenta": 30, "quaranta": 40, "cinquanta": 50,
    "sessanta": 60, "settanta": 70, "ottanta": 80, "novanta": 90,
}  # fmt: skip


def _number_words() -> dict[str, int]:
    words = dict(UNITS)
    for tens_word, tens in TENS.items():
        words[tens_word] = tens
        for unit_word, unit in UNITS.items():
            if not 1 <= unit <= 9 or unit_word in ("un", "una"):
                continue
            # "venti" + "otto" = "ventotto": the final vowel drops before a vowel.
            stem = tens_word[:-1] if unit_word[0] in "aeiou" else tens_word
            words[stem + unit_word] = tens + unit
    words["cento"] = 100
    words["mille"] = 1000
    return words


NUMBER_WORDS = _number_words()
_WORDS = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
# One number: 8.500 / 5.230,45 / 7,5 / 34 / a number word, then an optional "mila".
NUMBER = (
    rf"(?:\d{{1,3}}(?:\.\d{{3}})+(?:,\d+)?|\d+(?:[.,]\d+)?|(?:{_WORDS}))"
    r"(?:\s*(?:mila|k)\b)?"
)
_NUMBER_RE = re.compile(rf"(?<![\w.,])({NUMBER})(?![\w])")
ARTICLES = ("un", "uno", "una")
# Units of time by the start of their Italian name, and what each is worth.
UNIT_PREFIXES = {"giorn": "days", "settiman": "weeks", "mes": "months", "ann": "years"}
_DURATION_RE = re.compile(
    rf"(?<![\w.,])({NUMBER})\s+(giornat[ae]|giorni|giorno|settimane|settimana|mesi|mese|anni|anno)\b"
    r"(\s+e\s+mezz[oa])?"
)
DAYS_PER = {"days": 1.0, "weeks": 7.0, "months": 30.0, "years": 365.0}
WEEKS_PER = {"days": 1 / 7, "weeks": 1.0, "months": 52 / 12, "years": 52.0}


def normalise(text: str) -> str:
    """Lower case, no accents, plain apostrophes, single spaces."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip()


def number_value(token: str) -> float | None:
    """The value of one NUMBER match ("8.500", "7 mila", "ventotto", "duemila")."""
    token = token.strip()
    factor = 1
    multiplier = re.search(r"\s*(mila|k)$", token)
    if multiplier:
        token, factor = token[: multiplier.start()], 1000
    if token in NUMBER_WORDS:
        return float(NUMBER_WORDS[token] * factor)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", token):
        # Italian thousands separator: 8.500 is eight thousand five hundred.
        token = token.replace(".", "")
    try:
        return float(token.replace(",", ".")) * factor
    except ValueError:
        return None


def numbers(text: str, articles: bool = False) -> list[tuple[float, int, int]]:
    """Every number in normalised text, with where it starts and ends.

    "un", "uno", "una" count as 1 only with `articles`: "un mese" is one month, but in
    "un isee di 8.000" the amount is 8.000.
    """
    found = []
    for match in _NUMBER_RE.finditer(text):
        if match.group(1) in ARTICLES and not articles:
            continue
        value = number_value(match.group(1))
        if value is not None:
            found.append((value, match.start(1), match.end(1)))
    return found


def _looks_like_year(value: float) -> bool:
    return value.is_integer() and 2000 <= value <= 2099


def amount(text: str) -> float | None:
    """The first amount of money: "8.500 euro", "circa 7 mila", "isee 2025 di 9.800"."""
    found = numbers(text)
    for index, (value, _, _) in enumerate(found):
        # "ISEE 2025 di 9.800": a year followed by another number is not the amount.
        if _looks_like_year(value) and index + 1 < len(found):
            continue
        return value
    return None


def duration(text: str) -> tuple[float, str] | None:
    """The first length of time: "3 mesi" -> (3, "months"), "una settimana" -> (1, "weeks")."""
    match = _DURATION_RE.search(text)
    if match is None:
        if re.search(r"\bieri\b", text):
            return 1.0, "days"
        if re.search(r"\boggi\b", text):
            return 0.0, "days"
        return None
    value = number_value(match.group(1))
    if value is None:
        return None
    word = match.group(2)
    unit = next(u for prefix, u in UNIT_PREFIXES.items() if word.startswith(prefix))
    return value + (0.5 if match.group(3) else 0), unit  # "un anno e mezzo"


def in_days(value: float, unit: str) -> int:
    return int(value * DAYS_PER[unit] + 1e-9)


def in_weeks(value: float, unit: str) -> int:
    # Whole weeks, rounded down: "3 mesi" is 13 weeks, the NASpI minimum.
    return int(value * WEEKS_PER[unit] + 1e-9)
