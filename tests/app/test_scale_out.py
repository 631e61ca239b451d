"""Two Rasa servers behind one gateway: every conversation complete, in order, on one server.

The real processes (backend, action server, two Rasa servers sharing a Redis tracker and
lock store under a key prefix of their own, one gateway whose RASA_URLS lists both) with
the trained model named by SPORTELLO_TEST_MODEL. Between the gateway and each Rasa server
sits a small counting proxy in this process, so the test sees which server each sender's
messages really reached. Forty senders write at once: most one message at a time, some
in rapid bursts that do not wait for the replies. Then every sender's tracker, read back
from Rasa's HTTP API, must hold each user message exactly once, in the order the gateway
answered them.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote, urlparse

import httpx
import pytest
import redis
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from integrations.rasa_client import pick_server
from tests.app.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from stack import Stack  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.stack]

SENDERS = 40
BURST_SENDERS = 12
MESSAGES_PER_SENDER = 5
# Distinct texts, so that a tracker's order can be compared with the order sent.
TEXTS = [
    "ciao",
    "cos'è la DID?",
    "come mi iscrivo al centro per l'impiego?",
    "sei un robot?",
    "quali documenti servono per la DID?",
    "cos'è il programma GOL?",
    "come funziona la NASpI?",
    "dove si trova il centro per l'impiego di Cosenza?",
    "che cos'è il patto di servizio?",
    "grazie mille",
]
ASSISTANT_DOWN = "l'assistente non è raggiungibile"


class CountingProxy:
    """Forwards everything to one Rasa server and notes the sender of each message."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.senders: dict[str, int] = defaultdict(int)
        app = Starlette(
            routes=[Route("/{path:path}", self._forward, methods=["GET", "POST"])],
            lifespan=self._lifespan,
        )
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @asynccontextmanager
    async def _lifespan(self, _: Starlette) -> AsyncIterator[None]:
        self._client = httpx.AsyncClient(timeout=30)
        yield
        await self._client.aclose()

    async def _forward(self, request: Request) -> Response:
        body = await request.body()
        if request.url.path == "/webhooks/gateway/webhook":
            self.senders[json.loads(body)["sender"]] += 1
        upstream = await self._client.request(
            request.method,
            f"{self.target}{request.url.path}",
            content=body,
            headers={"Content-Type": request.headers.get("content-type", "application/json")},
        )
        return Response(upstream.content, upstream.status_code, media_type="application/json")

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "proxy did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)


def redis_endpoints(tmp_path: Path, prefix: str) -> Path:
    """bot/endpoints.redis.yml with this test's own key prefix (letters and digits only)."""
    text = (ROOT / "bot" / "endpoints.redis.yml").read_text(encoding="utf-8")
    assert text.count("key_prefix: sportello") == 2
    path = tmp_path / "endpoints.yml"
    path.write_text(text.replace("key_prefix: sportello", f"key_prefix: {prefix}"))
    return path


def delete_keys(redis_url: str, pattern: str) -> None:
    for db in (0, 1):  # tracker store, lock store (bot/endpoints.redis.yml)
        client = redis.Redis.from_url(redis_url, db=db)
        try:
            for key in client.scan_iter(match=pattern, count=500):
                client.delete(key)
        finally:
            client.close()


@pytest.fixture(scope="module")
def cluster(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Stack, list[CountingProxy]]]:
    model = os.environ.get("SPORTELLO_TEST_MODEL")
    if not model or not Path(model).exists():
        pytest.skip("no trained model: run through `make test`, which trains it")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    parsed = urlparse(redis_url)
    tag = uuid.uuid4().hex[:10]
    prefix = f"scaleout{tag}"  # Rasa ignores a prefix with anything but letters and digits
    tmp = tmp_path_factory.mktemp("scale-out")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SPORTELLO_ENV": "test",
        "BACKEND_PORT": str(free_port()),
        "ACTIONS_PORT": str(free_port()),
        "RASA_PORT": str(free_port()),
        "GATEWAY_PORT": str(free_port()),
        "REDIS_HOST": parsed.hostname or "127.0.0.1",
        "REDIS_PORT": str(parsed.port or 6379),
        "REDIS_PASSWORD": parsed.password or "",
        "TRACKER_TTL_SECONDS": "3600",
        "REDIS_KEY_PREFIX": f"sportello:scaleout-gw:{tag}:",
        "HANDOFF_REDIS_PREFIX": f"sportello:scaleout:{tag}:",
        # Bursts from one sender are the point here, not the flood guard.
        "RATE_LIMIT_PER_MINUTE": "1000",
    }
    stack = Stack(
        model=Path(model),
        env=env,
        log_dir=tmp / "logs",
        rasa_endpoints=str(redis_endpoints(tmp, prefix)),
        extra_rasa_ports=[free_port()],
    )
    rasa_urls = stack.env["RASA_URLS"].split(",")
    assert len(rasa_urls) == 2
    proxies = [CountingProxy(url) for url in rasa_urls]
    for proxy in proxies:
        proxy.start()
    # The gateway talks to the proxies; the proxies to the two Rasa servers.
    stack.env["RASA_URLS"] = ",".join(proxy.url for proxy in proxies)
    stack.start()
    try:
        stack.wait_healthy(timeout=300)
        yield stack, proxies
    except BaseException:
        for log in sorted(stack.log_dir.glob("*.log")):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
        raise
    finally:
        stack.stop()
        for proxy in proxies:
            proxy.stop()
        delete_keys(redis_url, f"{prefix}:*")


async def send(client: httpx.AsyncClient, url: str, session: str, text: str) -> list[dict]:
    response = await client.post(url, json={"session_id": session, "text": text})
    response.raise_for_status()
    return response.json()["replies"]


async def sequential_sender(
    client: httpx.AsyncClient, url: str, session: str, texts: list[str], answered: list[str]
) -> None:
    for text in texts:
        await asyncio.sleep(random.uniform(0, 0.3))  # noqa: S311 - test jitter
        replies = await send(client, url, session, text)
        assert replies and ASSISTANT_DOWN not in replies[0]["text"], (session, text, replies)
        answered.append(text)


async def burst_sender(
    client: httpx.AsyncClient, url: str, session: str, texts: list[str], answered: list[str]
) -> None:
    """All messages at once, a few milliseconds apart, without waiting for the replies."""

    async def one(delay: float, text: str) -> None:
        await asyncio.sleep(delay)
        replies = await send(client, url, session, text)
        assert replies and ASSISTANT_DOWN not in replies[0]["text"], (session, text, replies)
        # The gateway answers one message of a conversation at a time: the order the
        # replies come back is the order it handed the messages to Rasa.
        answered.append(text)

    await asyncio.gather(*(one(i * 0.005, text) for i, text in enumerate(texts)))


async def drive(url: str) -> dict[str, list[str]]:
    rng = random.Random(8)  # noqa: S311 - a fixed mix of texts, not a secret
    answered: dict[str, list[str]] = {}
    jobs = []
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        for i in range(SENDERS):
            session = f"scaleout-{i:03d}-{uuid.uuid4().hex[:8]}"
            texts = rng.sample(TEXTS, MESSAGES_PER_SENDER)
            answered[session] = []
            sender = burst_sender if i < BURST_SENDERS else sequential_sender
            jobs.append(sender(client, url, session, texts, answered[session]))
        await asyncio.gather(*jobs)
    return answered


def user_texts(tracker: dict) -> list[str]:
    return [e.get("text") for e in tracker["events"] if e.get("event") == "user"]


def test_every_tracker_is_complete_and_in_order_on_one_server(cluster):
    stack, proxies = cluster
    started = time.monotonic()
    answered = asyncio.run(drive(stack.urls["web_api"]))
    elapsed = time.monotonic() - started
    total = sum(len(texts) for texts in answered.values())
    assert total == SENDERS * MESSAGES_PER_SENDER
    print(f"{total} messages from {SENDERS} senders in {elapsed:.1f}s")

    proxy_urls = [proxy.url for proxy in proxies]
    for session, texts in answered.items():
        conversation = f"web:{session}"
        # One server per sender, the one the gateway's hashing names.
        counts = [proxy.senders.get(conversation, 0) for proxy in proxies]
        served_by = [proxy.url for proxy, count in zip(proxies, counts, strict=True) if count]
        assert served_by == [pick_server(proxy_urls, conversation)], (session, counts)
        assert sum(counts) == len(texts), (session, counts)
        # The shared tracker, read through the server that did not serve the sender: the
        # Redis tracker store is what both see.
        other = next(p for p in proxies if p.url != served_by[0]).target
        response = httpx.get(f"{other}/conversations/{quote(conversation, safe=':')}/tracker")
        response.raise_for_status()
        assert user_texts(response.json()) == texts, session
    for proxy in proxies:
        assert len(proxy.senders) >= SENDERS // 8, "one server got (almost) no traffic"
