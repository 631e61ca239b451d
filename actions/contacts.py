"""Contacts a citizen gives: a phone number or an e-mail (handoff tickets, bookings)."""

from __future__ import annotations

import re
from typing import Any

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Italian mobile (3xx) and landline (0x) numbers, with or without +39 / 0039.
PHONE = re.compile(r"(?:\+|00)?[\d][\d\s./-]{7,16}\d")
CHAT_WORDS = ("qui", "chat", "questo canale", "whatsapp", "telegram", "messaggio", "scritto")


def normalise_phone(raw: str) -> str | None:
    digits = re.sub(r"[\s./-]", "", raw)
    if digits.startswith("+39"):
        digits = digits[3:]
    elif digits.startswith("0039"):
        digits = digits[4:]
    elif digits.startswith(("+", "00")):
        return None  # foreign numbers: the CPI calls Italian numbers only
    if re.fullmatch(r"3\d{8,9}", digits) or re.fullmatch(r"0\d{5,10}", digits):
        return "+39" + digits
    return None


def parse(text: str) -> dict[str, Any]:
    """{"preference", "value"} or {"problem": "phone" | "email" | "unknown"}."""
    lowered = text.casefold()
    if email := EMAIL.search(text):
        return {"preference": "email", "value": email.group(0).lower()}
    if phone := PHONE.search(text):
        number = normalise_phone(phone.group(0))
        return {"preference": "telefono", "value": number} if number else {"problem": "phone"}
    if "mail" in lowered:
        return {"problem": "email"}
    if "telefon" in lowered or "chiama" in lowered or "cellulare" in lowered:
        return {"problem": "phone"}
    if any(word in lowered for word in CHAT_WORDS):
        return {"preference": "chat", "value": None}
    return {"problem": "unknown"}
