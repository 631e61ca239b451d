"""Facts read from what citizens write, and replies read as answers to the question asked."""

import pytest

from actions.eligibility.answers import answer
from actions.eligibility.numbers import amount, normalise
from actions.eligibility.statements import facts_from_text

AGE = {"key": "age", "type": "integer", "min": 0, "max": 120}
ISEE = {"key": "isee", "type": "number", "min": 0, "max": 10_000_000}
WEEKS = {"key": "contribution_weeks_last_4_years", "type": "integer", "min": 0, "max": 209}
DAYS = {"key": "days_since_job_end", "type": "integer", "min": 0, "max": 36500}
MINOR = {"key": "household_has_minor", "type": "boolean"}


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("ho 34 anni e due figli", {"age": 34, "household_has_minor": True}),
        ("ho trentaquattro anni e tre figli", {"age": 34, "household_has_minor": True}),
        # A parent of 52 may have adult children: ask rather than guess.
        ("ho 52 anni e due figli", {"age": 52}),
        ("ho 28 anni, vivo coi miei, niente figli", {"age": 28}),
        (
            "due figli minorenni, ISEE di circa 7.000 euro",
            {"household_has_minor": True, "isee": 7000.0},
        ),
        ("ho 47 anni, una figlia di 12 anni", {"age": 47, "household_has_minor": True}),
        ("mia suocera che ha 72 anni vive con noi", {"household_has_over_60": True}),
        ("siamo io e mia moglie, lei ha 63 anni", {"household_has_over_60": True}),
        ("ho 61 anni", {"age": 61, "household_has_over_60": True}),
        (
            "vivo da solo, ho 45 anni",
            {"age": 45, "household_has_minor": False, "household_has_over_60": False},
        ),
        ("mia moglie è invalida al 100%", {"household_has_disabled": True}),
        ("ho una invalidità del 45%", {}),
        ("io ragazzo 22 anni senza lavoro", {"age": 22, "unemployed": True}),
        ("sono una donna di 40 anni", {"age": 40}),
        ("ho lavorato 3 anni in un bar", {}),
        ("vivo in italia da 6 anni", {"resident_5_years": True, "resident_10_years": False}),
        ("isee 2025 di 9.800 euro", {"isee": 9800.0}),
        ("nn ho ancora fatto l'isee", {"isee": "non_so"}),
        ("isee a zero", {"isee": 0.0}),
        (
            "sono disoccupato da 6 mesi",
            {"unemployed": True, "days_since_job_end": 180},
        ),
        (
            "mi hanno licenziato",
            {"unemployed": True, "was_employee": True, "job_loss_involuntary": True},
        ),
        ("mi sono dimesso", {"job_loss_involuntary": False}),
        ("mi sono dimessa per giusta causa", {"job_loss_involuntary": True}),
        ("prendo la naspi", {"receives_income_support": True}),
        ("sono in cassa integrazione", {"short_time_work": True}),
        ("lavoro part time e guadagno 600 euro al mese", {}),
    ],
)
def test_facts_stated_unprompted(text, facts):
    assert facts_from_text(text) == facts


def test_children_count_as_minors_once_the_age_is_known():
    assert facts_from_text("ho due figli", known={"age": 30}) == {"household_has_minor": True}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("isee 8000", 8000),
        ("8.500 euro", 8500),
        ("circa 7 mila", 7000),
        ("settemila", 7000),
        ("7,5 mila", 7500),
        ("5.230,45 €", 5230.45),
        ("un isee di 10.000 euro", 10000),
    ],
)
def test_amounts(text, value):
    assert amount(normalise(text)) == value


@pytest.mark.parametrize(
    ("question", "text", "intent", "value"),
    [
        (AGE, "34", "inform", 34),
        (AGE, "ho 34 anni", "inform", 34),
        (AGE, "trentaquattro", "inform", 34),
        (AGE, "ne ho 45", "inform", 45),
        (AGE, "200", "inform", None),
        (AGE, "ciao", "greet", None),
        (AGE, "non lo so", "inform", "non_so"),
        (ISEE, "8.500 euro", "inform", 8500.0),
        (ISEE, "circa 7 mila", "inform", 7000.0),
        (ISEE, "sotto i 6000", "inform", 6000.0),
        (ISEE, "boh", "inform", "non_so"),
        (ISEE, "non ho l'isee", "inform", "non_so"),
        (WEEKS, "52", "inform", 52),
        (WEEKS, "un anno", "inform", 52),
        (WEEKS, "3 mesi", "inform", 13),
        (WEEKS, "un anno e mezzo", "inform", 78),
        (WEEKS, "nessuna", "deny", 0),
        (WEEKS, "300", "inform", None),
        (DAYS, "20 giorni", "inform", 20),
        (DAYS, "due mesi", "inform", 60),
        (DAYS, "ieri", "inform", 1),
        (MINOR, "sì", "affirm", True),
        (MINOR, "/deny", "deny", False),
        (MINOR, "si", "inform", True),
        (MINOR, "no nessuno", "inform", False),
        (MINOR, "credo di no", "inform", False),
        (MINOR, "non so", "deny", "non_so"),
        (MINOR, "mio figlio ha 5 anni", "inform", True),
        (MINOR, "forse", "inform", None),
    ],
)
def test_answers_to_the_question_asked(question, text, intent, value):
    assert answer(question, text, intent) == value
