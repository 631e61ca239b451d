"""Tax codes: validated with their check character, kept only as a keyed hash.

A tax code identifies a citizen's bookings. It is never stored or logged in clear: the
database holds HMAC-SHA256(TAX_CODE_HASH_KEY, code), enough to find the bookings again
when the citizen gives the code, useless to whoever reads a dump without the key.
"""

import hashlib
import hmac
import re

from stdnum.exceptions import ValidationError
from stdnum.it import codicefiscale

from backend.settings import get_settings

# ASCII only: stdnum would accept other scripts' digits in the 11-digit form.
_PLAUSIBLE = re.compile(r"[A-Za-z0-9 \-]{11,24}")
INVALID_MESSAGE = (
    "Il codice fiscale non è valido: controlla di averlo scritto per intero "
    "(16 caratteri, o 11 cifre se provvisorio)."
)


class InvalidTaxCode(ValueError):
    def __init__(self) -> None:
        super().__init__(INVALID_MESSAGE)


def normalise(raw: str) -> str:
    """The tax code in upper case without spaces, if its check character is right."""
    if not _PLAUSIBLE.fullmatch(raw):
        raise InvalidTaxCode()
    try:
        return codicefiscale.validate(raw)
    except ValidationError as exc:
        raise InvalidTaxCode() from exc


def lookup_hash(tax_code: str, key: str | None = None) -> str:
    """The value stored in place of the tax code (hex HMAC-SHA256 of its normal form)."""
    secret = (key if key is not None else get_settings().tax_code_hash_key).encode()
    return hmac.new(secret, normalise(tax_code).encode(), hashlib.sha256).hexdigest()
