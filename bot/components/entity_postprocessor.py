"""Post-processing of extracted entities, after DIET, synonyms and regexes.

- comune: "cosenza", "CIRO MARINA", "ciro marina" -> the official ISTAT name ("Cirò Marina"),
  learnt from the `comune` lookup table and the synonyms of the training data. A value
  that is not a known comune is left as the user wrote it: the actions check it.
- codice_fiscale: upper-cased; when DIET and the regex both found the same code, one is kept.
- misura: only the contract's values survive. DIET sometimes tags a stray word ("e",
  "disoccupato") as a measure; after the synonyms every real measure is one of MEASURES.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_TYPE, ENTITY_ATTRIBUTE_VALUE
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

COMUNE = "comune"
TAX_CODE = "codice_fiscale"
MEASURE = "misura"
MEASURES = frozenset({"gol", "adi", "sfl", "rdc", "naspi", "garanzia_giovani"})
_MAPPING_FILE = "comuni.json"


def search_key(text: str) -> str:
    """Fold case, accents, apostrophes and hyphens (same rule as the backend's lookups)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", ascii_only).strip()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class EntityPostprocessor(GraphComponent, EntityExtractorMixin):
    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        comuni: dict[str, str] | None = None,
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._comuni = comuni or {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntityPostprocessor:
        return cls(model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EntityPostprocessor:
        try:
            with model_storage.read_from(resource) as directory:
                comuni = json.loads((directory / _MAPPING_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            comuni = {}
        return cls(model_storage, resource, comuni)

    def train(self, training_data: TrainingData) -> Resource:
        comuni: dict[str, str] = {}
        for table in training_data.lookup_tables:
            if table.get("name") == COMUNE:
                elements = table.get("elements", [])
                if isinstance(elements, str):
                    elements = [e for e in elements.splitlines() if e.strip()]
                for name in elements:
                    comuni[search_key(name)] = name.strip()
        official = set(comuni.values())
        # Short forms taught as synonyms ("reggio" -> "Reggio di Calabria") also count.
        for surface, value in training_data.entity_synonyms.items():
            if value in official:
                comuni.setdefault(search_key(surface), value)
        self._comuni = comuni
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _MAPPING_FILE).write_text(json.dumps(comuni), encoding="utf-8")
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES, [])
            if entities:
                message.set(ENTITIES, self._postprocess(entities), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _postprocess(self, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        seen_tax_codes: set[str] = set()
        for entity in entities:
            kind = entity.get(ENTITY_ATTRIBUTE_TYPE)
            value = entity.get(ENTITY_ATTRIBUTE_VALUE)
            if not isinstance(value, str):
                result.append(entity)
                continue
            if kind == COMUNE:
                official = self._comuni.get(search_key(value))
                if official and official != value:
                    processors = [*entity.get("processors", []), type(self).__name__]
                    entity = {**entity, ENTITY_ATTRIBUTE_VALUE: official, "processors": processors}
            elif kind == MEASURE and value not in MEASURES:
                continue
            elif kind == TAX_CODE:
                code = re.sub(r"\s+", "", value).upper()
                if code in seen_tax_codes:
                    continue
                seen_tax_codes.add(code)
                entity = {**entity, ENTITY_ATTRIBUTE_VALUE: code}
            result.append(entity)
        return result
