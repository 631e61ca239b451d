"""Helpers of the tests that start real processes: free ports, a database of their own
with an office open round the clock, console accounts made with the real CLI."""

from __future__ import annotations

import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from backend.migrate import upgrade
from backend.models import Office
from backend.seed import seed_all
from backend.services.calendar import WEEKDAYS
from tests.app.conftest import create_database, drop_database

ROOT = Path(__file__).resolve().parents[2]
ALL_DAY = {day: [["00:00", "23:59:59"]] for day in WEEKDAYS}


def always_open_office(code: str, name: str) -> Office:
    """A test office in Cosenza open every hour of every day (never closed for the test)."""
    return Office(
        code=code,
        name=name,
        region="Calabria",
        province="CS",
        comune="Cosenza",
        opening_hours=ALL_DAY,
        hours_verified=True,
        services=["accoglienza_did"],
        verified=False,
        sources=[],
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database_with_open_office(prefix: str, code: str, name: str) -> Iterator[str]:
    """A migrated, seeded PostgreSQL database with one Calabria office always open.

    A handoff is live only when an office of its queue is open (docs/handoff.md): with
    this office the region's queue is open whatever the hour. Dropped at the end.
    """
    database = f"{prefix}_{uuid.uuid4().hex[:8]}"
    url = create_database(database)
    try:
        upgrade(url)
        engine = create_engine(url)
        with Session(engine) as session:
            seed_all(session)
            session.add(always_open_office(code, name))
            session.commit()
        engine.dispose()
        yield url
    finally:
        drop_database(database)


def create_operator(env: dict[str, str], username: str, office: str, *extra: str) -> None:
    """An operator of `office` in Calabria, made with `python -m backend.cli` (password
    from SPORTELLO_ADMIN_PASSWORD in `env`)."""
    python = str(ROOT / ".venv" / "app" / "bin" / "python")
    command = [python, "-m", "backend.cli", "create-operator", "--username", username]
    subprocess.run(
        [*command, "--region", "Calabria", "--office", office, *extra],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
