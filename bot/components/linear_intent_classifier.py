"""Intent classifier: a linear SVM on TF-IDF word and character n-grams of the raw text.

On our data (about 5,700 examples, no pretrained Italian vectors available) it beats DIET:
character n-grams carry typos, missing accents and SMS spellings, and a linear model
with few free parameters generalises better from a few hundred examples per intent than
a transformer trained from scratch. Same recipe as scripts/nlu_proxy.py:

- word 1-2 grams, char_wb 2-5 grams and character 3-6 grams across word boundaries,
  TF-IDF with sublinear tf, LinearSVC (C=2) with balanced class weights;
- a marker word is added to the word features when the text contains a name of a lookup
  table (the ISTAT `comune` list) or matches a regex of the training data (the tax code),
  plus one more when such a match is (almost) the whole message: a bare town name or a
  bare tax code is an answer (`inform`), not gibberish (`out_of_scope`). The tables and
  regexes are taken from the training data and persisted with the model.

It reads the text only, not other components' features, so it can sit anywhere after the
tokenizer; put it before FallbackClassifier.

Confidences: the SVM's decision values go through a softmax whose temperature is fitted
on cross-validated decision values of the training data (minimum log-loss), so a
confidence of 0.6 is right about 60 % of the time and FallbackClassifier's threshold
means what it says. The softmax keeps the SVM's ranking, so calibration costs no accuracy
(unlike CalibratedClassifierCV, which trains on folds and re-ranks classes).

Retrieval intents: `faq/<key>` examples carry intent `faq` (Rasa's INTENT attribute) and
are learnt as `faq`; the ResponseSelector picks the key.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

_MODEL_FILE = "model.skops"
_META_FILE = "meta.json"
# What skops may rebuild besides its defaults: the vectorizers' idf diagonal.
_TRUSTED_TYPES = frozenset({"scipy.sparse._csr.csr_matrix"})
# A lookup or regex match in a message of at most this many words gets one more marker.
_SHORT_MESSAGE_WORDS = 4
_MAX_LOOKUP_WORDS = 4


def search_key(text: str) -> str:
    """Fold case and accents, keep letters and digits only (same rule as nlu_proxy.py)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", ascii_only).strip()


class Markers:
    """Marker words for lookup-table names and regex matches found in a text."""

    def __init__(self, lookups: dict[str, list[str]], regexes: dict[str, list[str]]) -> None:
        self.lookups = {name: set(elements) for name, elements in lookups.items()}
        self.regexes = {
            name: [re.compile(p, re.IGNORECASE) for p in patterns]
            for name, patterns in regexes.items()
        }

    @classmethod
    def from_training_data(cls, training_data: TrainingData) -> Markers:
        lookups: dict[str, set[str]] = {}
        for table in training_data.lookup_tables:
            elements = table.get("elements", [])
            if isinstance(elements, str):
                elements = elements.splitlines()
            keys = {search_key(e) for e in elements if isinstance(e, str)}
            lookups.setdefault(_token(table.get("name", "")), set()).update(k for k in keys if k)
        regexes: dict[str, list[str]] = {}
        for feature in training_data.regex_features:
            pattern = feature.get("pattern")
            if pattern:
                regexes.setdefault(_token(feature.get("name", "")), []).append(pattern)
        return cls({k: sorted(v) for k, v in lookups.items()}, regexes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lookups": {name: sorted(elements) for name, elements in self.lookups.items()},
            "regexes": {name: [rx.pattern for rx in rxs] for name, rxs in self.regexes.items()},
        }

    def add(self, texts: Iterable[str]) -> list[str]:
        out = []
        for text in texts:
            words = search_key(text).split()
            grams = {
                " ".join(words[i : i + n])
                for n in range(1, _MAX_LOOKUP_WORDS + 1)
                for i in range(len(words) - n + 1)
            }
            marks = [f"zzlookup{name}zz" for name, table in self.lookups.items() if grams & table]
            marks += [
                f"zzregex{name}zz"
                for name, rxs in self.regexes.items()
                if any(rx.search(text) for rx in rxs)
            ]
            if marks and len(words) <= _SHORT_MESSAGE_WORDS:
                marks.append("zzshortmatchzz")
            out.append(f"{text} {' '.join(marks)}" if marks else text)
        return out


def _token(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


class _Block:
    """One TF-IDF vectorizer and its slice of the SVM's weights, for one text at a time."""

    def __init__(self, vectorizer: Any, weights: np.ndarray) -> None:
        self._analyze = vectorizer.build_analyzer()
        self._vocabulary: dict[str, int] = vectorizer.vocabulary_
        self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self._sublinear = bool(vectorizer.sublinear_tf)
        self._norm = vectorizer.norm
        # (features, classes): the rows of a text's n-grams are gathered in one step.
        self._weights = np.ascontiguousarray(weights.T)

    def scores(self, text: str) -> np.ndarray | float:
        counts = Counter(self._analyze(text))
        known = [(self._vocabulary[g], c) for g, c in counts.items() if g in self._vocabulary]
        if not known:
            return 0.0
        index = np.fromiter((j for j, _ in known), dtype=np.intp, count=len(known))
        tf = np.fromiter((c for _, c in known), dtype=np.float64, count=len(known))
        values = (1.0 + np.log(tf) if self._sublinear else tf) * self._idf[index]
        if self._norm == "l2":
            values /= np.sqrt(values @ values)
        elif self._norm == "l1":
            values /= np.abs(values).sum()
        return values @ self._weights[index]


class _FastDecision:
    """The SVM's decision values for one text, without sklearn's per-call overhead.

    sklearn's transform re-validates the fitted vectorizer and rebuilds its idf vector on
    every call, and the sparse stacking and product cost more than the arithmetic: three
    quarters of the classifiers' time in a Rasa profile under load (scripts/bench.py).
    Same analyzers, vocabularies, idf, sublinear tf and norms, and the same weights: the
    values equal decision_function's (tests/bot/test_linear_intent_classifier.py). The
    class bias is part of the intercept, added once here rather than for every message.
    """

    def __init__(self, model: dict[str, Any], markers: Markers, bias: np.ndarray) -> None:
        svm = model["svm"]
        self._markers = markers
        self._intercept = np.asarray(svm.intercept_, dtype=np.float64) + bias
        blocks = [model["word"], model["char"], *([model["phrase"]] if "phrase" in model else [])]
        self._blocks: list[_Block] = []
        offset = 0
        for vectorizer in blocks:
            width = len(vectorizer.vocabulary_)
            self._blocks.append(_Block(vectorizer, svm.coef_[:, offset : offset + width]))
            offset += width

    def __call__(self, text: str) -> np.ndarray:
        word, *others = self._blocks
        total = self._intercept + word.scores(self._markers.add([text])[0])
        for block in others:
            total = total + block.scores(text)
        return total


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """LinearSVC over word and character n-grams, softmax-calibrated confidences."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # 5-fold cross-validation of our data (5,700 examples), intent macro-F1: word and
            # char_wb n-grams with C=1 0.892; plus character 3-6-grams across word
            # boundaries ("non so", "ci vediamo") 0.897, and with C=2 0.901 (C=3 the same).
            "C": 2.0,
            "word_ngram_range": [1, 2],
            "char_ngram_range": [2, 5],
            # Character n-grams of the whole text, spaces included; [] turns them off.
            "phrase_ngram_range": [3, 6],
            # Folds of the cross-validation that fits the softmax temperature.
            "calibration_folds": 5,
            "ranking_length": 10,
            "random_seed": 2026,
            # Added to a class's decision value: moves the boundary of a class whose recall
            # matters more than its precision (config.yml sets out_of_scope's).
            "class_bias": {},
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "skops"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: dict[str, Any] | None = None,
        markers: Markers | None = None,
        temperature: float = 1.0,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        # {"word", "char", "phrase": TfidfVectorizer, "svm": LinearSVC} or
        # {"single": label} when the training data had one intent only.
        self._model = model
        self._markers = markers or Markers({}, {})
        self._temperature = temperature
        self._fast = self._fast_decision()

    def _fast_decision(self) -> _FastDecision | None:
        """The one-text path, for models of three or more classes (one row per class)."""
        if not self._model or "svm" not in self._model or self._model["svm"].coef_.shape[0] < 3:
            return None
        return _FastDecision(self._model, self._markers, self._bias(self._model))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    # Training ---------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        # Sorted: Rasa's loader does not keep the files' order from one run to the next, and
        # the SVM's solver (like the folds below) depends on the order of the examples.
        examples = self._examples(training_data)
        if not examples:
            logger.debug("No intent examples: %s is not trained.", type(self).__name__)
            return self._resource
        texts = [t for t, _ in examples]
        labels = np.array([i for _, i in examples])
        self._markers = Markers.from_training_data(training_data)
        if len(set(labels)) < 2:
            self._model = {"single": str(labels[0])}
            self._temperature = 1.0
        else:
            self._model = self._fit(texts, labels)
            self._temperature = self._fit_temperature(texts, labels)
        self._fast = self._fast_decision()
        self._persist()
        return self._resource

    def _examples(self, training_data: TrainingData) -> list[tuple[str, str]]:
        """(text, label) of every example to learn from, sorted."""
        return sorted(
            (m.get(TEXT), m.get(INTENT))
            for m in training_data.intent_examples
            if m.get(TEXT) and m.get(INTENT)
        )

    def _fit(self, texts: list[str], labels: np.ndarray) -> dict[str, Any]:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        word = TfidfVectorizer(
            ngram_range=tuple(self._config["word_ngram_range"]), sublinear_tf=True
        )
        char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=tuple(self._config["char_ngram_range"]),
            sublinear_tf=True,
        )
        word.fit(self._markers.add(texts))
        char.fit(texts)
        model = {"word": word, "char": char}
        if self._config["phrase_ngram_range"]:
            phrase = TfidfVectorizer(
                analyzer="char",
                ngram_range=tuple(self._config["phrase_ngram_range"]),
                sublinear_tf=True,
            )
            model["phrase"] = phrase.fit(texts)
        svm = LinearSVC(
            C=self._config["C"],
            class_weight="balanced",
            random_state=self._config["random_seed"],
        )
        svm.fit(self._features(model, texts), labels)
        model["svm"] = svm
        return model

    def _fit_temperature(self, texts: list[str], labels: np.ndarray) -> float:
        """Softmax temperature with the least log-loss on cross-validated decision values."""
        from scipy.optimize import minimize_scalar
        from scipy.special import log_softmax
        from sklearn.model_selection import StratifiedKFold

        folds = min(self._config["calibration_folds"], min(Counter(labels).values()))
        if folds < 2:
            return 1.0
        classes = self._model["svm"].classes_
        scores = np.zeros((len(texts), len(classes)))
        splitter = StratifiedKFold(folds, shuffle=True, random_state=self._config["random_seed"])
        for train_idx, test_idx in splitter.split(np.zeros(len(labels)), labels):
            fold_model = self._fit([texts[i] for i in train_idx], labels[train_idx])
            decision = self._decision(fold_model, [texts[i] for i in test_idx])
            # A fold sees every class (stratified, each class has >= `folds` examples).
            scores[test_idx] = decision
        gold = np.searchsorted(classes, labels)

        def loss(t: float) -> float:
            return float(-log_softmax(scores * t, axis=1)[np.arange(len(gold)), gold].mean())

        return float(minimize_scalar(loss, bounds=(0.01, 100.0), method="bounded").x)

    # Inference --------------------------------------------------------------------------

    def _features(self, model: dict[str, Any], texts: list[str]) -> Any:
        from scipy.sparse import hstack

        blocks = [model["word"].transform(self._markers.add(texts)), model["char"].transform(texts)]
        if "phrase" in model:
            blocks.append(model["phrase"].transform(texts))
        return hstack(blocks).tocsr()

    def _decision(self, model: dict[str, Any], texts: list[str]) -> np.ndarray:
        decision = model["svm"].decision_function(self._features(model, texts))
        if decision.ndim == 1:  # two classes: one score, positive for classes_[1]
            decision = np.column_stack([-decision, decision]) / 2
        return decision + self._bias(model)

    def _bias(self, model: dict[str, Any]) -> np.ndarray:
        bias = self._config["class_bias"] or {}
        return np.array([float(bias.get(str(c), 0.0)) for c in model["svm"].classes_])

    def predict(self, texts: list[str]) -> list[list[dict[str, Any]]]:
        """The ranking of every intent, best first, for each text."""
        from scipy.special import softmax

        if self._model is None:
            return [[] for _ in texts]
        if "single" in self._model:
            only = {INTENT_NAME_KEY: self._model["single"], PREDICTED_CONFIDENCE_KEY: 1.0}
            return [[dict(only)] for _ in texts]
        classes = self._model["svm"].classes_
        if self._fast is not None and len(texts) == 1:
            decision = self._fast(texts[0])[np.newaxis, :]
        else:
            decision = self._decision(self._model, texts)
        probabilities = softmax(decision * self._temperature, axis=1)
        rankings = []
        for row in probabilities:
            order = np.argsort(-row, kind="stable")
            rankings.append(
                [
                    {INTENT_NAME_KEY: str(classes[j]), PREDICTED_CONFIDENCE_KEY: float(row[j])}
                    for j in order
                ]
            )
        return rankings

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            return messages
        with_text = [m for m in messages if m.get(TEXT)]
        rankings = self.predict([m.get(TEXT) for m in with_text]) if with_text else []
        for message, ranking in zip(with_text, rankings, strict=True):
            length = self._config["ranking_length"]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(
                INTENT_RANKING_KEY, ranking[:length] if length > 0 else ranking, add_to_output=True
            )
        for message in messages:
            if not message.get(TEXT):
                message.set(
                    INTENT,
                    {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
                    add_to_output=True,
                )
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Training examples keep their gold intents (a later ResponseSelector learns from them).
        return training_data

    # Persistence ------------------------------------------------------------------------

    def _persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            meta = {"temperature": self._temperature, "markers": self._markers.as_dict()}
            if "single" in self._model:
                meta["single"] = self._model["single"]
            else:
                sio.dump(self._model, directory / _MODEL_FILE)
            (directory / _META_FILE).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                meta = json.loads((directory / _META_FILE).read_text(encoding="utf-8"))
                if "single" in meta:
                    model = {"single": meta["single"]}
                else:
                    path = directory / _MODEL_FILE
                    untrusted = set(sio.get_untrusted_types(file=path))
                    if untrusted - _TRUSTED_TYPES:
                        raise ValueError(f"untrusted types in {path}: {sorted(untrusted)}")
                    model = sio.load(path, trusted=sorted(untrusted))
        except (ValueError, FileNotFoundError) as error:
            logger.debug("%s not loaded (%s): untrained.", cls.__name__, error)
            return cls(config, model_storage, resource)
        markers = Markers(meta["markers"]["lookups"], meta["markers"]["regexes"])
        return cls(config, model_storage, resource, model, markers, meta["temperature"])
