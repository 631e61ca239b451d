"""What the citizen types to be identified: tax code, name and confirmation code.

A booking keeps the tax code (as a keyed hash), the channel and the conversation id, and
the citizen's name and a contact (phone or e-mail, read by `actions.contacts`) so that the
office can warn them if the appointment moves. Checked here first so that the citizen
hears exactly what is wrong, in Italian.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.it import codicefiscale

# Digits may be replaced by these letters ("omocodia": two people with the same code).
_DIGIT_OR_LETTER = "0123456789LMNPQRSTUV"
_SHAPE = "LLLLLLDDLDDLDDDL"  # L: letter, D: digit (or its omocodia letter)
_WORDS = re.compile(
    r"\b(il|mio|mia|codice|fiscale|è|ecco|eccolo|c\.\s*f|cf|grazie)\b", re.IGNORECASE
)
# Confirmation codes: 6 characters with no 0/O nor 1/I (docs/backend.md).
_BOOKING_CODE = re.compile(r"\b[A-HJ-NP-Z2-9]{6}\b")
CHANNELS = ("web", "telegram", "whatsapp")


# What people write before their name: "mi chiamo …", "sono …", "nome: …".
_NAME_LEAD_IN = re.compile(
    r"^(?:(?:ciao|salve|buongiorno|buonasera)\b[\s,!.]*)?"
    r"(?:(?:(?:io\s+)?mi\s+chiamo|io\s+sono|sono|(?:il\s+)?(?:mio\s+)?nome"
    r"(?:\s+e\s+cognome)?(?:\s+(?:è|é|e'|e|sono))?)(?:\s*:\s*|\s+|$))?",
    re.IGNORECASE,
)
_NAME_TAIL = re.compile(r"[\s,;.!]*(?:\bgrazie\b)?[\s,;.!]*$", re.IGNORECASE)
NAME_MAX_WORDS = 6
NAME_MAX_CHARS = 120  # the backend's limit


@dataclass(frozen=True)
class NameCheck:
    """`value` is the name to store when acceptable; otherwise `problem` says why:
    "characters" (digits or symbols) or "incomplete" (not name and surname)."""

    value: str | None = None
    problem: str | None = None


def check_name(text: str) -> NameCheck:
    """Name and surname as typed, without "mi chiamo" & co.

    Title case only when the citizen wrote all in lower or all in upper case: "de luca"
    becomes "De Luca", "McDonald" or "van der Berg" stay as written.
    """
    name = " ".join(_NAME_TAIL.sub("", _NAME_LEAD_IN.sub("", text.strip())).split())
    if any(not (c.isalpha() or c in " '’-.") for c in name) or len(name) > NAME_MAX_CHARS:
        return NameCheck(problem="characters")
    words = [w for w in name.split() if sum(c.isalpha() for c in w) >= 1]
    if sum(c.isalpha() for c in name) < 2 or len(words) < 2:
        return NameCheck(problem="incomplete")
    if len(words) > NAME_MAX_WORDS:
        return NameCheck(problem="characters")  # a sentence, not a name
    if name == name.lower() or name == name.upper():
        name = name.title()
    return NameCheck(value=name)


@dataclass(frozen=True)
class TaxCodeCheck:
    """`value` is the normalised code when valid; otherwise `problem` says why:
    "length" (with `length`), "characters" (with `position`, 1-based), "check"."""

    value: str | None = None
    problem: str | None = None
    length: int = 0
    position: int = 0


def _candidate(text: str) -> str:
    """The code without the words around it and without spaces: "cf RSS MRA 85..."."""
    return re.sub(r"[\s.,;:!\-]+", "", _WORDS.sub(" ", text)).upper()


def _first_wrong_position(code: str) -> int:
    for index, (char, kind) in enumerate(zip(code, _SHAPE, strict=False)):
        fits = char.isalpha() if kind == "L" else char in _DIGIT_OR_LETTER
        if not fits or not char.isascii():
            return index + 1
    return 0


def check_tax_code(text: str) -> TaxCodeCheck:
    code = _candidate(text)
    if not code.isalnum() or not code.isascii():
        bad = next((i for i, c in enumerate(code) if not (c.isascii() and c.isalnum())), 0)
        return TaxCodeCheck(problem="characters", position=bad + 1)
    if len(code) == 11:
        # Provisional tax code (11 digits), accepted by the backend as well.
        if code.isdigit() and codicefiscale.is_valid(code):
            return TaxCodeCheck(value=code)
        return TaxCodeCheck(problem="check" if code.isdigit() else "characters", position=1)
    if len(code) != 16:
        return TaxCodeCheck(problem="length", length=len(code))
    if position := _first_wrong_position(code):
        return TaxCodeCheck(problem="characters", position=position)
    try:
        return TaxCodeCheck(value=codicefiscale.validate(code))
    except InvalidChecksum:
        return TaxCodeCheck(problem="check")
    except InvalidComponent:
        # Shape and check character are right but the birth date is impossible.
        return TaxCodeCheck(problem="characters", position=10)
    except ValidationError:
        return TaxCodeCheck(problem="characters", position=1)


def find_booking_code(text: str) -> str | None:
    """A confirmation code written inside a request ("disdici K7M3QX"), else None.

    A 6-letter word such as "questa" must not pass for a code: without a digit, only a
    token the citizen wrote in capitals counts (codes are copied as shown, in capitals).
    """
    shouting = text.upper() == text
    for match in _BOOKING_CODE.finditer(text.upper()):
        code, written = match.group(0), text[match.start() : match.end()]
        if re.search(r"\d", code) or (written.isupper() and not shouting):
            return code
    return None


def normalise_booking_code(text: str) -> str | None:
    """The code typed in answer to "what is the code?", tolerating spaces, dashes, case
    and words around it ("il codice è KXMQPZ")."""
    compact = re.sub(r"[\s\-]+", "", text).upper()
    if _BOOKING_CODE.fullmatch(compact):
        return compact
    found = _BOOKING_CODE.findall(text.upper())
    return find_booking_code(text) or (found[-1] if found else None)


def channel_of(sender_id: str) -> tuple[str, str] | None:
    """("web", "abc123") from the gateway's "web:abc123" conversation ids, for reminders."""
    channel, _, conversation = sender_id.partition(":")
    if channel in CHANNELS and re.fullmatch(r"[A-Za-z0-9_.:+@-]{1,128}", conversation):
        return channel, conversation
    return None
