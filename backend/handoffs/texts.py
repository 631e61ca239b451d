"""What the citizen reads on their channel about the handoff, in Italian.

Citizens learn the first name of the person who answers (as at a counter), never the
full name: `display_name`'s first word. The office is named in full.
"""

from backend.models import Handoff, Office, Operator


def _from_whom(handoff: Handoff) -> str:
    if handoff.office is not None:
        return "del " + handoff.office.name
    return f"dei Centri per l'Impiego della Regione {handoff.region}"


def first_name(operator: Operator) -> str:
    words = operator.display_name.split()
    return words[0] if words else "un operatore"


def taken(handoff: Handoff, operator: Operator) -> str:
    return (
        f"Ti risponde {first_name(operator)} {_from_whom(handoff)}: ha preso in carico "
        "la tua richiesta. Scrivi pure qui."
    )


def transferred_to_colleague() -> str:
    return "Ti sto passando a un collega, che ti risponderà qui tra poco."


def transferred_to_office(office: Office, can_cancel: bool) -> str:
    text = f"Ti sto passando al {office.name}: un operatore ti risponderà qui appena possibile."
    if can_cancel:
        text += " Se vuoi tornare all'assistente virtuale scrivi «annulla»."
    return text


def closed() -> str:
    return (
        "L'operatore ha chiuso la conversazione. Da ora ti risponde di nuovo l'assistente "
        "virtuale: scrivimi pure se ti serve altro. Grazie per averci contattato!"
    )


def already_closed() -> str:
    return (
        "La conversazione con l'operatore è chiusa e il tuo messaggio non gli è arrivato. "
        "Ora ti risponde di nuovo l'assistente virtuale: scrivimi pure."
    )
