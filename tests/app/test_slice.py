"""The first slice, end to end: gateway -> Rasa -> action server -> backend -> PostgreSQL.

Starts the four real processes (as `make run` does, on other ports) with the trained
model named by SPORTELLO_TEST_MODEL (scripts/test.sh sets it).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from stack import Stack  # noqa: E402

from tests.app.processes import free_port  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.stack]


@pytest.fixture(scope="module")
def stack(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    model = os.environ.get("SPORTELLO_TEST_MODEL")
    if not model or not Path(model).exists():
        pytest.skip("no trained model: run through `make test`, which trains it")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SPORTELLO_ENV": "test",
        "BACKEND_PORT": str(free_port()),
        "ACTIONS_PORT": str(free_port()),
        "RASA_PORT": str(free_port()),
        "GATEWAY_PORT": str(free_port()),
    }
    stack = Stack(model=Path(model), env=env, log_dir=tmp_path_factory.mktemp("logs"))
    stack.start()
    try:
        stack.wait_healthy(timeout=300)
        yield stack
    except BaseException:
        for log in sorted(stack.log_dir.glob("*.log")):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
        raise
    finally:
        stack.stop()


def say(stack: Stack, session_id: str, text: str) -> list[dict]:
    request = urllib.request.Request(
        stack.urls["web_api"],
        data=json.dumps({"session_id": session_id, "text": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["replies"]


def test_ciao_gets_a_greeting_that_says_what_the_assistant_does(stack):
    replies = say(stack, "slice-greet-0001", "ciao")
    text = replies[0]["text"]
    assert text.startswith("Ciao! Sono l'assistente virtuale dei Centri per l'Impiego")
    assert "appuntamento" in text
    assert {b["title"] for b in replies[0]["buttons"]} >= {"Trova il tuo CPI"}


def test_the_did_question_gets_the_did_answer(stack):
    text = " ".join(r["text"] for r in say(stack, "slice-did-0001", "cos'è la DID?"))
    assert "Dichiarazione di Immediata Disponibilità" in text


def test_the_office_of_cosenza_comes_from_the_backend(stack):
    replies = say(stack, "slice-office-0001", "dove si trova il centro per l'impiego di Cosenza?")
    text = "\n".join(r["text"] for r in replies)
    assert "Centro per l'Impiego di Cosenza" in text
    assert "Via Giulia" in text
    assert "lunedì 9:00-12:30" in text


def backend_call(stack: Stack, method: str, path: str, body: dict | None = None) -> dict:
    from backend.settings import DEV_SERVICE_TOKEN

    base = stack.urls["backend_docs"].removesuffix("/docs")
    request = urllib.request.Request(
        f"{base}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Authorization": f"Bearer {DEV_SERVICE_TOKEN}",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_a_booking_calendar_file_is_public_through_the_gateway(stack):
    slots = backend_call(
        stack, "GET", "/api/v1/slots?office=cpi-cosenza&service=accoglienza_did&days=30&limit=1"
    )["slots"]
    booking = backend_call(
        stack,
        "POST",
        "/api/v1/bookings",
        {
            "office_code": "cpi-cosenza",
            "service_code": "accoglienza_did",
            "starts_at": slots[0]["starts_at"],
            "tax_code": "RSSMRA85M01H501Q",
        },
    )
    gateway = stack.urls["widget"].rstrip("/")
    with urllib.request.urlopen(f"{gateway}/api/calendar/{booking['code']}.ics") as response:
        assert response.headers["Content-Type"].startswith("text/calendar")
        body = response.read().decode()
    assert "BEGIN:VCALENDAR" in body
    assert "RSSMRA85M01H501Q" not in body

    with pytest.raises(urllib.error.HTTPError) as unknown:
        urllib.request.urlopen(f"{gateway}/api/calendar/ZZZZZZ.ics")
    assert unknown.value.code == 404
    unknown.value.close()


FAQ_FILE = ROOT / "bot" / "domain" / "faq.yml"


def faq_opening(key: str) -> str:
    """The first words of a FAQ answer, as written in the domain."""
    import yaml

    responses = yaml.safe_load(FAQ_FILE.read_text(encoding="utf-8"))["responses"]
    return responses[f"utter_faq/{key}"][0]["text"].strip()[:40]


# Twenty questions worded as a new user would, and what the answer must contain.
TWENTY_QUESTIONS = [
    ("cosa devo portare quando vengo al cpi?", "faq:documenti"),
    ("che cos'è il patto di servizio", "faq:patto_servizio"),
    ("come funziona la naspi?", "faq:naspi"),
    ("ci sono corsi di formazione gratis?", "faq:formazione"),
    ("cos e garanzia giovani", "faq:garanzia_giovani"),
    ("sono invalido civile, esiste il collocamento mirato?", "faq:collocamento_mirato"),
    ("come faccio ad entrare con lo spid", "faq:accesso_spid"),
    ("mi potete aiutare a scrivere il curriculum?", "faq:curriculum"),
    ("che fine ha fatto il reddito di cittadinanza?", "faq:rdc"),
    ("cos'è l'assegno di inclusione", "faq:adi"),
    ("che cos'è il supporto per la formazione e il lavoro?", "faq:sfl"),
    ("cos'è il programma gol", "faq:gol"),
    ("come usate i miei dati personali?", "faq:privacy"),
    ("come si fa la did online", "faq:did"),
    ("sei un robot?", "Sono un assistente virtuale"),
    ("che tempo fa domani a roma?", "su questo non posso aiutarti"),
    ("orari del centro per l'impiego di Crotone", "Centro per l'Impiego di Crotone"),
    ("cosa sai fare?", "Ecco cosa posso fare"),
    ("grazie mille", "Prego"),
    ("voglio parlare con un operatore", "Sei d'accordo?"),
]


@pytest.mark.parametrize(("question", "expected"), TWENTY_QUESTIONS)
def test_twenty_questions_get_the_right_answer(stack, question: str, expected: str):
    if expected.startswith("faq:"):
        expected = faq_opening(expected.removeprefix("faq:"))
    session = "twenty-" + hashlib.sha256(question.encode()).hexdigest()[:12]
    text = "\n".join(r["text"] for r in say(stack, session, question))
    assert expected in text, text
