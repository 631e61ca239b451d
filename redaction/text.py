"""Redaction of what nobody needs to read: tax codes, phone numbers, e-mails, IBANs.

Applied to every citizen and bot line of a handoff before it is stored (docs/handoff.md)
and to every log record of every process (`redaction.logs`, docs/privacy.md). The
patterns lean towards redacting, but leave alone what the conversation is about:
booking codes (six letters and digits), dates, times, amounts in euro, ages, CAPs.

Standard library only, Python 3.10: both environments import this one copy.
"""

import re
from collections.abc import Callable

TAX_CODE = "[codice fiscale]"
PHONE = "[telefono]"
EMAIL = "[email]"
IBAN = "[IBAN]"

_NOT_ALNUM_BEFORE = r"(?<![A-Za-z0-9])"
_NOT_ALNUM_AFTER = r"(?![A-Za-z0-9])"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

# Italian IBANs are 27 characters: match exactly that many, with optional single spaces,
# so that a word after the code is never taken in.
_IBAN_IT = re.compile(
    _NOT_ALNUM_BEFORE + r"IT ?\d{2}(?: ?[A-Z0-9]){23}" + _NOT_ALNUM_AFTER, re.IGNORECASE
)
# Other countries: one token, or groups of four separated by spaces as banks print them.
_IBAN_OTHER = re.compile(
    _NOT_ALNUM_BEFORE
    + r"[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)"
    + _NOT_ALNUM_AFTER,
    re.IGNORECASE,
)

# Personal tax code: surname, name, year, month, day (+40 for women), place, check.
# Digits may be replaced by letters (omocodia: L M N P Q R S T U V).
_D = "[0-9LMNPQRSTUV]"
_TAX_CHARS = ["[A-Z]"] * 6 + [_D, _D, "[ABCDEHLMPRST]", _D, _D, "[A-Z]", _D, _D, _D, "[A-Z]"]
_TAX_CODE = re.compile(
    _NOT_ALNUM_BEFORE + "[ .-]?".join(_TAX_CHARS) + _NOT_ALNUM_AFTER, re.IGNORECASE
)

_SEP = r"[ .\-/]?"
# +39, 0039 or (+39) before an Italian number.
_IT_PREFIX = r"(?:\(?(?:\+|00)39\)?[ .\-]?)?"
# Mobiles: 3xx and 6 or 7 more digits; landlines: 0 and 5 to 10 more digits.
# Never a piece of a longer run of digits and separators (a date, a code).
_NOT_DIGITS_BEFORE = r"(?<![A-Za-z0-9+])(?<!\d[./\-])"
_NOT_DIGITS_AFTER = r"(?![A-Za-z0-9])(?![./\-]\d)"
_PHONE_IT = re.compile(
    _NOT_DIGITS_BEFORE
    + _IT_PREFIX
    + r"(?:3\d{2}(?:"
    + _SEP
    + r"\d){6,7}|0\d(?:"
    + _SEP
    + r"\d){4,9})"
    + _NOT_DIGITS_AFTER
)
# Italian numbers with the country code but no "+", as WhatsApp names its senders
# ("393471234567", the conversation "whatsapp:393471234567").
_PHONE_IT_BARE = re.compile(r"(?<![A-Za-z0-9+])(?:00)?39(?:3\d{8,9}|0\d{5,10})(?![A-Za-z0-9])")
# Numbers of other countries (and Italian ones of odd shape), always with their + prefix.
_PHONE_INTL = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .\-]?\d){6,13}" + _NOT_ALNUM_AFTER)

# What a phone-like run of digits may really be.
_DATE = re.compile(r"\d{1,2}[./\-]\d{1,2}[./\-]\d{2,4}|\d{4}[./\-]\d{1,2}[./\-]\d{1,2}")
_AMOUNT_NEAR = re.compile(r"(?:€|\beur(?:o)?\b)", re.IGNORECASE)


def _is_amount(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 6) : start]
    after = text[end : end + 7]
    return bool(_AMOUNT_NEAR.search(before) or _AMOUNT_NEAR.search(after))


def _phone(match: re.Match[str]) -> str:
    found = match.group(0)
    if _DATE.fullmatch(found) or _is_amount(match.string, match.start(), match.end()):
        return found
    return PHONE


def _tax_code(match: re.Match[str]) -> str:
    found = match.group(0)
    # Spaced out, a tax code still has digits: sixteen spaced letters are just words.
    if len(found) > 16 and not any(ch.isdigit() for ch in found):
        return found
    return TAX_CODE


def _iban(match: re.Match[str]) -> str:
    found = match.group(0)
    # Words in groups of four letters are not an account: IBANs are mostly digits.
    return IBAN if sum(ch.isdigit() for ch in found) >= 8 else found


def _constant(value: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: value


# Order matters: an e-mail or IBAN holds digits a phone pattern would take.
_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (_EMAIL, _constant(EMAIL)),
    (_IBAN_IT, _constant(IBAN)),
    (_IBAN_OTHER, _iban),
    (_TAX_CODE, _tax_code),
    (_PHONE_IT, _phone),
    (_PHONE_IT_BARE, _constant(PHONE)),
    (_PHONE_INTL, _constant(PHONE)),
]


def redact(text: str) -> str:
    """The text with tax codes, phones, e-mails and IBANs replaced by a placeholder."""
    for pattern, replace in _RULES:
        text = pattern.sub(replace, text)
    return text
