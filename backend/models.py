"""ORM models: what must last. Every change here comes with an Alembic migration."""

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db import Base


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
