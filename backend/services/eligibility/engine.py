"""Evaluating a measure's dated rules against a citizen's facts on a reference date.

The verdict, in order of precedence:
1. outside the measure's period: "not eligible" (not yet / ended) or, for a measure whose
   end only means "funding not yet renewed" (GOL), "to be verified";
2. a failed condition whose failure is final: "not eligible", nothing more to ask;
3. facts still missing: "to be verified", incomplete, with the facts to ask in order;
4. a "non so", a failed condition with exceptions, a date no rule covers: "to be verified";
5. otherwise "likely eligible" (the authority still decides).
"""

from datetime import date

from backend.services.eligibility.facts import UNKNOWN, FactValue
from backend.services.eligibility.loader import RuleBook
from backend.services.eligibility.model import (
    Condition,
    InfoItem,
    Measure,
    Rule,
    RuleVersion,
    Verdict,
)
from backend.services.eligibility.result import (
    ConditionResult,
    ConditionStatus,
    EligibilityResult,
    InfoResult,
    MissingFact,
)
from backend.services.eligibility.texts import fill, italian_date, italian_number


def _test(op: str, value: bool | int | float, threshold: object) -> bool:
    if op == "equals":
        return value == threshold
    if op == "between":
        assert isinstance(threshold, list)
        return threshold[0] <= value <= threshold[1]
    assert isinstance(threshold, int | float)
    return {
        "max": value <= threshold,
        "lt": value < threshold,
        "min": value >= threshold,
        "gt": value > threshold,
    }[op]


def _leaf(cond: Condition, facts: dict[str, FactValue]) -> ConditionStatus:
    if cond.fact not in facts:
        return "missing"
    value = facts[cond.fact]
    if value is UNKNOWN:
        return "unknown"
    assert not isinstance(value, type(UNKNOWN))
    return "passed" if _test(cond.op, value, cond.value) else "failed"


def _combine(statuses: list[ConditionStatus], any_of: bool) -> ConditionStatus:
    decisive = "passed" if any_of else "failed"
    if decisive in statuses:
        return decisive
    if "missing" in statuses:
        return "missing"
    if "unknown" in statuses:
        return "unknown"
    return "failed" if any_of else "passed"


def _evaluate(
    rule: Rule, version: RuleVersion | None, facts: dict[str, FactValue]
) -> tuple[ConditionStatus, list[str]]:
    """The rule's status and, when missing, the facts to ask (in order)."""
    if version is None:
        return "no_rule_for_date", []
    if not version.required:
        return "not_applicable", []
    if rule.when is not None:
        gate = _leaf(rule.when, facts)
        if gate == "missing":
            return "missing", [rule.when.fact]
        if gate == "unknown":
            return "unknown", []
        if gate == "failed":
            return "not_applicable", []
    if rule.fact is not None and rule.op is not None:
        value = rule.value_for(version)
        assert value is not None
        status = _leaf(Condition(fact=rule.fact, op=rule.op, value=value), facts)
        return status, [rule.fact] if status == "missing" else []
    leaves = rule.any_of or rule.all_of or []
    statuses = [_leaf(c, facts) for c in leaves]
    status = _combine(statuses, any_of=rule.any_of is not None)
    missing = [c.fact for c, s in zip(leaves, statuses, strict=True) if s == "missing"]
    return status, missing if status == "missing" else []


def _rule_text(rule: Rule, version: RuleVersion | None) -> str:
    value = rule.value_for(version) if version is not None else None
    if isinstance(value, list):
        return fill(rule.text, min=italian_number(value[0]), max=italian_number(value[1]))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fill(rule.text, value=italian_number(value))
    return fill(rule.text)


def _condition(
    rule: Rule, day: date, facts: dict[str, FactValue]
) -> tuple[ConditionResult, list[str]]:
    version = rule.version_on(day)
    status, missing = _evaluate(rule, version, facts)
    note = version.note if version else "Per questa data non conosco la regola: va verificata."
    result = ConditionResult(
        id=rule.id,
        text=_rule_text(rule, version),
        status=status,
        valid_from=version.valid_from if version else None,
        valid_to=version.valid_to if version else None,
        source=version.source if version else None,
        evidence=version.evidence if version else None,
        note=note,
        hint=rule.fail_hint if status == "failed" else None,
    )
    return result, missing


def _info(items: list[InfoItem], day: date) -> list[InfoResult]:
    found = []
    for item in items:
        version = next((v for v in item.versions if v.covers(day)), None)
        if version is None:
            continue
        if version.text:
            text = version.text
        elif version.value is not None:
            text = fill(item.text, value=italian_number(version.value))
        else:
            text = item.text
        found.append(
            InfoResult(
                id=item.id,
                text=text,
                valid_from=version.valid_from,
                valid_to=version.valid_to,
                source=version.source,
                evidence=version.evidence,
                note=version.note,
            )
        )
    return found


def _period_condition(measure: Measure, status: ConditionStatus) -> ConditionResult:
    until = f" al {italian_date(measure.valid_to)}" if measure.valid_to else ""
    return ConditionResult(
        id="measure_period",
        text=f"La misura vale dal {italian_date(measure.valid_from)}{until}",
        status=status,
        valid_from=measure.valid_from,
        valid_to=measure.valid_to,
        source=measure.legal_basis,
        evidence="official",
    )


def check(
    book: RuleBook, measure: Measure, facts: dict[str, FactValue], day: date
) -> EligibilityResult:
    catalogue = book.catalogue
    rules = {r.id: r for r in measure.rules}
    base = {
        "measure": measure.code,
        "measure_name": measure.name,
        "reference_date": day,
        "benefits": _info(measure.benefits, day),
        "other_requirements": _info(measure.other_requirements, day),
        "legal_basis": measure.legal_basis,
        "authority": measure.authority,
    }

    def answer(
        verdict: Verdict,
        summary: str,
        decided_by: list[ConditionResult],
        conditions: list[ConditionResult],
        missing: list[str] | None = None,
        steps: list[str] | None = None,
        see_also: list[str] | None = None,
    ) -> EligibilityResult:
        hints = [c.hint for c in decided_by if c.hint]
        if steps is None:
            wanted = getattr(measure.next_steps, verdict)
            steps = [s.text for s in wanted if s.covers(day)]
        related = list(see_also or [])
        for c in decided_by:
            # Other measures are suggested only by conditions the citizen does not meet.
            if c.status == "failed" and c.id in rules:
                related += [m for m in rules[c.id].see_also if m != measure.code]
        return EligibilityResult(
            **base,
            verdict=verdict,
            verdict_text=catalogue.verdicts[verdict],
            complete=not missing,
            summary=summary,
            decided_by=decided_by,
            conditions=conditions,
            missing_facts=[_missing_fact(book, key) for key in missing or []],
            next_steps=list(dict.fromkeys(hints + steps)),
            see_also=list(dict.fromkeys(related)),
            suggested_service=measure.suggested_service if verdict != "not_eligible" else None,
        )

    if day < measure.valid_from:
        period = _period_condition(measure, "failed")
        return answer("not_eligible", measure.not_yet_text, [period], [period], steps=[])
    if measure.valid_to is not None and day > measure.valid_to:
        assert measure.ended_text is not None
        if measure.after_end == "ended":
            period = _period_condition(measure, "failed")
            steps = [s.text for s in measure.next_steps.ended if s.covers(day)]
            return answer(
                "not_eligible",
                measure.ended_text,
                [period],
                [period],
                steps=steps,
                see_also=measure.ended_see_also,
            )
        period = _period_condition(measure, "no_rule_for_date")
        return answer("to_verify", measure.ended_text, [period], [period])

    evaluated = [_condition(rule, day, facts) for rule in measure.rules]
    conditions = [c for c, _ in evaluated]
    final_fails = [
        c for c in conditions if c.status == "failed" and rules[c.id].on_fail == "not_eligible"
    ]
    if final_fails:
        summary = fill(
            catalogue.summaries["not_eligible"], name=measure.name, conditions=_join(final_fails)
        )
        return answer("not_eligible", summary, final_fails, conditions)

    missing = list(dict.fromkeys(key for _, keys in evaluated for key in keys))
    doubtful = [c for c in conditions if c.status in ("failed", "unknown", "no_rule_for_date")]
    if missing:
        summary = fill(catalogue.summaries["incomplete"], name=measure.name)
        return answer("to_verify", summary, doubtful, conditions, missing=missing, steps=[])
    if doubtful:
        summary = fill(
            catalogue.summaries["to_verify"], name=measure.name, conditions=_join(doubtful)
        )
        return answer("to_verify", summary, doubtful, conditions)
    passed = [c for c in conditions if c.status == "passed"]
    summary = fill(
        catalogue.summaries["likely_eligible"], name=measure.name, authority=measure.authority
    )
    return answer("likely_eligible", summary, passed, conditions)


def _join(conditions: list[ConditionResult]) -> str:
    """Condition texts inside a sentence: "Età tra…" becomes "età tra…", "ISEE" stays."""

    def inline(text: str) -> str:
        return text[0].lower() + text[1:] if text[1:2].islower() else text

    return "; ".join(inline(c.text) for c in conditions)


def _missing_fact(book: RuleBook, key: str) -> MissingFact:
    fact = book.catalogue.facts[key]
    return MissingFact(
        key=key,
        label=fact.label,
        question=fact.question,
        type=fact.type,
        min=fact.min,
        max=fact.max,
    )
