"""Train the learned SemSI detector: `python -m semsiedit.training [--exclude-dev] [--out PATH]`.

Per category, stacked L2 logistic regressions (features: learned_features.py), with 5 folds grouped
by prompt `ID` (answers to one prompt are near-duplicates):

1. a sentence model over the sentence features; its out-of-fold probabilities
2. feed a document model (document_features);
3. a word model (TF-IDF over words and word pairs, learned_words.py) reads the whole text;
4. a stack over the document's non-embedding features and the out-of-fold logits of 2 and 3 decides
   the document: its out-of-fold probabilities give the document threshold `doc` (the best Cohen's
   kappa of the document flags);
5. the sentence threshold `span`: the best sentence F1 inside the documents the judge flagged;
6. a ridge regression of the judge's severity on the positive sentences.

The shipped sentence and document models are then fit on all rows (the document model on the
out-of-fold sentence probabilities, as it saw them in cross-validation). Everything is deterministic
(fixed seed, lbfgs). scikit-learn is needed here only; run time uses plain numpy.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from semsiedit.detection.learned import PROBE_TEXT, WEIGHTS_PATH, LearnedModel, stack_features
from semsiedit.detection.learned_features import FEATURE_VERSION, document_features, rule_columns
from semsiedit.detection.learned_words import C as WORD_C
from semsiedit.detection.learned_words import WordModel, fit_vectorizer, logit, word_model
from semsiedit.scoring import get_embedder
from semsiedit.training.data import build_table, read_jsonl
from semsiedit.types import SEMSI_CATEGORIES

SEED = 13
DOC_C = 0.01  # the same for the document models
STACK_C = 0.1  # the stacks over the document and word models (chosen on grouped folds of train)
C = 0.01  # inverse L2 strength on standardised features; chosen on grouped folds of train (docs/model_card.md)
FOLDS = 5
CONTEXT_DROPOUT = 0.3
SEVERITY_ALPHA = 10.0
SPAN_BETA = 0.5  # F-beta of the sentence threshold (precision weighs more: an edit costs utility)
GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)
# Thresholds maximise kappa among those whose out-of-fold precision reaches this (when any does). 0.0
# (the shipped weights): kappa alone. Raising it trades recall for precision (docs/model_card.md).
MIN_PRECISION = 0.0
# The sentence vectors: a static model distilled from MiniLM (semsiedit/embedding_static.py). MiniLM itself
# ("onnx" or "torch") agreed with the judge no better on dev and cost ~30x the CPU (docs/model_card.md).
EMBEDDING_BACKEND = "static"


def kappa(pred: np.ndarray, gold: np.ndarray) -> float:
    n = len(gold)
    if n == 0:
        return 0.0
    po = float(np.mean(pred == gold))
    p1, g1 = float(pred.mean()), float(gold.mean())
    pe = p1 * g1 + (1 - p1) * (1 - g1)
    return 0.0 if pe >= 1 else (po - pe) / (1 - pe)


def _fit(X: np.ndarray, y: np.ndarray, c: float = C) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=2000, random_state=SEED)
    clf.fit(X, y)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


def _severity_fit(X: np.ndarray, sev: np.ndarray) -> tuple[np.ndarray, float]:
    """Ridge regression of the judge's severity (1-3) on the positive sentences, closed form."""
    if len(sev) == 0:
        return np.zeros(X.shape[1], np.float32), 2.0
    mean = float(sev.mean())
    A = X.T @ X + SEVERITY_ALPHA * np.eye(X.shape[1])
    w = np.linalg.solve(A, X.T @ (sev - mean))
    return w.astype(np.float32), mean


def _cached_table(rows: Sequence[dict[str, Any]], model_name: str, backend: str, spacy_model: str,
                  cache_dir: Path | None):
    """build_table, pickled under cache_dir (our own file, keyed by the inputs and the feature version)."""
    import hashlib
    import pickle

    texts = [(r.get("ID"), r.get("answer")) for r in rows]
    inputs = [FEATURE_VERSION, SEED, CONTEXT_DROPOUT, model_name, backend, spacy_model, texts]
    key = hashlib.sha256(json.dumps(inputs).encode()).hexdigest()[:16]
    path = cache_dir / f"table-{key}.pkl" if cache_dir else None
    if path is not None and path.is_file():
        return pickle.loads(path.read_bytes())
    table = build_table(rows, model_name=model_name, backend=backend, spacy_model=spacy_model, cache_dir=cache_dir,
                        context_dropout=CONTEXT_DROPOUT, seed=SEED)  # fmt: skip
    if path is not None:
        path.write_bytes(pickle.dumps(table))
    return table


def _folds(groups: np.ndarray, k: int) -> list[np.ndarray]:
    """Rows split into k folds by group, deterministically (groups shuffled with the seed)."""
    uniq = np.unique(groups)
    rng = np.random.default_rng(SEED)
    rng.shuffle(uniq)
    fold_of = {g: i % k for i, g in enumerate(uniq)}
    assign = np.array([fold_of[g] for g in groups])
    return [np.flatnonzero(assign == i) for i in range(k)]


def _metrics(pred: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    tp = int(np.sum(pred & gold))
    fp = int(np.sum(pred & ~gold))
    fn = int(np.sum(~pred & gold))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
            "kappa": round(kappa(pred, gold), 4)}  # fmt: skip


def _grouped_oof(Z: np.ndarray, y: np.ndarray, fold: np.ndarray, k: int, c: float) -> np.ndarray:
    """Out-of-fold probabilities: each fold predicted by a model fit on the other folds (rows with
    an unknown label, -1, are predicted but not trained on)."""
    oof = np.zeros(len(y), dtype=np.float64)
    for f in range(k):
        tr = (y >= 0) & (fold != f)
        te = fold == f
        if len(np.unique(y[tr])) < 2:
            oof[te] = float(np.mean(y[tr])) if tr.any() else 0.0
            continue
        w, b = _fit(Z[tr], y[tr], c)
        oof[te] = 1 / (1 + np.exp(-(Z[te] @ w + b)))
    return oof


def _final_fit(Z: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    known = y >= 0
    if len(np.unique(y[known])) < 2:
        return np.zeros(Z.shape[1], np.float32), (10.0 if known.any() and y[known].mean() > 0.5 else -10.0)
    return _fit(Z[known], y[known], c)


def choose_threshold(probs: np.ndarray, gold: np.ndarray, min_precision: float = MIN_PRECISION) -> tuple[float, float]:
    """(threshold, kappa): the grid point maximising kappa of `probs >= threshold` against `gold`,
    among those whose precision reaches `min_precision` (when any does)."""
    best = {True: (1.0, -1.0), False: (1.0, -1.0)}  # by "precision floor reached"
    for t in GRID:
        pred = probs >= t
        k = kappa(pred, gold)
        precise = bool(pred.any()) and float(gold[pred].mean()) >= min_precision
        if k > best[precise][1] + 1e-9:
            best[precise] = (float(t), k)
    return best[True] if best[True][1] > -1 else best[False]


def _span_threshold(probs: np.ndarray, y: np.ndarray, in_flagged: np.ndarray, beta: float = SPAN_BETA) -> float:
    """The sentence threshold with the best F-beta on the sentences of the documents the judge
    flagged: which sentences of a flagged document to edit. beta < 1 weighs precision more, since
    every sentence edited without need costs utility."""
    sel = in_flagged & (y >= 0)
    gold = y[sel] == 1
    best, best_f = 0.5, -1.0
    for t in GRID:
        pred = probs[sel] >= t
        tp = float(np.sum(pred & gold))
        denom = beta**2 * gold.sum() + pred.sum()
        f = (1 + beta**2) * tp / denom if denom else 0.0
        if f > best_f + 1e-9:
            best, best_f = float(t), f
    return best


def _word_models(
    texts: Sequence[str], golds: dict[str, np.ndarray], fold: np.ndarray, k: int
) -> tuple[dict[str, np.ndarray], WordModel]:
    """Out-of-fold word-model probabilities per category (a vectorizer per fold, fit on that fold's
    training texts only), and the word model fit on every text."""
    oof = {cat: np.zeros(len(texts)) for cat in golds}
    for f in range(k):
        train_idx, test_idx = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        vec, M = fit_vectorizer([texts[i] for i in train_idx])
        T = vec.transform([texts[i] for i in test_idx])
        for cat, gold in golds.items():
            w, b = _final_fit(M, gold[train_idx].astype(int), WORD_C)  # scikit-learn takes the sparse matrix
            oof[cat][test_idx] = 1 / (1 + np.exp(-(T @ w + b)))
    vec, M = fit_vectorizer(texts)
    fits = {cat: _final_fit(M, gold.astype(int), WORD_C) for cat, gold in golds.items()}
    return oof, word_model(vec, {c: w for c, (w, _) in fits.items()}, {c: b for c, (_, b) in fits.items()})


def _standardise(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-6] = 1.0
    return (X - mean) / scale, mean, scale


def train(
    rows: Sequence[dict[str, Any]],
    *,
    model_name: str = "all-MiniLM-L6-v2",
    backend: str = EMBEDDING_BACKEND,
    spacy_model: str = "en_core_web_sm",
    cache_dir: Path | None = None,
    folds: int = FOLDS,
    c: float = C,
    doc_c: float = DOC_C,
    min_precision: float = MIN_PRECISION,
    log=print,
) -> tuple[LearnedModel, dict[str, Any]]:
    """Fit on `rows`, stacked: the sentence models' out-of-fold probabilities feed the document
    models; thresholds from the same folds, grouped by prompt `ID`."""
    started = time.perf_counter()
    table = _cached_table(rows, model_name, backend, spacy_model, cache_dir)
    log(f"features: {table.X.shape[0]} sentences x {table.X.shape[1]} from {len(rows)} rows "
        f"({time.perf_counter() - started:.0f}s)")  # fmt: skip
    Z, mean, scale = _standardise(table.X)
    k = max(2, min(folds, len(np.unique(table.groups))))
    row_fold = np.empty(len(rows), dtype=int)
    for i, fr in enumerate(_folds(table.groups, k)):
        row_fold[fr] = i
    sent_fold = row_fold[table.row]
    sentence_oof = {cat: _grouped_oof(Z, table.y[cat], sent_fold, k, c) for cat in SEMSI_CATEGORIES}
    docs = np.unique(table.row)  # rows with at least one sentence; table.row is sorted
    starts, ends = np.searchsorted(table.row, docs), np.searchsorted(table.row, docs, side="right")
    bounds = [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]
    D = np.stack([
        document_features(table.X[a:b], {cat: sentence_oof[cat][a:b] for cat in SEMSI_CATEGORIES}) for a, b in bounds
    ])  # fmt: skip
    DZ, doc_mean, doc_scale = _standardise(D)
    doc_fold = row_fold[docs]
    weights: dict[str, dict[str, Any]] = {}
    report: dict[str, Any] = {"rows": len(rows), "sentences": int(Z.shape[0]), "features": int(Z.shape[1]),
                              "document_features": int(D.shape[1]), "folds": k, "C": c, "doc_C": doc_c,
                              "seed": SEED, "min_precision": min_precision, "cv": {}}  # fmt: skip
    golds = {cat: np.array([table.answers[i].flags[cat] for i in docs]) for cat in SEMSI_CATEGORIES}
    texts = [table.answers[i].text for i in docs]
    word_oof, words = _word_models(texts, golds, doc_fold, k)
    log(f"word models: {len(words.vocabulary)} terms ({time.perf_counter() - started:.0f}s)")
    for cat in SEMSI_CATEGORIES:
        gold = golds[cat]
        doc_oof = _grouped_oof(DZ, gold.astype(int), doc_fold, k, doc_c)
        doc_threshold, _ = choose_threshold(doc_oof, gold, min_precision)
        # The stack: the document's non-embedding features and the two models' out-of-fold logits.
        S, stack_mean, stack_scale = _standardise(stack_features(D, logit(doc_oof), logit(word_oof[cat])))
        stack_oof = _grouped_oof(S, gold.astype(int), doc_fold, k, STACK_C)
        threshold, kap = choose_threshold(stack_oof, gold, min_precision)
        stack_w, stack_b = _final_fit(S, gold.astype(int), STACK_C)
        flagged_rows = set(docs[gold].tolist())
        span = _span_threshold(sentence_oof[cat], table.y[cat], np.isin(table.row, list(flagged_rows)))
        w, b = _final_fit(Z, table.y[cat], c)
        dw, db = _final_fit(DZ, gold.astype(int), doc_c)
        pos = table.y[cat] == 1
        sw, sb = _severity_fit(Z[pos], table.severity[cat][pos].astype(np.float64))
        weights[cat] = {"coef": w, "intercept": b, "doc_coef": dw, "doc_intercept": db, "doc": threshold,
                        "span": span, "sev_coef": sw, "sev_intercept": sb, "stack_coef": stack_w,
                        "stack_intercept": stack_b, "stack_mean": stack_mean, "stack_scale": stack_scale,
                        "words_intercept": words.intercept[cat]}  # fmt: skip
        column = rule_columns(table.X.shape[1])[cat][0]
        rules_only = np.array([table.X[a:b, column].max() > 0 for a, b in bounds])
        report["cv"][cat] = {
            "doc": threshold, "span": span,
            "learned": _metrics(stack_oof >= threshold, gold),
            "document model alone": _metrics(doc_oof >= doc_threshold, gold),
            "rules": _metrics(rules_only, gold),
        }  # fmt: skip
        log(f"{cat}: document threshold {threshold:.2f}, sentence threshold {span:.2f}; CV kappa {kap:.3f} "
            f"(rules alone {report['cv'][cat]['rules']['kappa']:.3f})")  # fmt: skip
    model = LearnedModel(
        mean=mean.astype(np.float32), scale=scale.astype(np.float32), categories=weights,
        doc_mean=doc_mean.astype(np.float32), doc_scale=doc_scale.astype(np.float32), words=words,
        meta={"feature_version": FEATURE_VERSION, "embedding_model": model_name, "embedding_backend": backend,
              "rows": len(rows),
              "trained_s": round(time.perf_counter() - started, 1), "C": c, "doc_C": doc_c, "seed": SEED},
        probe=get_embedder(model_name, backend).encode([PROBE_TEXT])[0],
    )  # fmt: skip
    report["elapsed_s"] = round(time.perf_counter() - started, 1)
    return model, report


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m semsiedit.training", description=__doc__.splitlines()[0])
    p.add_argument("--train", type=Path, default=Path("../shared/benchmarks/semsi/train.jsonl"))
    p.add_argument("--dev", type=Path, default=Path("../shared/benchmarks/semsi/dev.jsonl"))
    p.add_argument("--exclude-dev", action="store_true", help="leave dev's prompt IDs out (for honest dev figures)")
    p.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    p.add_argument("--cache-dir", type=Path, default=None, help="cache embeddings and rule findings here")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--C", type=float, default=C)
    p.add_argument("--doc-C", type=float, default=DOC_C)
    p.add_argument("--embedding-backend", default=EMBEDDING_BACKEND, choices=["static", "onnx", "torch"],
                   help="the sentence vectors the detector is trained on (and will use at run time)")
    p.add_argument("--min-precision", type=float, default=MIN_PRECISION, help="precision floor for the thresholds")
    args = p.parse_args(argv)
    from semsiedit.models import set_offline_environment

    set_offline_environment()
    rows = read_jsonl(args.train)
    source = {"train": str(args.train), "rows_read": len(rows)}
    if args.exclude_dev:
        dev_ids = {r.get("ID") for r in read_jsonl(args.dev)}
        rows = [r for r in rows if r.get("ID") not in dev_ids]
        source["excluded_dev_ids"] = len(dev_ids)
    if args.limit:
        rows = rows[: args.limit]
    model, report = train(rows, cache_dir=args.cache_dir, c=args.C, doc_c=args.doc_C, min_precision=args.min_precision,
                          backend=args.embedding_backend)  # fmt: skip
    model.meta.update(source)
    model.save(args.out)
    report.update(source)
    args.out.with_suffix(".report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB) in {report['elapsed_s']:.0f}s")


if __name__ == "__main__":
    main()
