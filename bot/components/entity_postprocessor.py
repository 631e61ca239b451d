"""Comuni found in the text, and post-processing of the entities other extractors found.

- comune: "cosenza", "CIRO MARINA", "ciro marina" -> the official ISTAT name ("Cirò Marina"),
  learnt from the `comune` lookup table and the synonyms of the training data.
  Names of the table ("Chiaravalle Centrale", a bare "Maida") are found in the text itself:
  every span of up to six tokens whose folded text is a name, longest first. A span
  replaces another extractor's overlapping guesses.
  Because 486 comuni are also Italian words ("Salve", "Fondi", "Bianco", "Latina"), a
  one-word name counts only where a place is meant: a multi-word name always; a one-word
  name that is not an Italian word when written with a capital, in a message of at most
  three words, or after "a", "di", "da", "in", "abito", "vivo"...; an Italian word only with
  a capital (not opening a longer message), after "cpi", "comune", "impiego" ("cpi di
  fondi"), or as the whole message ("cassino", the answer to "in quale comune?"). The
  Italian words are the forms and lemmas of spacy-lookups-data's Italian lemma table,
  read at training time.
  A value another extractor found that is not a known name is mapped to the closest name
  when one is close (a typo: "cosnza"), kept as written when the citizen wrote it with a capital
  ("Paperopoli": the actions say it is unknown), and dropped otherwise ("pizzeria").
- codice_fiscale: upper-cased; when two extractors found the same code, one is kept.
- misura: only the contract's values survive (a learnt extractor may tag a stray word, "e",
  "disoccupato", as a measure); after the synonyms every real measure is one of MEASURES.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections import defaultdict
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.spans import search_key, trimmed

COMUNE = "comune"
TAX_CODE = "codice_fiscale"
MEASURE = "misura"
MEASURES = frozenset({"gol", "adi", "sfl", "rdc", "naspi", "garanzia_giovani"})
_MAPPING_FILE = "comuni.json"
_COMMON_FILE = "comuni_common_words.json"
_MAX_NAME_TOKENS = 6
# Words after which a one-word name is a place ("a Rende", "abito rende").
_PLACE_CUES = frozenset(
    [
        "a",
        "ad",
        "di",
        "da",
        "in",
        "abito",
        "vivo",
        "abitare",
        "vivere",
        "risiedo",
        "residente",
        "presso",
        "fuori",
        "verso",
    ]
)
# Words after which even a name that is an Italian word is a place ("cpi di fondi").
_OFFICE_CUES = frozenset({"cpi", "comune", "impiego", "collocamento"})
# Comuni that are, in a chat, nearly always something else: a greeting, a pronoun, an adverb.
_NEVER_ALONE = frozenset({"salve", "lei", "ne", "ora", "como", "este"})
_TYPO_CUTOFF = 0.85
_TYPO_MIN_LENGTH = 6


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class EntityPostprocessor(GraphComponent, EntityExtractorMixin):
    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        comuni: dict[str, str] | None = None,
        common_words: set[str] | None = None,
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._use(comuni or {}, common_words or set())

    def _use(self, comuni: dict[str, str], common_words: set[str]) -> None:
        # search key of a name or short form -> official name
        self._comuni = comuni
        # one-word names that are also Italian words
        self._common = common_words
        # candidates for typos, by initial (a typo rarely hits the first letter)
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for key in comuni:
            self._by_initial[key[:1]].append(key)

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
                common_file = directory / _COMMON_FILE
                common = (
                    set(json.loads(common_file.read_text(encoding="utf-8")))
                    if common_file.exists()
                    else set()
                )
        except (ValueError, FileNotFoundError):
            comuni, common = {}, set()
        return cls(model_storage, resource, comuni, common)

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
        words = italian_words()
        common = sorted(k for k in comuni if " " not in k and words(k))
        self._use(comuni, set(common))
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _MAPPING_FILE).write_text(json.dumps(comuni), encoding="utf-8")
            (directory / _COMMON_FILE).write_text(json.dumps(common), encoding="utf-8")
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES, [])
            found = self._comuni_in_text(message)
            if entities or found:
                message.set(ENTITIES, self._postprocess(entities, found), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _comuni_in_text(self, message: Message) -> list[dict[str, Any]]:
        """Comuni named in the text: longest spans first, where a place is meant."""
        text = message.get(TEXT) or ""
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        if not self._comuni or not tokens:
            return []
        words = sum(1 for t in tokens if any(ch.isalnum() for ch in t.text))
        found = []
        first = 0
        while first < len(tokens):
            for last in range(min(len(tokens), first + _MAX_NAME_TOKENS) - 1, first - 1, -1):
                start, end = trimmed(text, tokens[first].start, tokens[last].end)
                key = search_key(text[start:end])
                if key in self._comuni and self._means_a_place(text, tokens, first, key, words):
                    found.append(
                        {
                            ENTITY_ATTRIBUTE_TYPE: COMUNE,
                            ENTITY_ATTRIBUTE_START: start,
                            ENTITY_ATTRIBUTE_END: end,
                            ENTITY_ATTRIBUTE_VALUE: self._comuni[key],
                            EXTRACTOR: type(self).__name__,
                        }
                    )
                    first = last
                    break
            first += 1
        return found

    def _means_a_place(self, text: str, tokens: list, index: int, key: str, words: int) -> bool:
        if key in _NEVER_ALONE:
            return False
        if " " in key:
            return True
        written = text[tokens[index].start : tokens[index].end]
        capital = written[:1].isupper() and not (written.isupper() and words > 3)
        before = tokens[index - 1].text.lower() if index > 0 else ""
        two_before = tokens[index - 2].text.lower() if index > 1 else ""
        after_office = before in _OFFICE_CUES or (
            before in ("di", "a") and two_before in _OFFICE_CUES
        )
        if key in self._common:
            # A bare "cassino" or "fondi" is the answer to "in quale comune?".
            alone = words == 1 and len(key) >= _TYPO_MIN_LENGTH - 1
            return (capital and (index > 0 or words <= 3)) or after_office or alone
        return capital or words <= 3 or before in _PLACE_CUES or after_office

    def _known_comune(self, value: str) -> str | None:
        key = search_key(value)
        if key in self._comuni:
            return self._comuni[key]
        if len(key) < _TYPO_MIN_LENGTH:
            return None  # "sila" is not a typo of "Silea"
        close = difflib.get_close_matches(
            key, self._by_initial.get(key[:1], []), n=1, cutoff=_TYPO_CUTOFF
        )
        return self._comuni[close[0]] if close else None

    def _postprocess(
        self, entities: list[dict[str, Any]], found: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = list(found)
        seen_tax_codes: set[str] = set()
        for entity in entities:
            kind = entity.get(ENTITY_ATTRIBUTE_TYPE)
            value = entity.get(ENTITY_ATTRIBUTE_VALUE)
            if not isinstance(value, str):
                result.append(entity)
                continue
            if kind == COMUNE:
                if any(_overlap(entity, span) for span in found):
                    continue  # the name found in the text replaces another's guess
                official = self._known_comune(value)
                if official is None:
                    if not value[:1].isupper():
                        continue
                elif official != value:
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
        return sorted(result, key=lambda e: e.get(ENTITY_ATTRIBUTE_START, 0))


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    a_start, a_end = a.get(ENTITY_ATTRIBUTE_START), a.get(ENTITY_ATTRIBUTE_END)
    if a_start is None or a_end is None:
        return False
    return a_start < b[ENTITY_ATTRIBUTE_END] and a_end > b[ENTITY_ATTRIBUTE_START]


@functools.cache
def italian_words() -> Any:
    """A test of whether a folded word is an Italian word form or lemma."""
    from spacy.lookups import load_lookups

    table = load_lookups("it", ["lemma_lookup"]).get_table("lemma_lookup")
    lemmas = {search_key(lemma) for _, lemma in table.items()}
    return lambda word: word in table or word in lemmas
