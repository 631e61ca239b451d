"""Comuni are normalised to their ISTAT names and found in the text; tax codes are
upper-cased and deduplicated; only the contract's measures survive."""

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.entity_postprocessor import EntityPostprocessor, search_key


@pytest.fixture
def trained(tmp_path: Path) -> tuple[EntityPostprocessor, LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("entity_postprocessor")
    context = ExecutionContext(GraphSchema({}), "test")
    component = EntityPostprocessor.create({}, storage, resource, context)
    data = TrainingData(
        lookup_tables=[
            {
                "name": "comune",
                "elements": [
                    "Cosenza",
                    "Cirò Marina",
                    "Reggio di Calabria",
                    "Maida",
                    "Chiaravalle Centrale",
                    "Fondi",
                    "Salve",
                    "Campagna",
                    "Rende",
                    "Catanzaro",
                    "Acquaro",
                ],
            }
        ],
        entity_synonyms={"reggio": "Reggio di Calabria", "il reddito": "rdc"},
    )
    component.train(data)
    return component, storage, resource


def entities(component: EntityPostprocessor, found: list[dict], text: str = "x") -> list[dict]:
    message = Message(data={"text": text, "entities": found})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    component.process([message])
    return message.get("entities")


def comuni_in(component: EntityPostprocessor, text: str, found: list[dict] = ()) -> list[str]:
    return [e["value"] for e in entities(component, list(found), text) if e["entity"] == "comune"]


def test_search_key_folds_case_accents_and_punctuation():
    assert search_key("CIRO' marina") == search_key("Cirò Marina") == "ciro marina"


def test_comuni_get_their_official_name(trained):
    component, _, _ = trained
    out = entities(
        component,
        [
            {"entity": "comune", "value": "cosenza", "start": 0, "end": 7},
            {"entity": "comune", "value": "ciro marina", "start": 0, "end": 11},
            {"entity": "comune", "value": "REGGIO", "start": 0, "end": 6},
            {"entity": "comune", "value": "Paperopoli", "start": 0, "end": 10},
            {"entity": "comune", "value": "cosnza", "start": 0, "end": 6},
        ],
    )
    assert [e["value"] for e in out] == [
        "Cosenza",
        "Cirò Marina",
        "Reggio di Calabria",
        "Paperopoli",  # written as a name: kept, the actions say they do not know it
        "Cosenza",  # a typo of a known name
    ]


def test_a_lower_case_word_that_is_no_comune_is_dropped(trained):
    component, _, _ = trained
    text = "vorrei aprire una pizzeria"
    guess = {"entity": "comune", "value": "pizzeria", "start": 18, "end": 26}
    assert comuni_in(component, text, [guess]) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Maida", ["Maida"]),
        ("maida", ["Maida"]),  # a bare answer
        ("abito a maida da dieci anni", ["Maida"]),
        ("al cpi di Cosenza.", ["Cosenza"]),
        ("il cpi di fondi dove si trova", ["Fondi"]),
        ("fondi", ["Fondi"]),  # the whole message: the answer to "in quale comune?"
        ("sto a Fondi vicino al mare", ["Fondi"]),
        ("abito a chiaravalle centrale", ["Chiaravalle Centrale"]),
        ("sposta la prenotazione x cosenza di domani", ["Cosenza"]),
        ("ciro marina o reggio di calabria", ["Cirò Marina", "Reggio di Calabria"]),
        # Comuni that are Italian words, used as words.
        ("salve", []),
        ("Salve, vorrei un appuntamento", []),
        ("ho lavorato in campagna e nei ristoranti", []),
        ("ci sono fondi per aprire un'impresa?", []),
        ("Fondi europei per le imprese", []),
        ("mi rende felice", []),
    ],
)
def test_comuni_named_in_the_text_are_found_where_a_place_is_meant(trained, text, expected):
    component, _, _ = trained
    assert comuni_in(component, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cosnza", ["Cosenza"]),  # the whole message, written as a name
        ("cosnza", []),  # as likely a misspelt word ("graize")
        ("abito a cosnza", ["Cosenza"]),
        ("il cpi di catanzro dove sta?", ["Catanzaro"]),
        ("vivo a Catnazaro da poco", ["Catanzaro"]),  # two letters swapped
        ("Cosennza", ["Cosenza"]),
        # One edit may not join or split words.
        ("abito a cose nza", []),
        # A typo counts only where a place is surely meant.
        ("ho scritto cosnza sul modulo ma era sbagliato", []),
        # An Italian word one letter from a comune is the word ("acquario", Acquaro).
        ("vado a acquario con i bambini", []),
        ("acquario", []),
        # Two letters off is no typo.
        ("abito a cosnz", []),
    ],
)
def test_a_comune_misspelt_by_one_letter_is_found_where_a_place_is_meant(trained, text, expected):
    component, _, _ = trained
    assert comuni_in(component, text) == expected


def test_a_typo_spans_what_the_citizen_wrote(trained):
    component, _, _ = trained
    out = entities(component, [], "sto a cosnza.")
    assert [(e["value"], e["start"], e["end"]) for e in out] == [("Cosenza", 6, 12)]


def test_a_found_name_spans_the_name_only(trained):
    component, _, _ = trained
    out = entities(component, [], "il cpi di Rende? grazie")
    assert [(e["value"], e["start"], e["end"]) for e in out] == [("Rende", 10, 15)]


def test_a_name_in_the_text_replaces_a_shorter_guess(trained):
    component, _, _ = trained
    text = "abito a Chiaravalle Centrale"
    guess = {"entity": "comune", "value": "Chiaravalle", "start": 8, "end": 19}
    out = entities(component, [guess], text)
    assert [(e["value"], e["start"], e["end"]) for e in out] == [("Chiaravalle Centrale", 8, 28)]


def test_tax_codes_are_upper_cased_and_kept_once(trained):
    component, _, _ = trained
    code = {"entity": "codice_fiscale", "start": 0, "end": 16}
    out = entities(
        component,
        [{**code, "value": "rssmra85m01h501q"}, {**code, "value": "RSSMRA85M01H501Q"}],
    )
    assert [e["value"] for e in out] == ["RSSMRA85M01H501Q"]


def test_only_the_contracts_measures_survive(trained):
    component, _, _ = trained
    measure = {"entity": "misura", "start": 0, "end": 3}
    values = ["e", "disoccupato", "sfl", "garanzia_giovani"]
    out = entities(component, [{**measure, "value": value} for value in values])
    assert [e["value"] for e in out] == ["sfl", "garanzia_giovani"]


def test_the_mapping_survives_persistence(trained):
    _, storage, resource = trained
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = EntityPostprocessor.load({}, storage, resource, context)
    out = entities(loaded, [{"entity": "comune", "value": "cosenza", "start": 0, "end": 7}])
    assert out[0]["value"] == "Cosenza"
    assert comuni_in(loaded, "abito a cosnza") == ["Cosenza"]
    assert comuni_in(loaded, "acquario") == []
