"""How the gateway picks a Rasa server and reads its replies."""

from integrations.channels.base import text_with_options
from integrations.messages import Button, Reply
from integrations.rasa_client import parse_rasa_replies, pick_server

SERVERS = ["http://rasa-1:5005", "http://rasa-2:5005", "http://rasa-3:5005"]


def test_a_conversation_always_lands_on_the_same_server():
    for sender in (f"web:{i}" for i in range(50)):
        assert len({pick_server(SERVERS, sender) for _ in range(5)}) == 1


def test_conversations_spread_over_all_servers():
    chosen = {pick_server(SERVERS, f"web:{i}") for i in range(300)}
    assert chosen == set(SERVERS)


def test_removing_a_server_moves_only_its_conversations():
    senders = [f"telegram:{i}" for i in range(300)]
    before = {s: pick_server(SERVERS, s) for s in senders}
    after = {s: pick_server(SERVERS[:2], s) for s in senders}
    moved = [s for s in senders if before[s] != after[s]]
    assert all(before[s] == SERVERS[2] for s in moved)


def test_rasa_replies_keep_text_and_buttons():
    body = [
        {"recipient_id": "x", "text": "Ciao!", "buttons": [{"title": "Sì", "payload": "/affirm"}]},
        {"recipient_id": "x", "text": "  "},
    ]
    assert parse_rasa_replies(body) == [
        Reply(text="Ciao!", buttons=[Button(title="Sì", payload="/affirm")])
    ]


def test_channels_without_buttons_get_numbered_options():
    reply = Reply(
        text="Scegli:", buttons=[Button(title="Uno", payload="1"), Button(title="Due", payload="2")]
    )
    assert text_with_options(reply) == "Scegli:\n\n1. Uno\n2. Due"
