"""Leakage against utility with the real all-MiniLM-L6-v2 model (no mocks; SPEC §4)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from semsiedit.config import Settings
from semsiedit.errors import BackendUnavailable
from semsiedit.scoring import (
    Embedder,
    Scorer,
    SpanText,
    aggregate_scores,
    get_embedder,
    is_bloat,
    is_truncation,
    occurrence_rates,
)
from semsiedit.text import value_survives
from semsiedit.types import Finding, Scores

ORIGINAL = (
    "Maria Gonzalez was admitted to St. Mary's hospital on 3 March. "
    "She was diagnosed with HIV and started antiretroviral therapy. "
    "Her blood pressure was normal and she was discharged after two days. "
    "A follow-up visit is planned in four weeks."
)
GENERALISED = (
    "The patient was admitted to a hospital in early spring. "
    "She was diagnosed with a chronic health condition and started treatment. "
    "Her blood pressure was normal and she was discharged after two days. "
    "A follow-up visit is planned in four weeks."
)
TRUNCATED = "The patient was admitted to a hospital."


def finding(text: str, value: str, category: str = "privacy", severity: int = 2) -> Finding:
    start = text.index(value)
    return Finding(start, start + len(value), value, category, "test", severity=severity)  # type: ignore[arg-type]


SPANS = [
    finding(ORIGINAL, "Maria Gonzalez", "pii", 2),
    finding(ORIGINAL, "diagnosed with HIV", "privacy", 3),
]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    try:
        emb = get_embedder("all-MiniLM-L6-v2")
        emb.model  # noqa: B018 - load now so a missing model skips instead of failing every test
    except BackendUnavailable as exc:  # pragma: no cover - the model is a declared dependency
        pytest.skip(str(exc))
    return emb


@pytest.fixture(scope="module")
def scorer(embedder: Embedder) -> Scorer:
    return Scorer(Settings(), embedder)


def test_identical_text(scorer: Scorer) -> None:
    s = scorer.score(ORIGINAL, ORIGINAL, SPANS)
    assert s.utility == pytest.approx(1.0, abs=1e-4)
    assert s.utility_whole == pytest.approx(1.0, abs=1e-4)
    assert s.leakage_before == 1.0 and s.leakage_after == 1.0
    assert s.residuals == [1.0, 1.0]
    assert s.leaked_spans == s.total_spans == 2
    assert s.length_ratio == 1.0
    assert not is_truncation(s) and not is_bloat(s)


def test_an_unchanged_text_is_scored_without_the_model() -> None:
    """Most documents with nothing to edit come back unchanged: utility 1 and residual 1 by
    definition, so the scorer does not encode them (a span not in the text still needs the model)."""

    class Refuses:
        def encode(self, *_a, **_k):
            raise AssertionError("the model was called for an unchanged text")

        def get_sentence_embedding_dimension(self) -> int:
            return 384

    scorer = Scorer(Settings(), Embedder("all-MiniLM-L6-v2", model=Refuses()))
    s = scorer.score(ORIGINAL, ORIGINAL, SPANS)
    assert (s.utility, s.utility_whole, s.leakage_before, s.leakage_after) == (1.0, 1.0, 1.0, 1.0)
    assert s.residuals == [1.0, 1.0] and s.leaked_spans == s.total_spans == 2
    assert scorer.score(ORIGINAL, ORIGINAL, []).leakage_after == 0.0
    with pytest.raises(AssertionError, match="the model was called"):
        scorer.score(ORIGINAL, ORIGINAL, ["a span that is not in the text"])


def test_generalised_rewrite_leaks_less_and_keeps_utility(scorer: Scorer) -> None:
    s = scorer.score(ORIGINAL, GENERALISED, SPANS)
    assert s.leakage_before == 1.0
    assert s.leakage_after < 0.75
    assert all(r < 1.0 for r in s.residuals)  # neither exact value survives
    assert s.leaked_spans == 0
    assert s.utility > 0.6 and s.utility_whole > 0.6
    assert 0.7 <= s.length_ratio <= 1.5


def test_truncation_has_low_ratio_and_lower_utility(scorer: Scorer) -> None:
    generalised = scorer.score(ORIGINAL, GENERALISED, SPANS)
    truncated = scorer.score(ORIGINAL, TRUNCATED, SPANS)
    assert truncated.length_ratio < 0.7 and is_truncation(truncated)
    assert truncated.utility < generalised.utility
    assert truncated.utility_whole < generalised.utility_whole


def test_exact_survival_is_case_and_whitespace_insensitive(scorer: Scorer) -> None:
    rewrite = GENERALISED + " Contact: maria\n  GONZALEZ."
    s = scorer.score(ORIGINAL, rewrite, SPANS)
    assert s.residuals[0] == 1.0 and s.residuals[1] < 1.0
    assert value_survives("Maria Gonzalez", "hi MARIA   gonzalez!")
    assert not value_survives("Tom", "Tomorrow is fine")  # word edges: no false survival
    assert value_survives("C++", "uses c++ daily")


def test_severity_weighting(scorer: Scorer) -> None:
    rewrite = GENERALISED.replace("The patient", "Maria Gonzalez")  # the name survives, HIV does not
    heavy_name = scorer.score(ORIGINAL, rewrite, [SpanText("Maria Gonzalez", 3), SpanText("diagnosed with HIV", 1)])
    light_name = scorer.score(ORIGINAL, rewrite, [SpanText("Maria Gonzalez", 1), SpanText("diagnosed with HIV", 3)])
    r = heavy_name.residuals[1]
    assert heavy_name.residuals[0] == 1.0 and r < 1.0
    assert heavy_name.leakage_after == pytest.approx((3 * 1.0 + 1 * r) / 4)
    assert light_name.leakage_after == pytest.approx((1 * 1.0 + 3 * r) / 4)
    assert heavy_name.leakage_after > light_name.leakage_after


def test_threshold_counting(embedder: Embedder) -> None:
    spans = [SpanText("Maria Gonzalez", 2), SpanText("diagnosed with HIV", 2)]
    base = Scorer(Settings(), embedder).score(ORIGINAL, GENERALISED, spans)
    low, high = sorted(base.residuals)
    assert 0 < low < high < 1
    counts = {
        t: Scorer(Settings(leak_threshold=t), embedder).score(ORIGINAL, GENERALISED, spans).leaked_spans
        for t in (0.0, (low + high) / 2, 1.0)
    }
    assert counts == {0.0: 2, (low + high) / 2: 1, 1.0: 0}


def test_empty_inputs(scorer: Scorer) -> None:
    both_empty = scorer.score("", "", [])
    assert (both_empty.utility, both_empty.utility_whole, both_empty.length_ratio) == (1.0, 1.0, 1.0)
    assert both_empty.leakage_before == both_empty.leakage_after == 0.0 and both_empty.total_spans == 0

    deleted = scorer.score(ORIGINAL, "  \n", SPANS)
    assert deleted.utility == 0.0 and deleted.utility_whole == 0.0
    assert deleted.leakage_after == 0.0 and deleted.leakage_before == 1.0
    assert deleted.length_ratio == pytest.approx(3 / len(ORIGINAL)) and is_truncation(deleted)

    no_spans = scorer.score(ORIGINAL, GENERALISED, [])
    assert no_spans.leakage_before == no_spans.leakage_after == 0.0 and no_spans.residuals == []

    empty_span = scorer.score(ORIGINAL, ORIGINAL, [SpanText("  ", 3)])
    assert empty_span.residuals == [0.0] and empty_span.leakage_after == 0.0


def test_score_many_matches_score_and_score_spans(scorer: Scorer) -> None:
    pairs = [(ORIGINAL, GENERALISED, SPANS), (ORIGINAL, TRUNCATED, SPANS), ("", "", [])]
    many = scorer.score_many(pairs)
    for (o, r, spans), got in zip(pairs, many, strict=True):
        one = scorer.score(o, r, spans)
        assert got == one  # same cached vectors, so exactly equal
    leak, residuals = scorer.score_spans(ORIGINAL, GENERALISED, ["Maria Gonzalez", "diagnosed with HIV"], [2, 3])
    assert leak == pytest.approx(many[0].leakage_after) and residuals == pytest.approx(many[0].residuals)
    with pytest.raises(ValueError):
        scorer.score_spans(ORIGINAL, GENERALISED, ["a"], [1, 2])


def test_gold_span_not_verbatim_in_original(scorer: Scorer) -> None:
    # The judge's span text may not occur verbatim; "before" is then a cosine, not 1.0.
    s = scorer.score(ORIGINAL, ORIGINAL, [SpanText("the woman has HIV", 2)])
    assert 0.3 < s.leakage_before < 1.0 and s.leakage_after == s.leakage_before


def test_scores_are_plain_floats(scorer: Scorer) -> None:
    s = scorer.score(ORIGINAL, GENERALISED, SPANS)
    for value in (s.utility, s.utility_whole, s.leakage_after, s.leakage_before, *s.residuals):
        assert type(value) is float


class CountingModel:
    """The real model, with its encode calls counted."""

    def __init__(self, model: object) -> None:
        self.model = model
        self.calls: list[list[str]] = []
        self.lock = threading.Lock()

    def encode(self, texts, **kwargs):  # type: ignore[no-untyped-def]
        with self.lock:
            self.calls.append(list(texts))
        return self.model.encode(texts, **kwargs)  # type: ignore[attr-defined]

    def get_embedding_dimension(self) -> int:
        return 384


def test_embedder_caches_per_text(embedder: Embedder) -> None:
    counting = CountingModel(embedder.model)
    emb = Embedder("all-MiniLM-L6-v2", model=counting)
    first = emb.encode(["alpha sentence.", "beta sentence.", "alpha sentence."])
    again = emb.encode(["beta sentence.", "alpha sentence."])
    assert counting.calls == [["alpha sentence.", "beta sentence."]]  # deduplicated, then cached
    assert first.shape == (3, 384)
    assert (again[0] == first[1]).all() and (again[1] == first[0]).all()
    import numpy as np

    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    emb.encode(["alpha sentence.", "gamma sentence."])
    assert counting.calls[-1] == ["gamma sentence."]
    assert emb.encode([]).shape == (0, 384)


def test_embedder_cache_is_bounded_lru(embedder: Embedder) -> None:
    counting = CountingModel(embedder.model)
    emb = Embedder("all-MiniLM-L6-v2", model=counting, cache_size=2)
    emb.encode(["one."])
    emb.encode(["two."])
    emb.encode(["one."])  # refreshes "one."
    emb.encode(["three."])  # evicts "two.", the least recently used
    assert emb.cache_info()["size"] == 2
    emb.encode(["one."])
    assert counting.calls[-1] == ["three."]
    emb.encode(["two."])
    assert counting.calls[-1] == ["two."]


def test_cached_vectors_do_not_keep_their_batch_alive(embedder: Embedder) -> None:
    # A cached row that is a view of the batch array keeps the whole batch in memory for as long as
    # that one row stays cached: on a long stream the evicted rows' memory was never freed.
    emb = Embedder("all-MiniLM-L6-v2", model=embedder.model)
    emb.encode([f"sentence number {i}." for i in range(8)])
    assert all(vec.base is None and vec.nbytes == 384 * 4 for vec in emb._cache.values())


def test_embedder_threads(embedder: Embedder) -> None:
    emb = Embedder("all-MiniLM-L6-v2", model=embedder.model)
    texts = [f"Sentence number {i}." for i in range(40)]
    results: list = [None] * 4

    def work(k: int) -> None:
        results[k] = emb.encode(texts[k * 5 :] + texts[: k * 5])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reference = emb.encode(texts)
    # Batches of other compositions pad differently, so the floats differ in the last bits: compare
    # with a tolerance (exact equality failed by chance on a fresh machine; issue 12.11).
    for k, got in enumerate(results):
        expected = reference[[*range(k * 5, 40), *range(k * 5)]]
        assert np.allclose(got, expected, atol=1e-5, rtol=0), float(np.abs(got - expected).max())


def test_get_embedder_is_one_per_model() -> None:
    assert get_embedder("all-MiniLM-L6-v2") is get_embedder("all-MiniLM-L6-v2")


def _scores(before: float, after: float, utility: float, ratio: float, leaked: int, total: int) -> Scores:
    return Scores(utility, utility, before, after, leaked, total, ratio)


def test_aggregate_scores() -> None:
    rows = [
        _scores(1.0, 0.4, 0.9, 1.0, 0, 2),
        _scores(1.0, 0.6, 0.8, 0.5, 1, 2),
        _scores(0.0, 0.0, 1.0, 1.6, 0, 0),  # no spans: excluded from the leakage means only
    ]
    agg = aggregate_scores(rows)
    assert agg["documents"] == 3 and agg["documents_with_spans"] == 2
    assert agg["leakage_before"] == pytest.approx(1.0)
    assert agg["leakage_after"] == pytest.approx(0.5)
    assert agg["leakage_reduction_pct"] == pytest.approx(50.0)
    assert agg["utility"] == pytest.approx(0.9)
    assert agg["utility_loss_pct"] == pytest.approx(10.0)
    assert agg["length_ratio"] == pytest.approx(3.1 / 3)
    assert (agg["truncations"], agg["bloats"]) == (1, 1)
    assert (agg["leaked_spans"], agg["total_spans"], agg["leaked_span_rate"]) == (1, 4, 0.25)
    empty = aggregate_scores([])
    assert empty["documents"] == 0 and empty["utility"] is None and empty["leakage_reduction_pct"] is None


def test_occurrence_rates() -> None:
    rates = occurrence_rates([{"pii": True, "privacy": False}, {"pii": True, "privacy": True}])
    assert rates["pii"] == 1.0 and rates["privacy"] == 0.5 and rates["harmful"] == 0.0
    assert occurrence_rates([])["pii"] is None
