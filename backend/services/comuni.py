"""Resolving what a citizen wrote to an ISTAT comune."""

from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Comune
from backend.reference.comuni import search_key

ALIASES_FILE = Path(__file__).resolve().parent.parent / "data" / "comune_aliases.yml"
# Words that are also comuni somewhere ("Ne", "Ora") but in a sentence are just words.
_FUNCTION_WORDS = {"a", "ad", "al", "di", "da", "in", "e", "ne", "ora", "lei", "per", "su", "mese"}
_MAX_WORDS = 6


@lru_cache
def aliases() -> dict[str, str]:
    with ALIASES_FILE.open(encoding="utf-8") as fh:
        return {search_key(alias): name for alias, name in yaml.safe_load(fh).items()}


def _by_key(session: Session, key: str) -> Comune | None:
    key = search_key(aliases().get(key, key))
    matches = list(session.scalars(select(Comune).where(Comune.search_key == key)))
    # Homonyms exist (Samone TO/TN): prefer the one in a covered region.
    return sorted(matches, key=lambda c: c.office_id is None)[0] if matches else None


def resolve(session: Session, name: str) -> Comune | None:
    """The comune named exactly (up to case, accents, punctuation) or by a known short form."""
    return _by_key(session, search_key(name))


def find_in_text(session: Session, text: str) -> Comune | None:
    """The first comune mentioned in free text, preferring the longest name."""
    words = search_key(text).split()
    # Longest span first: "reggio di calabria" beats "reggio",
    # "san giovanni in fiore" beats "fiore".
    for size in range(min(_MAX_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            span = " ".join(words[start : start + size])
            if size == 1 and span in _FUNCTION_WORDS and len(words) > 1:
                continue
            found = _by_key(session, span)
            if found is not None:
                return found
    return None
