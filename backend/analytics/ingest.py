"""Storing a batch of events: pseudonymise, place in a province, never keep text or ids."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.analytics.pseudonyms import pseudonym
from backend.analytics.schemas import EventIn
from backend.api.errors import ApiError
from backend.models import Comune, ConversationEvent, Handoff, Office
from backend.services import clock
from backend.services.comuni import resolve
from backend.settings import get_settings

# Producers flush within seconds; a day back covers a batch sent just after midnight,
# a week covers a backend that was down. Older or future days are refused.
MAX_AGE_DAYS = 7


@dataclass(frozen=True)
class Place:
    province: str
    region: str


def _place(session: Session, event: EventIn, cache: dict[tuple, Place | None]) -> Place | None:
    key = (event.province, event.office_code, event.comune)
    if key in cache:
        return cache[key]
    place = None
    if event.office_code:
        office = session.scalar(select(Office).where(Office.code == event.office_code))
        if office is not None:
            place = Place(office.province, office.region)
    if place is None and event.comune:
        comune = resolve(session, event.comune)
        if comune is not None:
            place = Place(comune.province, comune.region)
    if place is None and event.province:
        region = session.scalar(
            select(Comune.region).where(Comune.province == event.province).limit(1)
        )
        if region is not None:
            place = Place(event.province, region)
    cache[key] = place
    return place


def _day(event: EventIn, today: date) -> date:
    day = event.day or today
    if day > today + timedelta(days=1) or day < today - timedelta(days=MAX_AGE_DAYS):
        raise ApiError(422, f"Giorno fuori intervallo: sono accettati gli ultimi {MAX_AGE_DAYS}.")
    return day


def store(session: Session, events: list[EventIn]) -> int:
    """Store the events and commit."""
    count = add(session, events)
    session.commit()
    return count


def record_handoff(session: Session, handoff: Handoff) -> None:
    """The `handoff` event of a new handoff, in the caller's transaction.

    Kept apart from the handoffs table, which the retention purge empties: the counts
    (and the containment rate) outlive the transcripts.
    """
    today = clock.to_local(handoff.created_at).date()
    event = EventIn(
        kind="handoff",
        label=handoff.reason,
        channel=handoff.channel,
        conversation_id=handoff.conversation_id,
        day=today,
        office_code=handoff.office.code if handoff.office else None,
    )
    add(session, [event], today=today)


def add(session: Session, events: list[EventIn], today: date | None = None) -> int:
    """Add the events to the session. A province learnt now also goes to the same
    conversation's earlier events of that day, which did not know it yet."""
    today = today or clock.today()
    default_region = get_settings().default_region
    cache: dict[tuple, Place | None] = {}
    rows: list[ConversationEvent] = []
    learnt: dict[tuple[str, date], Place] = {}
    for event in events:
        day = _day(event, today)
        who = pseudonym(day, event.conversation_id)
        place = _place(session, event, cache)
        if place is not None:
            learnt[(who, day)] = place
        rows.append(
            ConversationEvent(
                day=day,
                channel=event.channel,
                province=place.province if place else None,
                region=place.region if place else default_region,
                kind=event.kind,
                label=event.label,
                conversation=who,
            )
        )
    known = _known_places(session, {(row.conversation, row.day) for row in rows})
    for row in rows:
        place = learnt.get((row.conversation, row.day)) or known.get((row.conversation, row.day))
        if row.province is None and place is not None:
            row.province, row.region = place.province, place.region
    session.add_all(rows)
    for (who, day), place in learnt.items():
        session.execute(
            update(ConversationEvent)
            .where(
                ConversationEvent.conversation == who,
                ConversationEvent.day == day,
                ConversationEvent.province.is_(None),
            )
            .values(province=place.province, region=place.region)
        )
    return len(rows)


def _known_places(session: Session, keys: set[tuple[str, date]]) -> dict[tuple[str, date], Place]:
    """Provinces already stored for these conversation-days."""
    if not keys:
        return {}
    query = select(
        ConversationEvent.conversation,
        ConversationEvent.day,
        ConversationEvent.province,
        ConversationEvent.region,
    ).where(
        ConversationEvent.conversation.in_({who for who, _ in keys}),
        ConversationEvent.province.is_not(None),
    )
    return {
        (who, day): Place(province, region)
        for who, day, province, region in session.execute(query)
        if (who, day) in keys
    }
