"""Text helpers shared by the entity components: folded search keys and entity spans."""

from __future__ import annotations

import re
import unicodedata


def search_key(text: str) -> str:
    """Fold case, accents, apostrophes and hyphens (same rule as the backend's lookups)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", ascii_only).strip()


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the punctuation a token may carry ("Cosenza." -> "Cosenza");
    an acronym keeps its last dot ("s.f.l.")."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    if text[end : end + 1] == "." and "." in text[start:end]:
        end += 1
    return start, end
