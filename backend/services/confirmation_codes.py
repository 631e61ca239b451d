"""Booking confirmation codes: short, random, easy to read aloud and to type."""

import re
import secrets

# No 0/O, 1/I: a citizen reading the code from a phone screen cannot confuse them.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 6  # 32**6 ≈ 10**9 codes; uniqueness is enforced by the database anyway.
PATTERN = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(raw: str) -> str:
    """Upper case, without the spaces or dashes people add when they copy it."""
    return re.sub(r"[\s\-]", "", raw).upper()


def is_well_formed(code: str) -> bool:
    return PATTERN.fullmatch(code) is not None
