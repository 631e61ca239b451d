"""Italian texts of the handoff that depend on the backend's answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from actions.appointments.italian import MONTHS, WEEKDAYS

CANCEL_HINT = "Se cambi idea, scrivi «annulla» e torni all'assistente."


def _minutes(value: int) -> str:
    return "meno di un minuto" if value < 1 else ("1 minuto" if value == 1 else f"{value} minuti")


def queued(answer: dict[str, Any]) -> str:
    office = answer.get("office_name") or "il Centro per l'Impiego della tua zona"
    position = answer.get("position") or 1
    wait = answer.get("estimated_wait_minutes")
    ahead = position - 1
    if ahead == 0:
        place = "sei il primo in coda"
    elif ahead == 1:
        place = "c'è una persona prima di te"
    else:
        place = f"ci sono {ahead} persone prima di te"
    estimate = f" L'attesa stimata è di circa {_minutes(int(wait))}." if wait is not None else ""
    return (
        f"Ti ho messo in coda per parlare con un operatore di: {office}. "
        f"Al momento {place}.{estimate}\n"
        "Resta in questa chat: l'operatore ti scriverà qui e vedrà la conversazione che "
        f"abbiamo avuto. {CANCEL_HINT}"
    )


def _opening(value: str | None, plural: bool = False) -> str:
    if not value:
        return ""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return ""
    today = datetime.now(when.tzinfo).date() if when.tzinfo else datetime.now().date()
    if when.date() == today:
        day = "oggi"
    elif (when.date() - today).days == 1:
        day = "domani"
    else:
        day = f"{WEEKDAYS[when.weekday()]} {when.day} {MONTHS[when.month - 1]}"
    verb = "Riaprono" if plural else "Riapre"
    return f" {verb} {day} alle {when.hour}:{when:%M}."


def nobody_available(answer: dict[str, Any]) -> str:
    office = answer.get("office_name") or "il Centro per l'Impiego"
    if answer.get("unavailable_reason") == "closed":
        # The region's shared queue is named in the plural ("Centri per l'Impiego ...").
        plural = office.startswith("Centri")
        article = "i " if plural else ("il " if office.startswith("Centro") else "")
        closed = "sono chiusi" if plural else "è chiuso"
        opening = _opening(answer.get("next_opening"), plural)
        why = f"In questo momento {article}{office} {closed}.{opening}"
    else:
        why = "In questo momento nessun operatore è disponibile in chat."
    return (
        f"{why} Puoi lasciare un messaggio: lo leggerà un operatore, che ti risponderà "
        "appena possibile."
    )


def ticket_left(reference: str, contact: dict[str, Any]) -> str:
    how = {
        "chat": "qui in chat",
        "telefono": "per telefono al numero che mi hai dato",
        "email": "per e-mail all'indirizzo che mi hai dato",
    }.get(contact.get("preference", "chat"), "qui in chat")
    return (
        f"Ho registrato il tuo messaggio (riferimento {reference}). Un operatore ti "
        f"risponderà {how}. Intanto posso aiutarti con altro?"
    )
