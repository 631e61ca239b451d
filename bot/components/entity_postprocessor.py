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
  A word one letter away from exactly one name ("cosnza", "catanzro") is that comune
  where a place is meant more surely still: after "a", "di", "abito"..., after "cpi", or
  written with a capital in a message of at most three words ("Cosnza", not "graize");
  never when it is an Italian word itself (the forms one edit from a comune, "acquario"
  from Acquaro, are listed at training time).
  A value another extractor found that is not a known name is mapped to the name one
  edit away (a typo), kept as written when the citizen wrote it with a capital
  ("Paperopoli": the actions say it is unknown), and dropped otherwise ("pizzeria").
- codice_fiscale: upper-cased; when two extractors found the same code, one is kept.
- misura: only the contract's values survive (a learnt extractor may tag a stray word, "e",
  "disoccupato", as a measure); after the synonyms every real measure is one of MEASURES.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import re
from pathlib import Path
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

from bot.components.near_names import NearNames
from bot.components.spans import search_key, trimmed

COMUNE = "comune"
TAX_CODE = "codice_fiscale"
MEASURE = "misura"
MEASURES = frozenset({"gol", "adi", "sfl", "rdc", "naspi", "garanzia_giovani"})
_MAPPING_FILE = "comuni.json"
_COMMON_FILE = "comuni_common_words.json"
_NEAR_WORDS_FILE = "comuni_near_words.json"
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
        "x",  # SMS for "per" ("per" itself: "per cento" is no place)
    ]
)
# Words after which even a name that is an Italian word is a place ("cpi di fondi").
_OFFICE_CUES = frozenset({"cpi", "comune", "impiego", "collocamento"})
# Comuni that are, in a chat, nearly always something else: a greeting, a pronoun, an adverb.
_NEVER_ALONE = frozenset({"salve", "lei", "ne", "ora", "como", "este"})
# Shorter words are too often one letter from some comune ("sila" and Silea).
_TYPO_MIN_LENGTH = 6
# Where a typo may be a comune: a message of at most this many words.
_TYPO_SHORT_MESSAGE = 3


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class EntityPostprocessor(GraphComponent, EntityExtractorMixin):
    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        comuni: dict[str, str] | None = None,
        common_words: set[str] | None = None,
        near_words: set[str] | None = None,
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._use(comuni or {}, common_words or set(), near_words or set())

    def _use(self, comuni: dict[str, str], common_words: set[str], near_words: set[str]) -> None:
        # search key of a name or short form -> official name
        self._comuni = comuni
        # one-word names that are also Italian words
        self._common = common_words
        # Italian words one edit from a comune: never taken for a typo of it
        self._near_words = near_words
        # what a typo may stand for: names that are not Italian words themselves
        self._typos = NearNames(
            key for key in comuni if len(key) >= _TYPO_MIN_LENGTH - 1 and key not in common_words
        )

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
                common, near = (
                    set(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else set()
                    for path in (directory / _COMMON_FILE, directory / _NEAR_WORDS_FILE)
                )
        except (ValueError, FileNotFoundError):
            comuni, common, near = {}, set(), set()
        return cls(model_storage, resource, comuni, common, near)

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
        common = sorted(k for k in comuni if " " not in k and k in words)
        self._use(comuni, set(common), set())
        near = sorted(self._typos.near_any(w for w in words if len(w) >= _TYPO_MIN_LENGTH))
        self._near_words = set(near)
        with self._model_storage.write_to(self._resource) as directory:
            for name, content in (
                (_MAPPING_FILE, comuni),
                (_COMMON_FILE, common),
                (_NEAR_WORDS_FILE, near),
            ):
                (directory / name).write_text(json.dumps(content), encoding="utf-8")
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
            longest_first = range(min(len(tokens), first + _MAX_NAME_TOKENS) - 1, first - 1, -1)
            # Names as written first, then names misspelt by one letter.
            for typo, last in itertools.product((False, True), longest_first):
                start, end = trimmed(text, tokens[first].start, tokens[last].end)
                written = text[start:end]
                key = search_key(written)
                name = self._typo_of(written, key, tokens, first, words) if typo else key
                if name in self._comuni and (
                    typo or self._means_a_place(text, tokens, first, key, words)
                ):
                    found.append(
                        {
                            ENTITY_ATTRIBUTE_TYPE: COMUNE,
                            ENTITY_ATTRIBUTE_START: start,
                            ENTITY_ATTRIBUTE_END: end,
                            ENTITY_ATTRIBUTE_VALUE: self._comuni[name],
                            EXTRACTOR: type(self).__name__,
                        }
                    )
                    first = last
                    break
            first += 1
        return found

    def _typo_of(self, written: str, key: str, tokens: list, index: int, words: int) -> str | None:
        """The comune `key` misspells, where a place is surely meant."""
        before, after_office = _cues(tokens, index)
        # A short message alone is not enough: a misspelt word ("graize") is as likely.
        named = words <= _TYPO_SHORT_MESSAGE and written[:1].isupper()
        if not (before in _PLACE_CUES or after_office or named):
            return None
        name = self._misspelt(key)
        # One edit may not join or split words ("presenza o" is not Presenzano).
        return name if name and name.count(" ") == key.count(" ") else None

    def _misspelt(self, key: str) -> str | None:
        """The one comune key one edit from `key`, when `key` is neither a name nor an
        Italian word and is long enough ("sila" is not a typo of "Silea")."""
        if len(key) < _TYPO_MIN_LENGTH or key in self._near_words or key in self._comuni:
            return None
        return self._typos.closest(key)

    def _means_a_place(self, text: str, tokens: list, index: int, key: str, words: int) -> bool:
        if key in _NEVER_ALONE:
            return False
        if " " in key:
            return True
        written = text[tokens[index].start : tokens[index].end]
        capital = written[:1].isupper() and not (written.isupper() and words > 3)
        before, after_office = _cues(tokens, index)
        if key in self._common:
            # A bare "cassino" or "fondi" is the answer to "in quale comune?".
            alone = words == 1 and len(key) >= _TYPO_MIN_LENGTH - 1
            return (capital and (index > 0 or words <= 3)) or after_office or alone
        return capital or words <= 3 or before in _PLACE_CUES or after_office

    def _known_comune(self, value: str) -> str | None:
        key = search_key(value)
        name = key if key in self._comuni else self._misspelt(key)
        return self._comuni[name] if name else None

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


def _cues(tokens: list, index: int) -> tuple[str, bool]:
    """The word before token `index`, and whether it follows an office ("cpi di")."""
    before = tokens[index - 1].text.lower() if index > 0 else ""
    two_before = tokens[index - 2].text.lower() if index > 1 else ""
    after_office = before in _OFFICE_CUES or (before in ("di", "a") and two_before in _OFFICE_CUES)
    return before, after_office


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    a_start, a_end = a.get(ENTITY_ATTRIBUTE_START), a.get(ENTITY_ATTRIBUTE_END)
    if a_start is None or a_end is None:
        return False
    return a_start < b[ENTITY_ATTRIBUTE_END] and a_end > b[ENTITY_ATTRIBUTE_START]


@functools.cache
def italian_words() -> frozenset[str]:
    """Italian word forms and lemmas, folded: spacy-lookups-data's Italian lemma table,
    read from its file because spaCy's Table keeps the forms as hashes only."""
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "it_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as file:
        table: dict[str, str] = json.load(file)
    words = {search_key(form) for form in table} | {search_key(lemma) for lemma in table.values()}
    return frozenset(words)
