"""The keyed pseudonym under which a conversation's events are stored.

HMAC-SHA256 of "<day>|<conversation id>": the events of one conversation on one day
share it (so distinct conversations can be counted), the same conversation on another
day gets another one (so nobody can follow a citizen across days), and without the key
nobody can compute it from a conversation id.
"""

import hashlib
import hmac
from datetime import date
from functools import lru_cache

from backend.settings import get_settings

LENGTH = 32  # hex characters: 128 bits, collisions negligible for any day's traffic
_DERIVATION_LABEL = b"sportello-analytics-pseudonym-v1"


@lru_cache
def _key(explicit: str, tax_code_key: str) -> bytes:
    if explicit:
        return explicit.encode()
    # No key of its own: one derived from the tax-code key, so production never runs
    # with a key printed in the repository (that one is refused there).
    return hmac.new(tax_code_key.encode(), _DERIVATION_LABEL, hashlib.sha256).digest()


def pseudonym(day: date, conversation_id: str) -> str:
    settings = get_settings()
    key = _key(settings.analytics_pseudonym_key, settings.tax_code_hash_key)
    message = f"{day.isoformat()}|{conversation_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:LENGTH]
