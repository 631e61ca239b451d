"""Small local servers speaking Rasa's, Telegram's and Meta's wire formats.

Each runs in a thread on a free port with uvicorn, so that the gateway talks to it over
real HTTP exactly as it talks to the real services.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def wait_for(condition: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run an ASGI app on a free local port; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_for(lambda: server.started)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


GREETING = (
    "Ciao! Sono l'assistente virtuale dei Centri per l'Impiego. Posso darti informazioni "
    "sui servizi per il lavoro, dirti dove si trova il tuo Centro per l'Impiego.\n"
    'Privacy: uso solo i dati che mi scrivi e solo per risponderti. Scrivi "privacy" per '
    "saperne di più.\n"
)
GREETING_BUTTONS = [
    {"title": "Trova il tuo CPI", "payload": "/office_info"},
    {"title": "Verifica i requisiti", "payload": "/check_eligibility"},
    {"title": "Prenota un appuntamento", "payload": "/book_appointment"},
    {"title": "Parla con un operatore", "payload": "/request_human"},
]
TOWN_BUTTONS = [
    {"title": "Cosenza", "payload": '/inform{"comune":"Cosenza"}'},
    {"title": "Reggio di Calabria", "payload": '/inform{"comune":"Reggio di Calabria"}'},
]
LONG_PAYLOAD = '/inform{"comune":"San Giovanni in Fiore","provincia":"Cosenza","x":"' + "y" * 40


class FakeRasa:
    """Rasa's gateway channel (bot/channels/gateway_channel.py): POST
    /webhooks/gateway/webhook {sender, message} -> {"messages": [...], "turn": {...}}."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.received: list[tuple[str, str]] = []
        self.max_parallel_per_sender = 0
        self._active: dict[str, int] = {}
        self.app = FastAPI()
        self.app.post("/webhooks/gateway/webhook")(self._webhook)

    def reset(self) -> None:
        self.received.clear()
        self.max_parallel_per_sender = 0
        self.delay = 0.0

    def texts_from(self, sender: str) -> list[str]:
        return [text for who, text in self.received if who == sender]

    async def _webhook(self, request: Request) -> dict[str, Any]:
        body = await request.json()
        sender, text = body["sender"], body["message"]
        self._active[sender] = self._active.get(sender, 0) + 1
        self.max_parallel_per_sender = max(self.max_parallel_per_sender, self._active[sender])
        try:
            await asyncio.sleep(self.delay)
            self.received.append((sender, text))
        finally:
            self._active[sender] -= 1
        messages = [{"recipient_id": sender, **item} for item in self._answer(text)]
        return {"messages": messages, "turn": {"latest_message": {"intent": {"name": "x"}}}}

    @staticmethod
    def _answer(text: str) -> list[dict[str, Any]]:
        if text == "ciao":
            return [{"text": GREETING, "buttons": GREETING_BUTTONS}]
        if text == "/office_info":
            return [{"text": "In quale comune abiti?", "buttons": TOWN_BUTTONS}]
        if text.startswith('/inform{"comune":"Cosenza"'):
            return [{"text": "📍 Centro per l'Impiego di Cosenza\nVia Giulia"}]
        if text == "tante opzioni":
            options = [{"title": f"Opzione {i}", "payload": f"/o{i}"} for i in range(1, 12)]
            return [{"text": "Scegli:", "buttons": options}]
        if text == "payload lungo":
            button = {"title": "San Giovanni in Fiore", "payload": LONG_PAYLOAD}
            return [{"text": "Scegli:", "buttons": [button]}]
        if text == "silenzio":
            return []
        return [{"text": f"Hai scritto: {text}"}]


class FakeTelegram:
    """The Bot API: POST /bot<token>/<method>, form-encoded or JSON, answers {ok, result}."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []
        # The next this many sendMessage calls fail with a 502, as a Bot API outage would.
        self.failures = 0
        # Chats whose citizen blocked the bot: sendMessage answers 403.
        self.blocked: set[str] = set()
        self.app = FastAPI()
        self.app.post("/bot{token}/{method}")(self._method)

    def reset(self) -> None:
        self.calls.clear()
        self.failures = 0
        self.blocked.clear()

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    async def _method(self, token: str, method: str, request: Request) -> JSONResponse:
        if token != self.token:
            return JSONResponse(fixture("telegram/response_unauthorized.json"), status_code=401)
        if request.headers.get("content-type", "").startswith("application/json"):
            params = await request.json()
        else:
            # PTB sends form fields; structured values (reply_markup...) as JSON strings.
            form = await request.form()
            params = {key: str(value) for key, value in form.items()}
            for key in ("reply_markup", "allowed_updates"):
                if key in params:
                    params[key] = json.loads(params[key])
        if method == "sendMessage" and self.failures > 0:
            self.failures -= 1
            error = {"ok": False, "error_code": 502, "description": "Bad Gateway"}
            return JSONResponse(error, status_code=502)
        if method == "sendMessage" and str(params.get("chat_id")) in self.blocked:
            error = {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            }
            return JSONResponse(error, status_code=403)
        self.calls.append((method, params))
        if method == "getMe":
            return JSONResponse(fixture("telegram/response_getMe.json"))
        if method == "sendMessage":
            answer = fixture("telegram/response_sendMessage.json")
            result = answer["result"]
            result["message_id"] = len(self.calls)
            result["chat"]["id"] = int(params["chat_id"])
            result["text"] = params["text"]
            if "reply_markup" in params:
                result["reply_markup"] = params["reply_markup"]
            return JSONResponse(answer)
        if method == "getWebhookInfo":
            info = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
            return JSONResponse({"ok": True, "result": info})
        return JSONResponse({"ok": True, "result": True})


class FakeGraph:
    """The Graph API's POST /v21.0/<phone-number-id>/messages, with the Cloud API's limits."""

    def __init__(self, token: str, phone_number_id: str) -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self.sent: list[dict[str, Any]] = []
        self.refused: list[dict[str, Any]] = []
        self.app = FastAPI()
        self.app.post("/v21.0/{phone_number_id}/messages")(self._messages)

    def reset(self) -> None:
        self.sent.clear()
        self.refused.clear()

    async def _messages(self, phone_number_id: str, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse(fixture("whatsapp/response_error_auth.json"), status_code=401)
        body = await request.json()
        if phone_number_id != self.phone_number_id or not self._valid(body):
            self.refused.append(body)
            return JSONResponse(fixture("whatsapp/response_error_parameter.json"), status_code=400)
        self.sent.append(body)
        answer = fixture("whatsapp/response_messages.json")
        answer["contacts"] = [{"input": body["to"], "wa_id": body["to"]}]
        answer["messages"] = [{"id": f"wamid.{uuid.uuid4().hex}"}]
        return JSONResponse(answer)

    @staticmethod
    def _valid(body: dict[str, Any]) -> bool:
        if body.get("messaging_product") != "whatsapp" or not body.get("to"):
            return False
        kind = body.get("type")
        if kind == "text":
            return 0 < len(body["text"]["body"]) <= 4096
        if kind == "template":
            return bool(body["template"]["name"]) and "language" in body["template"]
        if kind != "interactive":
            return False
        interactive = body["interactive"]
        if not 0 < len(interactive["body"]["text"]) <= 1024:
            return False
        if interactive["type"] == "button":
            buttons = interactive["action"]["buttons"]
            return 0 < len(buttons) <= 3 and all(
                0 < len(b["reply"]["title"]) <= 20 and len(b["reply"]["id"]) <= 256 for b in buttons
            )
        rows = [row for section in interactive["action"]["sections"] for row in section["rows"]]
        return (
            len(interactive["action"]["button"]) <= 20
            and 0 < len(rows) <= 10
            and all(len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in rows)
        )
