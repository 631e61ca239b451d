"""With the backend, Redis or the Rasa server stopped, every channel still answers.

The four real processes (scripts/stack.py, the trained model of SPORTELLO_TEST_MODEL)
run with Telegram and WhatsApp configured against the local fake Bot API and Graph API
(tests/app/gateway/fakes.py), and with a redis-server of this module's own on a free
port, so that stopping Redis never touches the machine's. For each part in turn the test
stops the real process, writes on the web widget, Telegram (signed webhook) and WhatsApp
(signed webhook), checks the Italian apology that says what to do, that no request got
a 5xx and that the other processes are still alive; then starts the part again and
waits, bounded, until normal answers come back by themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from integrations.conversation import ASSISTANT_DOWN
from tests.app.gateway.fakes import FakeGraph, FakeTelegram, fixture, serve
from tests.app.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from stack import Stack  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.stack]

TELEGRAM_TOKEN = "7012345678:AAHf-resilience-token-for-the-fake"
TELEGRAM_SECRET = "resilience-webhook-secret-0123456789"
WHATSAPP_TOKEN = "EAAGresilienceaccesstokenforthefake"
WHATSAPP_APP_SECRET = "9a8b7c6d5e4f30211203f4e5d6c7b8a9"
WHATSAPP_VERIFY_TOKEN = "resilience-verify-token-0123456789"
WHATSAPP_PHONE_NUMBER_ID = "106540352242922"

OFFICE_QUESTION = "dove si trova il centro per l'impiego di Cosenza?"
# actions/messages.py BACKEND_DOWN: sorry, the service is down, retry or ask for a person.
BACKEND_DOWN = "non riesco a recuperare le informazioni"
GREETING = "Ciao! Sono l'assistente virtuale dei Centri per l'Impiego"
OFFICE = "Centro per l'Impiego di Cosenza"
# A turn of Rasa with a custom action is slow on 2 busy cores: wait this long per answer.
ANSWER_SECONDS = 60.0
RESUME_SECONDS = 90.0


NO_PERSISTENCE = ["--save", "", "--appendonly", "no"]


class RedisServer:
    """A redis-server process of this module's own, without persistence."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._log = log_dir / "redis.log"
        self._popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        with self._log.open("ab") as log:
            self._popen = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", *NO_PERSISTENCE],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        client = redis.Redis.from_url(self.url)
        try:
            eventually(lambda: self._ping(client), 10, "redis-server did not start")
        finally:
            client.close()

    @staticmethod
    def _ping(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self._popen is not None and self._popen.poll() is None:
            self._popen.terminate()
            self._popen.wait(10)
        self._popen = None


def settled(read: Callable[[], str], timeout: float, message: str) -> str:
    """What `read` returns once something arrived and nothing more came for a moment."""
    last = eventually(read, timeout, message)
    while True:
        time.sleep(1.5)
        now = read()
        if now == last:
            return now
        last = now


def eventually(check: Callable[[], Any], timeout: float, message: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(message or "condition not met in time")
        time.sleep(0.3)


@dataclass
class Service:
    stack: Stack
    redis: RedisServer
    telegram: FakeTelegram
    graph: FakeGraph
    gateway: str

    def alive(self, *names: str) -> None:
        for name in names:
            popen = self.stack.get(name).popen
            assert popen is not None and popen.poll() is None, f"{name} is not running"


@pytest.fixture(scope="module")
def service(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    model = os.environ.get("SPORTELLO_TEST_MODEL")
    if not model or not Path(model).exists():
        pytest.skip("no trained model: run through `make test`, which trains it")
    log_dir = tmp_path_factory.mktemp("resilience-logs")
    tag = uuid.uuid4().hex[:8]
    with ExitStack() as cleanup:
        telegram, graph = FakeTelegram(TELEGRAM_TOKEN), FakeGraph(WHATSAPP_TOKEN, "unused")
        graph.phone_number_id = WHATSAPP_PHONE_NUMBER_ID
        telegram_url = cleanup.enter_context(serve(telegram.app))
        graph_url = cleanup.enter_context(serve(graph.app))
        redis_server = RedisServer(log_dir)
        redis_server.start()
        cleanup.callback(redis_server.stop)
        gateway_port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SPORTELLO_ENV": "test",
            "BACKEND_PORT": str(free_port()),
            "ACTIONS_PORT": str(free_port()),
            "RASA_PORT": str(free_port()),
            "GATEWAY_PORT": str(gateway_port),
            "REDIS_URL": redis_server.url,
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(redis_server.port),
            "REDIS_KEY_PREFIX": f"sportello:resilience-gw:{tag}:",
            "HANDOFF_REDIS_PREFIX": f"sportello:resilience:{tag}:",
            "RATE_LIMIT_PER_MINUTE": "1000",
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE_URL": f"{telegram_url}/bot",
            "WHATSAPP_ACCESS_TOKEN": WHATSAPP_TOKEN,
            "WHATSAPP_APP_SECRET": WHATSAPP_APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": WHATSAPP_VERIFY_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": WHATSAPP_PHONE_NUMBER_ID,
            "WHATSAPP_GRAPH_BASE_URL": f"{graph_url}/v21.0",
            "WHATSAPP_TEMPLATE_NAME": "",
        }
        stack = Stack(model=Path(model), env=env, log_dir=log_dir)
        stack.start()
        cleanup.callback(stack.stop)
        try:
            stack.wait_healthy(timeout=300)
            yield Service(stack, redis_server, telegram, graph, f"http://127.0.0.1:{gateway_port}")
        except BaseException:
            for log in sorted(log_dir.glob("*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
            raise


# --- the three channels, as a citizen uses them -------------------------------------------

_ids = itertools.count(int(time.time()) % 1_000_000 * 1000)


def http(url: str, body: bytes | None = None, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=ANSWER_SECONDS + 10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def web(service: Service, text: str) -> str:
    """The replies' texts to one message on the widget's API (a new session each time)."""
    body = {"session_id": f"resil{next(_ids)}", "text": text, "message_id": f"m{next(_ids)}"}
    status, raw = http(
        f"{service.gateway}/api/web/messages",
        json.dumps(body).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 200, raw
    return "\n".join(reply["text"] for reply in json.loads(raw)["replies"])


def telegram(service: Service, text: str) -> str:
    """Send one update from a new chat; the texts the fake Bot API was asked to send."""
    chat_id = 500_000_000 + next(_ids) % 100_000_000
    update = fixture("telegram/update_text.json")
    update["update_id"] = next(_ids)
    update["message"]["text"] = text
    update["message"]["chat"]["id"] = chat_id
    update["message"]["from"]["id"] = chat_id
    status, raw = http(
        f"{service.gateway}/api/telegram/webhook",
        json.dumps(update).encode(),
        {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )
    assert status == 200, raw

    def sent() -> str:
        return "\n".join(
            p["text"] for p in service.telegram.sent() if str(p.get("chat_id")) == str(chat_id)
        )

    return settled(sent, ANSWER_SECONDS, f"no Telegram answer to {text!r}")


def whatsapp(service: Service, text: str) -> str:
    """Send one signed notification from a new number; the texts sent to it."""
    phone = f"39347{next(_ids) % 10_000_000:07d}"
    payload = fixture("whatsapp/text.json")
    value = payload["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = WHATSAPP_PHONE_NUMBER_ID
    value["contacts"][0]["wa_id"] = phone
    message = value["messages"][0]
    message.update({"from": phone, "id": f"wamid.resilience{next(_ids)}"})
    message["text"]["body"] = text
    raw_body = json.dumps(payload).encode()
    signature = hmac.new(WHATSAPP_APP_SECRET.encode(), raw_body, hashlib.sha256).hexdigest()
    status, raw = http(
        f"{service.gateway}/api/whatsapp/webhook",
        raw_body,
        {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={signature}"},
    )
    assert status == 200, raw

    def sent() -> str:
        texts = []
        for body in service.graph.sent:
            if body.get("to") != phone:
                continue
            if body["type"] == "text":
                texts.append(body["text"]["body"])
            elif body["type"] == "interactive":
                texts.append(body["interactive"]["body"]["text"])
        return "\n".join(texts)

    return settled(sent, ANSWER_SECONDS, f"no WhatsApp answer to {text!r}")


CHANNELS = {"web": web, "telegram": telegram, "whatsapp": whatsapp}


def every_channel(service: Service, text: str) -> dict[str, str]:
    return {name: send(service, text) for name, send in CHANNELS.items()}


def resumes(service: Service, text: str, expected: str) -> None:
    """Normal answers come back by themselves, on every channel, within RESUME_SECONDS."""
    deadline = time.monotonic() + RESUME_SECONDS
    for name, send in CHANNELS.items():
        while True:
            answer = send(service, text)
            if expected in answer:
                break
            assert time.monotonic() < deadline, f"{name} did not resume: {answer!r}"
            time.sleep(1)


# --- the tests ----------------------------------------------------------------------------


def test_every_channel_answers_when_all_parts_run(service: Service):
    for name, answer in every_channel(service, "ciao").items():
        assert GREETING in answer, (name, answer)


def test_backend_down_the_actions_apologise_and_say_what_to_do(service: Service):
    service.stack.stop(only=["backend"])
    try:
        for name, answer in every_channel(service, OFFICE_QUESTION).items():
            assert BACKEND_DOWN in answer, (name, answer)
            assert "Riprova tra qualche minuto" in answer and "operatore" in answer
        # Questions the assistant answers by itself still get their answer.
        assert GREETING in web(service, "ciao")
        service.alive("gateway", "rasa", "actions")
    finally:
        service.stack.start(only=["backend"])
    service.stack.wait_healthy(timeout=120, only=["backend"])
    resumes(service, OFFICE_QUESTION, OFFICE)


def test_redis_down_the_gateway_answers_without_its_guards(service: Service):
    service.redis.stop()
    try:
        # Deduplication, rate limits, the WhatsApp window and the handoff mode are skipped;
        # the assistant answers as usual (docs/channels.md, "Redis down").
        for name, answer in every_channel(service, "ciao").items():
            assert GREETING in answer, (name, answer)
        session = f"resil{next(_ids)}"
        status, raw = http(f"{service.gateway}/api/web/updates?session_id={session}&after=3")
        assert (status, json.loads(raw)) == (200, {"replies": [], "next": 3})
        service.alive("gateway", "rasa", "actions", "backend")
    finally:
        service.redis.start()
    # The guards come back by themselves (the gateway tries Redis again after 10 s)...
    client = redis.Redis.from_url(service.redis.url, decode_responses=True)
    prefix = service.stack.env["REDIS_KEY_PREFIX"]
    try:

        def deduplicated_again() -> bool:
            web(service, "ciao")
            return bool(client.keys(f"{prefix}dedup:web:*"))

        eventually(deduplicated_again, RESUME_SECONDS, "deduplication did not resume")
        # ...and so does the consumer of operators' messages, on the restarted (empty)
        # Redis: it creates its group again and delivers to the widget's outbox.
        session = f"resil{next(_ids)}"
        handoff_prefix = service.stack.env["HANDOFF_REDIS_PREFIX"]
        client.xadd(
            f"{handoff_prefix}outbound",
            {
                "event_id": f"ev:{uuid.uuid4()}",
                "kind": "notice",
                "conversation_id": f"web:{session}",
                "handoff_id": "0",
                "text": "Messaggio di prova dopo il ritorno di Redis.",
            },
        )

        def delivered() -> bool:
            status, raw = http(f"{service.gateway}/api/web/updates?session_id={session}")
            return status == 200 and bool(json.loads(raw)["replies"])

        eventually(delivered, RESUME_SECONDS, "operators' messages did not resume")
    finally:
        client.close()
    service.alive("gateway", "rasa", "actions", "backend")


def test_rasa_down_the_gateway_apologises_and_says_what_to_do(service: Service):
    service.stack.stop(only=["rasa"])
    try:
        for name, answer in every_channel(service, "ciao").items():
            assert answer == ASSISTANT_DOWN.text, (name, answer)
        service.alive("gateway", "actions", "backend")
    finally:
        service.stack.start(only=["rasa"])
    service.stack.wait_healthy(timeout=240, only=["rasa"])
    resumes(service, "ciao", GREETING)
