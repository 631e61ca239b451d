"""`rasa test nlu` that also scores the entities of the whole pipeline's output.

Rasa scores each entity extractor on its own (DIETClassifier, RegexEntityExtractor ...), by
the `extractor` field of each entity. A citizen's message is understood through all of
them together, after EntityPostprocessor has normalised, deduplicated and completed the
comuni. So every entity of the final parse is also scored once more as extractor
"Pipeline" (Pipeline_report.json, Pipeline_errors.json beside Rasa's own reports).

usage: python scripts/rasa_test_nlu.py <the arguments of `rasa test nlu`>
"""

from __future__ import annotations

import sys

from rasa.nlu import test as nlu_test

PIPELINE = "Pipeline"
_get_eval_data = nlu_test.get_eval_data


async def get_eval_data_with_pipeline(processor, test_data):  # type: ignore[no-untyped-def]
    intents, responses, entities = await _get_eval_data(processor, test_data)
    for result in entities:
        result.entity_predictions.extend(
            [{**entity, "extractor": PIPELINE} for entity in result.entity_predictions]
        )
    return intents, responses, entities


def main() -> None:
    nlu_test.get_eval_data = get_eval_data_with_pipeline
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", "test", "nlu", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
