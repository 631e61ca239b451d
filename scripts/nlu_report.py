"""Summarise Rasa's NLU test reports: per-intent scores, worst confusions, a pass/fail gate.

usage: nlu_report.py RESULTS_DIR MIN_MACRO_F1
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

AGGREGATES = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def load(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def table(title: str, report: dict) -> list[dict]:
    rows = [
        {"label": k, **{m: v[m] for m in ("precision", "recall", "f1-score", "support")}}
        for k, v in report.items()
        if k not in AGGREGATES and isinstance(v, dict)
    ]
    rows.sort(key=lambda r: r["f1-score"])
    print(f"\n{title}")
    print(f"{'label':<34}{'prec':>7}{'rec':>7}{'f1':>7}{'n':>6}")
    for r in rows:
        print(
            f"{r['label']:<34}{r['precision']:>7.3f}{r['recall']:>7.3f}"
            f"{r['f1-score']:>7.3f}{r['support']:>6}"
        )
    return rows


def main(results: Path, min_macro_f1: float) -> int:
    intents = load(results / "intent_report.json")
    faq = load(results / "response_selection_report.json")
    # The whole pipeline's entities (scripts/rasa_test_nlu.py), not one extractor's.
    entities = load(results / "Pipeline_report.json")
    errors = load(results / "intent_errors.json") or []

    table("Intents", intents)
    if faq:
        table("FAQ keys (LinearResponseSelector)", faq)
    if entities:
        table(
            "Entities (the pipeline's output: phrases, regex, comune names, post-processing)",
            entities,
        )

    confusions = Counter(
        (e["intent"], e["intent_prediction"]["name"]) for e in errors if e.get("intent_prediction")
    )
    print("\nWorst confusions (true -> predicted: count)")
    for (true, predicted), count in confusions.most_common(10):
        print(f"  {true} -> {predicted}: {count}")

    summary = {
        "intent_macro_f1": intents.get("macro avg", {}).get("f1-score"),
        "intent_accuracy": intents.get("accuracy"),
        "faq_accuracy": faq.get("accuracy"),
        "faq_macro_f1": faq.get("macro avg", {}).get("f1-score"),
        "entity_micro_f1": entities.get("micro avg", {}).get("f1-score"),
        "out_of_scope_recall": intents.get("out_of_scope", {}).get("recall"),
        "worst_confusions": [
            {"true": t, "predicted": p, "count": c} for (t, p), c in confusions.most_common(10)
        ],
        "min_macro_f1": min_macro_f1,
    }
    (results / "summary.json").write_text(json.dumps(summary, indent=2))
    print("\nSummary:", json.dumps({k: v for k, v in summary.items() if k != "worst_confusions"}))
    macro = summary["intent_macro_f1"] or 0.0
    if macro < min_macro_f1:
        print(f"FAIL: intent macro-F1 {macro:.3f} < {min_macro_f1}")
        return 1
    print(f"OK: intent macro-F1 {macro:.3f} >= {min_macro_f1}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), float(sys.argv[2])))
