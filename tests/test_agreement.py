"""Detection evaluation against SemSI-format rows."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from semsiedit.agreement import (
    cohen_kappa,
    evaluate_detection,
    format_agreement_table,
    format_agreement_text,
    gold_spans,
)
from semsiedit.types import Finding

ANSWER = "Smith lied to the court.  He was  diagnosed with cancer."


def test_gold_spans_from_full_marked_copy_with_other_whitespace() -> None:
    marked = "Smith lied to the court. He was <<<diagnosed  with cancer>>>."
    ((s, e),) = gold_spans(marked, ANSWER)
    assert ANSWER[s:e] == "diagnosed with cancer"


def test_gold_spans_from_excerpt_only_copy() -> None:
    ((s, e),) = gold_spans("<<<He was diagnosed with cancer.>>>", ANSWER)
    assert ANSWER[s:e] == "He was  diagnosed with cancer."
    assert gold_spans(None, ANSWER) == []


def test_cohen_kappa() -> None:
    assert cohen_kappa([True, False, True, False], [True, False, True, False]) == 1.0
    assert cohen_kappa([True, True], [True, True]) == 0.0
    assert cohen_kappa([True, False, False, True], [False, True, True, False]) == pytest.approx(-1.0)


class FixedDetector:
    """Returns fixed findings: evaluation arithmetic is tested without models."""

    def __init__(self, findings: list[list[Finding]]) -> None:
        self.findings = findings

    def detect_many(self, texts: Sequence[str], batch_size: int = 32) -> list[list[Finding]]:
        return self.findings[: len(texts)]


def test_evaluate_detection_metrics() -> None:
    rows = [
        {"answer": ANSWER, "ifHarmful": "yes", "harmful": "<<<Smith lied to the court.>>>", "ifPrivacy": "no"},
        {"answer": "Nothing here.", "ifHarmful": "no", "ifPrivacy": "no"},
        {"answer": "Jones cheated.", "ifHarmful": "yes", "harmful": "<<<Jones cheated.>>>", "ifPrivacy": "no"},
    ]
    predicted = [
        [Finding(0, 10, "Smith lied", "harmful", "dishonesty")],
        [Finding(0, 7, "Nothing", "harmful", "x")],
        [],
    ]
    res = evaluate_detection(rows, FixedDetector(predicted), categories=["harmful", "privacy"])
    h = res["categories"]["harmful"]
    assert (h["tp"], h["fp"], h["fn"], h["tn"]) == (1, 1, 1, 0)
    assert h["precision"] == 0.5 and h["recall"] == 0.5
    # Row 1: 10 of 24 gold characters; row 3: missed, 0.
    assert h["span_jaccard"] == pytest.approx((10 / 24) / 2, abs=1e-4)
    assert res["categories"]["privacy"]["predicted"] == 0
    assert "harmful" in format_agreement_text({"local": res})
    assert format_agreement_table(res).row_count == 3  # the two categories and "any"
    anyc = res["any_category"]  # rows 1 and 2 flagged for harmful, rows 1 and 3 gold
    assert (anyc["gold"], anyc["predicted"], anyc["precision"], anyc["recall"]) == (2, 2, 0.5, 0.5)


def test_evaluate_with_real_engine_on_a_few_rows() -> None:
    from semsiedit.config import Settings
    from semsiedit.detection import DetectionEngine

    rows = [
        {
            "answer": "Vaccines cause autism.",
            "ifMisinformation": "yes",
            "misinformation": "<<<Vaccines cause autism>>>.",
        },
        {"answer": "There is no evidence that vaccines cause autism.", "ifMisinformation": "no"},
    ]
    res = evaluate_detection(
        rows, DetectionEngine(Settings(categories=["misinformation"])), categories=["misinformation"]
    )
    m = res["categories"]["misinformation"]
    assert (m["tp"], m["fp"], m["fn"], m["tn"]) == (1, 0, 0, 1)
    assert m["kappa"] == 1.0 and m["span_jaccard"] > 0.9
