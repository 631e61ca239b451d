"""Each measure's rules and each date boundary, evaluated by the engine on the data files."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from backend.services.eligibility import engine
from backend.services.eligibility.facts import FactsError, parse
from backend.services.eligibility.loader import rule_book
from backend.services.eligibility.result import EligibilityResult

ADI_OK = {
    "household_has_minor": True,
    "eligible_citizenship": True,
    "resident_5_years": True,
    "isee": 9000,
    "voluntary_resignation_last_12_months": False,
}
SFL_OK = {
    "age": 30,
    "household_has_minor": False,
    "household_has_disabled": False,
    "household_has_over_60": False,
    "household_has_certified_disadvantage": False,
    "eligible_citizenship": True,
    "resident_5_years": True,
    "isee": 5000,
    "receives_income_support": False,
}
NASPI_OK = {
    "was_employee": True,
    "job_loss_involuntary": True,
    "unemployed": True,
    "days_since_job_end": 10,
    "contribution_weeks_last_4_years": 52,
    "days_worked_last_12_months": 200,
    "voluntary_quit_open_ended_last_12_months": False,
}
RDC_OK = {"eligible_citizenship": True, "resident_10_years": True, "isee": 5000}


def check(measure: str, facts: dict[str, Any], day: date) -> EligibilityResult:
    book = rule_book()
    return engine.check(book, book.measures[measure], parse(facts, book.catalogue), day)


def condition(result: EligibilityResult, rule_id: str) -> Any:
    return next(c for c in result.conditions if c.id == rule_id)


def benefit(result: EligibilityResult, item: str) -> str | None:
    return next((b.text for b in result.benefits if b.id == item), None)


# --- SFL -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "isee", "verdict"),
    [
        (date(2024, 12, 31), 6000, "likely_eligible"),
        (date(2024, 12, 31), 6000.01, "not_eligible"),
        (date(2025, 1, 1), 6000.01, "likely_eligible"),
        (date(2025, 1, 1), 10140, "likely_eligible"),
        (date(2025, 1, 1), 10141, "not_eligible"),
    ],
)
def test_sfl_isee_limit_is_6000_until_2024_and_10140_from_2025(day, isee, verdict):
    result = check("sfl", {**SFL_OK, "isee": isee}, day)
    assert result.verdict == verdict
    isee_rule = condition(result, "isee")
    if day.year == 2024:
        assert isee_rule.text == "ISEE non superiore a 6.000 €"
        assert isee_rule.valid_to == date(2024, 12, 31)
        assert isee_rule.source == "DL 48/2023 art. 12 c. 2"
    else:
        assert isee_rule.text == "ISEE non superiore a 10.140 €"
        assert isee_rule.valid_from == date(2025, 1, 1)
        assert "L. 30 dicembre 2024 n. 207" in (isee_rule.source or "")
    if verdict == "not_eligible":
        assert [c.id for c in result.decided_by] == ["isee"]
        assert result.missing_facts == []


def test_sfl_amount_is_350_until_2024_and_500_from_2025():
    assert "350 €" in (benefit(check("sfl", SFL_OK, date(2024, 12, 31)), "amount") or "")
    assert "500 €" in (benefit(check("sfl", SFL_OK, date(2025, 1, 1)), "amount") or "")


@pytest.mark.parametrize(
    ("age", "verdict"),
    [(17, "not_eligible"), (18, "likely_eligible"), (59, "likely_eligible"), (60, "not_eligible")],
)
def test_sfl_age_is_18_to_59(age, verdict):
    result = check("sfl", {**SFL_OK, "age": age}, date(2025, 6, 1))
    assert result.verdict == verdict
    if verdict == "not_eligible":
        assert result.see_also == ["adi"]
        assert any("Assegno di Inclusione" in s for s in result.next_steps)


def test_sfl_did_not_exist_before_september_2023():
    result = check("sfl", SFL_OK, date(2023, 8, 31))
    assert result.verdict == "not_eligible"
    assert result.decided_by[0].id == "measure_period"
    assert check("sfl", SFL_OK, date(2023, 9, 1)).verdict == "likely_eligible"


def test_sfl_with_an_adi_household_is_to_be_verified_and_points_to_adi():
    result = check("sfl", {**SFL_OK, "household_has_minor": True}, date(2025, 6, 1))
    assert result.verdict == "to_verify"
    assert result.see_also == ["adi"]
    assert [c.id for c in result.decided_by] == ["household_without_adi_members"]


def test_sfl_is_incompatible_with_naspi():
    result = check("sfl", {**SFL_OK, "receives_income_support": True}, date(2025, 6, 1))
    assert result.verdict == "not_eligible"


def test_a_non_so_answer_leads_to_to_be_verified():
    for answer in ("non_so", "non so"):
        result = check("sfl", {**SFL_OK, "isee": answer}, date(2025, 6, 1))
        assert result.verdict == "to_verify"
        assert result.complete is True
        assert [(c.id, c.status) for c in result.decided_by] == [("isee", "unknown")]
        assert result.missing_facts == []
        assert result.suggested_service == "accoglienza_did"


# --- ADI -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "isee", "verdict"),
    [
        (date(2024, 12, 31), 9360, "likely_eligible"),
        (date(2024, 12, 31), 9361, "not_eligible"),
        (date(2025, 1, 1), 9361, "likely_eligible"),
        (date(2025, 1, 1), 10140, "likely_eligible"),
        (date(2025, 1, 1), 10141, "not_eligible"),
    ],
)
def test_adi_isee_limit_is_9360_until_2024_and_10140_from_2025(day, isee, verdict):
    result = check("adi", {**ADI_OK, "isee": isee}, day)
    assert result.verdict == verdict
    expected = "9.360" if day.year == 2024 else "10.140"
    assert condition(result, "isee").text == f"ISEE non superiore a {expected} €"


def test_adi_starts_on_1_january_2024():
    assert check("adi", ADI_OK, date(2023, 12, 31)).verdict == "not_eligible"
    assert check("adi", ADI_OK, date(2024, 1, 1)).verdict == "likely_eligible"
    assert check("adi", ADI_OK, date(2024, 1, 1)).see_also == []


def test_adi_amounts_and_renewal_follow_the_law_of_the_date():
    in_2024 = check("adi", ADI_OK, date(2024, 12, 31))
    in_2025 = check("adi", ADI_OK, date(2025, 12, 31))
    in_2026 = check("adi", ADI_OK, date(2026, 1, 1))
    assert "3.360 €" in (benefit(in_2024, "rent_top_up") or "")
    assert "3.640 €" in (benefit(in_2025, "rent_top_up") or "")
    assert "dopo un mese di sospensione" in (benefit(in_2025, "duration") or "")
    assert "senza mese di sospensione" in (benefit(in_2026, "duration") or "")
    assert "50%" in (benefit(in_2026, "duration") or "")
    assert any("6.500 €" in r.text for r in in_2025.other_requirements)


def test_adi_household_of_only_working_age_adults_points_to_sfl():
    facts = {
        **ADI_OK,
        "household_has_minor": False,
        "household_has_disabled": False,
        "household_has_over_60": False,
        "household_has_certified_disadvantage": False,
    }
    result = check("adi", facts, date(2025, 6, 1))
    assert result.verdict == "not_eligible"
    assert result.see_also == ["sfl"]
    assert (
        result.decided_by[0].source == "DL 48/2023 art. 2 c. 1 (lett. d aggiunta dalla L. 85/2023)"
    )


def test_adi_voluntary_resignation_is_to_be_verified_not_a_no():
    result = check(
        "adi", {**ADI_OK, "voluntary_resignation_last_12_months": True}, date(2025, 6, 1)
    )
    assert result.verdict == "to_verify"


def test_adi_asks_only_what_is_needed_in_order_with_italian_questions():
    result = check("adi", {}, date(2025, 6, 1))
    assert result.complete is False
    assert result.verdict == "to_verify"
    assert [f.key for f in result.missing_facts] == [
        "household_has_minor",
        "household_has_disabled",
        "household_has_over_60",
        "household_has_certified_disadvantage",
        "eligible_citizenship",
        "resident_5_years",
        "isee",
        "voluntary_resignation_last_12_months",
    ]
    assert all(f.question.endswith("?") or "«non so»" in f.question for f in result.missing_facts)
    # One qualifying member is enough: the other household questions are not asked.
    after = check("adi", {"household_has_minor": True}, date(2025, 6, 1))
    assert after.missing_facts[0].key == "eligible_citizenship"
    # A final "no" ends the questions.
    over = check("adi", {"isee": 50000}, date(2025, 6, 1))
    assert over.verdict == "not_eligible"
    assert over.missing_facts == []


# --- GOL -------------------------------------------------------------------------------


def test_gol_is_likely_until_30_june_2026():
    result = check("gol", {"unemployed": True}, date(2026, 6, 30))
    assert result.verdict == "likely_eligible"
    assert result.suggested_service == "assessment_gol"


def test_gol_after_its_funded_end_date_is_always_to_be_verified():
    facts = {"unemployed": True, "receives_income_support": True}
    for day in (date(2026, 7, 1), date(2027, 1, 1)):
        result = check("gol", facts, day)
        assert result.verdict == "to_verify"
        assert result.complete is True
        assert result.missing_facts == []
        assert "30 giugno 2026" in result.summary
        assert result.decided_by[0].id == "measure_period"
    default_date = check("gol", facts, date.today())
    if date.today() > date(2026, 6, 30):
        assert default_date.verdict == "to_verify"


def test_gol_is_not_for_people_outside_its_target_groups():
    facts = {
        "unemployed": False,
        "receives_income_support": False,
        "short_time_work": False,
        "low_income_worker": False,
    }
    assert check("gol", facts, date(2025, 3, 1)).verdict == "not_eligible"


# --- RdC -------------------------------------------------------------------------------


def test_rdc_ended_on_31_december_2023_and_points_to_adi_and_sfl():
    assert check("rdc", RDC_OK, date(2023, 12, 31)).verdict == "likely_eligible"
    result = check("rdc", RDC_OK, date(2024, 1, 1))
    assert result.verdict == "not_eligible"
    assert "terminato" in result.summary
    assert result.see_also == ["adi", "sfl"]
    assert any("Assegno di Inclusione" in s for s in result.next_steps)
    assert result.missing_facts == []


def test_rdc_isee_had_to_be_below_9360():
    assert check("rdc", {**RDC_OK, "isee": 9359.99}, date(2023, 6, 1)).verdict == "likely_eligible"
    assert check("rdc", {**RDC_OK, "isee": 9360}, date(2023, 6, 1)).verdict == "not_eligible"


# --- NASpI -----------------------------------------------------------------------------


def test_naspi_30_working_days_rule_applies_only_to_job_losses_until_2021():
    facts = {k: v for k, v in NASPI_OK.items() if k != "days_worked_last_12_months"}
    before = check("naspi", facts, date(2021, 12, 31))
    assert "days_worked_last_12_months" in [f.key for f in before.missing_facts]
    assert check(
        "naspi", {**facts, "days_worked_last_12_months": 29}, date(2021, 12, 31)
    ).verdict == ("not_eligible")
    after = check("naspi", facts, date(2022, 1, 1))
    assert after.verdict == "likely_eligible"
    abolished = condition(after, "days_worked")
    assert abolished.status == "not_applicable"
    assert "L. 30 dicembre 2021 n. 234" in (abolished.source or "")


def test_naspi_voluntary_quit_rule_applies_from_2025():
    facts = {k: v for k, v in NASPI_OK.items() if k != "voluntary_quit_open_ended_last_12_months"}
    assert check("naspi", facts, date(2024, 12, 31)).verdict == "likely_eligible"
    asked = check("naspi", facts, date(2025, 1, 1))
    assert [f.key for f in asked.missing_facts] == ["voluntary_quit_open_ended_last_12_months"]
    quit_before = {**facts, "voluntary_quit_open_ended_last_12_months": True}
    follow_up = check("naspi", quit_before, date(2025, 1, 1))
    assert [f.key for f in follow_up.missing_facts] == ["contribution_weeks_since_quit"]
    assert (
        check(
            "naspi", {**quit_before, "contribution_weeks_since_quit": 12}, date(2025, 1, 1)
        ).verdict
        == "not_eligible"
    )
    assert (
        check(
            "naspi", {**quit_before, "contribution_weeks_since_quit": 13}, date(2025, 1, 1)
        ).verdict
        == "likely_eligible"
    )


@pytest.mark.parametrize(
    ("change", "verdict"),
    [
        ({"contribution_weeks_last_4_years": 12}, "not_eligible"),
        ({"contribution_weeks_last_4_years": 13}, "likely_eligible"),
        ({"days_since_job_end": 68}, "likely_eligible"),
        ({"days_since_job_end": 69}, "not_eligible"),
        ({"was_employee": False}, "not_eligible"),
        ({"job_loss_involuntary": False}, "not_eligible"),
        ({"contribution_weeks_last_4_years": "non_so"}, "to_verify"),
    ],
)
def test_naspi_pre_check(change, verdict):
    assert check("naspi", {**NASPI_OK, **change}, date(2026, 3, 1)).verdict == verdict


def test_naspi_dis_coll_hint_and_yearly_maximum():
    result = check("naspi", {**NASPI_OK, "was_employee": False}, date(2026, 3, 1))
    assert any("DIS-COLL" in s for s in result.next_steps)
    in_2026 = check("naspi", NASPI_OK, date(2026, 3, 1))
    assert "1.584,70 €" in (benefit(in_2026, "max_amount") or "")
    assert benefit(check("naspi", NASPI_OK, date(2027, 1, 1)), "max_amount") is None
    siisl = [s for s in in_2026.next_steps if "SIISL" in s]
    assert siisl
    assert not [s for s in check("naspi", NASPI_OK, date(2024, 11, 23)).next_steps if "SIISL" in s]


# --- facts -----------------------------------------------------------------------------


def test_facts_are_checked_against_the_catalogue_in_italian():
    catalogue = rule_book().catalogue
    with pytest.raises(FactsError) as error:
        parse({"eta": 3, "age": 1.5, "isee": -1, "household_has_minor": "si"}, catalogue)
    messages = error.value.messages
    assert "non conosco il dato «eta»" in messages
    assert "«età» va indicato come un numero intero, o «non_so»" in messages
    assert "«ISEE» non può essere meno di 0" in messages
    assert any("minorenni" in m for m in messages)
    assert parse({"age": 30.0}, catalogue) == {"age": 30}
