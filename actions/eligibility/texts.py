"""What the eligibility questionnaire says, in plain Italian. The questions themselves and
the verdicts come from the backend (backend/data/eligibility/)."""

from __future__ import annotations

from typing import Any

# Short names for buttons and sentences ("Verifica l'ADI").
MEASURE_NAMES = {
    "gol": "il programma GOL",
    "adi": "l'Assegno di Inclusione",
    "sfl": "il Supporto Formazione e Lavoro",
    "rdc": "il Reddito di Cittadinanza",
    "naspi": "la NASpI",
    "garanzia_giovani": "Garanzia Giovani",
}
BUTTON_NAMES = {
    "gol": "Verifica GOL",
    "adi": "Verifica l'ADI",
    "sfl": "Verifica l'SFL",
    "rdc": "Reddito di Cittadinanza",
    "naspi": "Verifica la NASpI",
}
# The official pages the citizen is sent to (those the FAQ answers already use).
OFFICIAL_PAGES = {
    "gol": "https://www.lavoro.gov.it",
    "adi": "https://www.inps.it",
    "sfl": "https://www.inps.it",
    "rdc": "https://www.inps.it",
    "naspi": "https://www.inps.it",
}
STATUS_MARKS = {"passed": "✅", "failed": "❌"}
UNSURE_MARK = "❓"

INTRO = (
    "Ti faccio qualche domanda, una alla volta, per capire se puoi avere {name}. "
    "Se non sai una risposta scrivi «non so». Per uscire scrivi «annulla»."
)
NOTED = "Ho preso nota di quello che mi hai scritto: {facts}."
NOTED_TOO = "Ho preso nota anche di: {facts}."
NOT_UNDERSTOOD = {
    "boolean": "Non ho capito. Rispondi «sì», «no» oppure «non so».",
    "integer": "Non ho capito. Scrivi un numero, per esempio 12, oppure «non so».",
    "number": "Non ho capito. Scrivi l'importo in euro, per esempio 8.500, oppure «non so».",
}
OUT_OF_RANGE = "Mi serve un numero tra {low} e {high}."
GENERIC_QUESTION = "Puoi dirmi qualcosa in più sulla tua situazione?"
CHOOSE_MEASURE = "Non ho capito quale misura ti interessa: scegli uno dei pulsanti."
UNAVAILABLE = (
    "Mi dispiace, in questo momento non riesco a fare la verifica: il servizio non risponde. "
    "Quello che mi hai detto non va perso. Puoi riprovare tra qualche minuto "
    "o parlare con un operatore."
)
INCOMPLETE = "Per darti una risposta mi servono ancora alcune informazioni."
REASONS = "Perché:"
TO_VERIFY = "Da verificare al CPI:"
NEXT_STEPS = "Cosa fare adesso:"
OFFICIAL_PAGE = "Pagina ufficiale: {url}"
SOURCE = "fonte: {source}"

# How the facts the citizen gave unprompted are repeated back (so a wrong reading shows).
FACT_RECAP = {
    "age": "età {value} anni",
    "isee": "ISEE {value} €",
    "household_has_minor": "minorenni nel nucleo: {value}",
    "household_has_disabled": "persone con disabilità nel nucleo: {value}",
    "household_has_over_60": "persone con 60 anni o più nel nucleo: {value}",
    "eligible_citizenship": "cittadinanza o permesso di soggiorno: {value}",
    "resident_5_years": "in Italia da almeno 5 anni: {value}",
    "resident_10_years": "in Italia da almeno 10 anni: {value}",
    "unemployed": "senza lavoro: {value}",
    "receives_income_support": "ricevi già un sostegno al reddito: {value}",
    "short_time_work": "cassa integrazione: {value}",
    "was_employee": "lavoro dipendente: {value}",
    "job_loss_involuntary": "lavoro finito senza dimissioni volontarie: {value}",
    "days_since_job_end": "giorni dalla fine del lavoro: {value}",
}


def spoken(value: Any) -> str:
    if value is True:
        return "sì"
    if value is False:
        return "no"
    if value == "non_so":
        return "non lo sai"
    if isinstance(value, float):
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    return str(value)


def recap(facts: dict[str, Any]) -> str:
    return "; ".join(
        FACT_RECAP[key].format(value=spoken(value))
        for key, value in facts.items()
        if key in FACT_RECAP
    )


def retry_buttons(measure: str | None, title: str = "Riprova") -> list[dict[str, str]]:
    payload = f'/check_eligibility{{"misura": "{measure}"}}' if measure else "/check_eligibility"
    return [
        {"title": title, "payload": payload},
        {"title": "Parla con un operatore", "payload": "/request_human"},
    ]
