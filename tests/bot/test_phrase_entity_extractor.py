"""Measures are found by the phrases the training data annotate, where they mean a measure."""

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.phrase_entity_extractor import PhraseEntityExtractor

TOKENIZER = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())


def example(text: str, *spans: tuple[str, str]) -> Message:
    """A training example whose (surface, value) spans are annotated as `misura`."""
    entities = []
    for surface, value in spans:
        start = text.index(surface)
        entities.append(
            {"entity": "misura", "start": start, "end": start + len(surface), "value": value}
        )
    message = Message(data={"text": text, "intent": "x", "entities": entities})
    TOKENIZER.process_training_data(TrainingData([message]))
    return message


EXAMPLES = [
    example("posso avere l assegno di inclusione ?", ("assegno di inclusione", "adi")),
    example("cos è l assegno di inclusione", ("assegno di inclusione", "adi")),
    example("ho diritto alla naspi ?", ("naspi", "naspi")),
    example("prendevo il reddito e ora ?", ("il reddito", "rdc")),
    example("mi hanno tolto il reddito", ("il reddito", "rdc")),
    example("il reddito di cittadinanza è finito", ("reddito di cittadinanza", "rdc")),
    example("il mio reddito è basso"),
    example("con un reddito basso cosa posso fare"),
    example("posso avere la disoccupazione ?", ("disoccupazione", "naspi")),
    example("come chiedo la disoccupazione", ("disoccupazione", "naspi")),
    example("come mantengo lo stato di disoccupazione"),
    example("cosa vuol dire stato di disoccupazione"),
    example("perdo lo stato di disoccupazione se lavoro ?"),
    example("ho perso lo stato di disoccupazione"),
    example("non ho ancora lo stato di disoccupazione"),
    example("quando arriva disoccupazione ad aprile ?", ("disoccupazione", "naspi")),
]


@pytest.fixture
def trained(tmp_path: Path) -> tuple[PhraseEntityExtractor, LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("phrase_entity_extractor")
    context = ExecutionContext(GraphSchema({}), "test")
    component = PhraseEntityExtractor.create({}, storage, resource, context)
    synonyms = {
        "naspy": "naspi",
        # Misspellings taught as synonyms make "redito" and "citadinanza" phrase words.
        "redito di cittadinanza": "rdc",
        "reddito di citadinanza": "rdc",
    }
    component.train(TrainingData(EXAMPLES, entity_synonyms=synonyms))
    return component, storage, resource


def measures(component: PhraseEntityExtractor, text: str) -> list[tuple[str, str]]:
    message = Message(data={"text": text})
    TOKENIZER.process([message])
    component.process([message])
    return [(text[e["start"] : e["end"]], e["value"]) for e in message.get("entities", [])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vorrei l assegno di inclusione", [("assegno di inclusione", "adi")]),
        ("Assegno Di Inclusione?", [("Assegno Di Inclusione", "adi")]),
        ("NASPI come funziona", [("NASPI", "naspi")]),
        ("una domanda sulla naspy", [("naspy", "naspi")]),  # a synonym
        ("asegno di inclusone", [("asegno di inclusone", "adi")]),  # typos, one per word
        ("asegno di inclusione", [("asegno di inclusione", "adi")]),
        # Each word misspelt, though each is also a phrase word as written.
        ("redito di citadinanza", [("redito di citadinanza", "rdc")]),
        # The longest phrase wins: "reddito di cittadinanza", not "il reddito".
        ("il reddito di cittadinanza", [("reddito di cittadinanza", "rdc")]),
        # The same word, a measure or not by the words around it.
        ("hanno tolto il reddito", [("il reddito", "rdc")]),
        ("il mio reddito è basso", []),
        ("la disoccupazione", [("disoccupazione", "naspi")]),
        ("sono in stato di disoccupazione", []),
        # Each side votes: "arriva" (once, a measure) outweighs the end of the message
        # (six times, four of them the status).
        ("quando arriva disoccupazione", [("disoccupazione", "naspi")]),
        ("naspi e adi", [("naspi", "naspi"), ("adi", "adi")]),  # values are phrases too
    ],
)
def test_measures_are_found_where_they_mean_a_measure(trained, text, expected):
    component, _, _ = trained
    assert measures(component, text) == expected


def test_the_phrases_survive_persistence(trained):
    _, storage, resource = trained
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = PhraseEntityExtractor.load({}, storage, resource, context)
    assert measures(loaded, "posso avere la naspy ?") == [("naspy", "naspi")]


def test_an_untrained_extractor_finds_nothing(tmp_path):
    context = ExecutionContext(GraphSchema({}), "test")
    component = PhraseEntityExtractor.load(
        {}, LocalModelStorage(tmp_path), Resource("missing"), context
    )
    assert measures(component, "posso avere la naspi ?") == []
