"""The figures for a range of days and a region (docs/analytics.md, "Figures").

Conversations, intents, FAQ topics, fallbacks, eligibility checks and handoff counts come
from `conversation_events`; waiting times from the handoffs still stored; bookings from
the bookings table. Every group carries the number of distinct citizens behind it
(conversations, or tax-code hashes for bookings), which the CSV export needs to
suppress small groups. A "conversation" is one citizen's activity on one day: the
pseudonym changes every day.
"""

import math
import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, distinct, func, select, true
from sqlalchemy.orm import Session

from backend.models import Booking, ConversationEvent, Handoff, Office, Slot
from backend.services import clock

TOP = 10
Row = dict[str, Any]


@dataclass(frozen=True)
class Scope:
    start: date
    end: date  # inclusive
    region: str | None  # None: every region (admins)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        zone = clock.local_zone()
        start = datetime.combine(self.start, time(0), tzinfo=zone)
        end = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=zone)
        return start, end


def _events(scope: Scope, *kinds: str) -> ColumnElement[bool]:
    region = ConversationEvent.region == scope.region if scope.region else true()
    return and_(
        ConversationEvent.day.between(scope.start, scope.end),
        ConversationEvent.kind.in_(kinds),
        region,
    )


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def conversations_by_day(session: Session, scope: Scope, kind: str) -> list[Row]:
    """Distinct conversations with an event of `kind`, per day and channel."""
    who = func.count(distinct(ConversationEvent.conversation))
    query = (
        select(ConversationEvent.day, ConversationEvent.channel, who)
        .where(_events(scope, kind))
        .group_by(ConversationEvent.day, ConversationEvent.channel)
        .order_by(ConversationEvent.day, ConversationEvent.channel)
    )
    return [
        {"day": day.isoformat(), "channel": channel, "conversations": n}
        for day, channel, n in session.execute(query)
    ]


def summary(session: Session, scope: Scope) -> Row:
    def distinct_conversations(*kinds: str) -> Any:
        return select(ConversationEvent.conversation).distinct().where(_events(scope, *kinds))

    started = distinct_conversations("conversation_started").subquery()
    handed = distinct_conversations("handoff").subquery()
    conversations = session.scalar(select(func.count()).select_from(started)) or 0
    handed_off = session.scalar(select(func.count()).select_from(handed)) or 0
    # Started conversations that reached an operator: the complement is "contained".
    reached = (
        session.scalar(
            select(func.count()).select_from(started).where(started.c[0].in_(select(handed.c[0])))
        )
        or 0
    )
    counts = dict(
        session.execute(
            select(ConversationEvent.kind, func.count())
            .where(_events(scope, "intent", "fallback"))
            .group_by(ConversationEvent.kind)
        ).all()
    )
    messages, fallbacks = counts.get("intent", 0), counts.get("fallback", 0)
    with_fallback = session.scalar(
        select(func.count(distinct(ConversationEvent.conversation))).where(
            _events(scope, "fallback")
        )
    )
    return {
        "conversations": conversations,
        "handed_off": handed_off,
        "handoff_rate": _ratio(reached, conversations),
        "containment": _ratio(conversations - reached, conversations),
        "messages": messages,
        "fallbacks": fallbacks,
        "conversations_with_fallback": with_fallback or 0,
        "fallback_rate": _ratio(fallbacks, messages),
    }


def top_labels(session: Session, scope: Scope, kind: str, limit: int = TOP) -> list[Row]:
    """The most frequent labels of `kind` per province (null: not known), most first."""
    query = (
        select(
            ConversationEvent.province,
            ConversationEvent.label,
            func.count(),
            func.count(distinct(ConversationEvent.conversation)),
        )
        .where(_events(scope, kind), ConversationEvent.label.is_not(None))
        .group_by(ConversationEvent.province, ConversationEvent.label)
    )
    rows = sorted(session.execute(query), key=lambda r: (r[0] or "~", -r[2], r[1]))
    out: list[Row] = []
    seen: dict[str | None, int] = {}
    for province, label, messages, conversations in rows:
        seen[province] = seen.get(province, 0) + 1
        if seen[province] <= limit:
            out.append(
                {
                    "province": province,
                    "label": label,
                    "messages": messages,
                    "conversations": conversations,
                }
            )
    return out


def eligibility(session: Session, scope: Scope) -> list[Row]:
    """Eligibility checks by measure, verdict and province."""
    rows = top_labels(session, scope, "eligibility_check", limit=1000)
    out = []
    for row in rows:
        measure, _, verdict = row.pop("label").partition(":")
        checks = row.pop("messages")
        out.append({**row, "measure": measure, "verdict": verdict or None, "checks": checks})
    return sorted(out, key=lambda r: (r["measure"], r["verdict"] or "", r["province"] or "~"))


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return values[max(0, math.ceil(share * len(values)) - 1)]


def waiting(session: Session, scope: Scope) -> list[Row]:
    """Seconds from the request to an operator taking it, for live handoffs, by channel.

    Tickets (a message left when nobody was online) are answered hours later and are
    left out; so are handoffs the retention purge already deleted.
    """
    start, end = scope.utc_bounds()
    query = select(Handoff.channel, Handoff.created_at, Handoff.taken_at).where(
        Handoff.created_at >= start,
        Handoff.created_at < end,
        Handoff.taken_at.is_not(None),
        Handoff.contact_preference.is_(None),
    )
    if scope.region:
        query = query.where(Handoff.region == scope.region)
    by_channel: dict[str, list[float]] = {}
    for channel, created, taken in session.execute(query):
        seconds = max(0.0, (taken - created).total_seconds())
        by_channel.setdefault(channel, []).append(seconds)
        by_channel.setdefault("*", []).append(seconds)
    out = []
    for channel, values in sorted(by_channel.items()):
        values.sort()
        out.append(
            {
                "channel": None if channel == "*" else channel,
                "taken": len(values),
                "median_seconds": round(statistics.median(values)),
                "p90_seconds": round(_percentile(values, 0.9)),
            }
        )
    return out


def bookings(session: Session, scope: Scope) -> list[Row]:
    """Booked, cancelled, and past appointments by attendance, per province.

    `no_show`: the office marked the citizen absent; `to_verify`: a past confirmed
    appointment nobody marked yet (bookings.attended is null).
    """
    start, end = scope.utc_bounds()
    now = clock.now()
    citizens = func.count(distinct(Booking.tax_code_hash))
    base = select(Office.province, func.count(), citizens).join(Slot, Booking.slot_id == Slot.id)
    base = base.join(Office, Slot.office_id == Office.id).group_by(Office.province)
    if scope.region:
        base = base.where(Office.region == scope.region)
    past = and_(
        Slot.starts_at >= start, Slot.starts_at < min(end, now), Booking.status == "confirmed"
    )
    queries = {
        "booked": base.where(Booking.created_at >= start, Booking.created_at < end),
        "cancelled": base.where(Booking.cancelled_at >= start, Booking.cancelled_at < end),
        "attended": base.where(past, Booking.attended.is_(True)),
        "no_show": base.where(past, Booking.attended.is_(False)),
        "to_verify": base.where(past, Booking.attended.is_(None)),
    }
    out = []
    for item, query in queries.items():
        for province, count, who in session.execute(query):
            out.append({"province": province, "item": item, "bookings": count, "citizens": who})
    return sorted(out, key=lambda r: (r["province"], list(queries).index(r["item"])))


def compute(session: Session, scope: Scope) -> Row:
    return {
        "from": scope.start.isoformat(),
        "to": scope.end.isoformat(),
        "region": scope.region,
        "summary": summary(session, scope),
        "conversations": conversations_by_day(session, scope, "conversation_started"),
        "handoffs": conversations_by_day(session, scope, "handoff"),
        "waiting": waiting(session, scope),
        "intents": top_labels(session, scope, "intent"),
        "faq": top_labels(session, scope, "faq"),
        "bookings": bookings(session, scope),
        "eligibility": eligibility(session, scope),
    }
