"""Fixtures for the app environment's tests: a real PostgreSQL database, Redis, clients.

DATABASE_URL / REDIS_URL name the servers (defaults: the local PostgreSQL, user postgres,
and the local Redis). A database of its own is created for the test run and dropped at
the end; each test runs inside a transaction that is rolled back.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def admin_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    # `make run` may export an SQLite URL; the tests always want PostgreSQL.
    return url if url.startswith("postgresql") else DEFAULT_PG


def create_database(name: str) -> str:
    admin = create_engine(admin_database_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_database_url()).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    admin = create_engine(admin_database_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A migrated and seeded PostgreSQL database for the whole test session."""
    from backend.migrate import upgrade
    from backend.seed import seed_all

    name = f"sportello_test_{uuid.uuid4().hex[:8]}"
    url = create_database(name)
    try:
        upgrade(url)
        engine = create_engine(url)
        with Session(engine) as session:
            seed_all(session)
        engine.dispose()
        yield url
    finally:
        drop_database(name)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """A session joined to an outer transaction that is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


@pytest.fixture
def backend_client(db_session: Session) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from backend.api.deps import get_session
    from backend.main import create_app

    app = create_app()
    app.dependency_overrides[get_session] = lambda: db_session
    with TestClient(app) as client:
        yield client


@pytest.fixture
def service_headers() -> dict[str, str]:
    from backend.settings import get_settings

    return {"Authorization": f"Bearer {get_settings().backend_service_token}"}
