"""What an eligibility check answers: the API returns these models as they are."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from backend.services.eligibility.model import Evidence, Verdict

ConditionStatus = Literal[
    "passed", "failed", "unknown", "missing", "not_applicable", "no_rule_for_date"
]


class ConditionResult(BaseModel):
    """One condition of the measure, as it stands for the facts and the date given."""

    id: str = Field(description="Identificativo della regola nel file dei dati.")
    text: str = Field(description="La condizione in italiano, con la soglia in vigore.")
    status: ConditionStatus = Field(
        description=(
            "passed: soddisfatta; failed: non soddisfatta; unknown: il cittadino ha "
            "risposto «non so»; missing: manca un dato; not_applicable: non si applica "
            "in questa data o situazione; no_rule_for_date: nessuna regola nota per la data."
        )
    )
    valid_from: date | None = Field(description="Da quando vale la versione applicata.")
    valid_to: date | None = Field(description="Fino a quando vale (null: ancora in vigore).")
    source: str | None = Field(description="Fonte normativa della versione applicata.")
    evidence: Evidence | None = Field(
        description="official: letta nel testo ufficiale; secondary: solo fonti secondarie."
    )
    note: str | None = None
    hint: str | None = Field(None, description="Cosa fare se la condizione non è soddisfatta.")


class MissingFact(BaseModel):
    """A fact still needed, with the question the chat asks for it."""

    key: str
    label: str
    question: str
    type: Literal["boolean", "integer", "number"]
    min: float | None = None
    max: float | None = None


class InfoResult(BaseModel):
    """A benefit, or a requirement checked by the authority, as in force on the date."""

    id: str
    text: str
    valid_from: date
    valid_to: date | None
    source: str
    evidence: Evidence
    note: str | None = None


class EligibilityResult(BaseModel):
    measure: str
    measure_name: str
    reference_date: date
    verdict: Verdict = Field(
        description=(
            "likely_eligible: probabilmente sì; not_eligible: no; to_verify: da verificare "
            "al Centro per l'Impiego (anche quando mancano ancora dati: vedi complete)."
        )
    )
    verdict_text: str
    complete: bool = Field(
        description="false finché missing_facts non è vuoto: il verdetto è provvisorio."
    )
    summary: str
    decided_by: list[ConditionResult] = Field(
        description="Le condizioni che hanno deciso il verdetto, con le loro fonti."
    )
    conditions: list[ConditionResult] = Field(description="Tutte le condizioni valutate.")
    missing_facts: list[MissingFact] = Field(
        description="I dati ancora da chiedere, nell'ordine in cui chiederli, uno alla volta."
    )
    next_steps: list[str]
    see_also: list[str] = Field(description="Altre misure da verificare (codici).")
    suggested_service: str | None = Field(
        description="Servizio da prenotare al CPI per proseguire (codice), se utile."
    )
    benefits: list[InfoResult]
    other_requirements: list[InfoResult] = Field(
        description="Requisiti che controlla l'ente (reddito, patrimonio...): non chiesti in chat."
    )
    legal_basis: str
    authority: str
