"""Personal data never reach the logs, on any channel, across the four real processes.

A citizen on the web widget, on Telegram and on WhatsApp writes their tax code, phone
number, e-mail and IBAN, asks for an operator, consents and leaves a message with them
again (the handoff stores its transcript). Then every log file of the stack and every
stored transcript line are searched: none of those values may appear in clear, in any
form (the phone also as bare digits), and neither may the WhatsApp sender's own number.

Telegram and WhatsApp run against the local fakes of the Bot API and the Graph API
(tests/app/gateway/fakes.py); webhooks are signed as the real services sign them. The
conversation uses only the handoff flow, so any trained model serves
(SPORTELLO_TEST_MODEL; skipped without one).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from backend.migrate import upgrade
from backend.seed import seed_all
from tests.app.conftest import create_database, drop_database
from tests.app.gateway.fakes import FakeGraph, FakeTelegram, fixture, serve

ROOT = Path(__file__).resolve().parents[1].parent
sys.path.insert(0, str(ROOT / "scripts"))

from stack import Stack  # noqa: E402

from tests.app.processes import free_port  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.stack]

TAX_CODE = "RSSMRA85M01H501Q"
PHONE = "333 1234567"
EMAIL = "mario.rossi@example.it"
IBAN = "IT60X0542811101000000123456"
SECRETS_MESSAGE = (
    f"il mio codice fiscale è {TAX_CODE}, telefono {PHONE}, email {EMAIL}, IBAN {IBAN}"
)
TICKET_MESSAGE = f"richiamatemi al {PHONE} o scrivete a {EMAIL}, codice fiscale {TAX_CODE}"
WHATSAPP_SENDER = "393471234567"
FORBIDDEN = [
    TAX_CODE,
    TAX_CODE.lower(),
    PHONE,
    PHONE.replace(" ", ""),
    "+39" + PHONE.replace(" ", ""),
    EMAIL,
    IBAN,
    WHATSAPP_SENDER,
    WHATSAPP_SENDER[2:],
]

TELEGRAM_TOKEN = "7012345678:AAHf-privacy-token-for-the-fake-bot-api"
TELEGRAM_SECRET = "privacy-webhook-secret-0123456789"
TELEGRAM_CHAT = 918273645
WHATSAPP_TOKEN = "EAAGprivacyaccesstokenforthefakegraphapi"
WHATSAPP_APP_SECRET = "a0b1c2d3e4f5061728394a5b6c7d8e9f"
WHATSAPP_VERIFY_TOKEN = "privacy-verify-token-0123456789"
WHATSAPP_PHONE_NUMBER_ID = "106540352242922"


def wait_until(condition: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.2)
    raise AssertionError("no answer in time")


@pytest.fixture(scope="module")
def fakes() -> Iterator[tuple[FakeTelegram, str, FakeGraph, str]]:
    telegram = FakeTelegram(TELEGRAM_TOKEN)
    graph = FakeGraph(WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID)
    with serve(telegram.app) as telegram_url, serve(graph.app) as graph_url:
        yield telegram, telegram_url, graph, graph_url


@pytest.fixture(scope="module")
def stack(fakes, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, str]]:
    model = os.environ.get("SPORTELLO_TEST_MODEL")
    if not model or not Path(model).exists():
        pytest.skip("no trained model: run through `make test`, which trains it")
    _, telegram_url, _, graph_url = fakes
    name = f"sportello_privacy_{uuid.uuid4().hex[:8]}"
    url = create_database(name)
    tag = uuid.uuid4().hex[:8]
    try:
        upgrade(url)
        engine = create_engine(url)
        with Session(engine) as session:
            seed_all(session)
        engine.dispose()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SPORTELLO_ENV": "test",
            "BACKEND_PORT": str(free_port()),
            "ACTIONS_PORT": str(free_port()),
            "RASA_PORT": str(free_port()),
            "GATEWAY_PORT": str(free_port()),
            "HANDOFF_REDIS_PREFIX": f"sportello:privacy:{tag}:",
            "REDIS_KEY_PREFIX": f"sportello:privacy-gw:{tag}:",
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE_URL": f"{telegram_url}/bot",
            "WHATSAPP_ACCESS_TOKEN": WHATSAPP_TOKEN,
            "WHATSAPP_APP_SECRET": WHATSAPP_APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": WHATSAPP_VERIFY_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": WHATSAPP_PHONE_NUMBER_ID,
            "WHATSAPP_GRAPH_BASE_URL": f"{graph_url}/v21.0",
        }
        stack = Stack(model=Path(model), env=env, log_dir=tmp_path_factory.mktemp("logs"))
        stack.start()
        try:
            stack.wait_healthy(timeout=300)
            yield stack, url
        except BaseException:
            for log in sorted(stack.log_dir.glob("*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
            raise
        finally:
            stack.stop()
    finally:
        drop_database(name)


def gateway_url(stack: Stack) -> str:
    return stack.urls["widget"].rstrip("/")


def post(url: str, body: bytes, headers: dict[str, str]) -> Any:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", **headers}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


CONVERSATION = [
    "ciao",
    SECRETS_MESSAGE,
    "voglio parlare con un operatore",
    "sì",  # consent: nobody is online, so a ticket, which asks for a message
    TICKET_MESSAGE,
    "qui in chat",
]


def web_conversation(stack: Stack) -> list[str]:
    said = []
    for text in CONVERSATION:
        body = json.dumps({"session_id": "privacy-web-0001", "text": text}).encode()
        replies = post(f"{gateway_url(stack)}/api/web/messages", body, {})["replies"]
        said += [r["text"] for r in replies]
    return said


def telegram_conversation(stack: Stack, telegram: FakeTelegram) -> list[str]:
    for number, text in enumerate(CONVERSATION):
        before = len(telegram.sent())
        update = fixture("telegram/update_text.json")
        update["update_id"] = 700000 + number
        update["message"]["message_id"] = 900 + number
        update["message"]["text"] = text
        update["message"]["chat"]["id"] = TELEGRAM_CHAT
        update["message"]["from"]["id"] = TELEGRAM_CHAT
        post(
            f"{gateway_url(stack)}/api/telegram/webhook",
            json.dumps(update).encode(),
            {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        )
        wait_until(lambda before=before: len(telegram.sent()) > before)
        time.sleep(0.5)  # a turn may send several messages
    return [m["text"] for m in telegram.sent() if str(m["chat_id"]) == str(TELEGRAM_CHAT)]


def whatsapp_conversation(stack: Stack, graph: FakeGraph) -> list[str]:
    for number, text in enumerate(CONVERSATION):
        before = len(graph.sent)
        payload = fixture("whatsapp/text.json")
        value = payload["entry"][0]["changes"][0]["value"]
        value["contacts"][0]["wa_id"] = WHATSAPP_SENDER
        message = value["messages"][0]
        message["from"] = WHATSAPP_SENDER
        message["id"] = f"wamid.privacy{number:04d}{uuid.uuid4().hex[:8]}"
        message["text"]["body"] = text
        body = json.dumps(payload).encode()
        signature = hmac.new(WHATSAPP_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        post(
            f"{gateway_url(stack)}/api/whatsapp/webhook",
            body,
            {"X-Hub-Signature-256": f"sha256={signature}"},
        )
        wait_until(lambda before=before: len(graph.sent) > before)
        time.sleep(0.5)
    return [
        m.get("text", {}).get("body") or m.get("interactive", {}).get("body", {}).get("text", "")
        for m in graph.sent
        if m["to"] == WHATSAPP_SENDER
    ]


def test_no_personal_data_in_any_log_nor_transcript_on_any_channel(stack, fakes):
    running, database = stack
    telegram, _, graph, _ = fakes
    said = {
        "web": web_conversation(running),
        "telegram": telegram_conversation(running, telegram),
        "whatsapp": whatsapp_conversation(running, graph),
    }
    for channel, texts in said.items():
        # Each channel got to the end: the ticket was left, with the message.
        assert any("Ho registrato il tuo messaggio" in t for t in texts), (channel, texts)

    engine = create_engine(database)
    with engine.connect() as conn:
        rows = conn.execute(
            sql_text(
                "SELECT h.conversation_id, m.text FROM handoff_messages m "
                "JOIN handoffs h ON h.id = m.handoff_id"
            )
        ).all()
        contexts = conn.execute(sql_text("SELECT context FROM handoffs")).scalars().all()
    engine.dispose()
    channels = {conversation.partition(":")[0] for conversation, _ in rows}
    assert channels == {"web", "telegram", "whatsapp"}
    transcripts = "\n".join(line for _, line in rows)
    assert "[codice fiscale]" in transcripts and "[IBAN]" in transcripts

    # Stop the processes so that every line is flushed, then read every log.
    running.stop()
    logs = {p.name: p.read_text(errors="replace") for p in running.log_dir.glob("*.log")}
    assert set(logs) == {"backend.log", "actions.log", "rasa.log", "gateway.log"}
    places = {**logs, "handoff_messages": transcripts, "handoffs.context": json.dumps(contexts)}
    leaks = [
        (place, secret)
        for place, content in places.items()
        for secret in FORBIDDEN
        if secret.casefold() in content.casefold()
    ]
    assert leaks == []
