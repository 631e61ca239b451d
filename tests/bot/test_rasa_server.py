"""bot/rasa_server.py: Rasa behaves as Rasa does, only without the costs it patches away:
action responses validated the same, events read back as the same classes, one kept-alive
connection to an endpoint, the same graph outputs without dask."""

from __future__ import annotations

import os
import time

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import rasa_server

VALID = {
    "events": [{"event": "slot", "name": "comune", "value": "Cosenza"}],
    "responses": [{"text": "Ciao", "buttons": [{"title": "Sì", "payload": "/affirm"}]}],
}
INVALID = {"events": "not a list", "responses": []}


@pytest.fixture
def patched(monkeypatch: pytest.MonkeyPatch) -> RemoteAction:
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    original = RemoteAction("action_test", None)
    with pytest.raises(jsonschema.ValidationError) as expected:
        original._validate_action_result(INVALID)
    rasa_server.patch_action_response_validation()
    action = RemoteAction("action_test", None)
    action.expected_message = expected.value.message  # type: ignore[attr-defined]
    return action


def test_a_valid_response_passes(patched: RemoteAction) -> None:
    assert patched._validate_action_result(VALID) is True


def test_an_invalid_response_fails_with_rasas_own_message(patched: RemoteAction) -> None:
    with pytest.raises(jsonschema.ValidationError) as raised:
        patched._validate_action_result(INVALID)
    assert raised.value.message == patched.expected_message  # type: ignore[attr-defined]
    assert "Failed to validate Action server response" in raised.value.message


def test_it_is_much_cheaper_than_validating_the_schema_every_time(
    patched: RemoteAction,
) -> None:
    schema = RemoteAction.action_response_format_spec()
    started = time.perf_counter()
    for _ in range(5):
        jsonschema.validate(VALID, schema)
    unpatched = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(5):
        patched._validate_action_result(VALID)
    assert time.perf_counter() - started < unpatched / 5


@pytest.fixture
def event_lookup_patched(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.shared.core.events import Event

    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])
    rasa_server.patch_event_type_lookup()


def test_events_read_back_are_the_classes_rasa_would_pick(event_lookup_patched: None) -> None:
    from rasa.shared.core.events import (
        ActionExecuted,
        Event,
        SlotSet,
        UserUttered,
        deserialise_events,
    )

    serialised = [
        {"event": "user", "text": "ciao", "parse_data": {"intent": {"name": "greet"}}},
        {"event": "action", "name": "utter_greet"},
        {"event": "slot", "name": "comune", "value": "Cosenza"},
    ]
    events = deserialise_events(serialised)
    assert [type(e) for e in events] == [UserUttered, ActionExecuted, SlotSet]
    assert events[2].value == "Cosenza"
    # Unknown names behave as in Rasa: the default, None for the old "topic", else an error.
    assert Event.resolve_by_type("nonsense", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("nonsense")


async def test_calls_to_an_endpoint_share_one_kept_alive_connection(monkeypatch):
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    rasa_server.patch_endpoint_sessions()
    peers: list[tuple[str, int]] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": [], "echo": await request.json()})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        first = await endpoint.request(json={"n": 1}, method="post")
        second = await endpoint.request(json={"n": 2}, method="post")
        assert (first["echo"], second["echo"]) == ({"n": 1}, {"n": 2})
        assert len(peers) == 2 and peers[0] == peers[1]  # the same client connection
        async with endpoint.session() as session:
            assert not session.closed  # leaving the `async with` keeps it open
        await session.close()
        # A closed session is replaced, not reused.
        third = await endpoint.request(json={"n": 3}, method="post")
        assert third["echo"] == {"n": 3}
        async with endpoint.session() as again:
            await again.close()
    finally:
        await runner.cleanup()


TEXTS = [
    "ciao",
    "cos'è la DID?",
    "posso avere l'assegno di inclusione? abito a Rende",
    "RSSMRA85M01H501Z",
    "vorrei spostare l'appuntamento di giovedì",
]


@pytest.mark.skipif(
    not os.environ.get("SPORTELLO_TEST_MODEL"), reason="needs a trained model (scripts/test.sh)"
)
@pytest.mark.filterwarnings("ignore::UserWarning")  # Rasa's own, on loading the domain
async def test_the_graph_gives_what_dask_gives(monkeypatch):
    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    monkeypatch.setattr(DaskGraphRunner, "run", DaskGraphRunner.run)
    agent = Agent.load(os.environ["SPORTELLO_TEST_MODEL"])

    async def outputs() -> list[object]:
        found: list[object] = []
        for text in TEXTS:
            parse = await agent.parse_message(text)
            tracker = DialogueStateTracker.from_events(
                "test", [ActionExecuted("action_listen"), UserUttered(text, parse_data=parse)]
            )
            prediction = agent.processor._predict_next_with_tracker(tracker)
            found.append((parse, prediction.max_confidence_index, prediction.policy_name))
        return found

    by_dask = await outputs()
    rasa_server.patch_graph_runner()
    assert await outputs() == by_dask
