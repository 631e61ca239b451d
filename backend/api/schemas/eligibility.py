"""Eligibility checks on the wire. The answer model lives with the engine (result.py)."""

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, PlainValidator, WithJsonSchema

from backend.services.eligibility.result import EligibilityResult

__all__ = ["EligibilityCheckIn", "EligibilityResult", "MeasureOut"]


def _scalar(value: object) -> bool | int | float | str:
    # Type and range are checked against facts.yml by the engine, which names the fact
    # in its Italian message; here only JSON scalars pass.
    if not isinstance(value, bool | int | float | str):
        raise ValueError("ogni dato deve essere true/false, un numero o «non_so»")
    return value


FactInput = Annotated[
    bool | int | float | str,
    PlainValidator(_scalar),
    WithJsonSchema(
        {"anyOf": [{"type": "boolean"}, {"type": "number"}, {"type": "string", "enum": ["non_so"]}]}
    ),
]


def _plausible(day: date) -> date:
    if not 1990 <= day.year <= 2100:
        raise ValueError("La data di riferimento deve essere tra il 1990 e il 2100.")
    return day


class EligibilityCheckIn(BaseModel):
    facts: dict[Annotated[str, Field(max_length=60)], FactInput] = Field(
        default_factory=dict,
        max_length=60,
        description=(
            "I dati già raccolti, per nome (vedi missing_facts): true/false, numeri, "
            "oppure «non_so» se il cittadino non lo sa. I dati non dati sono «mancanti»."
        ),
        examples=[{"age": 34, "isee": 7200, "household_has_minor": False}],
    )
    reference_date: Annotated[date, AfterValidator(_plausible)] | None = Field(
        None,
        description=(
            "La data per cui valutare le regole (predefinita: oggi, in Italia). Per la NASpI "
            "è la data di fine del rapporto di lavoro."
        ),
    )


class MeasureOut(BaseModel):
    code: str
    name: str
    description: str
    legal_basis: str
    valid_from: date
    valid_to: date | None
    in_force: bool = Field(description="Se la misura è in vigore alla data di riferimento.")
    authority: str
