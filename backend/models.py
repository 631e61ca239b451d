"""ORM models: what must last. Every change here comes with an Alembic migration."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db import Base, UTCDateTime


class Office(Base):
    """A Centro per l'Impiego (or one of its local desks)."""

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(60), index=True)
    province: Mapped[str] = mapped_column(String(2))
    comune: Mapped[str] = mapped_column(String(120), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    # {"mon": [["09:00", "12:30"], ["15:00", "17:00"]], ...}; missing day = closed.
    opening_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # False while the hours are the usual CPI hours rather than the office's own.
    hours_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    # False until someone checks the entry against the Region's official list.
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)

    comuni: Mapped[list["Comune"]] = relationship(back_populates="office")


class Comune(Base):
    """An Italian municipality (ISTAT list) and, in covered regions, its competent CPI."""

    __tablename__ = "comuni"

    istat_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    # Lowercased, accents and punctuation folded: what lookups compare against.
    search_key: Mapped[str] = mapped_column(String(120), index=True)
    province: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(60))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)

    office: Mapped[Office | None] = relationship(back_populates="comuni")


class Slot(Base):
    """One bookable time of one service at one office, written when first booked.

    Free slots are computed from the office's hours (backend/services/calendar.py); a row
    exists only once somebody books the slot, and `booked` counts its live bookings.
    The unique key makes concurrent first bookings meet on one row; the check keeps the
    count within capacity even if a bug tried otherwise.
    """

    __tablename__ = "slots"
    __table_args__ = (
        UniqueConstraint("office_id", "service_code", "starts_at", name="uq_slots_office_service"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_slots_booked_in_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    service_code: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)

    office: Mapped[Office] = relationship()


class Booking(Base):
    """A citizen's appointment. The tax code is kept only as a keyed hash, for lookup."""

    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Short code the citizen quotes to cancel or move the appointment.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"), index=True)
    # HMAC-SHA256 of the normalised tax code under TAX_CODE_HASH_KEY (hex).
    tax_code_hash: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(12), default="confirmed")
    # iCalendar SEQUENCE: grows at each reschedule or cancellation.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who is expected and how the office reaches them if the appointment must move.
    citizen_name: Mapped[str | None] = mapped_column(String(120))
    # "phone" or "email"; the value is normalised (E.164 phone, lowercase e-mail).
    contact_kind: Mapped[str | None] = mapped_column(String(8))
    contact_value: Mapped[str | None] = mapped_column(String(200))
    # Did the citizen come? Null until the office says so (docs/analytics.md: a past
    # confirmed booking with null is "da verificare", with False a no-show).
    attended: Mapped[bool | None] = mapped_column(Boolean)

    slot: Mapped[Slot] = relationship()
    reminder: Mapped["Reminder | None"] = relationship(back_populates="booking")


class Reminder(Base):
    """A reminder to deliver on the citizen's channel before the appointment.

    Only stored here; the gateway's delivery job (a later issue) sends the rows that are
    due and marks them sent.
    """

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    conversation_id: Mapped[str] = mapped_column(String(128))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # scheduled | sent | cancelled
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking: Mapped[Booking] = relationship(back_populates="reminder")


# --- operators and their console ------------------------------------------------------


class Operator(Base):
    """A person who uses the console: a job account (operator), a supervisor or an admin."""

    __tablename__ = "operators"
    __table_args__ = (
        CheckConstraint("role IN ('operator', 'supervisor', 'admin')", name="ck_operators_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Login name; lowercase.
    username: Mapped[str] = mapped_column(String(80), unique=True)
    # Shown to colleagues in the console; shown to citizens only as "un operatore del CPI".
    display_name: Mapped[str] = mapped_column(String(120))
    # argon2id hash (argon2-cffi's PasswordHasher), never the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(12))
    # A supervisor sees this region's conversations; an operator, its offices' and the
    # region's shared queue.
    region: Mapped[str | None] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Updated by the console's WebSocket and requests: "online" means seen recently.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    offices: Mapped[list[Office]] = relationship(secondary="operator_offices")


class OperatorOffice(Base):
    __tablename__ = "operator_offices"

    operator_id: Mapped[int] = mapped_column(
        ForeignKey("operators.id", ondelete="CASCADE"), primary_key=True
    )
    office_id: Mapped[int] = mapped_column(
        ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True
    )


class OperatorSession(Base):
    """A console login. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "operator_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Per-session CSRF token, sent by the console in the X-CSRF-Token header.
    csrf_token: Mapped[str] = mapped_column(String(64))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    operator: Mapped[Operator] = relationship()


class AuditEntry(Base):
    """Every operator action, for the Region's accountability (who did what, when)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Null for failed logins of unknown users and for system actions.
    operator_id: Mapped[int | None] = mapped_column(
        ForeignKey("operators.id", ondelete="SET NULL"), index=True
    )
    # login, login_failed, logout, take, reply, note, transfer, close, user_created, ...
    action: Mapped[str] = mapped_column(String(40))
    handoff_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Short, never a citizen's message or personal data.
    detail: Mapped[str | None] = mapped_column(String(300))


class CannedReply(Base):
    """A ready answer operators insert and edit ("risposte rapide")."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    # Null: for every office of the deployment.
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))


# --- handoff to a job account ---------------------------------------------------------


class Handoff(Base):
    """A conversation handed from the assistant to a person (live) or left as a ticket.

    status: waiting (in the queue) → active (taken) → closed; or cancelled by the
    citizen while waiting; tickets are `ticket` until an operator takes or closes them.
    """

    __tablename__ = "handoffs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('waiting', 'active', 'ticket', 'closed', 'cancelled')",
            name="ck_handoffs_status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<channel>:<sender id>", as the gateway and Rasa know the conversation.
    conversation_id: Mapped[str] = mapped_column(String(160), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), index=True)
    # request_human | fallback | form_failures | complaint
    reason: Mapped[str] = mapped_column(String(30))
    # Competent office, when known; else the region's shared queue.
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)
    region: Mapped[str | None] = mapped_column(String(60), index=True)
    operator_id: Mapped[int | None] = mapped_column(
        ForeignKey("operators.id", ondelete="SET NULL"), index=True
    )
    # What the assistant had collected: intents, comune, misura, booking code, verdict.
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Tickets: how the citizen wants an answer ("chat", "telefono", "email") and where.
    contact_preference: Mapped[str | None] = mapped_column(String(12))
    contact_value: Mapped[str | None] = mapped_column(String(200))
    # Outcome chosen by the operator when closing (risolto, appuntamento, inoltrato, ...).
    outcome: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    office: Mapped[Office | None] = relationship()
    operator: Mapped[Operator | None] = relationship()
    messages: Mapped[list["HandoffMessage"]] = relationship(
        back_populates="handoff", order_by="HandoffMessage.id", cascade="all, delete-orphan"
    )


class HandoffMessage(Base):
    """One line of a handed-off conversation, redacted of tax codes, phones, e-mails, IBANs.

    sender: citizen | bot (the transcript before the handoff) | operator | note (internal,
    never sent to the citizen) | system. `uid` makes stream redeliveries idempotent.
    """

    __tablename__ = "handoff_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    sender: Mapped[str] = mapped_column(String(10))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Operator messages: set when the gateway confirms the channel accepted it;
    # delivery_error explains a refusal (e.g. WhatsApp's 24-hour window).
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery_error: Mapped[str | None] = mapped_column(String(300))

    handoff: Mapped[Handoff] = relationship(back_populates="messages")


# --- analytics ------------------------------------------------------------------------

EVENT_KINDS = (
    "conversation_started",
    "intent",
    "faq",
    "fallback",
    "eligibility_check",
    "booking",
    "cancellation",
    "handoff",
)


class ConversationEvent(Base):
    """One thing that happened in a conversation, for the figures (docs/analytics.md).

    No text, no time of day, no conversation id: `conversation` is a keyed hash of the
    day and the conversation id, so distinct conversations of a day can be counted but
    not followed across days nor traced back to a citizen without the key.
    """

    __tablename__ = "conversation_events"
    __table_args__ = (
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{kind}'" for kind in EVENT_KINDS) + ")",
            name="ck_conversation_events_kind",
        ),
        Index("ix_conversation_events_day_kind", "day", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Italian calendar day.
    day: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    # Two-letter province code, when the conversation named a comune or an office.
    province: Mapped[str | None] = mapped_column(String(2))
    # The province's region, else the deployment's (DEFAULT_REGION): supervisors' scope.
    region: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    # Intent name, FAQ key, "measure:verdict"; null for conversation_started.
    label: Mapped[str | None] = mapped_column(String(80))
    # HMAC-SHA256(analytics key, "<day>|<conversation id>"), hex, first 32 characters.
    conversation: Mapped[str] = mapped_column(String(32), index=True)
