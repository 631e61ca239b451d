"""The backend's background work for handoffs, started and stopped with the app.

Two tasks while HANDOFF_STREAMS_ENABLED: the inbound stream's consumer, and the
listener of the console channel that brings other processes' events to this one's
WebSockets. Neither may take the backend down: Redis outages are logged and retried.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from redis.exceptions import RedisError

from backend.db import get_sessionmaker
from backend.handoffs import events, keys
from backend.handoffs.inbound import MAX_BACKOFF_SECONDS, InboundConsumer, pause
from backend.settings import get_settings

log = logging.getLogger(__name__)


async def listen_console(stop: asyncio.Event) -> None:
    backoff = 1.0
    while not stop.is_set():
        redis = keys.async_client()
        try:
            async with redis.pubsub() as pubsub:
                await pubsub.subscribe(keys.console_channel())
                backoff = 1.0
                while not stop.is_set():
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message and isinstance(message.get("data"), str):
                        events.receive(message["data"])
        except (RedisError, OSError) as exc:
            log.warning(
                "console channel unavailable (%s): retrying in %.0f s", type(exc).__name__, backoff
            )
        finally:
            await redis.aclose()
        await pause(stop, backoff)
        backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    if not settings.handoff_streams_enabled:
        yield
        return
    stop = asyncio.Event()
    consumer = InboundConsumer(get_sessionmaker(), settings.stream_consumer_name)
    tasks = [
        asyncio.create_task(consumer.run(stop), name="handoff-inbound"),
        asyncio.create_task(listen_console(stop), name="handoff-console-events"),
    ]
    try:
        yield
    finally:
        stop.set()
        # A blocked XREADGROUP would hold shutdown for up to its block time: cancel.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
