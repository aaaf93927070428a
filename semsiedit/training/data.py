"""Training inputs: rows -> labelled sentences, embeddings (disk-cached), rule findings (disk-cached)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from semsiedit.detection.learned_features import FEATURE_VERSION, sentence_features
from semsiedit.training.labels import LabelledAnswer, label_answer
from semsiedit.types import SEMSI_CATEGORIES, Finding


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:16]


def embed(
    texts: Sequence[str], model_name: str, cache_dir: Path | None, backend: str = "static"
) -> dict[str, np.ndarray]:
    """Unit vectors for `texts` with the run-time Embedder; cached on disk as (texts.json, vecs.npy)."""
    from semsiedit.scoring import get_embedder

    wanted = list(dict.fromkeys(texts))
    known: dict[str, np.ndarray] = {}
    # The torch and ONNX vectors are the same (cosine >= 0.999); a static model's are not.
    stem = cache_dir / f"emb-{_digest(model_name, backend if backend == 'static' else '')}" if cache_dir else None
    if stem is not None and stem.with_suffix(".json").is_file():
        names = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
        vecs = np.load(stem.with_suffix(".npy"))
        known = dict(zip(names, vecs, strict=True))
    missing = [t for t in wanted if t not in known]
    if missing:
        vecs = get_embedder(model_name, backend).encode(missing)
        known.update(zip(missing, vecs, strict=True))
        if stem is not None:
            stem.parent.mkdir(parents=True, exist_ok=True)
            names = list(known)
            np.save(stem.with_suffix(".npy"), np.stack([known[t] for t in names]).astype(np.float32))
            stem.with_suffix(".json").write_text(json.dumps(names), encoding="utf-8")
    return {t: known[t] for t in wanted}


def rule_findings(texts: Sequence[str], spacy_model: str, cache_dir: Path | None) -> list[list[Finding]]:
    """The rule recognizers' SemSI findings (specific claims on), as the learned detector sees them;
    cached on disk per text (clear the cache when the rules or lexicons change)."""
    path = cache_dir / f"rules-{_digest(spacy_model, str(FEATURE_VERSION))}.json" if cache_dir else None
    known: dict[str, list[dict[str, Any]]] = {}
    if path is not None and path.is_file():
        known = json.loads(path.read_text(encoding="utf-8"))
    keys = [_digest(t) for t in texts]
    missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in known))
    if missing:
        from semsiedit.config import Settings
        from semsiedit.detection.engine import DetectionEngine

        settings = Settings(spacy_model=spacy_model, categories=list(SEMSI_CATEGORIES), specific_claims=True,
                            learned_detection=False)  # fmt: skip
        for t, fs in zip(missing, DetectionEngine(settings).detect_many(missing), strict=True):
            known[_digest(t)] = [f.__dict__ for f in fs]
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(known), encoding="utf-8")
    return [[Finding(**f) for f in known[k]] for k in keys]


@dataclass
class SentenceTable:
    """Every sentence of every row: features, labels per category, and which row it came from."""

    X: np.ndarray  # (sentences, features)
    y: dict[str, np.ndarray]  # category -> (sentences,) in {1, 0, -1 unknown}
    severity: dict[str, np.ndarray]  # category -> (sentences,) the row's judge severity (0: not flagged)
    row: np.ndarray  # (sentences,) row index
    answers: list[LabelledAnswer]
    groups: np.ndarray  # (rows,) prompt ID per row


def build_table(
    rows: Sequence[dict[str, Any]],
    *,
    model_name: str,
    backend: str = "static",
    spacy_model: str,
    cache_dir: Path | None,
    context_dropout: float,
    seed: int,
) -> SentenceTable:
    """Features for all rows. A share `context_dropout` of rows (fixed seed) is built without the question,
    so the model works with and without a context."""
    answers = [label_answer(r) for r in rows]
    sent_texts = [[a.text[s:e] for s, e in a.sentences] for a in answers]
    prompts = [str(r.get("prompt") or "") for r in rows]
    vectors = embed([t for ts in sent_texts for t in ts] + [p for p in prompts if p], model_name, cache_dir, backend)
    findings = rule_findings([a.text for a in answers], spacy_model, cache_dir)
    rng = np.random.default_rng(seed)
    drop = rng.random(len(rows)) < context_dropout
    feats, rows_of = [], []
    for i, (a, texts) in enumerate(zip(answers, sent_texts, strict=True)):
        if not texts:
            continue
        q = vectors[prompts[i]] if prompts[i] and not drop[i] else None
        feats.append(sentence_features(np.stack([vectors[t] for t in texts]), texts, a.sentences, findings[i], q))
        rows_of.append(np.full(len(texts), i))
    y = {c: np.concatenate([np.asarray(a.labels[c]) for a in answers if a.sentences]) for c in SEMSI_CATEGORIES}
    sev = {
        c: np.concatenate([np.full(len(a.sentences), a.severity[c]) for a in answers if a.sentences])
        for c in SEMSI_CATEGORIES
    }
    groups = np.array([str(r.get("ID", i)) for i, r in enumerate(rows)])
    return SentenceTable(np.vstack(feats), y, sev, np.concatenate(rows_of), answers, groups)
