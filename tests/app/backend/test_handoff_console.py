"""The console's handoff routes: visibility, take, reply, note, transfer, close, WebSocket."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.console.sessions import COOKIE_NAME
from backend.handoffs import service
from backend.handoffs.schemas import HandoffIn
from backend.models import AuditEntry, Handoff
from tests.app.backend.console_helpers import console_client, make_operator, sign_in
from tests.app.backend.handoff_helpers import handoff_body, outbound

pytestmark = pytest.mark.integration

API = "/api/console"


class Console:
    """A signed-in console: the client and the CSRF header every POST needs."""

    def __init__(self, client, operator) -> None:
        self.client, self.operator = client, operator
        self.csrf = sign_in(client, operator)
        self.token = client.cookies[COOKIE_NAME]

    def get(self, path: str):
        return self.client.get(f"{API}{path}")

    def post(self, path: str, body: dict | None = None):
        return self.client.post(
            f"{API}{path}", json=body or {}, headers={"X-CSRF-Token": self.csrf}
        )

    def websocket(self):
        # ws:// in TestClient: the Secure cookie goes as a plain header (wss:// in browsers).
        return self.client.websocket_connect(
            f"{API}/ws", headers={"cookie": f"{COOKIE_NAME}={self.token}"}
        )


@pytest.fixture
def people(db_session, now, redis_prefix):
    """Operators of Cosenza (2) and Catanzaro, supervisors of Calabria and Lazio, an admin."""
    seen = {"last_seen_at": now - timedelta(seconds=10)}
    return {
        "cosenza": make_operator(db_session, display_name="Maria Rossi", **seen),
        "cosenza2": make_operator(db_session, display_name="Luca Bianchi", **seen),
        "catanzaro": make_operator(db_session, offices=("cpi-catanzaro",), **seen),
        "supervisor": make_operator(db_session, role="supervisor", offices=(), **seen),
        "lazio": make_operator(db_session, role="supervisor", region="Lazio", offices=()),
        "admin": make_operator(db_session, role="admin", region=None, offices=()),
    }


def make_handoff(db_session, **fields) -> Handoff:
    conversation_id = fields.pop("conversation_id", f"web:{uuid.uuid4().hex[:12]}")
    handoff, created = service.create(
        db_session, HandoffIn(**handoff_body(conversation_id, **fields))
    )
    assert created
    return handoff


@pytest.fixture
def handoffs(db_session, people):
    return {
        "cosenza": make_handoff(db_session, comune="Cosenza"),
        "catanzaro": make_handoff(db_session, comune="Catanzaro"),
        "shared": make_handoff(db_session, comune="Milano"),
        "lazio": make_handoff(db_session, comune="Latina"),
    }


def console(db_session, operator):
    cm = console_client(db_session)
    return cm, Console(cm.__enter__(), operator)


@pytest.fixture
def open_console(db_session):
    opened = []

    def open_as(operator) -> Console:
        cm, signed_in = console(db_session, operator)
        opened.append(cm)
        return signed_in

    yield open_as
    for cm in opened:
        cm.__exit__(None, None, None)


def listed(console: Console) -> set[int]:
    response = console.get("/handoffs?state=open")
    assert response.status_code == 200, response.text
    return {h["id"] for h in response.json()}


# --- visibility ---------------------------------------------------------------------------


def test_each_role_lists_what_it_may_see(people, handoffs, open_console):
    ids = {name: h.id for name, h in handoffs.items()}
    assert handoffs["shared"].office_id is None and handoffs["lazio"].region == "Lazio"
    assert listed(open_console(people["cosenza"])) >= {ids["cosenza"], ids["shared"]}
    assert not listed(open_console(people["cosenza"])) & {ids["catanzaro"], ids["lazio"]}
    assert {ids["catanzaro"], ids["shared"]} <= listed(open_console(people["catanzaro"]))
    supervisor = listed(open_console(people["supervisor"]))
    assert {ids["cosenza"], ids["catanzaro"], ids["shared"]} <= supervisor
    assert ids["lazio"] not in supervisor
    assert ids["lazio"] in listed(open_console(people["lazio"]))
    assert set(ids.values()) <= listed(open_console(people["admin"]))


def test_an_operator_never_reaches_another_offices_conversation(people, handoffs, open_console):
    other = handoffs["catanzaro"].id
    maria = open_console(people["cosenza"])
    for response in (
        maria.get(f"/handoffs/{other}"),
        maria.get(f"/handoffs/{other}/suggestions"),
        maria.post(f"/handoffs/{other}/take"),
        maria.post(f"/handoffs/{other}/messages", {"text": "ciao"}),
        maria.post(f"/handoffs/{other}/notes", {"text": "nota"}),
        maria.post(f"/handoffs/{other}/transfer", {"office_code": "cpi-cosenza"}),
        maria.post(f"/handoffs/{other}/close", {"outcome": "risolto"}),
    ):
        assert response.status_code == 404, response.text
        assert response.json() == {"detail": "Conversazione non trovata."}
    assert handoffs["catanzaro"].status == "waiting"


def test_the_list_shows_office_waiting_time_and_last_message(people, handoffs, open_console):
    item = next(
        h for h in open_console(people["cosenza"]).get("/handoffs").json()
        if h["id"] == handoffs["cosenza"].id
    )  # fmt: skip
    assert item["office"] == {"code": "cpi-cosenza", "name": "Centro per l'Impiego di Cosenza"}
    assert item["status"] == "waiting" and item["operator"] is None
    assert item["last_message"]["sender"] == "bot"
    assert item["waiting_seconds"] == 0


# --- take, reply, note ----------------------------------------------------------------------


def test_taking_tells_the_citizen_and_a_second_operator_gets_409(
    people, handoffs, open_console, redis_client, redis_prefix
):
    handoff = handoffs["cosenza"]
    maria, luca = open_console(people["cosenza"]), open_console(people["cosenza2"])
    taken = maria.post(f"/handoffs/{handoff.id}/take")
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == "active"
    assert taken.json()["operator"]["display_name"] == "Maria Rossi"
    conflict = luca.post(f"/handoffs/{handoff.id}/take")
    assert conflict.status_code == 409
    assert (
        conflict.json()["detail"] == "La conversazione è già stata presa in carico da Maria Rossi."
    )
    assert maria.post(f"/handoffs/{handoff.id}/take").status_code == 200  # idempotent
    [entry] = outbound(redis_client, redis_prefix)
    assert entry["kind"] == "taken"
    # First name only, and the office in full.
    assert entry["text"].startswith("Ti risponde Maria del Centro per l'Impiego di Cosenza")
    assert "Rossi" not in entry["text"]
    mode = json.loads(redis_client.get(f"{redis_prefix}mode:{handoff.conversation_id}"))
    assert mode == {"handoff_id": handoff.id, "status": "active"}


def test_a_reply_makes_exactly_one_outbound_entry(
    people, handoffs, open_console, redis_client, redis_prefix, db_session
):
    handoff = handoffs["cosenza"]
    maria = open_console(people["cosenza"])
    assert maria.post(f"/handoffs/{handoff.id}/messages", {"text": "ciao"}).status_code == 409
    maria.post(f"/handoffs/{handoff.id}/take")
    response = maria.post(
        f"/handoffs/{handoff.id}/messages", {"text": " Buongiorno, come posso aiutarti? "}
    )
    assert response.status_code == 201, response.text
    message = response.json()
    assert message["sender"] == "operator" and message["operator_name"] == "Maria Rossi"
    assert message["text"] == "Buongiorno, come posso aiutarti?"
    sent = [e for e in outbound(redis_client, redis_prefix) if e["kind"] == "operator_message"]
    assert sent == [
        {
            "event_id": f"hm:{message['id']}",
            "kind": "operator_message",
            "conversation_id": handoff.conversation_id,
            "handoff_id": str(handoff.id),
            "text": "Buongiorno, come posso aiutarti?",
        }
    ]
    luca = open_console(people["cosenza2"])
    refused = luca.post(f"/handoffs/{handoff.id}/messages", {"text": "ci sono anch'io"})
    assert refused.status_code == 403
    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.handoff_id == handoff.id).order_by(AuditEntry.id)
    ).all()
    assert actions == ["handoff_created", "take", "reply"]


def test_notes_stay_in_the_console(people, handoffs, open_console, redis_client, redis_prefix):
    handoff = handoffs["shared"]
    luca = open_console(people["cosenza2"])
    assert (
        luca.post(f"/handoffs/{handoff.id}/notes", {"text": "Richiamare domani"}).status_code == 201
    )
    assert outbound(redis_client, redis_prefix) == []
    messages = luca.get(f"/handoffs/{handoff.id}").json()["messages"]
    assert messages[-1]["sender"] == "note" and messages[-1]["operator_name"] == "Luca Bianchi"


# --- transfer and close ---------------------------------------------------------------------


def test_transfer_to_a_colleague_keeps_it_active(
    people, handoffs, open_console, redis_client, redis_prefix
):
    handoff = handoffs["cosenza"]
    maria = open_console(people["cosenza"])
    maria.post(f"/handoffs/{handoff.id}/take")
    refused = maria.post(
        f"/handoffs/{handoff.id}/transfer", {"operator_id": people["catanzaro"].id}
    )
    assert refused.status_code == 422  # cannot see Cosenza's conversations
    both = maria.post(
        f"/handoffs/{handoff.id}/transfer",
        {"operator_id": people["cosenza2"].id, "office_code": "cpi-paola"},
    )
    assert both.status_code == 422
    moved = maria.post(f"/handoffs/{handoff.id}/transfer", {"operator_id": people["cosenza2"].id})
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "active"
    assert moved.json()["operator"]["id"] == people["cosenza2"].id
    assert outbound(redis_client, redis_prefix)[-1]["text"] == (
        "Ti sto passando a un collega, che ti risponderà qui tra poco."
    )
    # The former operator may no longer write in it.
    assert maria.post(f"/handoffs/{handoff.id}/messages", {"text": "x"}).status_code == 403


def test_transfer_to_another_office_puts_it_back_in_that_queue(
    people, handoffs, open_console, redis_client, redis_prefix
):
    handoff = handoffs["cosenza"]
    maria = open_console(people["cosenza"])
    maria.post(f"/handoffs/{handoff.id}/take")
    assert (
        maria.post(f"/handoffs/{handoff.id}/transfer", {"office_code": "cpi-latina"}).status_code
        == 422
    )
    moved = maria.post(f"/handoffs/{handoff.id}/transfer", {"office_code": "cpi-catanzaro"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "waiting" and moved.json()["operator"] is None
    mode = json.loads(redis_client.get(f"{redis_prefix}mode:{handoff.conversation_id}"))
    assert mode["status"] == "waiting"
    assert "Centro per l'Impiego di Catanzaro" in outbound(redis_client, redis_prefix)[-1]["text"]
    assert maria.get(f"/handoffs/{handoff.id}").status_code == 404
    catanzaro = open_console(people["catanzaro"])
    assert catanzaro.post(f"/handoffs/{handoff.id}/take").status_code == 200


def test_closing_deletes_the_mode_and_tells_the_citizen(
    people, handoffs, open_console, redis_client, redis_prefix, db_session
):
    handoff = handoffs["cosenza"]
    maria, luca = open_console(people["cosenza"]), open_console(people["cosenza2"])
    maria.post(f"/handoffs/{handoff.id}/take")
    assert maria.post(f"/handoffs/{handoff.id}/close", {"outcome": "boh"}).status_code == 422
    assert luca.post(f"/handoffs/{handoff.id}/close", {"outcome": "risolto"}).status_code == 403
    closed = maria.post(f"/handoffs/{handoff.id}/close", {"outcome": "appuntamento_fissato"})
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert closed.json()["outcome"] == "appuntamento_fissato"
    assert redis_client.get(f"{redis_prefix}mode:{handoff.conversation_id}") is None
    last = outbound(redis_client, redis_prefix)[-1]
    assert last["kind"] == "closed"
    assert "assistente virtuale" in last["text"] and "Grazie" in last["text"]
    assert maria.post(f"/handoffs/{handoff.id}/messages", {"text": "x"}).status_code == 409
    assert handoff.id in {h["id"] for h in maria.get("/handoffs?state=closed").json()}
    assert handoff.id not in listed(maria)
    audit = db_session.scalar(
        select(AuditEntry).where(AuditEntry.handoff_id == handoff.id, AuditEntry.action == "close")
    )
    assert (audit.operator_id, audit.detail) == (people["cosenza"].id, "appuntamento_fissato")


def test_a_supervisor_may_close_a_waiting_conversation(people, handoffs, open_console):
    supervisor = open_console(people["supervisor"])
    response = supervisor.post(
        f"/handoffs/{handoffs['shared'].id}/close", {"outcome": "cittadino_assente"}
    )
    assert response.status_code == 200


# --- live events ----------------------------------------------------------------------------


@pytest.mark.timeout(30)
def test_the_websocket_brings_events_of_visible_conversations_only(people, handoffs, open_console):
    maria, other = open_console(people["cosenza"]), open_console(people["catanzaro"])
    cosenza, catanzaro = handoffs["cosenza"], handoffs["catanzaro"]
    with maria.websocket() as maria_ws, other.websocket() as other_ws:
        assert json.loads(maria_ws.receive_text()) == {"type": "ready"}
        assert json.loads(other_ws.receive_text()) == {"type": "ready"}
        maria.post(f"/handoffs/{cosenza.id}/take")
        maria.post(f"/handoffs/{cosenza.id}/messages", {"text": "Buongiorno"})
        taken = json.loads(maria_ws.receive_text())
        assert taken == {"type": "handoff_updated", "handoff_id": cosenza.id, "status": "active"}
        message = json.loads(maria_ws.receive_text())
        assert message["type"] == "message" and message["handoff_id"] == cosenza.id
        assert message["message"]["text"] == "Buongiorno"
        # Catanzaro's console heard nothing of Cosenza: its first event is its own.
        other.post(f"/handoffs/{catanzaro.id}/take")
        first = json.loads(other_ws.receive_text())
        assert first["handoff_id"] == catanzaro.id


def test_the_websocket_refuses_a_console_without_a_session(db_session):
    from starlette.websockets import WebSocketDisconnect

    with (
        console_client(db_session) as client,
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(f"{API}/ws") as ws,
    ):
        ws.receive_text()
