"""Stopping the backend or the gateway during a handoff loses and duplicates nothing.

The real backend and gateway processes (no Rasa: a handoff in human mode never reaches
it) share Redis streams with acknowledgements (docs/handoff.md). The citizen writes while
the backend is down; the operator writes while the gateway is down; after each restart
every message arrives exactly once, in order.
"""

from __future__ import annotations

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

from backend.services import clock
from backend.services.calendar import closed_reason
from tests.app.processes import ALL_DAY, create_operator, database_with_open_office, free_port

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from stack import Stack  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.stack]

OFFICE = "cpi-test-riavvii"
PASSWORD = "una-password-lunga-di-prova"
TOKEN = "restart-test-service-token"
PARTS = ["backend", "gateway"]


class Http:
    """JSON over HTTP with the console's session cookie and CSRF token."""

    def __init__(self) -> None:
        self.cookie = ""
        self.csrf = ""

    def call(self, method: str, url: str, body: Any = None, headers: dict | None = None) -> Any:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if self.cookie:
            all_headers |= {"Cookie": self.cookie, "X-CSRF-Token": self.csrf}
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
        with urllib.request.urlopen(request, timeout=20) as response:
            if cookie := response.headers.get("Set-Cookie"):
                self.cookie = cookie.split(";", 1)[0]
            raw = response.read()
            return json.loads(raw) if raw else None


def eventually(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tag = uuid.uuid4().hex[:8]
    office_name = "Centro per l'Impiego di prova (riavvii)"
    with database_with_open_office("sportello_restart", OFFICE, office_name) as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SPORTELLO_ENV": "test",
            "BACKEND_PORT": str(free_port()),
            "GATEWAY_PORT": str(free_port()),
            "BACKEND_SERVICE_TOKEN": TOKEN,
            "HANDOFF_REDIS_PREFIX": f"sportello:restart:{tag}:",
            "REDIS_KEY_PREFIX": f"sportello:restart-gw:{tag}:",
            "HANDOFF_STREAMS_ENABLED": "true",
            # Plain HTTP in this test: the cookie must travel without TLS.
            "CONSOLE_COOKIE_SECURE": "false",
            "SPORTELLO_ADMIN_PASSWORD": PASSWORD,
            "RATE_LIMIT_PER_MINUTE": "1000",
        }
        create_operator(env, "mario", OFFICE)
        stack = Stack(model=Path("unused"), env=env, log_dir=tmp_path_factory.mktemp("logs"))
        stack.start(only=PARTS)
        try:
            stack.wait_healthy(timeout=120, only=PARTS)
            yield stack
        except BaseException:
            for log in sorted(stack.log_dir.glob("*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
            raise
        finally:
            stack.stop(only=PARTS)


def restart(stack: Stack, part: str, while_down: Callable[[], None]) -> None:
    stack.stop(only=[part])
    while_down()
    stack.start(only=[part])
    stack.wait_healthy(timeout=120, only=[part])


def test_nothing_is_lost_or_duplicated_when_backend_and_gateway_restart(stack: Stack):
    if closed_reason(OFFICE, ALL_DAY, clock.today()):
        pytest.skip("today is a public holiday: every office is closed, the handoff is a ticket")
    backend = stack.urls["console"].removesuffix("/console/")
    gateway = stack.urls["widget"].rstrip("/")
    operator = Http()
    operator.call(
        "POST", f"{backend}/api/console/login", {"username": "mario", "password": PASSWORD}
    )
    operator.csrf = operator.call("GET", f"{backend}/api/console/me")["csrf_token"]
    session_id = f"restart{uuid.uuid4().hex[:10]}"
    service = Http()
    handoff = service.call(
        "POST",
        f"{backend}/api/handoffs",
        {
            "conversation_id": f"web:{session_id}",
            "channel": "web",
            "reason": "request_human",
            "office_code": OFFICE,
            "context": {},
            "transcript": [],
        },
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert handoff["status"] == "waiting"
    hid = handoff["id"]

    def citizen(n: int) -> None:
        body = {"session_id": session_id, "text": f"messaggio {n}", "message_id": f"msg-{n:04d}"}
        Http().call("POST", f"{gateway}/api/web/messages", body)

    def citizen_lines() -> list[str]:
        detail = operator.call("GET", f"{backend}/api/console/handoffs/{hid}")
        return [m["text"] for m in detail["messages"] if m["sender"] == "citizen"]

    # The citizen writes before, while and after the backend is down.
    for n in range(1, 4):
        citizen(n)
    restart(stack, "backend", lambda: [citizen(n) for n in range(4, 8)])
    for n in range(8, 11):
        citizen(n)
    citizen(10)  # a retried delivery of the same message: stored once
    expected = [f"messaggio {n}" for n in range(1, 11)]
    assert eventually(lambda: citizen_lines() == expected), citizen_lines()

    operator.call("POST", f"{backend}/api/console/handoffs/{hid}/take", {})

    def operator_says(n: int) -> None:
        operator.call(
            "POST", f"{backend}/api/console/handoffs/{hid}/messages", {"text": f"risposta {n}"}
        )

    def widget_lines() -> list[str]:
        updates = Http().call("GET", f"{gateway}/api/web/updates?session_id={session_id}&after=0")
        return [r["text"] for r in updates["replies"] if r["text"].startswith("risposta")]

    # The operator writes before, while and after the gateway is down.
    operator_says(1)
    assert eventually(lambda: widget_lines() == ["risposta 1"]), widget_lines()
    restart(stack, "gateway", lambda: [operator_says(n) for n in range(2, 6)])
    operator_says(6)
    replies = [f"risposta {n}" for n in range(1, 7)]
    assert eventually(lambda: widget_lines() == replies), widget_lines()

    def all_delivered() -> bool:
        detail = operator.call("GET", f"{backend}/api/console/handoffs/{hid}")
        sent = [m for m in detail["messages"] if m["sender"] == "operator"]
        return len(sent) == 6 and all(m["delivered_at"] for m in sent)

    assert eventually(all_delivered)
    time.sleep(1.0)  # nothing arrives late, twice
    assert widget_lines() == replies
    assert citizen_lines() == expected
