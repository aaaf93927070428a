"""Leakage against utility with sentence embeddings (SPEC §4; definitions in docs/metrics.md).

`Scorer.score_many` splits every document into sentences, embeds all distinct sentences, spans
and texts of the whole batch in ONE `Embedder.encode` call, and then scores with small matrix
products. The `Embedder` caches vectors per text, so a sentence the editor left untouched is
embedded once per process however many rounds and reports look at it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from semsiedit.config import Settings
from semsiedit.text import normalize_ws, sentences, value_pattern
from semsiedit.types import CATEGORIES, Finding, Scores

if TYPE_CHECKING:
    import numpy as np

DEFAULT_MODEL = "all-MiniLM-L6-v2"
BATCH_SIZE = 32  # 2 cores, ~30-token sentences: 139 sentences/s at 32 vs 113 at 64 (less padding)
CACHE_SIZE = 20_000  # ~30 MB of 384-d float32 vectors: bounded, so streaming stays flat
# The static model (the learned detector's) computes a vector in microseconds: its cache only needs to
# span the rounds of a few documents, and at 20,000 it took a long stream ~40,000 documents to fill.
STATIC_CACHE_SIZE = 2_000
TRUNCATION_RATIO = 0.7  # SPEC §4: below this the rewrite deleted content
BLOAT_RATIO = 1.5  # above this the rewrite grew by half: padding, not span edits


class Embedder:
    """Normalised sentence embeddings, batched, with a thread-safe LRU cache keyed by text."""

    def __init__(
        self,
        model_name: str = DEFAULT_MODEL,
        *,
        model: Any = None,
        batch_size: int = BATCH_SIZE,
        cache_size: int = CACHE_SIZE,
        backend: str = "torch",
    ) -> None:
        self.model_name = model_name
        self.backend = backend  # torch | onnx (models.load_embedder)
        self._model = model  # loaded on first encode, so building a Scorer costs nothing
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the cache
        # The model: Hugging Face fast tokenizers are not safe to call from several threads at once
        # ("Already borrowed"), and torch already spreads one encode over every core.
        self._model_lock = threading.Lock()
        self.encoded = 0  # texts actually sent to the model (cache misses), for benchmarks

    @property
    def model(self) -> Any:
        if self._model is None:
            from semsiedit.models import load_embedder

            self._model = load_embedder(self.model_name, self.backend)
        return self._model

    @property
    def dim(self) -> int:
        m = self.model
        getter = getattr(m, "get_embedding_dimension", None) or m.get_sentence_embedding_dimension
        return int(getter())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """A (len(texts), dim) float32 array of unit vectors, one row per input text."""
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for t in texts:
                vec = self._cache.get(t)
                if vec is not None:
                    self._cache.move_to_end(t)
                    found[t] = vec
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            # Outside the cache lock, so cache hits never wait for a model call. Two threads
            # missing the same text at once both encode it; that is rare and harmless.
            with self._model_lock:
                vectors = self.model.encode(
                    missing,
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            vectors = np.asarray(vectors, dtype=np.float32)
            with self._lock:
                self.encoded += len(missing)
                for t, row in zip(missing, vectors, strict=True):
                    # A copy, not a view: a view would keep the whole batch array alive for as
                    # long as any one of its rows stays cached, so memory grew on a long stream.
                    found[t] = self._cache[t] = row.copy()
                    self._cache.move_to_end(t)
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])

    def cache_info(self) -> dict[str, int]:
        with self._lock:
            return {"size": len(self._cache), "max_size": self.cache_size, "encoded": self.encoded}


_embedders: dict[str, Embedder] = {}
_embedders_lock = threading.Lock()


def get_embedder(model_name: str = DEFAULT_MODEL, backend: str = "torch") -> Embedder:
    """The process-wide Embedder for a model name and backend (one model load, one cache)."""
    key = model_name if backend == "torch" else f"{model_name}#{backend}"
    with _embedders_lock:
        if key not in _embedders:
            size = STATIC_CACHE_SIZE if backend == "static" else CACHE_SIZE
            _embedders[key] = Embedder(model_name, backend=backend, cache_size=size)
        return _embedders[key]


class SpanText(NamedTuple):
    """A gold span given as a raw string (e.g. SemSI-Bench's `<<<…>>>` spans) and its severity."""

    text: str
    severity: int = 2


SpanLike = Finding | SpanText | str


def _span_parts(span: SpanLike) -> tuple[str, float]:
    """(text, weight). Severity is the weight; anything below 1 counts as 1 so no span vanishes."""
    if isinstance(span, str):
        return span, 2.0
    return span.text, float(max(1, span.severity))


@dataclass
class _Prepared:
    """One document's pieces, before the single batched encode."""

    original: str
    rewritten: str
    orig_sents: list[str]
    rew_sents: list[str]
    spans: list[tuple[str, float]]  # (stripped text, weight)
    # Per span: does the exact value survive in the original / the rewrite? Only spans that do
    # not survive somewhere need an embedding, so surviving spans cost no model time.
    in_original: list[bool]
    in_rewrite: list[bool]


class Scorer:
    """Scores original/rewrite pairs; see docs/metrics.md for the exact definitions."""

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.settings.embedding_model, self.settings.embedding_backend)
        return self._embedder

    @property
    def leak_threshold(self) -> float:
        return self.settings.leak_threshold

    def score(self, original: str, rewritten: str, spans: Sequence[SpanLike] = ()) -> Scores:
        """Scores for one pair; `spans` are the sensitive spans found in the original."""
        return self.score_many([(original, rewritten, spans)])[0]

    def score_spans(
        self,
        original: str,
        rewritten: str,
        span_texts: Sequence[str],
        severities: Sequence[int] | None = None,
    ) -> tuple[float, list[float]]:
        """Leakage (after) and per-span residuals for gold spans given as raw strings."""
        sev = list(severities) if severities is not None else [2] * len(span_texts)
        if len(sev) != len(span_texts):
            raise ValueError("severities must have one entry per span")
        scores = self.score(original, rewritten, [SpanText(t, s) for t, s in zip(span_texts, sev, strict=True)])
        return scores.leakage_after, scores.residuals

    def score_many(self, items: Iterable[tuple[str, str, Sequence[SpanLike]]]) -> list[Scores]:
        """Scores for many (original, rewritten, spans) triples with one batched encode."""
        docs = [_prepare(o, r, spans) for o, r, spans in items]
        # Every distinct string the batch needs, encoded once (and cached across calls).
        wanted: dict[str, None] = {}
        for d in docs:
            if _unchanged(d):
                continue  # scored without the model (_score_one)
            wanted.update(dict.fromkeys(d.orig_sents))
            wanted.update(dict.fromkeys(d.rew_sents))
            for (text, _), a, b in zip(d.spans, d.in_original, d.in_rewrite, strict=True):
                if text and not (a and b):
                    wanted[text] = None
        texts = list(wanted)
        matrix = self.embedder.encode(texts) if texts else None
        row = {t: i for i, t in enumerate(texts)}
        return [self._score_one(d, matrix, row) for d in docs]

    def _score_one(self, d: _Prepared, matrix: np.ndarray | None, row: Mapping[str, int]) -> Scores:
        import numpy as np

        if _unchanged(d):
            # Identical texts: every sentence is its own best match (cosine 1) and every span that
            # is in the original survives (residual 1), so the model would only add rounding.
            weights = [w for _, w in d.spans]
            return Scores(
                utility=1.0, utility_whole=1.0,
                leakage_before=_weighted_mean([1.0] * len(weights), weights),
                leakage_after=_weighted_mean([1.0] * len(weights), weights),
                leaked_spans=len(weights),  # residual 1 >= any leak_threshold (at most 1)
                total_spans=len(weights), length_ratio=1.0, residuals=[1.0] * len(weights),
            )  # fmt: skip

        def vectors(items: Sequence[str]) -> np.ndarray:
            if matrix is None or not items:
                return np.zeros((0, 1), dtype=np.float32)
            return matrix[[row[t] for t in items]]

        orig_vecs = vectors(d.orig_sents)
        rew_vecs = vectors(d.rew_sents)
        utility, utility_whole = _utility(orig_vecs, rew_vecs)

        span_vecs = [vectors([t])[0] if t in row else None for t, _ in d.spans]
        before = _residuals(d.in_original, span_vecs, orig_vecs)
        after = _residuals(d.in_rewrite, span_vecs, rew_vecs)
        weights = [w for _, w in d.spans]
        return Scores(
            utility=utility,
            utility_whole=utility_whole,
            leakage_before=_weighted_mean(before, weights),
            leakage_after=_weighted_mean(after, weights),
            leaked_spans=sum(r >= self.leak_threshold for r in after),
            total_spans=len(after),
            length_ratio=len(d.rewritten) / len(d.original) if d.original else 1.0,
            residuals=after,
        )


def _unchanged(d: _Prepared) -> bool:
    """The rewrite is the original and every span is in it (a span not in the text needs the model)."""
    return d.rewritten == d.original and all(d.in_original)


def _clip01(x: float) -> float:
    return float(min(1.0, max(0.0, x)))


def _utility(orig: np.ndarray, rew: np.ndarray) -> tuple[float, float]:
    """(sentence best-match mean, whole-text cosine). Empty original: 1.0; empty rewrite: 0.0."""
    import numpy as np

    if len(orig) == 0:
        return 1.0, 1.0
    if len(rew) == 0:
        return 0.0, 0.0
    best = (orig @ rew.T).max(axis=1)
    # Whole-text vector = normalised mean of the sentence vectors: MiniLM truncates input at 256
    # word pieces, so encoding a long text directly would ignore most of it (and cost a second,
    # slow encode of every document).
    a, b = orig.mean(axis=0), rew.mean(axis=0)
    denom = float(np.linalg.norm(a) * np.linalg.norm(b))
    whole = float(a @ b) / denom if denom > 0 else 0.0
    return _clip01(float(best.mean())), _clip01(whole)


def _prepare(original: str, rewritten: str, spans: Sequence[SpanLike]) -> _Prepared:
    parts = [(text.strip(), weight) for text, weight in map(_span_parts, spans)]
    orig_norm, rew_norm = normalize_ws(original), normalize_ws(rewritten)
    patterns = [value_pattern(text) for text, _ in parts]
    return _Prepared(
        original=original,
        rewritten=rewritten,
        orig_sents=sentences(original),
        rew_sents=sentences(rewritten),
        spans=parts,
        in_original=[bool(p and p.search(orig_norm)) for p in patterns],
        in_rewrite=[bool(p and p.search(rew_norm)) for p in patterns],
    )


def _residuals(survives: Sequence[bool], span_vecs: Sequence[np.ndarray | None], sent_vecs: np.ndarray) -> list[float]:
    """1.0 where the exact value survives, else the best cosine to the text's sentences (≥ 0).

    A span with no vector is an empty span (nothing to leak: 0.0) or one that survives.
    """
    out: list[float] = []
    for survived, vec in zip(survives, span_vecs, strict=True):
        if survived:
            out.append(1.0)
        elif vec is None or len(sent_vecs) == 0:
            out.append(0.0)
        else:
            out.append(_clip01(float((sent_vecs @ vec).max())))
    return out


def _weighted_mean(values: Sequence[float], weights: Sequence[float]) -> float:
    total = sum(weights)
    if not values or total <= 0:
        return 0.0  # no spans: nothing to leak
    return float(sum(v * w for v, w in zip(values, weights, strict=True)) / total)


def is_truncation(scores: Scores, ratio: float = TRUNCATION_RATIO) -> bool:
    """Destructive truncation: the rewrite kept less than 70% of the original's characters."""
    return scores.length_ratio < ratio


def is_bloat(scores: Scores, ratio: float = BLOAT_RATIO) -> bool:
    """Bloat: the rewrite is more than 1.5× the original; span edits should not grow a text that much."""
    return scores.length_ratio > ratio


def _mean(values: Sequence[float]) -> float | None:
    return float(sum(values) / len(values)) if values else None


def aggregate_scores(scores: Iterable[Scores]) -> dict[str, Any]:
    """Dataset-level summary of per-document Scores (definitions in docs/metrics.md).

    Leakage means are over documents with at least one span (a document with nothing sensitive
    cannot leak and would only dilute the mean); reduction % is unaffected by that choice.
    Utility and length means are over all documents. Means of an empty set are None.
    """
    items = list(scores)
    with_spans = [s for s in items if s.total_spans > 0]
    before = _mean([s.leakage_before for s in with_spans])
    after = _mean([s.leakage_after for s in with_spans])
    utility = _mean([s.utility for s in items])
    leaked = sum(s.leaked_spans for s in items)
    total = sum(s.total_spans for s in items)
    return {
        "documents": len(items),
        "documents_with_spans": len(with_spans),
        "leakage_before": before,
        "leakage_after": after,
        "leakage_reduction_pct": (before - after) / before * 100 if before and after is not None else None,
        "utility": utility,
        "utility_whole": _mean([s.utility_whole for s in items]),
        "utility_loss_pct": (1 - utility) * 100 if utility is not None else None,
        "length_ratio": _mean([s.length_ratio for s in items]),
        "truncations": sum(is_truncation(s) for s in items),
        "bloats": sum(is_bloat(s) for s in items),
        "leaked_spans": leaked,
        "total_spans": total,
        "leaked_span_rate": leaked / total if total else None,
    }


def occurrence_rates(flags: Iterable[Mapping[str, bool]]) -> dict[str, float | None]:
    """Share of documents flagged per category (the benchmark's occurrence rate).

    `flags` are `DocumentResult.occurrence(after=...)` dicts; compare before against after.
    """
    rows = list(flags)
    return {c: (sum(bool(r.get(c)) for r in rows) / len(rows) if rows else None) for c in CATEGORIES}
