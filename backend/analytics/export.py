"""The CSV for the Osservatorio: the figures with every small group suppressed.

A cell that counts fewer than SUPPRESS_BELOW distinct citizens (conversations, or
tax-code hashes for bookings) is written as "<10". So that a suppressed cell cannot be
recomputed by subtraction, the file has no totals and no margins: no published figure is
the sum of others (the "faq" intent is left out: it is the sum of the FAQ topics), and a
rate is written only beside both of its terms and suppressed with them
(docs/analytics.md, "Suppression").
"""

import csv
import io
from collections.abc import Iterator
from typing import Any

from backend.analytics.figures import Row

SUPPRESS_BELOW = 10
SUPPRESSED = f"<{SUPPRESS_BELOW}"
HEADER = ["sezione", "giorno", "canale", "provincia", "voce", "valore"]
NO_PROVINCE = "non indicata"
# Intents whose count another section already breaks down.
SUMMED_ELSEWHERE = {"faq"}


def _cell(value: Any, citizens: int) -> str:
    return SUPPRESSED if citizens < SUPPRESS_BELOW else str(value)


def _province(code: str | None) -> str:
    return code or NO_PROVINCE


def rows(figures: dict[str, Any]) -> Iterator[list[str]]:
    yield HEADER
    handoffs = {(r["day"], r["channel"]): r["conversations"] for r in figures["handoffs"]}
    for r in figures["conversations"]:
        n = r["conversations"]
        yield ["conversazioni", r["day"], r["channel"], "", "conversazioni", _cell(n, n)]
        handed = handoffs.pop((r["day"], r["channel"]), 0)
        if handed:
            yield [
                "passaggi_operatore", r["day"], r["channel"], "", "conversazioni",
                _cell(handed, handed),
            ]  # fmt: skip
        both = min(n, handed) if handed else n
        rate = handed / n
        yield [
            "passaggi_operatore", r["day"], r["channel"], "", "tasso_passaggio",
            _cell(f"{rate:.3f}", both),
        ]  # fmt: skip
        yield [
            "contenimento", r["day"], r["channel"], "", "tasso_contenimento",
            _cell(f"{1 - rate:.3f}", both),
        ]  # fmt: skip
    # Handoffs of days or channels where no conversation start was recorded.
    for (day, channel), handed in sorted(handoffs.items()):
        yield ["passaggi_operatore", day, channel, "", "conversazioni", _cell(handed, handed)]
    for r in figures["waiting"]:
        for item in ("median_seconds", "p90_seconds"):
            name = "attesa_mediana_secondi" if item == "median_seconds" else "attesa_p90_secondi"
            yield ["attesa", "", r["channel"] or "", "", name, _cell(r[item], r["taken"])]
    summary = figures["summary"]
    if summary["fallback_rate"] is not None:
        rate = _cell(f"{summary['fallback_rate']:.3f}", summary["conversations_with_fallback"])
        yield ["fallback", "", "", "", "tasso_fallback", rate]
    for section, key in (("intenti", "intents"), ("faq", "faq")):
        for r in figures[key]:
            if key == "intents" and r["label"] in SUMMED_ELSEWHERE:
                continue
            value = _cell(r["messages"], r["conversations"])
            yield [section, "", "", _province(r["province"]), r["label"], value]
    for r in figures["bookings"]:
        value = _cell(r["bookings"], r["citizens"])
        yield ["prenotazioni", "", "", _province(r["province"]), r["item"], value]
    for r in figures["eligibility"]:
        name = f"{r['measure']}:{r['verdict'] or ''}"
        value = _cell(r["checks"], r["conversations"])
        yield ["requisiti", "", "", _province(r["province"]), name, value]


def to_csv(figures: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows(figures):
        # Labels are codes ([a-z0-9_:/.-], checked on the way in); still, never let a
        # spreadsheet read a cell as a formula.
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in row])
    return out.getvalue()


__all__ = ["SUPPRESSED", "Row", "to_csv"]
