"""The eligibility questionnaire against the real backend (uvicorn + PostgreSQL).

Each test replays a conversation through the custom actions (tests/bot/eligibility_chat.py)
with the backend's real rules: the questions asked are those the rules need, in their
order, and the verdicts are the backend's.
"""

from __future__ import annotations

import pytest

from tests.bot.eligibility_chat import Chat

pytestmark = pytest.mark.usefixtures("live_backend")


async def start(text: str, misura: str | None = None) -> Chat:
    chat = Chat()
    await chat.say(text, intent="check_eligibility", misura=misura)
    return chat


async def test_adi_asks_one_question_at_a_time_and_gives_a_sourced_verdict():
    chat = await start("posso avere l'assegno di inclusione?", misura="adi")
    assert "Ti faccio qualche domanda" in chat.texts
    assert chat.question == "household_has_minor"
    assert chat.buttons == ["Sì", "No", "Non so"]
    for expected in ("eligible_citizenship", "resident_5_years", "isee"):
        await chat.say("sì", intent="affirm")
        assert chat.question == expected
    assert chat.buttons == ["Non so"]
    await chat.say("circa 8 mila")
    assert chat.question == "voluntary_resignation_last_12_months"
    await chat.say("no", intent="deny")
    assert chat.question is None
    assert "Assegno di Inclusione (ADI): probabilmente hai i requisiti." in chat.texts
    assert "✅ ISEE non superiore a 10.140 € — fonte: L. 30 dicembre 2024 n. 207" in chat.texts
    assert "Pagina ufficiale: https://www.inps.it" in chat.texts
    assert "Prenota un appuntamento" in chat.buttons
    assert chat.slots["eligibility_state"] == "done"


async def test_facts_given_upfront_are_not_asked_again():
    chat = await start("ho 34 anni e due figli, mi spetta l'sfl?", misura="sfl")
    assert "età 34 anni; minorenni nel nucleo: sì" in chat.texts
    assert chat.facts == {"age": 34, "household_has_minor": True}
    # Age passed, the household rule already failed (a minor): on to citizenship.
    assert chat.question == "eligible_citizenship"


async def test_dont_know_makes_the_verdict_say_what_to_verify_at_the_cpi():
    chat = await start("vivo da solo, ho 30 anni: posso avere l'sfl?", misura="sfl")
    assert chat.question == "household_has_disabled"
    answers = [("no", "deny")] * 2 + [("sì", "affirm")] * 2
    for text, intent in answers:
        await chat.say(text, intent=intent)
    assert chat.question == "isee"
    await chat.say("non lo so")
    assert chat.facts["isee"] == "non_so"
    await chat.say("no", intent="deny")
    assert (
        "Supporto per la Formazione e il Lavoro (SFL): da verificare al Centro per l'Impiego."
        in (chat.texts)
    )
    assert "❓ Da verificare al CPI: iSEE" not in chat.texts
    assert "❓ Da verificare al CPI: ISEE non superiore a 10.140 €" in chat.texts
    assert "Porta l'attestazione ISEE in corso di validità." in chat.texts


async def test_without_a_measure_the_citizen_chooses_one_with_buttons():
    chat = await start("a quali aiuti ho diritto?")
    assert chat.slots["requested_slot"] == "misura"
    assert chat.texts == "utter_ask_form_eligibility_misura"
    await chat.say("boh non saprei")
    assert "scegli uno dei pulsanti" in chat.texts
    assert chat.slots["requested_slot"] == "misura"
    await chat.say('/inform{"misura": "gol"}', misura="gol")
    # GOL's PNRR funding ended on 30/06/2026 and no act extends it yet: nothing to ask.
    assert "Ti faccio qualche domanda" not in chat.texts
    assert "Programma GOL" in chat.texts
    assert "da verificare al Centro per l'Impiego" in chat.texts
    assert "30 giugno 2026" in chat.texts


async def test_rdc_is_explained_as_ended_and_adi_and_sfl_are_offered():
    chat = await start("posso avere il reddito di cittadinanza?", misura="rdc")
    assert "Il Reddito di Cittadinanza è terminato" in chat.texts
    assert "non hai i requisiti" not in chat.texts
    assert "L. 29 dicembre 2022 n. 197" in chat.texts
    assert chat.buttons[:2] == ["Verifica l'ADI", "Verifica l'SFL"]
    await chat.say('/check_eligibility{"misura": "adi"}', "check_eligibility", misura="adi")
    assert chat.question == "household_has_minor"


async def test_naspi_uses_the_rules_of_the_day_the_job_ended():
    chat = await start("mi hanno licenziato, mi spetta la naspi?", misura="naspi")
    # "licenziato": employee, involuntary loss and out of work, all said already.
    assert chat.question == "days_since_job_end"
    await chat.say("20 giorni")
    assert chat.question == "contribution_weeks_last_4_years"
    await chat.say("un anno e mezzo")
    assert chat.facts["contribution_weeks_last_4_years"] == 78
    assert chat.question == "voluntary_quit_open_ended_last_12_months"
    await chat.say("no", intent="deny")
    assert "NASpI (indennità di disoccupazione): probabilmente hai i requisiti." in chat.texts
    assert "entro 68 giorni" in chat.texts


async def test_naspi_after_resigning_is_a_clear_no_with_the_reason():
    chat = await start("mi sono dimesso, posso avere la naspi?", misura="naspi")
    # A failed condition is final: nothing more is asked.
    assert chat.question is None
    assert chat.texts.count("non hai i requisiti") == 1  # said once, not twice
    assert "NASpI (indennità di disoccupazione)\nDa quello che mi hai detto, non hai" in chat.texts
    assert "❌ Il lavoro è finito senza dimissioni volontarie" in chat.texts
    assert "D.Lgs. 22/2015 art. 3 c. 1" in chat.texts
    assert "giusta causa" in chat.texts


async def test_garanzia_giovani_is_explained_without_a_check():
    chat = await start("posso fare garanzia giovani?", misura="garanzia_giovani")
    assert chat.texts == "utter_eligibility_garanzia_giovani"


async def test_a_reply_that_is_not_an_answer_repeats_the_question():
    chat = await start("ho diritto all'adi?", misura="adi")
    await chat.say("forse")
    assert "Rispondi «sì», «no» oppure «non so»" in chat.texts
    assert chat.question == "household_has_minor"
    await chat.say("sì", intent="affirm")
    await chat.say("sì", intent="affirm")
    await chat.say("sì", intent="affirm")
    await chat.say("un milione di miliardi")
    assert chat.question == "isee"
    assert "Scrivi l'importo in euro" in chat.texts


async def test_stop_words_leave_and_forget_the_answers():
    chat = await start("ho 40 anni, mi spetta l'sfl?", misura="sfl")
    await chat.say("basta", intent="deny")
    assert chat.texts == "utter_form_stopped"
    assert chat.slots["form_stopped"] is True
    assert chat.slots["eligibility_facts"] is None
    assert not chat.active


async def test_a_faq_inside_the_questionnaire_is_answered_then_the_question_is_asked_again():
    chat = await start("posso avere l'adi?", misura="adi")
    await chat.say("cos'è la DID?", intent="faq")
    assert chat.replies[0] == {"response": "utter_faq"}
    assert chat.question == "household_has_minor"
    assert chat.replies[-1]["text"].startswith("Nel tuo nucleo familiare")
    assert chat.facts == {}
    await chat.say("sì", intent="affirm")
    assert chat.question == "eligible_citizenship"


async def test_asking_for_a_person_leaves_the_questionnaire():
    chat = await start("posso avere l'adi?", misura="adi")
    await chat.say("voglio parlare con un operatore", intent="request_human")
    assert chat.texts == "form_handoff"
    assert not chat.active


async def test_naming_another_measure_switches_and_keeps_the_answers():
    chat = await start("ho 45 anni, posso avere l'adi?", misura="adi")
    await chat.say("no", intent="deny")
    await chat.say("e l'sfl invece?", intent="check_eligibility", misura="sfl")
    assert chat.slots["eligibility_measure"] == "sfl"
    assert chat.facts == {"age": 45, "household_has_minor": False}
    assert chat.question == "household_has_disabled"


async def test_the_same_check_after_its_verdict_starts_afresh():
    chat = await start("posso avere il reddito?", misura="rdc")
    chat.slots["eligibility_facts"] = {"age": 50}
    await chat.say("posso avere il reddito?", intent="check_eligibility", misura="rdc")
    assert chat.facts == {}


async def test_a_stale_question_from_an_old_session_does_not_swallow_the_new_request():
    chat = Chat()
    chat.slots["requested_slot"] = "eligibility_answer"  # carried over a session restart
    chat.slots["eligibility_question"] = {"key": "isee", "type": "number"}
    await chat.say("posso avere l'adi?", intent="check_eligibility", misura="adi")
    assert "Non ho capito" not in chat.texts
    assert chat.question == "household_has_minor"


async def test_facts_said_in_passing_in_an_answer_are_kept_and_repeated_back():
    chat = await start("posso avere il supporto formazione e lavoro?", misura="sfl")
    assert chat.question == "age"
    await chat.say("ho 34 anni e due figli")
    assert chat.facts == {"age": 34, "household_has_minor": True}
    assert "Ho preso nota anche di: minorenni nel nucleo: sì." in chat.texts
    assert chat.question == "eligible_citizenship"


async def test_facts_said_out_of_turn_are_kept_and_the_question_comes_back():
    chat = await start("posso avere l'assegno di inclusione?", misura="adi")
    await chat.say("sì", intent="affirm")
    assert chat.question == "eligible_citizenship"
    await chat.say("l'isee è 7.500 euro", intent="inform")
    assert "Non ho capito" not in chat.texts
    assert "Ho preso nota" in chat.texts
    assert chat.facts["isee"] == 7500
    assert chat.question == "eligible_citizenship"
    assert not chat.slots.get("form_failures")


async def test_answers_understood_never_count_as_failures():
    chat = await start("posso avere l'assegno di inclusione?", misura="adi")
    for _ in range(3):
        await chat.say("sì", intent="affirm")
    assert not chat.slots.get("form_failures")


async def test_three_answers_not_understood_offer_a_person():
    chat = await start("posso avere l'assegno di inclusione?", misura="adi")
    for attempt in range(1, 4):
        await chat.say("la bicicletta è rossa", intent="inform")
        assert chat.slots.get("form_failures") == attempt
    assert "utter_offer_human_form" in chat.texts
