"""Replay the README's conversations against a running sportello and print them.

    .venv/app/bin/python scripts/transcripts.py [--gateway http://127.0.0.1:8080] [name...]

Each scenario is what a citizen would type or press in the web widget; a step is either
text typed, or a button pressed (chosen by part of its title, or by position). The output
is the Markdown transcript the README shows, so the README's transcripts can be refreshed
from the running service instead of being written by hand.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from stdnum.it import codicefiscale


def tax_code(seed: int) -> str:
    """A valid personal tax code nobody has (check character computed)."""
    body = f"TRSCRT{80 + seed % 20:02d}A{1 + seed % 28:02d}H501"
    return body + codicefiscale.calc_check_digit(body)


# "Codice di prenotazione: K7M3QX" in the booking confirmation.
BOOKING_CODE = re.compile(r"codice(?: di prenotazione)?:? \*?\*?([A-HJ-NP-Z2-9]{6})\b", re.I)


@dataclass
class Chat:
    gateway: str
    session: str = field(default_factory=lambda: "readme" + uuid.uuid4().hex[:10])
    last: list[dict] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    memory: dict[str, str] = field(default_factory=dict)

    def _send(self, text: str, shown: str) -> None:
        body = json.dumps({"session_id": self.session, "text": text}).encode()
        request = urllib.request.Request(
            f"{self.gateway}/api/web/messages",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            self.last = json.loads(response.read())["replies"]
        self.lines.append(f"> **Cittadino:** {shown}")
        for reply in self.last:
            text = reply["text"].strip().replace("\n", "  \n> ")
            buttons = " ".join(f"[{b['title']}]" for b in reply.get("buttons") or [])
            self.lines.append(f"> **Assistente:** {text}" + (f"  \n> {buttons}" if buttons else ""))
        self.lines.append(">")
        joined = " ".join(r["text"] for r in self.last)
        if found := BOOKING_CODE.search(joined):
            self.memory["code"] = found.group(1)

    def say(self, text: str) -> None:
        self._send(text.format(**self.memory), text.format(**self.memory))

    def press(self, which: str | int) -> None:
        buttons = [b for r in self.last for b in r.get("buttons") or []]
        if isinstance(which, int):
            button = buttons[which]
        else:
            button = next(b for b in buttons if which.lower() in b["title"].lower())
        self._send(button["payload"], f"[{button['title']}]")


Step = Callable[[Chat], None]


def say(text: str) -> Step:
    return lambda chat: chat.say(text)


def press(which: str | int) -> Step:
    return lambda chat: chat.press(which)


TAX = tax_code(date.today().toordinal())
BOOKING = [
    say("vorrei un appuntamento al centro per l'impiego per fare la DID"),
    say("abito a Rende"),
    press(0),
    say("giovedì mattina"),
    press(0),
    say("sì"),
    say("mi chiamo Maria Rossi"),
    say(TAX),
    say("333 123 4567"),
]
SCENARIOS: dict[str, list[Step]] = {
    "booking": BOOKING,
    "reschedule": [
        *BOOKING,
        say("devo spostare l'appuntamento {code}"),
        say(TAX),
        say("la settimana prossima"),
        press(0),
        say("sì"),
    ],
    "cancel": [
        *BOOKING,
        say("vorrei disdire l'appuntamento {code}"),
        say(TAX),
        say("sì"),
    ],
    "adi": [
        say("posso avere l'assegno di inclusione?"),
        say("sì, ho un figlio di 8 anni"),
        say("l'isee è 7.500 euro"),
        say("sì"),
        say("sì"),
        say("no"),
    ],
    "sfl": [
        say("ho 34 anni e sono disoccupato, posso avere il supporto formazione e lavoro?"),
        say("no"),
        say("no"),
        say("no"),
        say("no"),
        say("sì"),
        say("sì"),
        say("9.000 euro"),
        say("no"),
    ],
    "gol": [say("posso entrare nel programma gol?")],
    "rdc": [say("posso ancora chiedere il reddito di cittadinanza?")],
    "naspi": [
        say("ho diritto alla naspi? mi hanno licenziato"),
        say("20 giorni fa"),
        say("circa 80 settimane"),
        say("no"),
    ],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateway", default="http://127.0.0.1:8080")
    parser.add_argument("names", nargs="*", default=list(SCENARIOS))
    args = parser.parse_args()
    for name in args.names:
        chat = Chat(args.gateway.rstrip("/"))
        print(f"#### {name}\n")
        for step in SCENARIOS[name]:
            try:
                step(chat)
            except (StopIteration, IndexError):
                chat.lines.append("> *(no such button: scenario ended here)*")
                break
        print("\n".join(chat.lines).rstrip(">\n") + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
