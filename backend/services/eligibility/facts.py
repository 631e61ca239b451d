"""The facts a citizen gave, checked against the catalogue (facts.yml) and typed."""

from collections.abc import Mapping
from typing import Final

from backend.services.eligibility.model import Catalogue

# What the API accepts for "non so": the fact is known to be unknown, not missing.
UNKNOWN_ANSWER: Final = "non_so"


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()
FactValue = bool | int | float | _Unknown


class FactsError(ValueError):
    """Facts that cannot be used; each message is Italian and names the fact."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _typed(value: object, kind: str) -> bool | int | float | None:
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if kind == "integer":
        if isinstance(value, float) and not value.is_integer():
            return None
        return int(value)
    return value


def parse(raw: Mapping[str, object], catalogue: Catalogue) -> dict[str, FactValue]:
    facts: dict[str, FactValue] = {}
    problems = []
    for key, value in raw.items():
        definition = catalogue.facts.get(key)
        if definition is None:
            problems.append(f"non conosco il dato «{key[:40]}»")
            continue
        if isinstance(value, str) and value.strip().lower().replace(" ", "_") == UNKNOWN_ANSWER:
            facts[key] = UNKNOWN
            continue
        typed = _typed(value, definition.type)
        if typed is None:
            expected = {
                "boolean": "sì (true) o no (false)",
                "integer": "un numero intero",
                "number": "un numero",
            }[definition.type]
            problems.append(f"«{definition.label}» va indicato come {expected}, o «non_so»")
            continue
        low, high = definition.min, definition.max
        if not isinstance(typed, bool) and low is not None and typed < low:
            problems.append(f"«{definition.label}» non può essere meno di {low:g}")
            continue
        if not isinstance(typed, bool) and high is not None and typed > high:
            problems.append(f"«{definition.label}» non può essere più di {high:g}")
            continue
        facts[key] = typed
    if problems:
        raise FactsError(problems)
    return facts
