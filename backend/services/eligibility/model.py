"""The shape of the eligibility data files (backend/data/eligibility/*.yml).

Loading a file through these models refuses anything an operator could get wrong when a
law changes: overlapping dates, a version without a source, a threshold without a value,
a fact that does not exist. The checks that span files live in loader.py.
"""

from datetime import date
from itertools import pairwise
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Verdict = Literal["likely_eligible", "not_eligible", "to_verify"]
Evidence = Literal["official", "secondary"]
# equals: same value; max: <=; lt: <; min: >=; gt: >; between: within [min, max].
Op = Literal["equals", "max", "lt", "min", "gt", "between"]
Scalar = bool | int | float
RuleValue = Scalar | list[int | float]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dated(_Strict):
    """Something that holds from `valid_from` to `valid_to`, both inclusive."""

    valid_from: date
    valid_to: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "Dated":
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        return self

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def check_no_overlap(versions: list[Dated], what: str) -> None:
    ordered = sorted(versions, key=lambda v: v.valid_from)
    if ordered != list(versions):
        raise ValueError(f"{what}: list versions from the oldest to the newest")
    for earlier, later in pairwise(ordered):
        if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
            raise ValueError(
                f"{what}: the version from {earlier.valid_from} must end before "
                f"{later.valid_from} (set its valid_to)"
            )


class FactDef(_Strict):
    type: Literal["boolean", "integer", "number"]
    label: str
    question: str
    min: float | None = None
    max: float | None = None


class Condition(_Strict):
    """A test on one fact with a fixed value, inside any_of / all_of / when."""

    fact: str
    op: Op
    value: RuleValue


class RuleVersion(Dated):
    # The threshold in force in this period (for rules whose value changes by law).
    value: RuleValue | None = None
    # False: in this period the condition does not exist (not yet introduced, or abolished).
    required: bool = True
    source: str
    evidence: Evidence
    note: str | None = None


class Rule(_Strict):
    id: str
    # Italian; {value}, {min}, {max} are filled from the version in force.
    text: str
    fact: str | None = None
    op: Op | None = None
    value: RuleValue | None = None
    any_of: list[Condition] | None = None
    all_of: list[Condition] | None = None
    # Only applies when this condition holds (e.g. "after a voluntary quit").
    when: Condition | None = None
    versions: list[RuleVersion] = Field(min_length=1)
    # not_eligible: failing it is a "no"; to_verify: exceptions exist, the CPI decides.
    on_fail: Literal["not_eligible", "to_verify"] = "not_eligible"
    fail_hint: str | None = None
    see_also: list[str] = []

    @model_validator(mode="after")
    def _well_formed(self) -> "Rule":
        shapes = [self.fact is not None, self.any_of is not None, self.all_of is not None]
        if sum(shapes) != 1:
            raise ValueError(f"rule {self.id}: give exactly one of fact, any_of, all_of")
        if self.fact is not None and self.op is None:
            raise ValueError(f"rule {self.id}: a rule on a fact needs an op")
        check_no_overlap(list(self.versions), f"rule {self.id}")
        if self.fact is not None:
            for version in self.versions:
                if version.required and self.value_for(version) is None:
                    raise ValueError(f"rule {self.id}: version {version.valid_from} has no value")
        return self

    def value_for(self, version: RuleVersion) -> RuleValue | None:
        return version.value if version.value is not None else self.value

    def version_on(self, day: date) -> RuleVersion | None:
        return next((v for v in self.versions if v.covers(day)), None)

    def conditions(self) -> list[Condition]:
        """Every fixed-value condition of the rule, the `when` first."""
        return ([self.when] if self.when else []) + (self.any_of or []) + (self.all_of or [])


class InfoVersion(Dated):
    value: float | None = None
    # Replaces the item's text for this period when the wording itself changes.
    text: str | None = None
    source: str
    evidence: Evidence
    note: str | None = None


class InfoItem(_Strict):
    """A benefit or a requirement the chat shows but does not ask about."""

    id: str
    text: str
    versions: list[InfoVersion] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_overlap(self) -> "InfoItem":
        check_no_overlap(list(self.versions), f"item {self.id}")
        return self


class NextStep(_Strict):
    text: str
    valid_from: date | None = None
    valid_to: date | None = None
    source: str | None = None

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class NextSteps(_Strict):
    likely_eligible: list[NextStep]
    not_eligible: list[NextStep]
    to_verify: list[NextStep]
    # After the measure's end, when it has ended for good.
    ended: list[NextStep] = []

    @field_validator("*", mode="before")
    @classmethod
    def _plain_strings(cls, steps: list[object]) -> list[object]:
        # A step without dates can be written as a plain string.
        return [{"text": s} if isinstance(s, str) else s for s in steps]


class Measure(_Strict):
    code: str
    name: str
    description: str
    legal_basis: str
    valid_from: date
    valid_to: date | None = None
    # What the end date means: over for good, or "ask the CPI" (funding not yet renewed).
    after_end: Literal["ended", "to_verify"] = "ended"
    ended_text: str | None = None
    ended_see_also: list[str] = []
    not_yet_text: str
    authority: str
    suggested_service: str | None = None
    rules: list[Rule]
    benefits: list[InfoItem] = []
    other_requirements: list[InfoItem] = []
    next_steps: NextSteps

    @model_validator(mode="after")
    def _ended_has_text(self) -> "Measure":
        if self.valid_to is not None and not self.ended_text:
            raise ValueError(f"measure {self.code}: a measure with valid_to needs ended_text")
        ids = [r.id for r in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError(f"measure {self.code}: rule ids must be unique")
        return self


class Catalogue(_Strict):
    facts: dict[str, FactDef]
    verdicts: dict[Verdict, str]
    summaries: dict[Literal["likely_eligible", "not_eligible", "to_verify", "incomplete"], str]
