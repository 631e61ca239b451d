"""Which bookable service a citizen means ("per la DID", "il patto di servizio").

The codes are the backend's (backend/data/appointments/services.yml); names, lengths and
documents always come from the backend. Only the words citizens use live here: they are
understanding, not data. An ambiguous text gives None, and the buttons ask.
"""

from __future__ import annotations

import re

from actions.appointments.when import normalise

KEYWORDS: dict[str, tuple[str, ...]] = {
    "accoglienza_did": (
        "did",
        "dichiarazione di immediata disponibilita",
        "immediata disponibilita",
        "prima accoglienza",
        "iscrizione",
        "iscrivermi",
    ),
    "patto_servizio": ("patto", "patto di servizio", "psp"),
    "orientamento": ("orientamento", "orientatore", "curriculum", "cv", "corsi", "tirocinio"),
    "assessment_gol": ("gol", "assessment", "garanzia di occupabilita"),
    "collocamento_mirato": (
        "collocamento mirato",
        "disabilita",
        "invalidita",
        "categorie protette",
        "legge 68",
        "104",
    ),
    "servizi_imprese": ("azienda", "impresa", "datore di lavoro", "assumere", "preselezione"),
}


def service_in_text(text: str) -> str | None:
    plain = normalise(text)
    found = {
        code
        for code, words in KEYWORDS.items()
        if any(re.search(rf"\b{re.escape(word)}\b", plain) for word in words)
    }
    return found.pop() if len(found) == 1 else None
