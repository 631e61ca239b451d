"""A ticket's contact: an Italian phone number (normalised to +39...) or an e-mail."""

import re

from backend.api.errors import ApiError

_PHONE_NOISE = re.compile(r"[\s.\-/()]")
# National part: a mobile (3xx + 6-7 digits) or a landline (0 + 5-10 digits).
_NATIONAL = re.compile(r"3\d{8,9}|0\d{5,10}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")


def normalise_phone(raw: str) -> str | None:
    """+39 and the national number, or None when it is not an Italian phone number."""
    digits = _PHONE_NOISE.sub("", raw)
    for prefix in ("+39", "0039"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    return f"+39{digits}" if _NATIONAL.fullmatch(digits) else None


def normalise_email(raw: str) -> str | None:
    value = raw.strip().lower()
    return value if _EMAIL.fullmatch(value) and len(value) <= 200 else None


def validated(preference: str, value: str | None) -> str | None:
    """The contact value to store for a preference; ApiError 422 (Italian) if unusable."""
    if preference == "chat":
        return None
    if not value or not value.strip():
        what = "il numero di telefono" if preference == "telefono" else "l'indirizzo e-mail"
        raise ApiError(422, f"Indica {what} a cui vuoi essere contattato.")
    if preference == "telefono":
        phone = normalise_phone(value)
        if phone is None:
            raise ApiError(
                422, "Il numero di telefono non sembra valido: scrivi un numero italiano."
            )
        return phone
    email = normalise_email(value)
    if email is None:
        raise ApiError(422, "L'indirizzo e-mail non sembra valido: controllalo.")
    return email
