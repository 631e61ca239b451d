"""Entities named by a closed set of phrases (`misura`), learnt from the annotated examples.

A measure is one of six things, named in a few dozen ways ("assegno di inclusione",
"l'adi", "il reddito", "disoccupazione"). The phrases are the annotated spans of the
training data and the entity's synonyms, folded (case, accents, punctuation). Some
phrases are not always the entity: "disoccupazione" is NASpI in "posso avere la
disoccupazione?" but not in "stato di disoccupazione"; "reddito" is the Reddito di
Cittadinanza in "il reddito" but income in "reddito basso". So each phrase also learns,
from the training data, how often it is annotated where it occurs, overall and next to
each word seen before and after it; a match counts when the words around it vote for it
(each side its own rate of annotation, averaged) or, where neither was ever seen beside
it, when it was annotated more often than not overall.
Overlapping phrases: the longest wins.

Typos: a word of five letters or more is read as written first, then as each phrase word
one deletion, insertion, substitution or swap away ("asegno", "inclusone",
"cittadinaza"), even when it is a phrase word itself, and every word of a phrase may be
misspelt at once ("redito di citadinanza").

It replaces DIET for this entity: it is deterministic, needs no training run, costs
microseconds per message and, on our held-out split, finds the measures as well
(README, NLU evaluation). Sits after the tokenizer; outputs entities with
`extractor: PhraseEntityExtractor` and the normalised value.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter, defaultdict
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

_MODEL_FILE = "phrases.json"
_START = "<s>"  # the "word before" a phrase that opens the message
_END = "</s>"  # the "word after" a phrase that closes it
_MIN_TYPO_LENGTH = 5
# Pseudo-counts added to a context's tagged and untagged uses (a word seen once beside a
# phrase is evidence, not certainty).
_PRIOR = 0.5
# Readings of a span tried at most (every word's typo readings combined).
_MAX_READINGS = 64


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class PhraseEntityExtractor(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"entities": ["misura"]}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: dict[str, Any] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._use((model or {}).get("phrases", {}))

    def _use(self, phrases: dict[str, dict[str, Any]]) -> None:
        # folded phrase -> {"entity", "value", "seen", "tagged",
        #                   "before" and "after": {word next to it: [seen, tagged]}}
        self._phrases = phrases
        self._longest = max((p.count(" ") + 1 for p in self._phrases), default=0)
        words = {w for p in self._phrases for w in p.split()}
        self._typos = NearNames(w for w in words if len(w) >= _MIN_TYPO_LENGTH)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PhraseEntityExtractor:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> PhraseEntityExtractor:
        try:
            with model_storage.read_from(resource) as directory:
                model = json.loads((directory / _MODEL_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            model = None
        return cls(config, model_storage, resource, model)

    # -- training ------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        kinds = set(self._config["entities"])
        values: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
        annotated = [m for m in training_data.nlu_examples if m.get(TOKENS_NAMES[TEXT])]
        for message in annotated:
            text = message.get(TEXT)
            for entity in message.get(ENTITIES) or []:
                if entity.get(ENTITY_ATTRIBUTE_TYPE) not in kinds:
                    continue
                start, end = entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END]
                span = search_key(text[start:end])
                value = str(entity.get(ENTITY_ATTRIBUTE_VALUE) or span)
                if span:
                    values[span][(entity[ENTITY_ATTRIBUTE_TYPE], value)] += 1
        known = {value for counter in values.values() for _, value in counter}
        kind_of_value = {value: kind for counter in values.values() for (kind, value) in counter}
        # Synonyms of these entities' values ("naspy" -> naspi) and the values themselves.
        for surface, value in training_data.entity_synonyms.items():
            if value in known and search_key(surface):
                values[search_key(surface)][(kind_of_value[value], value)] += 0
        for value in known:
            values[search_key(value.replace("_", " "))][(kind_of_value[value], value)] += 0
        phrases = {
            phrase: {
                "entity": counter.most_common(1)[0][0][0],
                "value": counter.most_common(1)[0][0][1],
                "seen": 0,
                "tagged": 0,
                "before": {},
                "after": {},
            }
            for phrase, counter in values.items()
        }
        self._use(phrases)
        # How often each phrase is the entity where it occurs: overall, by the words around it.
        for message in annotated:
            tagged_spans = {
                (e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_END])
                for e in message.get(ENTITIES) or []
                if e.get(ENTITY_ATTRIBUTE_TYPE) in kinds
            }
            for match in self._matches(message, use_context=False):
                stats = phrases[match["phrase"]]
                tagged = (match["start"], match["end"]) in tagged_spans
                stats["seen"] += 1
                stats["tagged"] += int(tagged)
                for side in ("before", "after"):
                    counts = stats[side].setdefault(match[side], [0, 0])
                    counts[0] += 1
                    counts[1] += int(tagged)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _MODEL_FILE).write_text(
                json.dumps({"phrases": self._phrases}, ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    # -- inference -----------------------------------------------------------------------

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found = [
                {
                    ENTITY_ATTRIBUTE_TYPE: m["entity"],
                    ENTITY_ATTRIBUTE_START: m["start"],
                    ENTITY_ATTRIBUTE_END: m["end"],
                    ENTITY_ATTRIBUTE_VALUE: m["value"],
                    EXTRACTOR: type(self).__name__,
                }
                for m in self._matches(message, use_context=True)
            ]
            if found:
                entities = [*message.get(ENTITIES, []), *found]
                message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _readings(self, token_text: str) -> tuple[str, ...]:
        """The word as written, then the phrase words it may be a typo of."""
        word = search_key(token_text)
        if not word or len(word) < _MIN_TYPO_LENGTH or " " in word:
            return (word,)
        return (word, *(near for near in self._typos.near(word) if near != word))

    def _matches(self, message: Message, *, use_context: bool) -> list[dict[str, Any]]:
        """Phrases in the text, longest first, never overlapping."""
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        if not self._phrases or not tokens:
            return []
        text = message.get(TEXT) or ""
        readings = [self._readings(t.text) for t in tokens]
        words = [r[0] for r in readings]
        candidates = []
        for first in range(len(tokens)):
            for last in range(first, min(len(tokens), first + self._longest)):
                if not (words[first] and words[last]):
                    continue
                span = [r for r in readings[first : last + 1] if r[0]]
                if math.prod(len(r) for r in span) > _MAX_READINGS:
                    span = [r[:1] for r in span]  # a long run of typos: read as written
                phrase = next(
                    (
                        joined
                        for combination in itertools.product(*span)
                        if (joined := " ".join(combination)) in self._phrases
                    ),
                    None,
                )
                if phrase:
                    candidates.append((last - first, -first, first, last, phrase))
        taken: set[int] = set()
        found: list[dict[str, Any]] = []
        for _, _, first, last, phrase in sorted(candidates, reverse=True):
            if taken.intersection(range(first, last + 1)):
                continue
            stats = self._phrases[phrase]
            before = next((w for w in reversed(words[:first]) if w), _START)
            after = next((w for w in words[last + 1 :] if w), _END)
            if use_context and not _is_entity_here(stats, before, after):
                continue
            taken.update(range(first, last + 1))
            start, end = trimmed(text, tokens[first].start, tokens[last].end)
            found.append(
                {
                    "phrase": phrase,
                    "entity": stats["entity"],
                    "value": stats["value"],
                    "start": start,
                    "end": end,
                    "before": before,
                    "after": after,
                }
            )
        return sorted(found, key=lambda m: m["start"])


def _is_entity_here(stats: dict[str, Any], before: str, after: str) -> bool:
    """Annotated more often than not next to these words, else wherever it was seen.

    Each side votes with its own (smoothed) rate, so a word seen once beside the phrase
    still counts against an end of message seen thirty times: "posso prendere
    disoccupazione?" is NASpI though "disoccupazione" closing a message mostly is not.
    """
    rates = [
        (tagged + _PRIOR) / (seen + 2 * _PRIOR)
        for seen, tagged in (stats["before"].get(before, (0, 0)), stats["after"].get(after, (0, 0)))
        if seen
    ]
    if rates:
        return sum(rates) / len(rates) >= 0.5
    if stats["seen"]:
        return stats["tagged"] * 2 >= stats["seen"]
    return True  # a synonym never met in an example: a deliberate name of the measure
