"""`make run` creates console accounts to try the handoff at once, in development only."""

from __future__ import annotations

import stat

import pytest

from backend import demo_accounts
from backend.migrate import upgrade
from backend.seed import seed_all
from backend.settings import get_settings


@pytest.fixture
def sqlite_env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SPORTELLO_ENV", "development")
    get_settings.cache_clear()
    upgrade(url)
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(url)
    with Session(engine) as session:
        seed_all(session)
    engine.dispose()
    yield tmp_path
    get_settings.cache_clear()


def test_the_accounts_are_created_once_with_owner_only_passwords(sqlite_env):
    path = sqlite_env / "accounts.txt"
    first = demo_accounts.ensure(path)
    assert first is not None and "user admin" in first and "user operatore" in first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert demo_accounts.ensure(path) == first  # a second run changes nothing


def test_outside_development_they_are_refused(sqlite_env, monkeypatch):
    monkeypatch.setenv("SPORTELLO_ENV", "test")
    get_settings.cache_clear()
    with pytest.raises(SystemExit):
        demo_accounts.ensure(sqlite_env / "accounts.txt")
