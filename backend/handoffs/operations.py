"""What an operator does with a handoff: take, reply, note, transfer, close.

Each operation checks who may do it (visibility.py), commits with its audit entry,
then updates the mode key, tells the citizen (outbound stream) and the consoles.
A handoff the caller may not see is "not found" (404), never "forbidden": an operator
must not learn that another office's conversation exists.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.api.errors import ApiError
from backend.console import audit
from backend.handoffs import events, mode, outbound, texts
from backend.handoffs.views import message_with_name
from backend.handoffs.visibility import Viewer
from backend.models import Handoff, HandoffMessage, Office, Operator
from backend.services import clock

NOT_FOUND = "Conversazione non trovata."
CLOSED = "La conversazione è già chiusa."
NOT_YOURS = "Solo l'operatore che ha preso in carico la conversazione può farlo."


def visible(session: Session, operator: Operator, handoff_id: int, lock: bool = False) -> Handoff:
    handoff = session.get(Handoff, handoff_id, with_for_update=lock)
    if handoff is None or not Viewer.of(operator).sees(handoff):
        raise ApiError(404, NOT_FOUND)
    return handoff


def _open(handoff: Handoff) -> None:
    if handoff.status in ("closed", "cancelled"):
        raise ApiError(409, CLOSED)


def _assigned_or_supervisor(handoff: Handoff, operator: Operator) -> None:
    if handoff.operator_id != operator.id and operator.role not in ("supervisor", "admin"):
        raise ApiError(403, NOT_YOURS)


def on_chat(handoff: Handoff) -> bool:
    """Whether the citizen waits for an answer on their channel (not by phone or e-mail)."""
    return handoff.contact_preference in (None, "chat")


def take(session: Session, operator: Operator, handoff_id: int) -> Handoff:
    handoff = visible(session, operator, handoff_id, lock=True)
    _open(handoff)
    if handoff.status == "active":
        if handoff.operator_id == operator.id:
            return handoff
        who = handoff.operator.display_name if handoff.operator else "un collega"
        raise ApiError(409, f"La conversazione è già stata presa in carico da {who}.")
    handoff.status = "active"
    handoff.operator_id = operator.id
    handoff.operator = operator
    handoff.taken_at = clock.now()
    audit.record(session, "take", operator_id=operator.id, handoff_id=handoff.id)
    session.commit()
    if on_chat(handoff):
        mode.set_mode(handoff.conversation_id, handoff.id, "active")
        outbound.produce(
            "taken", handoff.conversation_id, handoff.id, texts.taken(handoff, operator)
        )
    events.publish("handoff_updated", handoff)
    return handoff


def _line(handoff: Handoff, operator: Operator, sender: str, text: str) -> HandoffMessage:
    return HandoffMessage(
        handoff_id=handoff.id,
        uid=f"{sender}:{uuid.uuid4().hex}",
        sender=sender,
        operator_id=operator.id,
        text=text.strip(),
        at=clock.now(),
    )


UNDELIVERED = "Non inviato: il servizio di consegna dei messaggi non è raggiungibile."


def reply(session: Session, operator: Operator, handoff_id: int, text: str) -> HandoffMessage:
    handoff = visible(session, operator, handoff_id)
    _open(handoff)
    if handoff.status != "active":
        raise ApiError(409, "Prendi in carico la conversazione prima di rispondere.")
    if handoff.operator_id != operator.id:
        raise ApiError(403, NOT_YOURS)
    message = _line(handoff, operator, "operator", text)
    session.add(message)
    audit.record(session, "reply", operator_id=operator.id, handoff_id=handoff.id)
    session.commit()
    event_id = f"hm:{message.id}"
    if (
        outbound.produce(
            "operator_message", handoff.conversation_id, handoff.id, message.text, event_id
        )
        is None
    ):
        message.delivery_error = UNDELIVERED
        session.commit()
    events.publish("message", handoff, message=_message_event(session, message))
    return message


def note(session: Session, operator: Operator, handoff_id: int, text: str) -> HandoffMessage:
    handoff = visible(session, operator, handoff_id)
    message = _line(handoff, operator, "note", text)
    session.add(message)
    audit.record(session, "note", operator_id=operator.id, handoff_id=handoff.id)
    session.commit()
    events.publish("message", handoff, message=_message_event(session, message))
    return message


def _message_event(session: Session, message: HandoffMessage) -> dict[str, object]:
    return message_with_name(session, message).model_dump(mode="json")


def transfer_to_operator(
    session: Session, operator: Operator, handoff_id: int, target_id: int
) -> Handoff:
    handoff = visible(session, operator, handoff_id, lock=True)
    _open(handoff)
    _assigned_or_supervisor(handoff, operator)
    target = session.get(Operator, target_id)
    if (
        target is None
        or not target.active
        or target.role not in ("operator", "supervisor")
        or not Viewer.of(target).sees(handoff)
    ):
        raise ApiError(422, "Il collega scelto non può ricevere questa conversazione.")
    handoff.status = "active"
    handoff.operator_id = target.id
    handoff.operator = target
    handoff.taken_at = handoff.taken_at or clock.now()
    audit.record(
        session,
        "transfer",
        operator_id=operator.id,
        handoff_id=handoff.id,
        detail=f"operatore {target.id}",
    )
    session.commit()
    if on_chat(handoff):
        mode.set_mode(handoff.conversation_id, handoff.id, "active")
        outbound.produce(
            "transferred", handoff.conversation_id, handoff.id, texts.transferred_to_colleague()
        )
    events.publish("handoff_updated", handoff)
    return handoff


def transfer_to_office(
    session: Session, operator: Operator, handoff_id: int, office_code: str
) -> Handoff:
    handoff = visible(session, operator, handoff_id, lock=True)
    _open(handoff)
    _assigned_or_supervisor(handoff, operator)
    office = session.scalar(select(Office).where(Office.code == office_code))
    viewer = Viewer.of(operator)
    if office is None or (viewer.role != "admin" and office.region not in viewer.regions):
        raise ApiError(422, "Ufficio non trovato tra quelli della tua regione.")
    live = handoff.contact_preference is None
    handoff.office_id, handoff.office, handoff.region = office.id, office, office.region
    handoff.operator_id, handoff.operator, handoff.taken_at = None, None, None
    # A live conversation waits in the new queue; a ticket stays a ticket there.
    handoff.status = "waiting" if live else "ticket"
    audit.record(
        session,
        "transfer",
        operator_id=operator.id,
        handoff_id=handoff.id,
        detail=f"ufficio {office.code}",
    )
    session.commit()
    if live:
        mode.set_mode(handoff.conversation_id, handoff.id, "waiting")
    else:
        mode.clear_mode(handoff.conversation_id, handoff.id)
    if on_chat(handoff):
        text = texts.transferred_to_office(office, can_cancel=live)
        outbound.produce("transferred", handoff.conversation_id, handoff.id, text)
    events.publish("handoff_updated", handoff)
    return handoff


def close(session: Session, operator: Operator, handoff_id: int, outcome: str) -> Handoff:
    handoff = visible(session, operator, handoff_id, lock=True)
    _open(handoff)
    _assigned_or_supervisor(handoff, operator)
    handoff.status = "closed"
    handoff.outcome = outcome
    handoff.closed_at = clock.now()
    audit.record(session, "close", operator_id=operator.id, handoff_id=handoff.id, detail=outcome)
    session.commit()
    mode.clear_mode(handoff.conversation_id, handoff.id)
    if on_chat(handoff):
        outbound.produce("closed", handoff.conversation_id, handoff.id, texts.closed())
    events.publish("handoff_updated", handoff)
    return handoff
