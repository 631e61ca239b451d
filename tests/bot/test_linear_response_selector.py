"""LinearResponseSelector: the FAQ key of a message, in ResponseSelector's output format."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.linear_response_selector import LinearResponseSelector

FAQ = {
    "faq/naspi": [
        "cos'è la naspi",
        "come chiedo la naspi",
        "naspi disoccupazione",
        "info sulla naspi",
        "quanto dura la naspi",
        "la naspi quando arriva",
    ],
    "faq/did": [
        "cos'è la did",
        "come faccio la did",
        "dichiarazione di immediata disponibilità",
        "did online",
        "dove si fa la did",
        "a cosa serve la did",
    ],
    "faq/tirocini": [
        "come funzionano i tirocini",
        "cerco un tirocinio",
        "tirocinio extracurriculare",
        "quanto pagano un tirocinio",
        "posso fare uno stage",
        "info tirocini",
    ],
}
RESPONSES = {
    "utter_faq/naspi": [{"text": "La NASpI è l'indennità di disoccupazione dell'INPS."}],
    "utter_faq/did": [{"text": "La DID è la Dichiarazione di Immediata Disponibilità."}],
    "utter_faq/tirocini": [{"text": "Un tirocinio è un periodo di formazione in azienda."}],
    "utter_greet": [{"text": "Ciao!"}],
}
CONTEXT = ExecutionContext(GraphSchema({}), "test")
RESOURCE = Resource("linear_response_selector")


def training_data() -> TrainingData:
    messages = [
        Message(data={"text": t, "intent": "faq", "intent_response_key": key})
        for key, texts in FAQ.items()
        for t in texts
    ]
    # Other intents' examples are not FAQ keys.
    messages += [Message(data={"text": t, "intent": "greet"}) for t in ("ciao", "buongiorno")]
    return TrainingData(training_examples=messages, responses=RESPONSES)


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture
def trained(storage: LocalModelStorage) -> LinearResponseSelector:
    component = LinearResponseSelector.create({}, storage, RESOURCE, CONTEXT)
    component.train(training_data())
    return component


def select(component: LinearResponseSelector, text: str) -> dict:
    message = Message(data={"text": text})
    component.process([message])
    return message.get("response_selector")


def test_the_key_the_utter_action_and_the_answer(trained: LinearResponseSelector) -> None:
    selector = select(trained, "come si fa la did online?")
    assert selector["all_retrieval_intents"] == ["faq"]
    response = selector["faq"]["response"]
    assert response["intent_response_key"] == "faq/did"
    assert response["utter_action"] == "utter_faq/did"
    assert response["responses"] == RESPONSES["utter_faq/did"]
    assert 0.0 < response["confidence"] <= 1.0


def test_the_ranking_covers_the_keys_best_first(trained: LinearResponseSelector) -> None:
    ranking = select(trained, "quanto dura la naspi?")["faq"]["ranking"]
    assert next(item["intent_response_key"] for item in ranking) == "faq/naspi"
    assert {item["intent_response_key"] for item in ranking} == set(FAQ)
    confidences = [item["confidence"] for item in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)


def test_it_does_not_touch_the_intent(trained: LinearResponseSelector) -> None:
    message = Message(data={"text": "cerco un tirocinio", "intent": {"name": "faq"}})
    trained.process([message])
    assert message.get("intent") == {"name": "faq"}


def test_a_loaded_model_selects_the_same(
    trained: LinearResponseSelector, storage: LocalModelStorage
) -> None:
    loaded = LinearResponseSelector.load({}, storage, RESOURCE, CONTEXT)
    for text in ("cerco un tirocinio in azienda", "naspi", "did"):
        assert select(loaded, text) == select(trained, text)


def test_untrained_it_leaves_messages_alone(storage: LocalModelStorage) -> None:
    component = LinearResponseSelector.load({}, storage, Resource("never_trained"), CONTEXT)
    assert select(component, "cos'è la naspi") is None
