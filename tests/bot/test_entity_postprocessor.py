"""Comuni are normalised to their ISTAT names; tax codes are upper-cased and deduplicated."""

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
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
            {"name": "comune", "elements": ["Cosenza", "Cirò Marina", "Reggio di Calabria"]}
        ],
        entity_synonyms={"reggio": "Reggio di Calabria", "il reddito": "rdc"},
    )
    component.train(data)
    return component, storage, resource


def entities(component: EntityPostprocessor, found: list[dict]) -> list[dict]:
    message = Message(data={"text": "x", "entities": found})
    component.process([message])
    return message.get("entities")


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
        ],
    )
    assert [e["value"] for e in out] == [
        "Cosenza",
        "Cirò Marina",
        "Reggio di Calabria",
        "Paperopoli",
    ]


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
