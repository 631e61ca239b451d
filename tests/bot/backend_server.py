"""A real backend for the bot-environment tests: uvicorn over a fresh PostgreSQL database.

The two environments never import each other, so the backend runs as a process of the app
environment (`.venv/app`), exactly as in production, and the actions reach it over HTTP.
The database is created, migrated and seeded for the run and dropped afterwards.
DATABASE_URL names the PostgreSQL server (default: the local one, user postgres).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]
APP_PYTHON = ROOT / ".venv" / "app" / "bin" / "python"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SERVICE_TOKEN = "bot-tests-service-token"
# The running backend's database (libpq URL), set by running_backend().
DATABASE: dict[str, str] = {}
UVICORN = [str(APP_PYTHON), "-m", "uvicorn", "backend.main:app", "--log-level", "warning"]


def admin_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    # `make run` may export an SQLite URL; these tests always want PostgreSQL.
    return url if url.startswith("postgresql") else DEFAULT_PG


def _libpq(url: str) -> str:
    # psycopg2 (bot env) wants a plain libpq URL; the backend keeps its SQLAlchemy form.
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}" if scheme.startswith("postgresql") else url


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


def _admin(statement: sql.Composable) -> None:
    conn = psycopg2.connect(_libpq(admin_database_url()))
    try:
        conn.autocommit = True  # CREATE/DROP DATABASE refuse to run in a transaction
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the backend exited with code {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError("the backend did not become healthy in time")


@contextlib.contextmanager
def running_backend() -> Iterator[str]:
    """Start the backend on a free port over a new database; yield its base URL.

    The database's URL (libpq form) is kept in DATABASE for tests that check what the
    backend stored.
    """
    name = f"sportello_bot_test_{uuid.uuid4().hex[:8]}"
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        env = {
            **os.environ,
            "DATABASE_URL": _with_database(admin_database_url(), name),
            "BACKEND_SERVICE_TOKEN": SERVICE_TOKEN,
            "SPORTELLO_ENV": "test",
            "PYTHONPATH": str(ROOT),
            # Handoff mode keys and streams of this run only (docs/handoff.md).
            "HANDOFF_REDIS_PREFIX": f"sportello:test:{name}:",
        }
        for module in ("backend.migrate", "backend.seed"):
            subprocess.run(
                [str(APP_PYTHON), "-m", module], env=env, cwd=ROOT, check=True, capture_output=True
            )
        DATABASE["url"] = _libpq(env["DATABASE_URL"])
        port = free_port()
        process = subprocess.Popen(
            [*UVICORN, "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url, process)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
