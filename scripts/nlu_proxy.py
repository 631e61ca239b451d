"""Fast proxy of the NLU evaluation (seconds instead of `make evaluate`'s minutes).

usage: .venv/bot/bin/python scripts/nlu_proxy.py [--data nlu_data] [--cv] [--dups]
                                                  [--errors N] [--json OUT]

What it does:
* loads nlu_data/ exactly as `make evaluate` does (scripts/nlu_split.py: files in sorted
  order, Rasa's reader; entity annotations are stripped to plain text by Rasa's reader;
  `faq/<key>` examples have intent `faq` for intent scoring and the key for FAQ scoring);
* reproduces the split of scripts/evaluate_nlu.sh by calling Rasa's own
  TrainingData.train_test_split(0.8, random_seed=2026) on it, so the held-out 20 % is the
  same set of messages (a class's split changes when examples are added to or removed
  from it, as it does for `make evaluate`);
* scores a linear model (TF-IDF word 1-2 grams + char_wb 2-5 grams + char 3-6 grams,
  LinearSVC C=2, as LinearIntentClassifier; like the
  pipeline's RegexFeaturizer, a marker word is added when a text contains a name of the
  `comune` lookup table or matches a regex, so bare town names are told from gibberish) on it:
  per-intent P/R/F1, macro-F1, accuracy, out_of_scope recall, FAQ-key accuracy (a second
  LinearSVC over the faq examples only, scored on the held-out faq examples), and the
  confusion pairs with the misclassified texts;
* with --cv, also stratified 5-fold cross-validation (seed 2026) over all examples;
* with --fixed-test REV, also scores a FIXED held-out set: the 20 % that the split gave on
  the data at git revision REV (e.g. the commit before a batch of data changes), training
  on today's data minus those texts and scoring them with today's labels - the fair
  before/after comparison, since the seeded split itself moves when classes change size;
* with --dups, lists near-duplicates (same text after lower-casing, accent and punctuation
  stripping, or char-n-gram cosine >= 0.9) that carry different labels.

It is a proxy: the linear model is not DIET, absolute figures differ from `make evaluate`
(on the same data the README reports a linear SVM at 0.86 vs DIET 0.863), but data
changes move both the same way.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import unicodedata
import warnings
from collections import Counter
from pathlib import Path
from typing import ClassVar

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import accuracy_score, precision_recall_fscore_support  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.pipeline import FeatureUnion, make_pipeline  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = 2026
FIXED_VERBOSE = bool(os.environ.get("NLU_PROXY_FIXED_VERBOSE"))


def load(data: str):
    """Rasa TrainingData of `data`, loaded as scripts/nlu_split.py (`make evaluate`) loads it."""
    from nlu_split import load_sorted

    return load_sorted(data)


def rows(messages) -> list[tuple[str, str, str | None]]:
    """(text, intent, faq key or None) for every example with an intent."""
    out = []
    for m in messages:
        intent = m.get("intent")
        if not intent or not m.get("text"):
            continue
        full = m.get("intent_response_key")
        out.append((m.get("text"), intent, full.split("/", 1)[1] if full else None))
    return out


class Markers:
    """Marker words for lookup-table and regex matches (what RegexFeaturizer gives DIET)."""

    lookups: ClassVar[list[set[str]]] = []
    regexes: ClassVar[list[re.Pattern]] = []

    @classmethod
    def setup(cls, td) -> None:
        cls.lookups = [
            {norm(e) for e in t["elements"]}
            for t in td.lookup_tables
            if isinstance(t["elements"], list)
        ]
        cls.regexes = [re.compile(r["pattern"], re.I) for r in td.regex_features]

    @classmethod
    def add(cls, texts):
        out = []
        for t in texts:
            words = norm(t).split()
            grams = {" ".join(words[i : i + n]) for n in (1, 2, 3, 4) for i in range(len(words))}
            marks = [f"zzlookup{k}zz" for k, table in enumerate(cls.lookups) if grams & table]
            marks += [f"zzregex{k}zz" for k, rx in enumerate(cls.regexes) if rx.search(t)]
            if marks and len(words) <= 4:
                marks.append("zzshortmatchzz")
            out.append(t + " " + " ".join(marks))
        return out


def model():
    from sklearn.preprocessing import FunctionTransformer

    features = FeatureUnion(
        [
            (
                "word",
                make_pipeline(
                    FunctionTransformer(Markers.add),
                    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True),
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True
                ),
            ),
            (
                "phrase",
                TfidfVectorizer(
                    analyzer="char", ngram_range=(3, 6), sublinear_tf=True, lowercase=True
                ),
            ),
        ]
    )
    # As LinearIntentClassifier's defaults.
    return make_pipeline(features, LinearSVC(C=2.0, class_weight="balanced"))


def score(train, test, n_errors: int, verbose: bool = True) -> dict:
    clf = model().fit([t for t, _, _ in train], [i for _, i, _ in train])
    gold = [i for _, i, _ in test]
    pred = list(clf.predict([t for t, _, _ in test]))
    labels = sorted(set(gold) | set(i for _, i, _ in train))
    p, r, f, n = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    per = {lab: (p[k], r[k], f[k], int(n[k])) for k, lab in enumerate(labels) if n[k]}
    macro = float(np.mean([v[2] for v in per.values()]))
    acc = accuracy_score(gold, pred)

    ftrain = [(t, k) for t, _, k in train if k]
    ftest = [(t, k) for t, _, k in test if k]
    fclf = model().fit([t for t, _ in ftrain], [k for _, k in ftrain])
    fpred = list(fclf.predict([t for t, _ in ftest]))
    fgold = [k for _, k in ftest]
    facc = accuracy_score(fgold, fpred)
    fkeys = sorted(set(fgold))
    fp_, fr_, ff_, fn_ = precision_recall_fscore_support(
        fgold, fpred, labels=fkeys, zero_division=0
    )

    res = {
        "n_train": len(train),
        "n_test": len(test),
        "intent_macro_f1": round(macro, 4),
        "intent_accuracy": round(acc, 4),
        "out_of_scope_recall": round(per.get("out_of_scope", (0, 0, 0, 0))[1], 4),
        "faq_accuracy": round(facc, 4),
        "per_intent_f1": {k: round(v[2], 3) for k, v in per.items()},
        "per_faq_f1": {k: round(ff_[j], 3) for j, k in enumerate(fkeys)},
    }
    if verbose:
        print(f"\n{'intent':<26}{'prec':>7}{'rec':>7}{'f1':>7}{'n':>6}")
        for lab, (pp, rr, ff, nn) in sorted(per.items(), key=lambda kv: kv[1][2]):
            print(f"{lab:<26}{pp:>7.3f}{rr:>7.3f}{ff:>7.3f}{nn:>6}")
        print(f"\n{'faq key':<26}{'prec':>7}{'rec':>7}{'f1':>7}{'n':>6}")
        for j in np.argsort(ff_):
            print(f"{fkeys[j]:<26}{fp_[j]:>7.3f}{fr_[j]:>7.3f}{ff_[j]:>7.3f}{fn_[j]:>6}")
        errs = [(g, q, t) for (t, _, _), g, q in zip(test, gold, pred, strict=False) if g != q]
        pairs = Counter((g, q) for g, q, _ in errs)
        print("\nConfusions (true -> predicted: count)")
        for (g, q), c in pairs.most_common():
            print(f"  {g} -> {q}: {c}")
            for t in [t for gg, qq, t in errs if (gg, qq) == (g, q)][:n_errors]:
                print(f"      {t!r}")
        ferrs = Counter((g, q) for g, q in zip(fgold, fpred, strict=False) if g != q)
        print("\nFAQ key confusions")
        for (g, q), c in ferrs.most_common():
            texts = [
                t for (t, _), gg, qq in zip(ftest, fgold, fpred, strict=False) if (gg, qq) == (g, q)
            ]
            print(f"  {g} -> {q}: {c}   e.g. {texts[:n_errors]}")
    return res


def cv(all_rows, n_errors: int) -> dict:
    strata = [k or i for _, i, k in all_rows]
    skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    folds = []
    for tr, te in skf.split(np.zeros(len(all_rows)), strata):
        folds.append(score([all_rows[j] for j in tr], [all_rows[j] for j in te], n_errors, False))
    keys = ["intent_macro_f1", "intent_accuracy", "out_of_scope_recall", "faq_accuracy"]
    res = {k: round(float(np.mean([f[k] for f in folds])), 4) for k in keys}
    res["per_intent_f1"] = {
        k: round(float(np.mean([f["per_intent_f1"].get(k, 0) for f in folds])), 3)
        for k in folds[0]["per_intent_f1"]
    }
    res["per_faq_f1"] = {
        k: round(float(np.mean([f["per_faq_f1"].get(k, 0) for f in folds])), 3)
        for k in folds[0]["per_faq_f1"]
    }
    return res


def fixed(rev: str, all_rows, n_errors: int) -> dict:
    """Train on today's data minus REV's held-out texts; score those texts, today's labels."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev, "nlu_data"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        _, old_test = load(str(Path(tmp) / "nlu_data")).train_test_split(0.8, SEED)
    test_texts = {t for t, _, _ in rows(old_test.training_examples)}
    train = [r for r in all_rows if r[0] not in test_texts]
    test = [r for r in all_rows if r[0] in test_texts]  # dropped texts are not scored
    print(f"\nFIXED test set: {len(test)} of {len(test_texts)} texts of {rev} still in the data")
    return score(train, test, n_errors, verbose=FIXED_VERBOSE)


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def dups(all_rows) -> None:
    label = [f"faq/{k}" if k else i for _, i, k in all_rows]
    seen: dict[str, set] = {}
    for (t, _, _), lab in zip(all_rows, label, strict=False):
        seen.setdefault(norm(t), set()).add((lab, t))
    print("\nSame normalised text, different labels")
    for _n, items in seen.items():
        if len({lab for lab, _ in items}) > 1:
            print(f"  {sorted(items)}")
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    x = vec.fit_transform([norm(t) for t, _, _ in all_rows])
    sim = (x @ x.T).tocoo()
    print("\nNear-duplicates (cosine >= 0.9), different labels")
    for a, b, s in zip(sim.row, sim.col, sim.data, strict=False):
        if (
            a < b
            and s >= 0.9
            and label[a] != label[b]
            and norm(all_rows[a][0]) != norm(all_rows[b][0])
        ):
            print(f"  {s:.2f} {label[a]}: {all_rows[a][0]!r}  |  {label[b]}: {all_rows[b][0]!r}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT / "nlu_data"))
    ap.add_argument("--cv", action="store_true", help="also stratified 5-fold CV")
    ap.add_argument("--dups", action="store_true", help="list cross-label near-duplicates")
    ap.add_argument("--errors", type=int, default=4, help="example texts per confusion")
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--fixed-test", metavar="REV", help="also score the split of REV's data")
    args = ap.parse_args()

    td = load(args.data)
    Markers.setup(td)
    all_rows = rows(td.training_examples)
    print(
        f"{len(all_rows)} examples, {len(set(i for _, i, _ in all_rows))} intents, "
        f"{len(set(k for _, _, k in all_rows if k))} FAQ keys"
    )
    train_td, test_td = td.train_test_split(0.8, SEED)
    split = score(rows(train_td.training_examples), rows(test_td.training_examples), args.errors)
    out = {"split": split}
    head = ["intent_macro_f1", "intent_accuracy", "out_of_scope_recall", "faq_accuracy"]
    print("\nSPLIT (rasa data split nlu, seed 2026):", {k: split[k] for k in head})
    if args.cv:
        out["cv5"] = cv(all_rows, args.errors)
        print("CV5   (stratified, seed 2026):       ", {k: out["cv5"][k] for k in head})
        weak = sorted(out["cv5"]["per_intent_f1"].items(), key=lambda kv: kv[1])[:8]
        print("CV5 weakest intents:", weak)
        print(
            "CV5 weakest FAQ keys:",
            sorted(out["cv5"]["per_faq_f1"].items(), key=lambda kv: kv[1])[:5],
        )
    if args.fixed_test:
        out["fixed"] = fixed(args.fixed_test, all_rows, args.errors)
        print(f"FIXED (split of {args.fixed_test}):", {k: out["fixed"][k] for k in head})
        print(
            "FIXED per intent:",
            sorted(out["fixed"]["per_intent_f1"].items(), key=lambda kv: kv[1])[:8],
        )
    if args.dups:
        dups(all_rows)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
