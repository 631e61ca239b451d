"""What the citizen reads after the erasure: what went, what stays and why."""

from __future__ import annotations

from typing import Any

from actions.appointments.italian import moment_text, parse_instant

CANCEL_BUTTON = {"title": "Disdici l'appuntamento", "payload": "/cancel_appointment"}


def _erased(answer: dict[str, Any]) -> str:
    parts = ["i messaggi di questa conversazione"]
    if answer.get("handoffs"):
        parts.append("le richieste a un operatore con i loro messaggi")
    if answer.get("reminders"):
        parts.append("i promemoria degli appuntamenti prenotati da qui")
    if answer.get("bookings_anonymised"):
        parts.append("nome e recapito lasciati negli appuntamenti passati o disdetti")
    listed = ", ".join(parts[:-1]) + (" e " if len(parts) > 1 else "") + parts[-1]
    return f"Fatto: ho cancellato {listed}."


def _kept(upcoming: list[dict[str, Any]]) -> str:
    if not upcoming:
        return "Non resta nulla di questa conversazione."
    lines = "\n".join(
        f"- {b['service_name']}, {b['office_name']}, "
        f"{moment_text(parse_instant(b['starts_at']))} (codice {b['code']})"
        for b in upcoming
    )
    if len(upcoming) == 1:
        head, it, cancel = "Resta registrato il tuo appuntamento", "lo", "disdirlo"
    else:
        head, it, cancel = "Restano registrati i tuoi appuntamenti", "li", "disdirli"
    return (
        f"{head}:\n{lines}\n"
        f"Il Centro per l'Impiego {it} conserva fino alla data, perché è la sua "
        "registrazione del servizio: con il codice fiscale protetto, e nome e recapito per "
        "avvisarti se qualcosa cambia. Non riceverai più promemoria in chat. "
        f"Se non ti serve più, puoi {cancel}: ti chiederò il codice di prenotazione e il "
        "codice fiscale."
    )


def erased(answer: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    """The message and its buttons."""
    upcoming = answer.get("upcoming_bookings") or []
    text = f"{_erased(answer)}\n{_kept(upcoming)}\nDa adesso la conversazione riparte da zero."
    return text, [CANCEL_BUTTON] if upcoming else []
