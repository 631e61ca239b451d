"""RegexFeaturizer whose lookup tables are matched by a set lookup, not by one huge regex.

Rasa's RegexFeaturizer turns the `comune` lookup table (7,900 ISTAT names) into a single
alternation `(\\bAbano Terme\\b|\\bAbbadia ...\\b|...)` and runs it over every message: 5-10 ms
per message on this machine, a quarter of Rasa's CPU per message (scripts/bench.py) and about
a minute of every training. Here a lookup table is a set of lower-cased names, and the
spans of 1..n consecutive tokens of the message are looked up in it: the same features
(a token is marked when a name covers it; the sentence when any token is) in microseconds.
Regexes of the training data (the tax code) are still run as regexes.

Persisted in the same `patterns.json` as RegexFeaturizer, each lookup pattern carrying its
elements, so a model trained with this component loads without the training data.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
from rasa.nlu.utils import pattern_utils
from rasa.shared.nlu.constants import ACTION_TEXT, RESPONSE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# Words, and the apostrophes and hyphens inside names ("Sant'Onofrio", "Corigliano-Rossano"),
# count as tokens: a generous bound on how many tokens a name spans.
_NAME_PARTS = re.compile(r"\w+|[^\w\s]")


def lookup_elements(table: dict[str, Any]) -> list[str]:
    elements = table.get("elements", [])
    if isinstance(elements, str):  # a file of the training data
        elements = pattern_utils.read_lookup_table_file(elements)
    return [e.strip() for e in elements if isinstance(e, str) and e.strip()]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class LookupRegexFeaturizer(RegexFeaturizer):
    """RegexFeaturizer with lookup tables matched token-span by token-span."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare()

    def _prepare(self) -> None:
        self._tables: dict[int, tuple[set[str], int]] = {}
        self._regexes: dict[int, re.Pattern[str]] = {}
        flags = 0 if self.case_sensitive else re.IGNORECASE
        for index, pattern in enumerate(self.known_patterns):
            elements = pattern.get("elements")
            if elements is None:
                self._regexes[index] = re.compile(pattern["pattern"], flags)
                continue
            names = {self._case(e) for e in elements}
            longest = max((len(_NAME_PARTS.findall(e)) for e in elements), default=1)
            self._tables[index] = (names, longest)

    def _case(self, text: str) -> str:
        return text if self.case_sensitive else text.lower()

    def train(self, training_data: TrainingData) -> Resource:
        # Regexes first, then lookup tables: RegexFeaturizer's order of feature columns.
        patterns: list[dict[str, Any]] = []
        if self._config["use_regexes"]:
            patterns += [
                {"name": r["name"], "pattern": r["pattern"]} for r in training_data.regex_features
            ]
        if self._config["use_lookup_tables"]:
            for table in training_data.lookup_tables:
                elements = lookup_elements(table)
                # "pattern" only keeps the file readable by RegexFeaturizer's loader.
                patterns.append({"name": table["name"], "pattern": "", "elements": elements})
        if self.finetune_mode:
            self._merge_new_patterns(patterns)
        else:
            self.known_patterns = patterns
        self._prepare()
        self._persist()
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            for attribute in (TEXT, RESPONSE, ACTION_TEXT):
                self._text_features_with_regex(example, attribute)
        return training_data

    def _features_for_patterns(
        self, message: Message, attribute: str
    ) -> tuple[scipy.sparse.coo_matrix | None, scipy.sparse.coo_matrix | None]:
        text = message.get(attribute)
        tokens = message.get(TOKENS_NAMES[attribute], []) if text else []
        if not tokens:
            return None, None
        sequence = np.zeros([len(tokens), len(self.known_patterns)])
        for index, (names, longest) in self._tables.items():
            for first in range(len(tokens)):
                for last in range(first, min(first + longest, len(tokens))):
                    if self._case(text[tokens[first].start : tokens[last].end]) in names:
                        sequence[first : last + 1, index] = 1.0
        for index, regex in self._regexes.items():
            for match in regex.finditer(text):
                for position, token in enumerate(tokens):
                    if token.start < match.end() and token.end > match.start():
                        sequence[position, index] = 1.0
        sentence = sequence.max(axis=0, keepdims=True)
        return scipy.sparse.coo_matrix(sequence), scipy.sparse.coo_matrix(sentence)
