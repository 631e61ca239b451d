"""Reading the eligibility data files, once, and checking them against each other."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from backend.services.appointment_data import services
from backend.services.eligibility.model import Catalogue, Condition, Measure, Rule

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "eligibility"
CATALOGUE_FILE = "facts.yml"
_NUMERIC_OPS = {"max", "lt", "min", "gt", "between"}


@dataclass(frozen=True)
class RuleBook:
    catalogue: Catalogue
    measures: dict[str, Measure]


def _read(path: Path) -> object:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _check_condition(measure: str, rule_id: str, cond: Condition, catalogue: Catalogue) -> None:
    fact = catalogue.facts.get(cond.fact)
    where = f"{measure}.yml rule {rule_id}"
    if fact is None:
        raise ValueError(f"{where}: unknown fact {cond.fact!r} (add it to facts.yml)")
    if fact.type == "boolean" and (cond.op != "equals" or not isinstance(cond.value, bool)):
        raise ValueError(f"{where}: boolean fact {cond.fact!r} takes op equals true/false")
    if fact.type != "boolean" and cond.op not in _NUMERIC_OPS:
        raise ValueError(f"{where}: numeric fact {cond.fact!r} takes max, lt, min, gt or between")


def _check_rule(measure: Measure, rule: Rule, book_codes: set[str], catalogue: Catalogue) -> None:
    conditions = list(rule.conditions())
    if rule.fact is not None and rule.op is not None:
        for version in rule.versions:
            value = rule.value_for(version)
            if value is not None:
                conditions.append(Condition(fact=rule.fact, op=rule.op, value=value))
            if (
                rule.op == "between"
                and version.required
                and not (isinstance(value, list) and len(value) == 2)
            ):
                raise ValueError(f"{measure.code}.yml rule {rule.id}: between needs [min, max]")
    for cond in conditions:
        _check_condition(measure.code, rule.id, cond, catalogue)
    unknown = set(rule.see_also) - book_codes
    if unknown:
        raise ValueError(f"{measure.code}.yml rule {rule.id}: unknown see_also {sorted(unknown)}")


def load(data_dir: Path = DATA_DIR) -> RuleBook:
    catalogue = Catalogue.model_validate(_read(data_dir / CATALOGUE_FILE))
    measures: dict[str, Measure] = {}
    for path in sorted(data_dir.glob("*.yml")):
        if path.name == CATALOGUE_FILE:
            continue
        measure = Measure.model_validate(_read(path))
        if measure.code != path.stem:
            raise ValueError(f"{path.name}: code must be {path.stem!r}")
        measures[measure.code] = measure
    codes = set(measures)
    for measure in measures.values():
        for rule in measure.rules:
            _check_rule(measure, rule, codes, catalogue)
        if set(measure.ended_see_also) - codes:
            raise ValueError(f"{measure.code}.yml: unknown ended_see_also")
        if measure.suggested_service and measure.suggested_service not in services():
            raise ValueError(f"{measure.code}.yml: unknown suggested_service")
    return RuleBook(catalogue=catalogue, measures=measures)


@lru_cache
def rule_book() -> RuleBook:
    """The rules as loaded at start-up: edit the files, then restart the backend."""
    return load()
