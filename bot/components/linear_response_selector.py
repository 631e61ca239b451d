"""Response selector for the `faq` retrieval intent: LinearIntentClassifier's model over FAQ keys.

Rasa's ResponseSelector is a DIET-like network trained from scratch: on our 21 FAQ keys with
50-90 examples each its held-out key accuracy moved between 0.90 and 0.93 from one training
to the next, it took a third of the training time (80 epochs) and a TensorFlow pass per
message. The linear model of LinearIntentClassifier (word and character n-grams, linear SVM,
softmax-calibrated) scores the same on our split, is deterministic, trains in seconds and
answers in well under a millisecond (README, NLU evaluation).

It writes what ResponseSelector writes (`response_selector.faq.response` with the key, the
utter action and the answer's variants, and `response_selector.faq.ranking`), so Rasa's
`utter_faq` action, `rasa test nlu`, the console's suggestions and the analytics read it
unchanged.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.linear_intent_classifier import LinearIntentClassifier

logger = logging.getLogger(__name__)

_RESPONSES_FILE = "responses.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearResponseSelector(LinearIntentClassifier):
    """Picks the FAQ key of a retrieval intent's message with a calibrated linear SVM."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LinearIntentClassifier.get_default_config(), "retrieval_intent": "faq"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # utter_faq/<key> -> the answer's variants, as ResponseSelector outputs them.
        self._responses: dict[str, list[dict[str, Any]]] = {}

    @property
    def _retrieval_intent(self) -> str:
        return str(self._config["retrieval_intent"])

    def _examples(self, training_data: TrainingData) -> list[tuple[str, str]]:
        return sorted(
            (m.get(TEXT), m.get(INTENT_RESPONSE_KEY))
            for m in training_data.intent_examples
            if m.get(TEXT)
            and m.get(INTENT) == self._retrieval_intent
            and m.get(INTENT_RESPONSE_KEY)
        )

    def train(self, training_data: TrainingData) -> Resource:
        prefix = f"utter_{self._retrieval_intent}/"
        self._responses = {
            name: variants
            for name, variants in training_data.responses.items()
            if name.startswith(prefix)
        }
        return super().train(training_data)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            return messages
        with_text = [m for m in messages if m.get(TEXT)]
        rankings = self.predict([m.get(TEXT) for m in with_text]) if with_text else []
        for message, ranking in zip(with_text, rankings, strict=True):
            top = ranking[0]
            key = top[INTENT_NAME_KEY]
            utter_action = f"utter_{key}"
            length = self._config["ranking_length"]
            prediction = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: self._responses.get(utter_action, []),
                    PREDICTED_CONFIDENCE_KEY: top[PREDICTED_CONFIDENCE_KEY],
                    INTENT_RESPONSE_KEY: key,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action,
                },
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {
                        PREDICTED_CONFIDENCE_KEY: label[PREDICTED_CONFIDENCE_KEY],
                        INTENT_RESPONSE_KEY: label[INTENT_NAME_KEY],
                    }
                    for label in (ranking[:length] if length > 0 else ranking)
                ],
            }
            selector = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {})
            selector[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = [self._retrieval_intent]
            selector[self._retrieval_intent] = prediction
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selector, add_to_output=True)
        return messages

    def _persist(self) -> None:
        super()._persist()
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _RESPONSES_FILE).write_text(
                json.dumps(self._responses, ensure_ascii=False), encoding="utf-8"
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearResponseSelector:
        selector = super().load(config, model_storage, resource, execution_context, **kwargs)
        try:
            with model_storage.read_from(resource) as directory:
                text = (directory / _RESPONSES_FILE).read_text(encoding="utf-8")
                selector._responses = json.loads(text)
        except (ValueError, FileNotFoundError) as error:
            logger.debug("%s: no responses loaded (%s).", cls.__name__, error)
        return selector
