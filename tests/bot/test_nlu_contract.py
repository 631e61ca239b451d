"""The training data honour the NLU contract (../shared/spec/nlu-contract.md).

The independent test sets score the model against these names, so a renamed intent or a
key left without examples costs every one of its test messages. The names are copied
here because the specification lives outside the repository.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import rasa.shared.data
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

ROOT = Path(__file__).resolve().parents[2]

CONTRACT_INTENTS = [
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "bot_challenge",
    "help",
    "out_of_scope",
    "request_human",
    "office_info",
    "check_eligibility",
    "book_appointment",
    "cancel_appointment",
    "reschedule_appointment",
    "list_appointments",
    "inform",
    "delete_my_data",
    "faq",
]
CONTRACT_FAQ_KEYS = [
    "iscrizione_cpi",
    "did",
    "stato_disoccupazione",
    "patto_servizio",
    "naspi",
    "documenti",
    "offerte_lavoro",
    "formazione",
    "tirocini",
    "garanzia_giovani",
    "collocamento_mirato",
    "servizi_imprese",
    "accesso_spid",
    "curriculum",
    "autoimpiego",
    "cittadini_stranieri",
    "rdc",
    "adi",
    "sfl",
    "gol",
    "privacy",
]
CONTRACT_ENTITIES = ("comune", "misura", "codice_fiscale")
MISURA_VALUES = {"gol", "adi", "sfl", "rdc", "naspi", "garanzia_giovani"}

MIN_EXAMPLES = 25
MIN_OUT_OF_SCOPE = 80


@pytest.fixture(scope="module")
def data() -> TrainingData:
    return load_data(rasa.shared.data.get_nlu_directory(str(ROOT / "nlu_data")))


@pytest.fixture(scope="module")
def domain() -> Domain:
    with warnings.catch_warnings():
        # Rasa 3.6 warns on every domain with slots that auto-fill is gone; nothing to fix.
        warnings.filterwarnings("ignore", message="Slot auto-fill has been removed")
        return Domain.load(str(ROOT / "bot" / "domain"))


def _label(example) -> str:
    return example.get("intent_response_key") or example.get("intent")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", ascii_only).strip()


def _fold_keep_symbols(text: str) -> str:
    """Case, accents and ASCII punctuation folded; emoji and other scripts kept."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[!-/:-@\\[-`{-~]+", " ", kept).split())


def test_every_contract_intent_is_in_the_domain(domain: Domain) -> None:
    assert set(CONTRACT_INTENTS) <= set(domain.intents)


def test_every_contract_entity_is_in_the_domain(domain: Domain) -> None:
    assert set(CONTRACT_ENTITIES) <= set(domain.entities)


def test_every_faq_key_has_an_answer(domain: Domain) -> None:
    missing = [key for key in CONTRACT_FAQ_KEYS if f"utter_faq/{key}" not in domain.responses]
    assert missing == []


@pytest.mark.parametrize("intent", [i for i in CONTRACT_INTENTS if i != "faq"])
def test_each_intent_has_enough_examples(data: TrainingData, intent: str) -> None:
    count = sum(1 for ex in data.intent_examples if ex.get("intent") == intent)
    floor = MIN_OUT_OF_SCOPE if intent == "out_of_scope" else MIN_EXAMPLES
    assert count >= floor, f"{intent}: {count} examples, at least {floor} wanted"


@pytest.mark.parametrize("key", CONTRACT_FAQ_KEYS)
def test_each_faq_key_has_enough_examples(data: TrainingData, key: str) -> None:
    count = sum(1 for ex in data.intent_examples if _label(ex) == f"faq/{key}")
    assert count >= MIN_EXAMPLES, f"faq/{key}: {count} examples, at least {MIN_EXAMPLES} wanted"


def test_no_text_is_taught_twice(data: TrainingData) -> None:
    """The same text (case, accents and punctuation aside) under one or two labels
    either wastes an example or teaches a contradiction."""
    labels: dict[str, set[str]] = defaultdict(set)
    counts: Counter[str] = Counter()
    for ex in data.intent_examples:
        key = _fold_keep_symbols(ex.get("text"))
        labels[key].add(_label(ex))
        counts[key] += 1
    repeated = sorted(k for k, n in counts.items() if n > 1 and k)
    assert repeated == []


def test_misura_values_are_the_contract_values(data: TrainingData) -> None:
    values = {
        entity["value"]
        for ex in data.entity_examples
        for entity in ex.get("entities", [])
        if entity["entity"] == "misura"
    }
    assert values <= MISURA_VALUES


def test_comune_values_are_official_names(data: TrainingData) -> None:
    """Annotated comuni are names of the ISTAT lookup table (case and accents aside, as
    EntityPostprocessor folds them) or synonyms of one, so the actions get official names."""
    official = {
        _fold(element)
        for table in data.lookup_tables
        if table["name"] == "comune"
        for element in table["elements"]
    }
    unknown = sorted(
        {
            value
            for ex in data.entity_examples
            for entity in ex.get("entities", [])
            if entity["entity"] == "comune"
            and _fold(value := data.entity_synonyms.get(entity["value"], entity["value"]))
            not in official
        }
    )
    assert unknown == []


@pytest.fixture(scope="module")
def blind() -> TrainingData:
    return load_data(str(ROOT / "tests" / "nlu"))


def test_the_blind_sets_stay_out_of_training(data: TrainingData, blind: TrainingData) -> None:
    """tests/nlu/ estimates the score on texts nobody trained on; a blind text copied
    into nlu_data/ would make that estimate a lie."""
    taught = {_fold_keep_symbols(ex.get("text")) for ex in data.intent_examples}
    leaked = sorted(
        ex.get("text")
        for ex in blind.intent_examples
        if _fold_keep_symbols(ex.get("text")) in taught
    )
    assert leaked == []


def test_the_blind_sets_use_the_contract_names(blind: TrainingData) -> None:
    labels = {_label(ex) for ex in blind.intent_examples}
    contract = {i for i in CONTRACT_INTENTS if i != "faq"} | {f"faq/{k}" for k in CONTRACT_FAQ_KEYS}
    assert labels <= contract
    assert {e["entity"] for ex in blind.intent_examples for e in ex.get("entities", [])} <= set(
        CONTRACT_ENTITIES
    )
