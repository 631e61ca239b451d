"""The gateway's channel tells what the assistant understood of a turn: codes, no text."""

from __future__ import annotations

from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import gateway_channel
from bot.channels.gateway_channel import GatewayInput, turn_of

SLOTS = [
    TextSlot(name, mappings=[{"type": "custom"}])
    for name in ("comune", "appointment_office", "citizen_name")
]
FAQ_PARSE = {
    "text": "cos'è la DID?",
    "intent": {"name": "faq", "confidence": 0.93},
    "entities": [],
    "response_selector": {
        "all_retrieval_intents": ["faq"],
        "faq": {
            "response": {
                "intent_response_key": "faq/did",
                "responses": [{"text": "La DID è ..."}],
                "confidence": 0.9,
            },
            "ranking": [{"intent_response_key": "faq/did", "confidence": 0.9}],
        },
    },
}


def tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("web:abc", list(events), slots=SLOTS)


def test_a_faq_turn_gives_the_intent_and_the_key_only():
    turn = turn_of(tracker(UserUttered("cos'è la DID?", parse_data=FAQ_PARSE)))
    assert turn == {
        "latest_message": {
            "intent": {"name": "faq", "confidence": 0.93},
            "response_selector": {"faq": {"response": {"intent_response_key": "faq/did"}}},
        },
        "slots": {"comune": None, "appointment_office": None},
    }


def test_only_the_place_slots_leave_rasa():
    parse = {"text": "x", "intent": {"name": "office_info", "confidence": 0.9}, "entities": []}
    turn = turn_of(
        tracker(
            SlotSet("citizen_name", "Maria Rossi"),
            SlotSet("comune", "Cosenza"),
            UserUttered("dove si trova il cpi di Cosenza?", parse_data=parse),
        )
    )
    assert turn["slots"] == {"comune": "Cosenza", "appointment_office": None}
    assert "Maria" not in str(turn) and "dove si trova" not in str(turn)


def test_a_conversation_without_messages_has_an_empty_turn():
    assert turn_of(tracker()) == {
        "latest_message": {"intent": {}},
        "slots": {"comune": None, "appointment_office": None},
    }


async def test_saving_a_tracker_notes_the_turn_only_for_awaited_conversations(monkeypatch):
    saved = []

    class Store:
        async def save(self, tracker):
            saved.append(tracker.sender_id)

    processor = MessageProcessor.__new__(MessageProcessor)
    processor.tracker_store = Store()
    monkeypatch.setattr(gateway_channel, "_awaited", {"web:abc": None})
    await processor.save_tracker(tracker(UserUttered("x", parse_data=FAQ_PARSE)))
    other = DialogueStateTracker.from_events("web:other", [], slots=SLOTS)
    await processor.save_tracker(other)
    assert saved == ["web:abc", "web:other"]
    assert gateway_channel._awaited["web:abc"]["latest_message"]["intent"]["name"] == "faq"
    assert "web:other" not in gateway_channel._awaited


def test_the_channel_listens_at_its_own_webhook():
    assert GatewayInput.name() == "gateway"
    assert GatewayInput().url_prefix() == "gateway"
