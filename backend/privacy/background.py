"""The retention purge, run by the backend itself every PURGE_INTERVAL_HOURS.

The first run comes a minute after start-up (so that short-lived processes, tests and
one-off commands do not purge), then one per interval; every replica may run it (it is
idempotent). PURGE_INTERVAL_HOURS=0 turns it off: then schedule
`python -m backend.privacy.retention` with cron.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict

from fastapi import FastAPI

from backend.db import get_sessionmaker
from backend.handoffs.inbound import pause
from backend.privacy.retention import purge
from backend.settings import get_settings

log = logging.getLogger(__name__)

FIRST_RUN_AFTER_SECONDS = 60.0


def purge_once() -> dict[str, int]:
    with get_sessionmaker()() as session:
        return asdict(purge(session))


async def purge_periodically(stop: asyncio.Event, interval_seconds: float) -> None:
    await pause(stop, FIRST_RUN_AFTER_SECONDS)
    while not stop.is_set():
        try:
            counts = await asyncio.to_thread(purge_once)
            log.info("retention purge: %s", counts)
        except Exception:
            log.exception("retention purge failed: retrying at the next interval")
        await pause(stop, interval_seconds)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    hours = get_settings().purge_interval_hours
    if hours <= 0:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(purge_periodically(stop, hours * 3600), name="retention-purge")
    try:
        yield
    finally:
        stop.set()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
