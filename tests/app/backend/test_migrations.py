"""Migrations are the only way the schema changes, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from backend.db import Base
from backend.migrate import alembic_config, upgrade


def test_models_match_the_migrations(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], f"models changed without a migration: {diff}"


def test_migrations_run_up_and_down_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'sportello.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    upgrade(url)


def test_production_refuses_default_secrets(monkeypatch):
    import pytest
    from pydantic import ValidationError

    from backend.settings import Settings

    monkeypatch.setenv("SPORTELLO_ENV", "production")
    with pytest.raises(ValidationError, match="default secrets refused"):
        Settings()
    monkeypatch.setenv("BACKEND_SERVICE_TOKEN", "a-real-secret-of-32-characters-x")
    monkeypatch.setenv("TAX_CODE_HASH_KEY", "another-real-secret-32-characters")
    assert Settings().sportello_env == "production"
