"""The appointment actions against a real backend (uvicorn + PostgreSQL, see conftest).

Each test replays a conversation through the real validation, question and submit
actions (appointments_chat.py) and checks what the citizen is told and what the slots
hold; the backend decides everything else, as in production.
"""

from __future__ import annotations

import itertools
import logging

import httpx
import pytest
from stdnum.it import codicefiscale

from actions.appointments.book_citizen import read_contact
from actions.appointments.slots import (
    BOOKING,
    CONTACT,
    FLOW_SLOTS,
    NAME,
    OFFER,
    SLOT,
    TAX_CODE,
)
from tests.bot.appointments_chat import DOMAIN, Chat
from tests.bot.backend_server import SERVICE_TOKEN

_numbers = itertools.count(10)


def new_tax_code() -> str:
    """A valid tax code no other test uses (bookings are per tax code)."""
    body = f"TSTBOT{next(_numbers):02d}A01H501"
    return body + codicefiscale.calc_check_digit(body)


async def book_until_summary(chat: Chat, when: str = "il prima possibile") -> list[str]:
    """Service, comune, office and time; returns the slots offered."""
    await chat.say("vorrei un appuntamento per la DID", intent="book_appointment")
    assert chat.slots["appointment_service"] == "accoglienza_did"
    assert chat.requested == "comune"
    reply = await chat.say("Cosenza", entities={"comune": "Cosenza"})
    assert reply.set["comune"] == "Cosenza"
    assert chat.requested == "appointment_office"
    question = await chat.ask()
    assert question.said == ["utter_appointments_choose_office"]
    payloads = [b["payload"] for b in question.responses[0]["buttons"]]
    assert '/inform{"appointment_office": "cpi-cosenza"}' in payloads
    await chat.say("/inform", entities={"appointment_office": "cpi-cosenza"})
    assert chat.requested == "appointment_when"
    reply = await chat.say(when)
    assert reply.set[OFFER]["kind"] in ("match", "nearest")
    assert chat.requested == "appointment_slot"
    question = await chat.ask()
    assert question.said[0].startswith("utter_appointments_slots_")
    return chat.slots[OFFER]["slots"]


async def who_and_how(
    chat: Chat, tax_code: str, name: str = "Mario Rossi", contact: str = "333 123 4567"
) -> dict:
    """After "sì" to the summary: name, tax code, contact; returns the last reply's slots."""
    assert chat.requested == NAME
    await chat.say(name)
    assert chat.requested == TAX_CODE
    await chat.say(tax_code)
    assert chat.requested == CONTACT
    return (await chat.say(contact)).set


def asking(slot: str) -> Chat:
    """A booking form at `slot`, every earlier question answered (no backend call)."""
    chat = Chat("form_appointments_book", active=True)
    answered = {
        "appointment_service": "accoglienza_did",
        "comune": "Cosenza",
        "appointment_office": "cpi-cosenza",
        "appointment_when": "il prima possibile",
        SLOT: "2026-12-03T09:00:00+01:00",
        "appointment_confirmed": True,
        NAME: "Mario Rossi",
        TAX_CODE: new_tax_code(),
    }
    required = DOMAIN["forms"]["form_appointments_book"]["required_slots"]
    chat.slots.update({k: answered[k] for k in required[: required.index(slot)]})
    chat.slots["requested_slot"] = slot
    return chat


async def test_booking_happy_path(live_backend):
    chat = Chat("form_appointments_book", sender_id="web:bot-tests-book-1")
    offered = await book_until_summary(chat)
    await chat.say("il primo")
    assert chat.slots[SLOT] == offered[0]
    summary = await chat.ask()
    assert summary.said == ["utter_appointments_book_summary"]
    assert summary.responses[0]["office"] == "Centro per l'Impiego di Cosenza"
    await chat.say("sì", intent="affirm")
    assert chat.requested == NAME
    reply = await chat.say("mi chiamo mario rossi")
    assert reply.set[NAME] == "Mario Rossi"
    assert BOOKING not in reply.set  # not before the tax code and the contact
    assert chat.requested == TAX_CODE
    tax_code = new_tax_code()
    reply = await chat.say(f"il mio codice fiscale è {tax_code}")
    assert BOOKING not in reply.set
    assert chat.requested == CONTACT
    reply = await chat.say("il mio cellulare è 333 123 4567")
    assert reply.set[CONTACT] == {"kind": "phone", "value": "+393331234567"}
    booking = reply.set[BOOKING]
    assert booking["starts_at"] == offered[0]
    assert chat.requested is None  # the form ends: every slot is filled

    done = await chat.run("action_appointments_book")
    assert done.said[:2] == ["utter_appointments_booked", "utter_appointments_documents"]
    assert done.responses[0]["code"] == booking["code"]
    assert "documento d'identità" in done.responses[1]["documents"]
    assert done.said[2] == "utter_appointments_calendar_note"
    # Nothing of the flow stays behind, the tax code least of all.
    assert {name for name, value in done.set.items() if value is None} >= set(FLOW_SLOTS)

    # The reminder goes to this conversation: the backend got channel and id.
    async with httpx.AsyncClient(base_url=live_backend) as client:
        found = await client.post(
            "/api/v1/bookings/search",
            json={"tax_code": tax_code},
            headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        )
    assert [b["code"] for b in found.json()] == [booking["code"]]


async def test_calendar_link_when_the_gateway_serves_it(live_backend, monkeypatch):
    from actions.settings import get_settings

    monkeypatch.setenv("CALENDAR_BASE_URL", "https://sportello.example/api/calendar/")
    get_settings.cache_clear()
    chat = Chat("form_appointments_book")
    chat.slots[BOOKING] = {
        "code": "K7M3QX",
        "starts_at": "2026-12-03T09:00:00+01:00",
        "service": {"code": "accoglienza_did", "name": "Prima accoglienza e DID"},
        "office": {"name": "Centro per l'Impiego di Cosenza", "address": None},
        "documents": [],
    }
    done = await chat.run("action_appointments_book")
    assert done.said == ["utter_appointments_booked", "utter_appointments_calendar_link"]
    assert done.responses[1]["url"] == "https://sportello.example/api/calendar/K7M3QX.ics"
    assert done.responses[0]["when"] == "giovedì 3 dicembre alle 9:00"


async def test_tax_code_errors_say_what_is_wrong(live_backend):
    chat = Chat("form_appointments_book", active=True)
    chat.slots.update(
        {
            "appointment_service": "accoglienza_did",
            "comune": "Cosenza",
            "appointment_office": "cpi-cosenza",
            "appointment_when": "il prima possibile",
            SLOT: "2026-12-03T09:00:00+01:00",
            "appointment_confirmed": True,
            NAME: "Mario Rossi",
            "requested_slot": TAX_CODE,
        }
    )
    reply = await chat.say("RSSMRA85M01H50")
    assert reply.said == ["utter_appointments_tax_code_length"]
    assert reply.responses[0]["count"] == 14
    reply = await chat.say("RSSMRA8XM01H501Q")
    assert reply.said == ["utter_appointments_tax_code_characters"]
    assert reply.responses[0]["position"] == 8
    reply = await chat.say("RSSMRA85M01H501Z")
    # A third wrong answer in a row also offers a person (actions/forms.py).
    assert reply.said == ["utter_appointments_tax_code_check", "utter_offer_human_form"]
    assert chat.slots[TAX_CODE] is None


async def test_slot_taken_meanwhile_offers_alternatives(live_backend):
    chat = Chat("form_appointments_book", sender_id="web:bot-tests-book-2")
    offered = await book_until_summary(chat)
    await chat.say("/inform", entities={SLOT: offered[0]})
    await chat.say("sì", intent="affirm")
    # Someone else books that slot first (capacity 1).
    async with httpx.AsyncClient(base_url=live_backend) as client:
        first = await client.post(
            "/api/v1/bookings",
            json={
                "office_code": "cpi-cosenza",
                "service_code": "accoglienza_did",
                "starts_at": offered[0],
                "tax_code": new_tax_code(),
            },
            headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        )
    assert first.status_code == 201
    await chat.say("Maria Bianchi")
    await chat.say(new_tax_code())
    reply = await chat.say("maria.bianchi@example.it")
    assert reply.said == ["utter_appointments_slot_taken"]
    assert reply.set[SLOT] is None
    assert reply.set[OFFER]["kind"] == "alternatives"
    assert offered[0] not in reply.set[OFFER]["slots"]
    assert chat.requested == SLOT
    question = await chat.ask()
    assert question.said == ["utter_appointments_slots_alternatives"]
    await chat.say("il primo")
    # Name, tax code and contact are kept: "sì" books at once.
    await chat.say("sì", intent="affirm")
    assert chat.slots[BOOKING]["starts_at"] == reply.set[OFFER]["slots"][0]
    assert chat.requested is None


async def test_no_to_the_summary_asks_the_time_again(live_backend):
    chat = Chat("form_appointments_book")
    await book_until_summary(chat)
    await chat.say("il primo")
    reply = await chat.say("no", intent="deny")
    assert reply.said == ["utter_appointments_other_time"]
    assert chat.requested == "appointment_when"
    reply = await chat.say("forse", intent="inform")
    assert reply.said == ["utter_appointments_when_unclear"]


async def test_a_faq_interrupts_and_is_not_read_as_the_answer(live_backend):
    chat = Chat("form_appointments_book")
    await book_until_summary(chat)
    reply = await chat.say("cos'è il patto di servizio?", intent="faq")
    assert reply.rejected
    # Rasa answers the FAQ, then runs the form again: the old message is not an answer.
    chat.events.append({"event": "action", "name": "utter_faq"})
    again = await chat.run(
        "validate_form_appointments_book",
        [{"event": "slot", "name": "requested_slot", "value": SLOT}],
    )
    assert not again.rejected
    assert SLOT not in again.set
    assert again.said == []


@pytest.mark.parametrize("word", ["annulla", "basta", "stop"])
async def test_stop_words_leave_the_form(live_backend, word):
    chat = Chat("form_appointments_book")
    await book_until_summary(chat)
    reply = await chat.say(word, intent="cancel_appointment")
    assert reply.said == ["utter_form_stopped"]
    assert reply.set["form_stopped"] is True
    done = await chat.run("action_appointments_book")
    assert done.said == []


async def test_annulla_alone_starts_the_cancellation(live_backend):
    chat = Chat("form_appointments_cancel")
    reply = await chat.say("annulla", intent="cancel_appointment")
    assert "utter_form_stopped" not in reply.said
    assert chat.requested == "appointment_code"


async def test_a_code_in_the_request_is_not_asked_again(live_backend):
    chat = Chat("form_appointments_cancel")
    await chat.say("annulla appuntamento K7M3QX", intent="cancel_appointment")
    assert chat.slots["appointment_code"] == "K7M3QX"
    assert chat.requested == TAX_CODE


async def test_a_comune_outside_the_covered_regions_ends_the_booking(live_backend):
    chat = Chat("form_appointments_book")
    reply = await chat.say(
        "appuntamento al cpi di Milano", intent="book_appointment", entities={"comune": "Milano"}
    )
    assert reply.said == ["utter_appointments_not_covered"]
    assert reply.responses[0]["region"] == "Lombardia"
    assert reply.set["form_stopped"] is True


async def booked(live_backend: str, tax_code: str) -> dict:
    """A booking made straight through the backend, for the other flows."""
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    async with httpx.AsyncClient(base_url=live_backend, headers=headers) as client:
        slots = await client.get(
            "/api/v1/slots", params={"office": "cpi-locri", "service": "orientamento"}
        )
        start = slots.json()["slots"][0]["starts_at"]
        made = await client.post(
            "/api/v1/bookings",
            json={
                "office_code": "cpi-locri",
                "service_code": "orientamento",
                "starts_at": start,
                "tax_code": tax_code,
            },
        )
    assert made.status_code == 201
    return made.json()


async def test_cancel_with_confirmation(live_backend):
    tax_code = new_tax_code()
    booking = await booked(live_backend, tax_code)
    chat = Chat("form_appointments_cancel")
    await chat.say("disdici l'appuntamento", intent="cancel_appointment")
    assert chat.requested == "appointment_code"
    await chat.say(f"il codice è {booking['code'].lower()}")
    assert chat.slots["appointment_code"] == booking["code"]
    assert chat.requested == TAX_CODE
    await chat.say(tax_code.lower())
    summary = await chat.ask()
    assert summary.said == ["utter_appointments_cancel_summary"]
    assert summary.responses[0]["code"] == booking["code"]
    await chat.say("sì", intent="affirm")
    done = await chat.run("action_appointments_cancel")
    assert done.said == ["utter_appointments_cancelled"]
    assert done.set[TAX_CODE] is None
    # The slot is free again; cancelling again is not an error for the backend.
    list_chat = Chat("form_appointments_list")
    await list_chat.say("i miei appuntamenti", intent="list_appointments")
    await list_chat.say(booking["code"])
    reply = await list_chat.say(tax_code)
    assert reply.said == ["utter_appointments_not_found"]


async def test_cancel_declined_keeps_the_appointment(live_backend):
    tax_code = new_tax_code()
    booking = await booked(live_backend, tax_code)
    chat = Chat("form_appointments_cancel")
    await chat.say("voglio disdire", intent="cancel_appointment")
    await chat.say(booking["code"].lower())
    await chat.say(tax_code)
    await chat.say("no", intent="deny")
    assert chat.requested is None
    done = await chat.run("action_appointments_cancel")
    assert done.said == ["utter_appointments_kept"]


async def test_wrong_tax_code_is_not_told_apart_from_a_wrong_code(live_backend):
    booking = await booked(live_backend, new_tax_code())
    chat = Chat("form_appointments_cancel")
    await chat.say("disdire", intent="cancel_appointment")
    await chat.say(booking["code"])
    reply = await chat.say(new_tax_code())
    assert reply.said == ["utter_appointments_not_found"]
    assert chat.requested == "appointment_code"


async def test_reschedule_to_a_new_time(live_backend):
    tax_code = new_tax_code()
    booking = await booked(live_backend, tax_code)
    chat = Chat("form_appointments_reschedule", sender_id="telegram:4242")
    await chat.say("posso spostare l'appuntamento?", intent="reschedule_appointment")
    await chat.say(booking["code"])
    reply = await chat.say(tax_code)
    assert reply.said == ["utter_appointments_found"]
    assert chat.requested == "appointment_when"
    reply = await chat.say("la settimana prossima")
    target = reply.set[OFFER]["slots"][0]
    await chat.say("/inform", entities={SLOT: target})
    summary = await chat.ask()
    assert summary.said == ["utter_appointments_reschedule_summary"]
    reply = await chat.say("sì", intent="affirm")
    assert reply.set[BOOKING]["starts_at"] == target
    done = await chat.run("action_appointments_reschedule")
    assert done.said[0] == "utter_appointments_rescheduled"
    assert done.responses[0]["code"] == booking["code"]


async def test_list_shows_the_upcoming_appointments(live_backend):
    tax_code = new_tax_code()
    booking = await booked(live_backend, tax_code)
    chat = Chat("form_appointments_list")
    await chat.say("quando ho l'appuntamento?", intent="list_appointments")
    await chat.say(booking["code"])
    await chat.say(tax_code)
    done = await chat.run("action_appointments_list")
    assert done.said == ["utter_appointments_list"]
    assert booking["code"] in done.responses[0]["bookings"]
    assert "Colloquio di orientamento" in done.responses[0]["bookings"]


async def test_no_tax_code_in_the_logs(live_backend, caplog):
    caplog.set_level(logging.DEBUG)
    tax_code = new_tax_code()
    chat = Chat("form_appointments_book", sender_id="whatsapp:393331234567")
    offered = await book_until_summary(chat)
    await chat.say("/inform", entities={SLOT: offered[-1]})
    await chat.say("sì", intent="affirm")
    slots = await who_and_how(chat, tax_code, "Ettore Quintavalle", "ettore.q@example.it")
    assert BOOKING in slots
    await chat.run("action_appointments_book")
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    assert caplog.records  # the SDK and httpx did log: the check is not vacuous
    assert tax_code not in logged and tax_code.lower() not in logged
    assert "Quintavalle" not in logged and "ettore.q" not in logged
    assert "393331234567" not in logged  # WhatsApp ids are phone numbers


async def test_asking_for_a_person_inside_a_form(live_backend):
    chat = Chat("form_appointments_cancel")
    await chat.say("disdire", intent="cancel_appointment")
    await chat.say("K7M3QX")
    reply = await chat.say("voglio parlare con un operatore", intent="request_human")
    assert reply.rejected  # a rule leaves the form and answers
    forget = await chat.run("action_appointments_forget")
    assert forget.set["appointment_code"] is None


async def test_other_days_and_a_new_preference_at_the_slot_question(live_backend):
    chat = Chat("form_appointments_book")
    offered = await book_until_summary(chat)
    question = await chat.ask()
    more = question.responses[0]["buttons"][-1]
    assert more["title"] == "Altri giorni"
    last_day = offered[-1][:10]
    # The button's payload sets the preference "dopo il <last day shown>".
    when = more["payload"].split('"appointment_when": "')[1].rstrip('"}')
    reply = await chat.say("/inform", entities={"appointment_when": when})
    assert all(s[:10] > last_day for s in reply.set[OFFER]["slots"])
    assert chat.requested == SLOT
    # Typing another preference instead of choosing also gives a new offer.
    reply = await chat.say("martedì pomeriggio")
    assert reply.set["appointment_when"] == "martedì pomeriggio"
    assert reply.set[OFFER]["description"] == "martedì pomeriggio"
    reply = await chat.say("boh")
    assert reply.said == ["utter_appointments_slot_unclear"]


async def test_name_and_contact_reach_the_backend(live_backend, monkeypatch):
    sent: list[dict] = []
    from actions import backend_client

    real_post = backend_client.post_json

    async def post_json(path, body, *args, **kwargs):
        sent.append({"path": path, "body": body})
        return await real_post(path, body, *args, **kwargs)

    monkeypatch.setattr(backend_client, "post_json", post_json)
    chat = Chat("form_appointments_book", sender_id="web:bot-tests-book-3")
    await book_until_summary(chat)
    await chat.say("il primo")
    await chat.say("sì", intent="affirm")
    slots = await who_and_how(
        chat, new_tax_code(), "Il mio nome è GIUSEPPE D'AMICO", "Giuseppe.DAmico@Example.IT"
    )
    assert BOOKING in slots
    booking = [s["body"] for s in sent if s["path"] == "/api/v1/bookings"]
    assert len(booking) == 1
    assert booking[0]["citizen_name"] == "Giuseppe D'Amico"
    assert booking[0]["contact"] == {"kind": "email", "value": "giuseppe.damico@example.it"}
    # Forgotten by the chat once the booking is confirmed.
    done = await chat.run("action_appointments_book")
    assert done.set[NAME] is None and done.set[CONTACT] is None


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("mi chiamo mario rossi", "Mario Rossi"),
        ("Sono ANNA MARIA DE LUCA.", "Anna Maria De Luca"),
        ("nome: Jean-Luc O'Neil", "Jean-Luc O'Neil"),
        ("il mio nome è Giulia van der Berg, grazie", "Giulia van der Berg"),
    ],
)
async def test_name_lead_ins_are_dropped(live_backend, typed, name):
    chat = asking(NAME)
    reply = await chat.say(typed)
    assert reply.said == []
    assert reply.set[NAME] == name
    assert chat.requested == TAX_CODE


@pytest.mark.parametrize(
    ("typed", "response"),
    [
        ("Mario", "utter_appointments_name_incomplete"),
        ("mi chiamo Rossi", "utter_appointments_name_incomplete"),
        ("Mario Rossi 1985", "utter_appointments_name_invalid"),
        ("RSSMRA85M01H501Q", "utter_appointments_name_invalid"),
        ("<b>Mario</b> Rossi", "utter_appointments_name_invalid"),
    ],
)
async def test_a_wrong_name_is_refused_with_the_reason(live_backend, typed, response):
    chat = asking(NAME)
    reply = await chat.say(typed)
    assert reply.said == [response]
    assert reply.set[NAME] is None
    assert chat.requested == NAME


@pytest.mark.parametrize(
    ("typed", "response"),
    [
        ("333 12345", "utter_appointments_contact_phone"),
        ("+44 20 7946 0958", "utter_appointments_contact_phone"),  # Italian numbers only
        ("per telefono", "utter_appointments_contact_phone"),
        ("la mia mail è mario.rossi@", "utter_appointments_contact_email"),
        ("qui in chat", "utter_appointments_contact_unknown"),
        ("boh", "utter_appointments_contact_unknown"),
    ],
)
async def test_a_wrong_contact_is_refused_with_the_expected_form(live_backend, typed, response):
    chat = asking(CONTACT)
    reply = await chat.say(typed)
    assert reply.said == [response]
    assert reply.set[CONTACT] is None
    assert BOOKING not in reply.set
    assert chat.requested == CONTACT


@pytest.mark.parametrize(
    ("typed", "contact"),
    [
        ("Mario.Rossi@Esempio.IT", {"kind": "email", "value": "mario.rossi@esempio.it"}),
        ("la mia email è mario@pec.example.it", {"kind": "email", "value": "mario@pec.example.it"}),
        ("+39 333 123 4567", {"kind": "phone", "value": "+393331234567"}),
        ("0984 123456", {"kind": "phone", "value": "+390984123456"}),
    ],
)
def test_contacts_are_normalised(typed, contact):
    assert read_contact(typed) == contact


async def test_a_surname_that_is_a_comune_changes_nothing(live_backend):
    chat = asking(NAME)
    chat.slots["appointment_details"] = {"comune": "Cosenza"}
    # "Palermo" would end the booking (Sicily is not covered) if read as a new comune.
    reply = await chat.say("mi chiamo Mario Palermo", entities={"comune": "Palermo"})
    assert reply.said == []
    assert reply.set[NAME] == "Mario Palermo"
    assert chat.slots["comune"] == "Cosenza"
    assert chat.slots["appointment_office"] == "cpi-cosenza"
    assert chat.requested == TAX_CODE
