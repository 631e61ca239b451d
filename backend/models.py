"""ORM models: what must last. Every change here comes with an Alembic migration."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
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
