"""LookupRegexFeaturizer gives the features of Rasa's RegexFeaturizer, without the huge regex."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.lookup_featurizer import LookupRegexFeaturizer

CONFIG = {"case_sensitive": False, "use_word_boundaries": True}
CONTEXT = ExecutionContext(GraphSchema({}), "test")
TAX_CODE = (
    r"\b[A-Za-z]{6}[0-9LMNPQRSTUV]{2}[A-Za-z][0-9LMNPQRSTUV]{2}"
    r"[A-Za-z][0-9LMNPQRSTUV]{3}[A-Za-z]\b"
)
TRAINING = TrainingData(
    training_examples=[Message(data={"text": "sono di Cosenza", "intent": "inform"})],
    lookup_tables=[
        {
            "name": "comune",
            "elements": [
                "Cosenza",
                "Rende",
                "Reggio di Calabria",
                "Sant'Onofrio",
                "Corigliano-Rossano",
                "Cirò Marina",
            ],
        }
    ],
    regex_features=[{"name": "codice_fiscale", "pattern": TAX_CODE}],
)
MESSAGES = [
    "sono di Cosenza",
    "abito a reggio di calabria, zona sud",
    "vivo a Sant'Onofrio ma lavoro a Rende",
    "CORIGLIANO-ROSSANO",
    "Cirò Marina il mio codice è RSSMRA85M01H501Z",
    "reggio emilia non c'entra",
    "ciao",
    "cosenzano e rendesi non sono comuni",
]


def featurize(component_class: type, storage: LocalModelStorage) -> list[np.ndarray]:
    component = component_class.create(
        {**component_class.get_default_config(), **CONFIG},
        storage,
        Resource(component_class.__name__),
        CONTEXT,
    )
    component.train(TRAINING)
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    messages = [Message(data={"text": text}) for text in MESSAGES]
    tokenizer.process(messages)
    component.process(messages)
    out = []
    for message in messages:
        sequence, sentence = message.get_sparse_features("text")
        out.append(np.vstack([sequence.features.toarray(), sentence.features.toarray()]))
    return out


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def test_features_are_those_of_rasas_regex_featurizer(storage: LocalModelStorage) -> None:
    ours = featurize(LookupRegexFeaturizer, storage)
    rasas = featurize(RegexFeaturizer, storage)
    for text, mine, reference in zip(MESSAGES, ours, rasas, strict=True):
        assert np.array_equal(mine, reference), text


def test_a_multi_word_name_marks_all_its_tokens(storage: LocalModelStorage) -> None:
    features = featurize(LookupRegexFeaturizer, storage)[1]  # "abito a reggio di calabria, ..."
    assert features[:, 1].tolist() == [0, 0, 1, 1, 1, 0, 0, 1]  # tokens..., then the sentence


def test_a_trained_featurizer_loads_without_the_training_data(
    storage: LocalModelStorage,
) -> None:
    resource = Resource("lookup")
    config = {**LookupRegexFeaturizer.get_default_config(), **CONFIG}
    LookupRegexFeaturizer.create(config, storage, resource, CONTEXT).train(TRAINING)
    loaded = LookupRegexFeaturizer.load(config, storage, resource, CONTEXT)
    message = Message(data={"text": "vivo a Rende RSSMRA85M01H501Z"})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    loaded.process([message])
    sequence, sentence = message.get_sparse_features("text")
    assert sentence.features.toarray().tolist() == [[1.0, 1.0]]
    assert sequence.features.toarray()[:, 1].tolist() == [0, 0, 1, 0]
