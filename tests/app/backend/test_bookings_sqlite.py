"""The embedded default: booking on SQLite keeps the same guarantees (fewer threads)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from backend.db import make_engine
from backend.migrate import upgrade
from backend.models import Slot
from backend.services import bookings, clock
from backend.services.appointment_data import services
from backend.services.slots import free_slots
from tests.app.backend.helpers import create_office, tax_code

THREADS = 20


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'sportello.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_concurrent_bookings_and_reschedules_on_sqlite(sqlite_engine):
    office = create_office(sqlite_engine)
    with Session(sqlite_engine) as session:
        found = free_slots(session, office, services()["accoglienza_did"], clock.now(), limit=3)
    target, mine, other = (s.starts_at for s in found)
    barrier = threading.Barrier(THREADS)

    def book(i: int) -> str:
        with Session(sqlite_engine) as session:
            barrier.wait()
            try:
                bookings.book(
                    session,
                    office_code=office.code,
                    service_code="accoglienza_did",
                    starts_at=target,
                    tax_code=tax_code(i),
                    now=clock.now(),
                )
            except bookings.SlotTaken:
                return "taken"
            return "booked"

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = Counter(pool.map(book, range(THREADS)))
    assert outcomes == {"booked": 1, "taken": THREADS - 1}

    with Session(sqlite_engine) as session:
        code = bookings.book(
            session,
            office_code=office.code,
            service_code="accoglienza_did",
            starts_at=mine,
            tax_code=tax_code(500),
            now=clock.now(),
        ).code
        with pytest.raises(bookings.SlotTaken) as taken:
            bookings.reschedule(
                session, code=code, tax_code=tax_code(500), starts_at=target, now=clock.now()
            )
        assert taken.value.alternatives
        moved = bookings.reschedule(
            session, code=code, tax_code=tax_code(500), starts_at=other, now=clock.now()
        )
        assert moved.slot.starts_at == other
        bookings.cancel(session, code=code, tax_code=tax_code(500), now=clock.now())
        counts = dict(session.execute(select(Slot.starts_at, Slot.booked)).all())
    assert counts == {target: 1, mine: 0, other: 0}
