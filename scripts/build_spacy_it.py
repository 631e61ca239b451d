"""Build the blank Italian spaCy pipeline Rasa's SpacyNLP loads.

No trained Italian pipeline can be downloaded on our machines, so the assistant uses
spaCy's rule-based Italian tokenizer (it splits elisions such as "dell'impiego")
and nothing else: no vectors, no lemmatizer (its lookup lemmas are poor, see
shared/spec/recipes.md).
"""

import sys
from pathlib import Path

import spacy


def main(target: str) -> None:
    nlp = spacy.blank("it")
    nlp.meta["name"] = "it_blank_sportello"
    nlp.meta["version"] = "1.0.0"
    nlp.initialize()
    out = Path(target)
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    print(f"spaCy pipeline written to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
