"""LinearIntentClassifier: intents and calibrated rankings from the text, faq as one intent."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.linear_intent_classifier import LinearIntentClassifier, Markers

EXAMPLES = {
    "greet": ["ciao", "buongiorno", "salve", "buonasera", "ciao a tutti", "ehi ciao"],
    "goodbye": ["arrivederci", "a presto", "ciao ciao grazie", "alla prossima", "addio", "bye"],
    "book_appointment": [
        "vorrei prenotare un appuntamento",
        "prenota un appuntamento al cpi",
        "voglio un appuntamento",
        "fissare un appuntamento con un operatore",
        "posso prenotare un colloquio?",
        "prenotazione appuntamento",
    ],
    "inform": [
        "Cosenza",
        "abito a Rende",
        "RSSMRA80A01D086X",
        "sono di Cosenza",
        "Rende",
        "vivo a Cosenza",
    ],
    "out_of_scope": [
        "che tempo fa domani",
        "raccontami una barzelletta",
        "chi ha vinto la partita",
        "qual è la capitale della Francia",
        "mi consigli una pizzeria",
        "quanto costa il bollo auto",
    ],
}
FAQ = {
    "faq/naspi": [
        "cos'è la naspi",
        "come chiedo la naspi",
        "naspi disoccupazione",
        "info sulla naspi",
    ],
    "faq/did": [
        "cos'è la did",
        "come faccio la did",
        "dichiarazione di immediata disponibilità",
        "did online",
    ],
}


def training_data() -> TrainingData:
    messages = [
        Message(data={"text": text, "intent": intent})
        for intent, texts in EXAMPLES.items()
        for text in texts
    ]
    for key, texts in FAQ.items():
        # What Rasa's reader gives for `faq/<key>` examples.
        messages += [
            Message(data={"text": t, "intent": "faq", "intent_response_key": key}) for t in texts
        ]
    # A story's intent-only turn (no text) is not a training example.
    messages.append(Message(data={"intent": "greet"}))
    return TrainingData(
        training_examples=messages,
        lookup_tables=[{"name": "comune", "elements": ["Cosenza", "Rende", "Cirò Marina"]}],
        regex_features=[
            {
                "name": "codice_fiscale",
                "pattern": r"\b[A-Za-z]{6}[0-9LMNPQRSTUV]{2}[A-Za-z][0-9LMNPQRSTUV]{2}"
                r"[A-Za-z][0-9LMNPQRSTUV]{3}[A-Za-z]\b",
            }
        ],
    )


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


CONTEXT = ExecutionContext(GraphSchema({}), "test")
RESOURCE = Resource("linear_intent_classifier")


@pytest.fixture
def trained(storage: LocalModelStorage) -> LinearIntentClassifier:
    component = LinearIntentClassifier.create({}, storage, RESOURCE, CONTEXT)
    component.train(training_data())
    return component


def parse(component: LinearIntentClassifier, *texts: str) -> list[Message]:
    messages = [Message(data={"text": t}) for t in texts]
    component.process(messages)
    return messages


def test_intents_and_a_calibrated_ranking(trained):
    greet, book, faq = parse(
        trained, "ciao!", "vorrei prenotare un appuntamento per lunedì", "cos'è la naspi?"
    )
    assert greet.get("intent")["name"] == "greet"
    assert book.get("intent")["name"] == "book_appointment"
    # faq/<key> examples are learnt as the retrieval intent `faq`, never as the key.
    assert faq.get("intent")["name"] == "faq"
    ranking = book.get("intent_ranking")
    names = [r["name"] for r in ranking]
    assert set(names) == {"greet", "goodbye", "book_appointment", "inform", "out_of_scope", "faq"}
    assert not any("/" in n for n in names)
    assert ranking[0] == book.get("intent")
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)
    assert all(isinstance(c, float) and 0 < c < 1 for c in confidences)
    # Intent and ranking are part of the parse result.
    assert {"intent", "intent_ranking"} <= set(book.as_dict(only_output_properties=True))


@pytest.mark.parametrize(
    "text",
    [
        "vorrei prenotare un appuntamento per lunedì",
        "abito a Cirò Marina",
        "RSSMRA80A01D086X",
        "CIAO!!!",
        "zzz qwerty",  # no known n-gram of the words: only the intercept and char n-grams
        "",
    ],
)
def test_one_text_is_scored_like_sklearns_decision_function(trained, text):
    # The one-text path (what Rasa runs for each message) and sklearn's batch path agree.
    fast = trained._fast(text)
    batch = trained._decision(trained._model, [text])[0]
    assert fast == pytest.approx(batch, abs=1e-9)


def test_a_class_bias_is_added_to_that_class_only(storage, trained):
    leaning = LinearIntentClassifier.create(
        {"class_bias": {"out_of_scope": 0.5}}, storage, Resource("biased"), CONTEXT
    )
    leaning.train(training_data())
    text = "mi consigli un buon ristorante?"
    plain = trained._decision(trained._model, [text])[0]
    biased = leaning._decision(leaning._model, [text])[0]
    shift = dict(zip(trained._model["svm"].classes_, biased - plain, strict=True))
    assert shift.pop("out_of_scope") == pytest.approx(0.5)
    assert all(v == pytest.approx(0.0) for v in shift.values())
    # The one-text path leans the same way.
    one, batch = leaning.predict([text])[0], leaning.predict([text, text])[0]
    assert [r["name"] for r in one] == [r["name"] for r in batch]
    assert [r["confidence"] for r in one] == pytest.approx([r["confidence"] for r in batch])


def test_ranking_is_cut_to_the_configured_length(storage):
    component = LinearIntentClassifier.create({"ranking_length": 3}, storage, RESOURCE, CONTEXT)
    component.train(training_data())
    (message,) = parse(component, "buongiorno")
    assert len(message.get("intent_ranking")) == 3


def test_lookup_and_regex_matches_become_marker_words():
    markers = Markers.from_training_data(training_data())
    town, code, both, long_text, nothing = markers.add(
        [
            "CIRO' MARINA",
            "rssmra80a01d086x",
            "Rende RSSMRA80A01D086X",
            "abito a Rende ma lavoro da un'altra parte",
            "boh",
        ]
    )
    assert town.split()[-2:] == ["zzlookupcomunezz", "zzshortmatchzz"]
    assert code.split()[-2:] == ["zzregexcodicefiscalezz", "zzshortmatchzz"]
    assert both.endswith("zzlookupcomunezz zzregexcodicefiscalezz zzshortmatchzz")
    assert long_text.endswith("zzlookupcomunezz")
    assert nothing == "boh"


def test_training_is_deterministic_whatever_the_order_of_the_examples(trained, tmp_path):
    (tmp_path / "again").mkdir()
    other = LinearIntentClassifier.create(
        {}, LocalModelStorage(tmp_path / "again"), RESOURCE, CONTEXT
    )
    data = training_data()
    # Rasa's loader does not keep the files' order from one run to the next.
    other.train(
        TrainingData(
            training_examples=data.training_examples[::-1],
            lookup_tables=data.lookup_tables,
            regex_features=data.regex_features,
        )
    )
    texts = ("salve", "sono di Cirò Marina", "che ore sono a Tokyo")
    first = [m.get("intent_ranking") for m in parse(trained, *texts)]
    second = [m.get("intent_ranking") for m in parse(other, *texts)]
    assert first == second


def test_persistence_round_trip(storage, trained):
    texts = ("ciao", "Rende", "come faccio la did", "raccontami una barzelletta sul calcio")
    before = [m.get("intent_ranking") for m in parse(trained, *texts)]
    loaded = LinearIntentClassifier.load({}, storage, RESOURCE, CONTEXT)
    after = [m.get("intent_ranking") for m in parse(loaded, *texts)]
    assert after == before
    assert loaded._markers.as_dict() == trained._markers.as_dict()


def test_training_data_keeps_its_gold_labels(trained):
    data = training_data()
    trained.process_training_data(data)
    assert {m.get("intent") for m in data.intent_examples} == {*EXAMPLES, "faq"}


def test_untrained_component_leaves_messages_alone(storage):
    component = LinearIntentClassifier.load({}, storage, Resource("never_trained"), CONTEXT)
    (message,) = parse(component, "ciao")
    assert message.get("intent") is None
    empty = LinearIntentClassifier.create({}, storage, RESOURCE, CONTEXT)
    empty.train(TrainingData())
    (message,) = parse(empty, "ciao")
    assert message.get("intent") is None


def test_a_message_without_text_gets_no_intent(trained):
    message = Message(data={"text": ""})
    trained.process([message])
    assert message.get("intent") == {"name": None, "confidence": 0.0}
    assert message.get("intent_ranking") == []


def test_one_intent_only(storage):
    component = LinearIntentClassifier.create({}, storage, RESOURCE, CONTEXT)
    component.train(TrainingData([Message(data={"text": "ciao", "intent": "greet"})]))
    loaded = LinearIntentClassifier.load({}, storage, RESOURCE, CONTEXT)
    (message,) = parse(loaded, "buonasera")
    assert message.get("intent") == {"name": "greet", "confidence": 1.0}


def test_two_intents_give_probabilities(storage):
    data = TrainingData(
        [Message(data={"text": t, "intent": "greet"}) for t in EXAMPLES["greet"]]
        + [Message(data={"text": t, "intent": "goodbye"}) for t in EXAMPLES["goodbye"]]
    )
    component = LinearIntentClassifier.create({}, storage, RESOURCE, CONTEXT)
    component.train(data)
    (message,) = parse(component, "arrivederci e grazie")
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking] == ["goodbye", "greet"]
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert ranking[0]["confidence"] > 0.5


def test_registered_as_an_intent_classifier():
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    registered = DefaultV1Recipe._from_registry(LinearIntentClassifier.__name__)
    assert registered.is_trainable
    assert DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER in registered.types
