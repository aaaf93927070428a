"""Sentence features of the learned SemSI detector: plain numpy, shared by training and run time.

Per sentence (the unit of `semsiedit.text.split_sentences`, so the scorer reuses the embeddings):

- its MiniLM embedding; the mean embedding of its neighbours (previous and next sentence); the
  document's mean embedding (what the answer is about);
- the rule recognizers' hits: per SemSI category, a finding in the sentence (and its severity), one in
  a neighbouring sentence; a specific-claim finding (claims.py) separately;
- statement cues (lexicons/cues.json): hedge, attribution, negation; the writer's own voice and
  modality words (misinformation.json); question mark, digits, quotes;
- the question: cosine of the sentence (and of the document) with the question's embedding, when a
  context is given, and a flag saying whether one was;
- position and size: relative position, first/last, log length, log sentence count.

Per document (`document_features`, what the document-level model reads): the document's mean
embedding and its first sentence's (a refusal or a correction usually opens the answer); the
sentence model's probabilities pooled per category (max, mean of the top two, mean, share above
0.5); the rule hits per category (any, share of sentences, max severity) and the specific-claim
recognizer's; the cue flags averaged over the sentences and those of the first sentence; size. The
question's embedding is deliberately left out: on prompts not trained on it only taught the topic.

Changing anything here changes the meaning of the shipped weights: bump FEATURE_VERSION and retrain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import numpy as np

from semsiedit.types import SEMSI_CATEGORIES, Finding

FEATURE_VERSION = 2
SPECIFIC_CLAIM_LABEL = "unverified_specific_claim"
_WORD = re.compile(r"[a-z]+(?:n't|'[a-z]+)?|n't")
_DIGIT = re.compile(r"\d")
_QUOTE = re.compile('["“”]')
CUE_KINDS = ("hedges", "attributions", "negations")


@cache
def _cues() -> tuple[tuple[frozenset[str], tuple[str, ...]], ...]:
    from semsiedit.detection.lexicon import cue_words, load_lexicon

    lex = load_lexicon("misinformation")["specific_claims"]
    voice = (frozenset(w.lower() for w in lex["writer_voice"]), ())
    modality = (frozenset(w.lower() for w in lex["modality"]), ())
    return (*(cue_words(kind) for kind in CUE_KINDS), voice, modality)


def cue_flags(sentence: str) -> list[float]:
    """[hedge, attribution, negation, writer's voice, modality] as 0/1."""
    lower = sentence.lower()
    words = set(_WORD.findall(lower))
    if any(w.endswith("n't") for w in words):
        words.add("n't")
    padded = " " + " ".join(_WORD.findall(lower)) + " "
    out = []
    for singles, phrases in _cues():
        hit = bool(words & singles) or any(f" {p} " in padded for p in phrases)
        out.append(float(hit))
    return out


def _rule_hits(spans: Sequence[tuple[int, int]], findings: Sequence[Finding]) -> np.ndarray:
    """(n, 7): per category hit and max severity/3, then a specific-claim hit."""
    hits = np.zeros((len(spans), 2 * len(SEMSI_CATEGORIES) + 1), dtype=np.float32)
    col = {c: i for i, c in enumerate(SEMSI_CATEGORIES)}
    for f in findings:
        if f.category not in col:
            continue
        for i, (s, e) in enumerate(spans):
            if f.start < e and s < f.end:
                if f.label == SPECIFIC_CLAIM_LABEL:
                    hits[i, -1] = 1.0
                    continue
                k = col[f.category]
                hits[i, 2 * k] = 1.0
                hits[i, 2 * k + 1] = max(hits[i, 2 * k + 1], f.severity / 3)
    return hits


def sentence_features(
    vectors: np.ndarray,
    texts: Sequence[str],
    spans: Sequence[tuple[int, int]],
    findings: Sequence[Finding] = (),
    question: np.ndarray | None = None,
) -> np.ndarray:
    """(n sentences, n features) float32 for one document; `vectors` are its unit sentence embeddings."""
    n = len(texts)
    if n == 0:
        return np.zeros((0, feature_count(vectors.shape[1] if vectors.ndim == 2 else 384)), dtype=np.float32)
    vectors = np.asarray(vectors, dtype=np.float32)
    zero = np.zeros((1, vectors.shape[1]), np.float32)
    padded = np.vstack([zero, vectors, zero])
    counts = np.full(n, 2.0, dtype=np.float32)
    counts[0] -= 1
    counts[-1] -= 1
    neighbours = (padded[:-2] + padded[2:]) / np.maximum(counts, 1)[:, None]
    doc = vectors.mean(axis=0)
    doc = doc / (np.linalg.norm(doc) or 1.0)
    rules = _rule_hits(spans, findings)
    near = np.zeros((n, len(SEMSI_CATEGORIES)), dtype=np.float32)
    for k in range(len(SEMSI_CATEGORIES)):
        col = rules[:, 2 * k]
        near[:, k] = np.maximum(np.r_[0.0, col[:-1]], np.r_[col[1:], 0.0])
    if question is not None:
        q = np.asarray(question, dtype=np.float32)
        qsim = np.stack([vectors @ q, np.full(n, float(doc @ q)), np.ones(n)], axis=1)
    else:
        qsim = np.zeros((n, 3), dtype=np.float32)
    misc = np.array(
        [
            [
                *cue_flags(t),
                float(t.rstrip().endswith("?")),
                float(bool(_DIGIT.search(t))),
                float(bool(_QUOTE.search(t))),
                i / max(n - 1, 1),
                float(i == 0),
                float(i == n - 1),
                np.log1p(len(t)) / 5,
                np.log1p(n) / 3,
            ]
            for i, t in enumerate(texts)
        ],
        dtype=np.float32,
    )
    return np.hstack([vectors, neighbours, np.tile(doc, (n, 1)), rules, near, qsim, misc]).astype(np.float32)


def feature_count(dim: int) -> int:
    return 3 * dim + (2 * len(SEMSI_CATEGORIES) + 1) + len(SEMSI_CATEGORIES) + 3 + len(CUE_KINDS) + 2 + 8


def rule_columns(n_features: int) -> dict[str, list[int]]:
    """Columns of each category's rule-hit flags (misinformation also counts the specific-claim
    recognizer)."""
    dim = (n_features - feature_count(0)) // 3
    base = 3 * dim
    cols = {c: [base + 2 * k] for k, c in enumerate(SEMSI_CATEGORIES)}
    cols["misinformation"].append(base + 2 * len(SEMSI_CATEGORIES))
    return cols


def document_features(X: np.ndarray, probs: dict[str, np.ndarray]) -> np.ndarray:
    """One document's vector from its sentence features `X` (sentence_features) and the sentence
    model's probabilities per category."""
    n_features = X.shape[1]
    dim = (n_features - feature_count(0)) // 3
    rules = 3 * dim
    misc = rules + 2 * len(SEMSI_CATEGORIES) + 1 + len(SEMSI_CATEGORIES) + 3
    cues = X[:, misc : misc + len(CUE_KINDS) + 2]
    pooled: list[float] = []
    for cat in SEMSI_CATEGORIES:
        p = np.sort(np.asarray(probs[cat], dtype=np.float32))[::-1]
        pooled += [float(p[0]), float(p[:2].mean()), float(p.mean()), float((p > 0.5).mean())]
    hits: list[float] = []
    for k in range(len(SEMSI_CATEGORIES)):
        col = X[:, rules + 2 * k]
        hits += [float(col.max()), float(col.mean()), float(X[:, rules + 2 * k + 1].max())]
    hits.append(float(X[:, rules + 2 * len(SEMSI_CATEGORIES)].max()))
    size = [float(X[0, -1]), float(X[:, -2].mean())]  # log sentence count, mean log sentence length
    return np.concatenate([X[0, 2 * dim : 3 * dim], X[0, :dim], pooled, hits, cues.mean(axis=0), cues[0], size]).astype(
        np.float32
    )


def document_feature_count(dim: int) -> int:
    return 2 * dim + 4 * len(SEMSI_CATEGORIES) + 3 * len(SEMSI_CATEGORIES) + 1 + 2 * (len(CUE_KINDS) + 2) + 2
