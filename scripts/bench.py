"""Load benchmark of the sportello: simulated citizens through the gateway and straight at Rasa.

    .venv/app/bin/python scripts/bench.py                      # 200 citizens, 5 s think time
    .venv/app/bin/python scripts/bench.py --saturate           # find the saturation throughput
    .venv/app/bin/python scripts/bench.py --gateway-url http://127.0.0.1:8080 \\
        --rasa-url http://127.0.0.1:5005                       # attach to a running service

Each simulated citizen runs scripted conversations drawn from a realistic mix (FAQ
questions, office information for a comune, a booking up to name, tax code and contact,
an eligibility check for ADI, SFL or GOL, small talk), waiting a think time with jitter
between messages, exactly as the web widget sends them (session id, message id). The
same citizens with the same random choices then talk straight to Rasa's REST channel, so
the overhead of the gateway (and of what it adds: Redis guards, handoff mode) is a ratio
measured in the same run on the same machine.

Reported, for each phase: per-message latency p50/p95/p99 (overall and per step type),
throughput, errors (HTTP errors, timeouts, empty replies, "assistant down", rate-limit and
service-down texts), business outcomes (bookings confirmed, slots taken by someone else:
expected, not errors), peak RSS and CPU seconds of each process (sampled every 0.5 s,
children included), machine load, model size and training time. Writes
results/bench/<timestamp>.json and prints a table.

Without --gateway-url it starts the service itself through scripts/stack.py: a fresh
PostgreSQL database (created, migrated, seeded and dropped by the script; --db sqlite for
the embedded default), Rasa's in-memory tracker store (--redis-tracker for the Redis one,
under a key prefix of its own), Redis key prefixes of its own for the gateway.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import re
import shutil
import string
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

# --- what the citizens say --------------------------------------------------------------

FAQ_QUESTIONS = [
    "cos'è la DID?",
    "come faccio a iscrivermi al centro per l'impiego?",
    "quali documenti devo portare al CPI?",
    "come funziona la NASpI?",
    "cos'è il patto di servizio personalizzato?",
    "cosa sono i tirocini?",
    "come trovo le offerte di lavoro?",
    "ci sono corsi di formazione gratuiti?",
    "cos'è il programma GOL?",
    "come funziona garanzia giovani?",
    "cos'è il collocamento mirato?",
    "mi aiutate a scrivere il curriculum?",
    "posso accedere con lo SPID?",
    "come perdo lo stato di disoccupazione?",
    "che fine ha fatto il reddito di cittadinanza?",
    "sono straniero, posso iscrivermi al centro per l'impiego?",
    "vorrei aprire un'attività in proprio, mi aiutate?",
    "cos'è l'assegno di inclusione?",
]
GREETINGS = ["ciao", "buongiorno", "salve", "buonasera", "ciao, ho bisogno di informazioni"]
THANKS = ["grazie", "grazie mille", "ok grazie", "perfetto, grazie", "grazie, ciao"]
SMALL_TALK = [
    "sei un robot?",
    "come stai?",
    "cosa sai fare?",
    "che tempo fa domani?",
    "mi racconti una barzelletta?",
    "sei una persona vera?",
    "chi ti ha creato?",
]
COMUNI = [
    "Cosenza",
    "Catanzaro",
    "Reggio Calabria",
    "Crotone",
    "Vibo Valentia",
    "Lamezia Terme",
    "Rende",
    "Roma",
    "Latina",
    "Frosinone",
    "Viterbo",
    "Rieti",
    "Civitavecchia",
]
OFFICE_QUESTIONS = [
    "dove si trova il centro per l'impiego di {c}?",
    "qual è il CPI di {c}?",
    "che orari ha il centro per l'impiego di {c}?",
    "abito a {c}, a quale centro per l'impiego devo andare?",
    "indirizzo del CPI di {c}",
]
BOOKING_OPENINGS = [
    "vorrei prenotare un appuntamento per fare la DID",
    "vorrei un appuntamento al centro per l'impiego",
    "devo prenotare un appuntamento per il patto di servizio",
    "prenota un appuntamento",
]
# None: the citizen taps one of the buttons offered.
BOOKING_WHEN = ["il prima possibile", "la settimana prossima", "giovedì mattina", None]
ELIGIBILITY_OPENINGS = {
    "adi": ["mi spetta l'assegno di inclusione?", "ho 34 anni e due figli, mi spetta l'adi?"],
    "sfl": [
        "posso avere il supporto formazione e lavoro?",
        "ho diritto al supporto per la formazione e il lavoro?",
    ],
    "gol": ["posso partecipare al programma GOL?", "ho diritto a GOL?"],
    "menu": ["a quali aiuti ho diritto?", "vorrei verificare i requisiti"],
}
FIRST_NAMES = ["Mario", "Giulia", "Francesco", "Anna", "Giuseppe", "Maria", "Luca", "Sara"]
SURNAMES = ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Greco"]

# What the gateway itself says when something failed (integrations/conversation.py, texts.py)
# and what the actions say when the backend failed: errors, not answers.
ERROR_TEXTS = {
    "assistant_down": "l'assistente non è raggiungibile",
    "empty": "non ho una risposta a questo",
    "rate_limited": "stai inviando molti messaggi in poco tempo",
    "still_working": "sto ancora rispondendo al tuo messaggio precedente",
    "service_down": "non risponde in questo momento",
    "check_down": "il servizio non risponde",
}


def seeded(key: str) -> random.Random:
    # Reproducible choices, so that both targets hear the same conversations; no secrets.
    return random.Random(key)  # noqa: S311


@dataclass
class Msg:
    text: str
    step: str


@dataclass
class Reply:
    text: str
    buttons: list[dict[str, str]]


Conversation = Generator[Msg, list[Reply], None]


class TaxCodes:
    """Distinct, valid Italian tax codes (check character from python-stdnum)."""

    MONTHS = "ABCDEHLMPRST"

    def __init__(self, seed: int) -> None:
        self._n = seed * 1_000_003
        self._lock = threading.Lock()

    def next(self) -> str:
        from stdnum.it import codicefiscale

        with self._lock:
            self._n += 1
            n = self._n
        letters = "".join(string.ascii_uppercase[(n // 26**i) % 26] for i in range(6))
        year = 60 + (n // 26**6) % 40
        month = self.MONTHS[(n // 7) % 12]
        day = 1 + n % 28 + (40 if n % 2 else 0)
        body = f"{letters}{year:02d}{month}{day:02d}H501"
        return body + codicefiscale.calc_check_digit(body)


def _joined(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies).casefold()


def _buttons(replies: list[Reply]) -> list[dict[str, str]]:
    return [b for r in replies for b in r.buttons]


def faq_conversation(rng: random.Random, outcomes: Counter) -> Conversation:
    if rng.random() < 0.5:
        yield Msg(rng.choice(GREETINGS), "smalltalk")
    for question in rng.sample(FAQ_QUESTIONS, rng.randint(2, 4)):
        yield Msg(question, "faq")
    if rng.random() < 0.6:
        yield Msg(rng.choice(THANKS), "smalltalk")
    outcomes["faq_done"] += 1


def office_conversation(rng: random.Random, outcomes: Counter) -> Conversation:
    for comune in rng.sample(COMUNI, rng.choice([1, 1, 2])):
        replies = yield Msg(rng.choice(OFFICE_QUESTIONS).format(c=comune), "office")
        outcomes[
            "office_found" if "centro per l'impiego" in _joined(replies) else "office_other"
        ] += 1
    if rng.random() < 0.5:
        yield Msg(rng.choice(THANKS), "smalltalk")


def small_talk_conversation(rng: random.Random, outcomes: Counter) -> Conversation:
    yield Msg(rng.choice(GREETINGS), "smalltalk")
    for text in rng.sample(SMALL_TALK, rng.randint(1, 3)):
        yield Msg(text, "smalltalk")
    yield Msg(rng.choice(THANKS), "smalltalk")
    outcomes["smalltalk_done"] += 1


def booking_conversation(
    rng: random.Random, outcomes: Counter, tax_codes: TaxCodes
) -> Conversation:
    """A booking driven by what the assistant asks, up to the confirmation."""
    comune = rng.choice(COMUNI)
    replies = yield Msg(rng.choice(BOOKING_OPENINGS), "booking")
    for _ in range(16):
        text, buttons = _joined(replies), _buttons(replies)
        slots = [b for b in buttons if "appointment_slot" in b["payload"]]
        if "appuntamento è confermato" in text:
            outcomes["booking_confirmed"] += 1
            return
        if "appena stato preso" in text:
            outcomes["booking_slot_taken"] += 1  # someone else was faster: expected
        if slots:
            replies = yield Msg(rng.choice(slots)["payload"], "booking")
        elif "per quale servizio" in text and buttons:
            service = next((b for b in buttons if "accoglienza" in b["payload"]), buttons[0])
            replies = yield Msg(service["payload"], "booking")
        elif "in quale comune" in text:
            replies = yield Msg(comune, "booking")
        elif "vuoi prenotare lì" in text:
            offices = [b for b in buttons if "appointment_office" in b["payload"]]
            if offices and rng.random() < 0.5:
                replies = yield Msg(offices[0]["payload"], "booking")
            else:
                replies = yield Msg("sì", "booking")
        elif "quando preferisci" in text:
            when = rng.choice(BOOKING_WHEN)
            if when is None:
                when = rng.choice(buttons)["payload"] if buttons else "il prima possibile"
            replies = yield Msg(when, "booking")
        elif "confermi?" in text:
            replies = yield Msg(rng.choice(["sì", "/affirm", "sì, confermo"]), "booking")
        elif "come ti chiami" in text:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
            replies = yield Msg(rng.choice(["mi chiamo ", "sono ", ""]) + name, "booking")
        elif "codice fiscale" in text:
            replies = yield Msg(tax_codes.next(), "booking")
        elif "telefono o un indirizzo e-mail" in text:
            if rng.random() < 0.5:
                digits = (
                    f"3{rng.randint(20, 99)} {rng.randint(100, 999)} {rng.randint(0, 9999):04d}"
                )
                contact = digits
            else:
                contact = f"{rng.choice(FIRST_NAMES).lower()}.{rng.randint(1, 99999)}@esempio.it"
            # The booking is written to the backend on this step.
            replies = yield Msg(contact, "booking_commit")
        else:
            outcomes["booking_diverged"] += 1
            return
    outcomes["booking_too_long"] += 1


def eligibility_conversation(rng: random.Random, outcomes: Counter) -> Conversation:
    measure = rng.choice(["adi", "sfl", "gol", "menu"])
    age = rng.randint(19, 64)
    replies = yield Msg(rng.choice(ELIGIBILITY_OPENINGS[measure]), "eligibility")
    for _ in range(16):
        text, buttons = _joined(replies), _buttons(replies)
        if "cosa fare adesso" in text:
            outcomes["eligibility_verdict"] += 1
            return
        if "per quale misura" in text and buttons:
            wanted = [b for b in buttons if re.search(r'"(adi|sfl|gol)"', b["payload"])]
            replies = yield Msg(rng.choice(wanted or buttons)["payload"], "eligibility")
        elif "quanti anni" in text:
            replies = yield Msg(rng.choice([f"ho {age} anni", str(age)]), "eligibility")
        elif "isee" in text and "euro" in text:
            answer = rng.choice(["circa 7 mila", "non so", f"{rng.randint(3, 15)}000 euro"])
            replies = yield Msg(answer, "eligibility")
        elif "quanti giorni" in text:
            replies = yield Msg("un mese", "eligibility")
        elif "settimane di contributi" in text:
            replies = yield Msg("un anno e mezzo", "eligibility")
        elif any(b["payload"] == "/affirm" for b in buttons):
            answer = rng.choices(["/affirm", "sì", "/deny", "no", "non so"], [3, 3, 2, 2, 1])[0]
            replies = yield Msg(answer, "eligibility")
        else:
            outcomes["eligibility_diverged"] += 1
            return
    outcomes["eligibility_too_long"] += 1


MIX: list[tuple[str, float]] = [
    ("faq", 0.35),
    ("office", 0.20),
    ("booking", 0.15),
    ("eligibility", 0.15),
    ("smalltalk", 0.15),
]


def new_conversation(
    rng: random.Random, outcomes: Counter, tax_codes: TaxCodes
) -> tuple[str, Conversation]:
    kind = rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
    if kind == "faq":
        return kind, faq_conversation(rng, outcomes)
    if kind == "office":
        return kind, office_conversation(rng, outcomes)
    if kind == "booking":
        return kind, booking_conversation(rng, outcomes, tax_codes)
    if kind == "eligibility":
        return kind, eligibility_conversation(rng, outcomes)
    return kind, small_talk_conversation(rng, outcomes)


# --- the two ways in ----------------------------------------------------------------------


class Target:
    name = ""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(self, session: str, text: str) -> list[Reply]:
        raise NotImplementedError


class GatewayTarget(Target):
    """The web channel, as the widget calls it (a random message id on every message)."""

    name = "gateway"

    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        super().__init__(client)
        self.url = url.rstrip("/") + "/api/web/messages"

    async def send(self, session: str, text: str) -> list[Reply]:
        body = {"session_id": session, "text": text, "message_id": uuid.uuid4().hex[:16]}
        response = await self.client.post(self.url, json=body)
        response.raise_for_status()
        return [
            Reply(r.get("text") or "", r.get("buttons") or []) for r in response.json()["replies"]
        ]


class RasaTarget(Target):
    """Rasa's plain REST channel (the gateway calls its own channel, which answers the same
    messages plus the turn's intent); same server choice for a sender."""

    name = "rasa"

    def __init__(self, client: httpx.AsyncClient, urls: list[str]) -> None:
        super().__init__(client)
        self.urls = [u.rstrip("/") for u in urls]

    async def send(self, session: str, text: str) -> list[Reply]:
        from integrations.rasa_client import pick_server

        sender = f"web:{session}"
        server = pick_server(self.urls, sender) if len(self.urls) > 1 else self.urls[0]
        response = await self.client.post(
            f"{server}/webhooks/rest/webhook", json={"sender": sender, "message": text}
        )
        response.raise_for_status()
        replies: list[Reply] = []
        for item in response.json():
            buttons = [b for b in item.get("buttons") or [] if isinstance(b, dict)]
            if isinstance(item.get("text"), str) and item["text"].strip():
                replies.append(Reply(item["text"].strip(), buttons))
            elif buttons and replies:
                replies[-1].buttons.extend(buttons)
        return replies


def classify(replies: list[Reply]) -> str | None:
    """The error a reply stands for, or None for a real answer."""
    if not replies or not any(r.text.strip() for r in replies):
        return "empty"
    text = _joined(replies)
    for kind, marker in ERROR_TEXTS.items():
        if marker in text:
            return kind
    return None


# --- processes: memory and CPU --------------------------------------------------------------


class Sampler:
    """Peak RSS (process + children) of each named process every 0.5 s, CPU seconds too."""

    def __init__(self, pids: dict[str, int], interval: float = 0.5) -> None:
        import psutil

        self._psutil = psutil
        self.pids = dict(pids, bench=os.getpid())
        self.interval = interval
        self.peak_rss: dict[str, int] = defaultdict(int)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._lock = threading.Lock()

    def _tree(self, pid: int) -> list[Any]:
        try:
            proc = self._psutil.Process(pid)
            if pid == os.getpid():
                return [proc]  # the service's processes are our children: counted apart
            return [proc, *proc.children(recursive=True)]
        except self._psutil.Error:
            return []

    def sample(self) -> None:
        for name, pid in self.pids.items():
            total = 0
            for proc in self._tree(pid):
                try:
                    total += proc.memory_info().rss
                except self._psutil.Error:
                    continue
            with self._lock:
                self.peak_rss[name] = max(self.peak_rss[name], total)

    def cpu_seconds(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, pid in self.pids.items():
            total = 0.0
            for proc in self._tree(pid):
                try:
                    times = proc.cpu_times()
                    total += times.user + times.system
                except self._psutil.Error:
                    continue
            out[name] = total
        return out

    def high_water_marks(self) -> dict[str, int]:
        """VmHWM of each main process: its peak RSS since it started (model loading too)."""
        out: dict[str, int] = {}
        for name, pid in self.pids.items():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if found := re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE):
                out[name] = int(found.group(1)) * 1024
        return out

    def reset_peaks(self) -> dict[str, int]:
        with self._lock:
            peaks = dict(self.peak_rss)
            self.peak_rss.clear()
        return peaks

    def machine_busy_seconds(self) -> float:
        t = self._psutil.cpu_times()
        # guest time is already part of user time on Linux.
        return t.user + t.nice + t.system + t.irq + t.softirq + getattr(t, "steal", 0.0)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def start(self) -> None:
        self.sample()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


# --- one phase: N citizens against one target -------------------------------------------


@dataclass
class Record:
    sent_at: float  # seconds since the phase started
    latency_ms: float
    step: str
    kind: str
    error: str | None


@dataclass
class PhaseResult:
    target: str
    citizens: int
    think_seconds: float
    duration_seconds: float
    warmup_seconds: float
    records: list[Record] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    conversations: Counter = field(default_factory=Counter)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    peak_rss: dict[str, int] = field(default_factory=dict)
    machine_busy_cores: float = 0.0
    loadavg_after: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def measured(self) -> list[Record]:
        return [r for r in self.records if r.sent_at >= self.warmup_seconds]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return ordered[rank]


def latency_summary(records: list[Record]) -> dict[str, Any]:
    values = [r.latency_ms for r in records]
    return {
        "messages": len(values),
        "p50_ms": round(percentile(values, 50), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "p99_ms": round(percentile(values, 99), 1),
        "max_ms": round(max(values), 1) if values else None,
        "mean_ms": round(sum(values) / len(values), 1) if values else None,
    }


def summarise(phase: PhaseResult) -> dict[str, Any]:
    measured = phase.measured()
    window = max(1e-9, phase.duration_seconds - phase.warmup_seconds)
    errors = Counter(r.error for r in measured if r.error)
    by_step: dict[str, list[Record]] = defaultdict(list)
    for record in measured:
        by_step[record.step].append(record)
    answered = [r for r in measured if r.error is None]
    messages = len(measured)
    return {
        "target": phase.target,
        "citizens": phase.citizens,
        "think_seconds": phase.think_seconds,
        "duration_seconds": round(phase.duration_seconds, 1),
        "warmup_seconds": phase.warmup_seconds,
        "latency": latency_summary(measured),
        "latency_answered_only": latency_summary(answered),
        "latency_by_step": {k: latency_summary(v) for k, v in sorted(by_step.items())},
        "throughput_msg_per_s": round(messages / window, 2),
        "errors": dict(errors),
        "error_rate": round(sum(errors.values()) / messages, 4) if messages else None,
        "conversations_started": dict(phase.conversations),
        "outcomes": dict(phase.outcomes),
        "cpu_seconds": {k: round(v, 2) for k, v in phase.cpu_seconds.items()},
        "cpu_ms_per_message": {
            k: round(1000 * v / len(phase.records), 2) if phase.records else None
            for k, v in phase.cpu_seconds.items()
        },
        "peak_rss_mb": {k: round(v / 2**20, 1) for k, v in phase.peak_rss.items()},
        "machine_busy_cores": round(phase.machine_busy_cores, 2),
        # What the rest of the machine (other people's work) used meanwhile.
        "others_busy_cores": round(
            phase.machine_busy_cores
            - sum(phase.cpu_seconds.values()) / max(phase.duration_seconds, 1e-9),
            2,
        )
        if phase.cpu_seconds
        else None,
        "loadavg_after": phase.loadavg_after,
    }


async def run_phase(
    target: Target,
    *,
    citizens: int,
    think: float,
    jitter: float,
    duration: float | None,
    conversations_each: int | None,
    warmup: float,
    seed: int,
    tag: str,
    tax_codes: TaxCodes,
    sampler: Sampler | None,
) -> PhaseResult:
    result = PhaseResult(target.name, citizens, think, 0.0, warmup)
    started = time.monotonic()
    deadline = started + duration if duration else math.inf

    def pause(rng: random.Random) -> float:
        return think * rng.uniform(1 - jitter, 1 + jitter) if think > 0 else 0.0

    async def citizen(index: int) -> None:
        rng = seeded(f"{seed}-{index}")
        # Arrivals spread over the first think time, not all in the same instant.
        await asyncio.sleep(rng.uniform(0, think) if think > 0 else rng.uniform(0, 0.05))
        number = 0
        while time.monotonic() < deadline and (
            conversations_each is None or number < conversations_each
        ):
            conv_rng = seeded(f"{seed}-{index}-{number}")
            kind, conversation = new_conversation(conv_rng, result.outcomes, tax_codes)
            result.conversations[kind] += 1
            session = f"bench-{tag}-{index}-{number}-{conv_rng.getrandbits(32):08x}"
            number += 1
            try:
                message = next(conversation)
            except StopIteration:
                continue
            while message is not None and time.monotonic() < deadline:
                sent = time.monotonic()
                error: str | None = None
                replies: list[Reply] = []
                try:
                    replies = await target.send(session, message.text)
                    error = classify(replies)
                except httpx.TimeoutException:
                    error = "timeout"
                except httpx.HTTPStatusError as exc:
                    error = f"http_{exc.response.status_code}"
                except (httpx.HTTPError, ValueError, KeyError) as exc:
                    error = f"connection_{type(exc).__name__}"
                latency = (time.monotonic() - sent) * 1000
                result.records.append(Record(sent - started, latency, message.step, kind, error))
                if error is not None:
                    break  # a citizen who got no proper answer gives up this conversation
                try:
                    message = conversation.send(replies)
                except StopIteration:
                    message = None
                if message is not None:
                    await asyncio.sleep(pause(rng))
            await asyncio.sleep(pause(rng))

    cpu_before = sampler.cpu_seconds() if sampler else {}
    busy_before = sampler.machine_busy_seconds() if sampler else 0.0
    if sampler:
        sampler.reset_peaks()
    await asyncio.gather(*(citizen(i) for i in range(citizens)))
    result.duration_seconds = time.monotonic() - started
    if sampler:
        sampler.sample()
        cpu_after = sampler.cpu_seconds()
        result.cpu_seconds = {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}
        result.peak_rss = sampler.reset_peaks()
        busy = sampler.machine_busy_seconds() - busy_before
        result.machine_busy_cores = busy / result.duration_seconds
    result.loadavg_after = os.getloadavg()
    return result


def http_client(connections: int, timeout: float) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(timeout=timeout, limits=limits)


def make_target(kind: str, client: httpx.AsyncClient, args: argparse.Namespace) -> Target:
    if kind == "gateway":
        return GatewayTarget(client, args.gateway_url)
    return RasaTarget(client, args.rasa_url)


async def steady_run(args: argparse.Namespace, sampler: Sampler | None) -> dict[str, Any]:
    tax_codes = TaxCodes(args.seed)
    phases: dict[str, Any] = {}
    for kind in args.targets:
        async with http_client(args.citizens + 10, args.timeout) as client:
            target = make_target(kind, client, args)
            print(
                f"==> {kind}: {args.citizens} citizens, think {args.think:g} s "
                f"(±{args.jitter:.0%}), {args.duration:g} s",
                file=sys.stderr,
                flush=True,
            )
            phase = await run_phase(
                target,
                citizens=args.citizens,
                think=args.think,
                jitter=args.jitter,
                duration=args.duration,
                conversations_each=args.conversations,
                warmup=args.warmup,
                seed=args.seed,
                tag=f"{kind[:2]}{uuid.uuid4().hex[:6]}",
                tax_codes=tax_codes,
                sampler=sampler,
            )
            phases[kind] = summarise(phase)
        if kind != args.targets[-1]:
            await asyncio.sleep(args.pause_between)
    return phases


async def saturate(args: argparse.Namespace, sampler: Sampler | None) -> dict[str, Any]:
    """Closed loop, no think time: more concurrent citizens until p95 passes the bound.

    The targets take turns at each level (gateway then Rasa, then the other way round),
    so that both see the same background load on a shared machine. A target stops at its
    first errors, or once p95 is past the bound and throughput no longer grows (5 %).
    """
    tax_codes = TaxCodes(args.seed + 7)
    out: dict[str, Any] = {"p95_bound_ms": args.p95_bound, "step_seconds": args.step_seconds}
    steps: dict[str, list[dict[str, Any]]] = {kind: [] for kind in args.targets}
    running = list(args.targets)
    for number, concurrency in enumerate(args.levels):
        for kind in list(running) if number % 2 == 0 else list(reversed(running)):
            async with http_client(concurrency + 10, args.timeout) as client:
                phase = await run_phase(
                    make_target(kind, client, args),
                    citizens=concurrency,
                    think=0.0,
                    jitter=0.0,
                    duration=args.step_seconds,
                    conversations_each=None,
                    warmup=min(3.0, args.step_seconds / 4),
                    seed=args.seed + concurrency,
                    tag=f"s{kind[:1]}{concurrency}{uuid.uuid4().hex[:6]}",
                    tax_codes=tax_codes,
                    sampler=sampler,
                )
            summary = summarise(phase)
            ok = summary["latency"]["p95_ms"] <= args.p95_bound and not summary["errors"]
            best = max((s["throughput_msg_per_s"] for s in steps[kind]), default=0.0)
            steps[kind].append({"concurrency": concurrency, "ok": ok, **summary})
            print(
                f"    {kind:8} c={concurrency:3d}  {summary['throughput_msg_per_s']:6.1f} msg/s  "
                f"p50 {summary['latency']['p50_ms']:6.1f}  p95 {summary['latency']['p95_ms']:7.1f}"
                f"  errors {sum(summary['errors'].values())}  machine "
                f"{summary['machine_busy_cores']:.2f} cores busy "
                f"({summary['others_busy_cores']} not ours)",
                file=sys.stderr,
                flush=True,
            )
            saturated = not ok and summary["throughput_msg_per_s"] < 1.05 * best
            if summary["errors"] or saturated:
                running.remove(kind)
            await asyncio.sleep(1.0)
        if not running:
            break
    for kind, done in steps.items():
        passing = [s for s in done if s["ok"]]
        best = max(passing, key=lambda s: s["throughput_msg_per_s"]) if passing else None
        peak = max(done, key=lambda s: s["throughput_msg_per_s"]) if done else None
        out[kind] = {
            "steps": done,
            "max_sustainable_msg_per_s": best["throughput_msg_per_s"] if best else 0.0,
            "at_concurrency": best["concurrency"] if best else None,
            "peak_msg_per_s": peak["throughput_msg_per_s"] if peak else 0.0,
            "peak_at_concurrency": peak["concurrency"] if peak else None,
            "peak_p95_ms": peak["latency"]["p95_ms"] if peak else None,
        }
    if "gateway" in out and "rasa" in out:
        gw, ra = out["gateway"], out["rasa"]
        if ra["max_sustainable_msg_per_s"]:
            out["gateway_to_rasa_ratio"] = round(
                gw["max_sustainable_msg_per_s"] / ra["max_sustainable_msg_per_s"], 3
            )
        if ra["peak_msg_per_s"]:
            out["gateway_to_rasa_peak_ratio"] = round(
                gw["peak_msg_per_s"] / ra["peak_msg_per_s"], 3
            )
    return out


# --- the service under test ---------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def newest_model() -> Path | None:
    models = sorted((ROOT / "models").glob("sportello-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def model_facts(model: Path | None, train_log: Path | None, trained: float | None) -> dict:
    facts: dict[str, Any] = {}
    if model is not None and model.exists():
        facts["path"] = str(model)
        facts["size_mb"] = round(model.stat().st_size / 2**20, 1)
        try:
            with tarfile.open(model) as tar:
                member = tar.extractfile("metadata.json")
                if member is not None:
                    metadata = json.load(member)
                    facts["trained_at"] = metadata.get("trained_at")
                    facts["rasa_version"] = metadata.get("rasa_open_source_version")
        except (tarfile.TarError, KeyError, ValueError, OSError):
            pass
    if trained is not None:
        facts["training_seconds"] = round(trained, 1)
        facts["training_source"] = "timed scripts/train.sh (--train)"
    elif train_log is not None and train_log.exists():
        found = re.findall(r"Model trained in (\d+)s", train_log.read_text(errors="replace"))
        if found:
            facts["training_seconds"] = int(found[-1])
            facts["training_source"] = f"train log {train_log}"
    return facts


def train_model() -> tuple[Path, float]:
    """Train from scratch into a throw-away models directory, timed (--train)."""
    out = Path(tempfile.mkdtemp(prefix="bench-models-"))
    started = time.monotonic()
    done = subprocess.run(
        [str(ROOT / "scripts" / "train.sh")],
        env={**os.environ, "MODELS_DIR": str(out)},
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(done.stdout.strip().splitlines()[-1]), time.monotonic() - started


class Service:
    """The four processes started by scripts/stack.py, on free ports, with a fresh database."""

    def __init__(self, args: argparse.Namespace, model: Path) -> None:
        self.args = args
        self.model = model
        self.tag = uuid.uuid4().hex[:10]
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-"))
        self.db_name: str | None = None
        self.stack: Any = None
        self.tracker_prefix: str | None = None

    def _database(self) -> str:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url
        from sqlalchemy.orm import Session

        from backend.migrate import upgrade
        from backend.seed import seed_all

        if self.args.db == "sqlite":
            url = f"sqlite:///{self.tmp / 'bench.db'}"
        else:
            admin_url = os.environ.get("DATABASE_URL", "")
            admin_url = admin_url if admin_url.startswith("postgresql") else DEFAULT_PG
            self.db_name = f"sportello_bench_{self.tag}"
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.db_name}"'))
            admin.dispose()
            url = (
                make_url(admin_url).set(database=self.db_name).render_as_string(hide_password=False)
            )
        upgrade(url)
        engine = create_engine(url)
        with Session(engine) as session:
            seed_all(session)
        engine.dispose()
        return url

    def start(self) -> None:
        from urllib.parse import urlparse

        from stack import Stack

        print(f"==> Database: {self.args.db} (fresh, seeded)", file=sys.stderr, flush=True)
        url = self._database()
        redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        redis = urlparse(redis_url)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SPORTELLO_ENV": "test",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "RASA_TELEMETRY_ENABLED": "false",
            "SPACY_MODEL_DIR": os.environ.get(
                "SPACY_MODEL_DIR", str(ROOT / "var" / "spacy" / "it_blank")
            ),
            "BACKEND_PORT": str(free_port()),
            "ACTIONS_PORT": str(free_port()),
            "RASA_PORT": str(free_port()),
            "GATEWAY_PORT": str(free_port()),
            "REDIS_URL": redis_url,
            "REDIS_KEY_PREFIX": f"sportello:bench-gw:{self.tag}:",
            "HANDOFF_REDIS_PREFIX": f"sportello:bench:{self.tag}:",
            "REDIS_HOST": redis.hostname or "127.0.0.1",
            "REDIS_PORT": str(redis.port or 6379),
            "REDIS_PASSWORD": redis.password or "",
            "TRACKER_TTL_SECONDS": "7200",
        }
        endpoints = "bot/endpoints.yml"
        if self.args.redis_tracker:
            # Rasa ignores a key prefix with anything but letters and digits.
            self.tracker_prefix = f"bench{self.tag}"
            text = (ROOT / "bot" / "endpoints.redis.yml").read_text(encoding="utf-8")
            path = self.tmp / "endpoints.yml"
            path.write_text(
                text.replace("key_prefix: sportello", f"key_prefix: {self.tracker_prefix}")
            )
            endpoints = str(path)
        self.stack = Stack(
            model=self.model,
            env=env,
            log_dir=self.tmp / "logs",
            rasa_endpoints=endpoints,
            extra_rasa_ports=[free_port() for _ in range(self.args.rasa_servers - 1)],
        )
        print(
            f"==> Starting backend, actions, {self.args.rasa_servers} Rasa server(s), gateway "
            f"(logs in {self.stack.log_dir})",
            file=sys.stderr,
            flush=True,
        )
        self.stack.start()
        self.stack.wait_healthy(timeout=400)
        self.args.gateway_url = self.stack.urls["widget"].rstrip("/")
        self.args.rasa_url = self.stack.env["RASA_URLS"].split(",")

    def pids(self) -> dict[str, int]:
        if self.stack is None:
            return {}
        return {p.name: p.popen.pid for p in self.stack.processes if p.popen is not None}

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop()
        if self.db_name:
            from sqlalchemy import create_engine, text

            admin_url = os.environ.get("DATABASE_URL", "")
            admin_url = admin_url if admin_url.startswith("postgresql") else DEFAULT_PG
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'))
            admin.dispose()
        self._delete_redis_keys()
        if self.args.keep_logs:
            print(f"==> Logs kept in {self.tmp / 'logs'}", file=sys.stderr)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _delete_redis_keys(self) -> None:
        import redis

        url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        patterns = [(0, f"sportello:bench-gw:{self.tag}:*"), (0, f"sportello:bench:{self.tag}:*")]
        if self.tracker_prefix:
            patterns += [(0, f"{self.tracker_prefix}:*"), (1, f"{self.tracker_prefix}:*")]
        try:
            for db, pattern in patterns:
                client = redis.Redis.from_url(url, db=db)
                for key in client.scan_iter(match=pattern, count=1000):
                    client.delete(key)
                client.close()
        except redis.RedisError as exc:
            print(f"(Redis keys not cleaned up: {exc})", file=sys.stderr)


async def warm_up(args: argparse.Namespace) -> None:
    """A few conversations on each target first: the first calls of a model are slow."""
    async with http_client(20, args.timeout) as client:
        for kind in args.targets:
            await run_phase(
                make_target(kind, client, args),
                citizens=4,
                think=0.0,
                jitter=0.0,
                duration=None,
                conversations_each=3,
                warmup=0.0,
                seed=args.seed + 1000,
                tag=f"w{uuid.uuid4().hex[:8]}",
                tax_codes=TaxCodes(args.seed + 99),
                sampler=None,
            )


# --- report ---------------------------------------------------------------------------------


def fmt_ms(value: float | None) -> str:
    return (
        "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f}"
    )


def print_report(report: dict[str, Any]) -> None:
    lines = ["", f"Benchmark {report['started_at']}  ({report['machine']['cpus']} CPUs)"]
    load = report["machine"]
    lines.append(
        f"  load average before {load['loadavg_before'][0]:.2f}, after "
        f"{load['loadavg_after'][0]:.2f}; model {report['model'].get('size_mb', '?')} MB"
        + (
            f", trained in {report['model']['training_seconds']} s"
            if "training_seconds" in report["model"]
            else ""
        )
    )
    steady = report.get("steady")
    if steady:
        lines.append("")
        lines.append(
            f"{'target':8} {'msgs':>6} {'msg/s':>6} {'p50':>6} {'p95':>6} {'p99':>6} "
            f"{'errors':>6}  machine busy"
        )
        for kind, s in steady.items():
            if not isinstance(s, dict) or "latency" not in s:
                continue
            lat = s["latency"]
            lines.append(
                f"{kind:8} {lat['messages']:6d} {s['throughput_msg_per_s']:6.1f} "
                f"{fmt_ms(lat['p50_ms']):>6} {fmt_ms(lat['p95_ms']):>6} "
                f"{fmt_ms(lat['p99_ms']):>6} {sum(s['errors'].values()):6d}  "
                f"{s['machine_busy_cores']:.2f} of {report['machine']['cpus']} cores"
                + (
                    f" ({s['others_busy_cores']:.2f} not ours)"
                    if s.get("others_busy_cores") is not None
                    else ""
                )
            )
        for kind, s in steady.items():
            if not isinstance(s, dict) or "latency_by_step" not in s:
                continue
            lines.append(f"\n  {kind}: per step (ms)            n    p50    p95    p99")
            for step, lat in s["latency_by_step"].items():
                lines.append(
                    f"    {step:24} {lat['messages']:6d} {fmt_ms(lat['p50_ms']):>6} "
                    f"{fmt_ms(lat['p95_ms']):>6} {fmt_ms(lat['p99_ms']):>6}"
                )
            if s["errors"]:
                lines.append(f"    errors: {s['errors']}")
            lines.append(f"    outcomes: {s['outcomes']}")
            lines.append(
                "    peak RSS MB: " + ", ".join(f"{k} {v:.0f}" for k, v in s["peak_rss_mb"].items())
            )
            lines.append(
                "    CPU ms/message: "
                + ", ".join(f"{k} {v:.1f}" for k, v in s["cpu_ms_per_message"].items() if v)
            )
        if "overhead" in steady:
            o = steady["overhead"]
            lines.append(
                f"\n  gateway / bare Rasa: p50 x{o['p50_ratio']}, p95 x{o['p95_ratio']} "
                f"(+{o['p50_added_ms']} ms at p50)"
            )
    sat = report.get("saturation")
    if sat:
        lines.append(
            f"\nSaturation (closed loop, no think time, p95 bound {sat['p95_bound_ms']} ms)"
        )
        for kind in ("gateway", "rasa"):
            if kind in sat:
                k = sat[kind]
                lines.append(
                    f"  {kind:8} max sustainable {k['max_sustainable_msg_per_s']:.1f} msg/s"
                    f" (at {k['at_concurrency']} concurrent); peak {k['peak_msg_per_s']:.1f} msg/s"
                    f" (at {k['peak_at_concurrency']}, p95 {fmt_ms(k['peak_p95_ms'])} ms)"
                )
        if "gateway_to_rasa_ratio" in sat:
            lines.append(
                f"  ratio gateway / bare Rasa, sustainable: {sat['gateway_to_rasa_ratio']}"
            )
        if "gateway_to_rasa_peak_ratio" in sat:
            lines.append(f"  ratio gateway / bare Rasa, peak: {sat['gateway_to_rasa_peak_ratio']}")
    hwm = report.get("vm_hwm_mb")
    if hwm:
        lines.append(
            "\nPeak RSS since start (VmHWM, MB): "
            + ", ".join(f"{k} {v:.0f}" for k, v in hwm.items())
        )
    lines.append(f"\nJSON: {report['json_path']}")
    print("\n".join(lines))


def overhead(steady: dict[str, Any]) -> dict[str, Any] | None:
    if "gateway" not in steady or "rasa" not in steady:
        return None
    gw, ra = steady["gateway"]["latency"], steady["rasa"]["latency"]
    if not gw["messages"] or not ra["messages"]:
        return None
    return {
        "p50_ratio": round(gw["p50_ms"] / ra["p50_ms"], 2),
        "p95_ratio": round(gw["p95_ms"] / ra["p95_ms"], 2),
        "p50_added_ms": round(gw["p50_ms"] - ra["p50_ms"], 1),
        "p95_added_ms": round(gw["p95_ms"] - ra["p95_ms"], 1),
    }


def git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return None
    return done.stdout.strip() or None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 2)[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    load = parser.add_argument_group("load")
    load.add_argument("--citizens", type=int, default=200, help="simulated citizens at once")
    load.add_argument("--think", type=float, default=5.0, help="think time between messages, s")
    load.add_argument("--jitter", type=float, default=0.5, help="think time varies by ± this share")
    load.add_argument("--duration", type=float, default=120.0, help="seconds per target")
    load.add_argument(
        "--conversations",
        type=int,
        default=None,
        help="stop each citizen after this many conversations (and at --duration)",
    )
    load.add_argument("--warmup", type=float, default=10.0, help="first seconds not measured")
    load.add_argument("--timeout", type=float, default=30.0, help="HTTP timeout per message, s")
    load.add_argument("--seed", type=int, default=8, help="random seed of the citizens' choices")
    load.add_argument(
        "--targets",
        default="gateway,rasa",
        help="comma-separated: gateway (web channel), rasa (REST channel, bare)",
    )
    load.add_argument(
        "--pause-between", type=float, default=5.0, help="seconds of rest between targets"
    )
    sat = parser.add_argument_group("saturation")
    sat.add_argument(
        "--saturate",
        action="store_true",
        help="instead of the steady run: step up concurrency with no think time until p95 "
        "passes the bound or errors appear; max sustainable throughput of each target",
    )
    sat.add_argument("--p95-bound", type=float, default=150.0, help="p95 bound, ms")
    sat.add_argument("--step-seconds", type=float, default=20.0, help="seconds per level")
    sat.add_argument(
        "--levels",
        default="1,2,3,4,6,8,12,16,24,32,48,64",
        help="concurrency levels to try, in order",
    )
    svc = parser.add_argument_group("service")
    svc.add_argument("--gateway-url", help="attach to this gateway instead of starting one")
    svc.add_argument(
        "--rasa-url",
        action="append",
        help="Rasa server(s) for the bare phase when attaching (repeat for several)",
    )
    svc.add_argument(
        "--pid",
        action="append",
        default=[],
        metavar="NAME=PID",
        help="when attaching: a process whose memory and CPU to sample (repeatable)",
    )
    svc.add_argument("--model", type=Path, help="Rasa model (default: newest in models/)")
    svc.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    svc.add_argument(
        "--redis-tracker",
        action="store_true",
        help="Rasa's Redis tracker and lock store (bot/endpoints.redis.yml) instead of memory",
    )
    svc.add_argument("--rasa-servers", type=int, default=1, help="Rasa servers to start")
    svc.add_argument("--keep-logs", action="store_true", help="keep the processes' logs")
    svc.add_argument(
        "--train",
        action="store_true",
        help="train a model from scratch first (minutes), timed, and benchmark that one",
    )
    svc.add_argument(
        "--train-log",
        type=Path,
        help="a log of scripts/train.sh to read the training time from",
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "results" / "bench", help="directory of the JSON"
    )
    args = parser.parse_args(argv)
    args.targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    if not set(args.targets) <= {"gateway", "rasa"} or not args.targets:
        parser.error("--targets: gateway and/or rasa")
    args.levels = [int(x) for x in args.levels.split(",")]
    if args.gateway_url and "rasa" in args.targets and not args.rasa_url:
        parser.error("--rasa-url is needed with --gateway-url for the bare Rasa phase")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started_at = datetime.now(timezone.utc)
    loadavg_before = os.getloadavg()
    trained: float | None = None
    model = args.model
    if args.train:
        print("==> Training a model from scratch (timed)", file=sys.stderr, flush=True)
        model, trained = train_model()
    if model is None:
        model = newest_model()
    service: Service | None = None
    pids: dict[str, int] = {}
    for item in args.pid:
        name, _, pid = item.partition("=")
        pids[name] = int(pid)
    if not args.gateway_url:
        if model is None or not model.exists():
            print("No model: train one (make train) or pass --model", file=sys.stderr)
            return 2
        service = Service(args, model)
    sampler: Sampler | None = None
    report: dict[str, Any] = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "command": " ".join(
            [Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]
        ),
        "git_commit": git_commit(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_before": loadavg_before,
            "niceness": os.nice(0),
        },
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "model": model_facts(model, args.train_log, trained),
    }
    try:
        if service is not None:
            service.start()
            pids.update(service.pids())
        sampler = Sampler(pids)
        sampler.start()
        print("==> Warming up each target", file=sys.stderr, flush=True)
        asyncio.run(warm_up(args))
        if args.saturate:
            report["saturation"] = asyncio.run(saturate(args, sampler))
        else:
            steady = asyncio.run(steady_run(args, sampler))
            if ratio := overhead(steady):
                steady["overhead"] = ratio
            report["steady"] = steady
        report["vm_hwm_mb"] = {
            k: round(v / 2**20, 1) for k, v in sampler.high_water_marks().items()
        }
    finally:
        if sampler is not None:
            sampler.stop()
        if service is not None:
            service.stop()
    report["machine"]["loadavg_after"] = os.getloadavg()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{started_at:%Y%m%dT%H%M%SZ}{'-saturate' if args.saturate else ''}.json"
    report["json_path"] = str(path)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
