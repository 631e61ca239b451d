"""No double booking: 200 simultaneous requests for one place, on the real PostgreSQL.

The backend runs in uvicorn on a free port, with its own connection pool on the test
database, and 200 threads each send their request the moment a barrier opens. The
routes are synchronous, so uvicorn runs them in its thread pool: many transactions
really are open at once (a sampler of pg_stat_activity checks it). These tests commit,
so they use an office of their own and delete everything it holds afterwards.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from backend.api.deps import get_session
from backend.main import create_app
from backend.models import Booking, Office, Slot
from backend.services import bookings, clock
from backend.services.appointment_data import services
from backend.services.slots import free_slots
from tests.app.backend.helpers import create_office, drop_office, tax_code

REQUESTS = 200
SERVICE = "accoglienza_did"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def live_backend(database_url: str) -> Iterator[str]:
    """The real app in uvicorn, its sessions on the test database (committing)."""
    engine = create_engine(database_url, pool_size=45, max_overflow=0, pool_timeout=60)
    make_session = sessionmaker(bind=engine, expire_on_commit=False)

    def session() -> Iterator[Session]:
        with make_session() as s:
            yield s

    app = create_app()
    app.dependency_overrides[get_session] = session
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, loop="asyncio", log_level="warning", access_log=False
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        engine.dispose()


@pytest.fixture
def office(engine: Engine) -> Iterator[Office]:
    created = create_office(engine)
    try:
        yield created
    finally:
        drop_office(engine, created)


class Sampler:
    """Samples pg_stat_activity: open transactions, and those waiting on a lock."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.most = 0
        self.lock_waits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        query = text(
            "SELECT count(*) FILTER (WHERE xact_start IS NOT NULL),"
            " count(*) FILTER (WHERE wait_event_type = 'Lock')"
            " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            while not self._stop.is_set():
                writers, waiting = conn.execute(query).one()
                self.most = max(self.most, writers)
                self.lock_waits = max(self.lock_waits, waiting)
                time.sleep(0.002)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@dataclass(frozen=True)
class Reply:
    status_code: int
    body: dict[str, Any]


def fire_together(
    base_url: str, headers: dict[str, str], requests: list[tuple[str, dict[str, Any]]]
) -> list[Reply]:
    """POST each (path, body) from its own thread and connection, all at the same instant.

    Plain http.client: an httpx client per thread costs ~25 ms of CPU to build, which
    would only measure the test itself.
    """
    url = urlsplit(base_url)
    barrier = threading.Barrier(len(requests))

    def one(request: tuple[str, dict[str, Any]]) -> Reply:
        path, body = request
        conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=120)
        conn.connect()
        try:
            barrier.wait()
            conn.request(
                "POST", path, json.dumps(body), {**headers, "Content-Type": "application/json"}
            )
            response = conn.getresponse()
            return Reply(response.status, json.loads(response.read()))
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(one, requests))


def _slots(engine: Engine, office: Office, count: int) -> list[str]:
    with Session(engine) as session:
        found = free_slots(session, office, services()[SERVICE], clock.now(), limit=count)
    assert len(found) == count
    return [clock.to_local(s.starts_at).isoformat() for s in found]


def _booked(engine: Engine, office: Office) -> dict[str, int]:
    with Session(engine) as session:
        rows = session.execute(
            select(Slot.starts_at, Slot.booked).where(Slot.office_id == office.id)
        ).all()
    return {clock.to_local(s).isoformat(): n for s, n in rows}


def _assert_all_but_one_were_told_slot_taken(responses: list[Reply], ok: int) -> None:
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {ok: 1, 409: REQUESTS - 1}, statuses
    for refused in (r for r in responses if r.status_code == 409):
        body = refused.body
        assert "non è più disponibile" in body["detail"]
        assert body["alternatives"], "every refusal offers other free slots"


def test_200_concurrent_bookings_of_one_place_give_exactly_one_booking(
    live_backend, engine, office, service_headers
):
    target = _slots(engine, office, 1)[0]

    requests = [
        (
            "/api/v1/bookings",
            {
                "office_code": office.code,
                "service_code": SERVICE,
                "starts_at": target,
                "tax_code": tax_code(i),
            },
        )
        for i in range(REQUESTS)
    ]
    started = time.monotonic()
    with Sampler(engine) as sampler:
        responses = fire_together(live_backend, service_headers, requests)
    elapsed = time.monotonic() - started

    _assert_all_but_one_were_told_slot_taken(responses, ok=201)
    assert _booked(engine, office) == {target: 1}
    with Session(engine) as session:
        count = session.scalar(
            select(func.count()).select_from(Booking).join(Slot).where(Slot.office_id == office.id)
        )
    assert count == 1
    assert sampler.most >= 2, "the requests must really overlap in the database"
    # Shown with pytest -s: how much the requests overlapped.
    print(
        f"\n{REQUESTS} bookings in {elapsed:.2f}s; up to {sampler.most} open "
        f"transactions at once, up to {sampler.lock_waits} waiting on a lock"
    )


def test_200_concurrent_reschedules_into_one_place_move_exactly_one(
    live_backend, engine, office, service_headers
):
    target, *others = _slots(engine, office, REQUESTS + 1)
    codes = []
    with Session(engine, expire_on_commit=False) as session:
        for i, starts_at in enumerate(others):
            booking = bookings.book(
                session,
                office_code=office.code,
                service_code=SERVICE,
                starts_at=datetime.fromisoformat(starts_at),
                tax_code=tax_code(i),
                now=clock.now(),
            )
            codes.append(booking.code)

    requests = [
        (f"/api/v1/bookings/{code}/reschedule", {"tax_code": tax_code(i), "starts_at": target})
        for i, code in enumerate(codes)
    ]
    started = time.monotonic()
    with Sampler(engine) as sampler:
        responses = fire_together(live_backend, service_headers, requests)
    elapsed = time.monotonic() - started

    _assert_all_but_one_were_told_slot_taken(responses, ok=200)
    winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
    booked = _booked(engine, office)
    assert booked[target] == 1
    assert booked[others[winner]] == 0, "the winner's old place was given back"
    assert all(booked[s] == 1 for i, s in enumerate(others) if i != winner), (
        "everybody else kept their own appointment"
    )
    assert sampler.most >= 2
    print(
        f"\n{REQUESTS} reschedules in {elapsed:.2f}s; up to {sampler.most} open "
        f"transactions at once, up to {sampler.lock_waits} waiting on a lock"
    )
