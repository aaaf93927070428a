"""needs_review (semsiedit/review.py, --risk, --fail-on-review) and the seeded synthetic record
generator (semsiedit/synthetic.py)."""

from __future__ import annotations

import json

import pytest

from semsiedit.config import Settings
from semsiedit.review import PRESETS, review
from semsiedit.types import DocumentResult, Finding, Scores
from tests.cli_runner import run_main


def _result(utility: float, residual: float, left: int = 0) -> DocumentResult:
    scores = Scores(utility, utility, 1.0, residual, int(residual > 0.75), 1, 1.0, [residual])
    after = [Finding(0, 4, "Anna", "pii", "PERSON")] * left
    return DocumentResult(id="d", original="Anna x", rewritten="someone x", scores=scores, findings_after=after)


def test_presets_order_strictness() -> None:
    assert PRESETS["strict"].leakage < PRESETS["balanced"].leakage < PRESETS["lenient"].leakage
    assert PRESETS["strict"].utility > PRESETS["balanced"].utility > PRESETS["lenient"].utility


def test_review_reasons_follow_the_thresholds() -> None:
    good = _result(utility=0.95, residual=0.3)
    assert review(good, Settings()) == []
    leaky = _result(utility=0.95, residual=0.8)
    assert any("leakage" in r for r in review(leaky, Settings()))
    assert review(leaky, Settings(risk="lenient")) == []
    lossy = _result(utility=0.7, residual=0.3)
    assert any("utility" in r for r in review(lossy, Settings(risk="balanced")))
    assert review(lossy, Settings(risk="balanced", review_utility=0.6)) == []
    left = _result(utility=0.95, residual=0.3, left=1)
    assert any("finding" in r for r in review(left, Settings()))


def test_detector_disagreement_counts_only_with_an_llm_critic() -> None:
    result = _result(utility=0.95, residual=0.3)
    result.findings_before = [Finding(0, 4, "Anna", "privacy", "health", source="llm-critic"),
                              Finding(10, 14, "debt", "privacy", "finances", source="semsi-local"),
                              Finding(20, 24, "fraud", "harmful", "accusation", source="semsi-local")]  # fmt: skip
    assert any("disagreement" in r for r in review(result, Settings(risk="strict")))
    result.findings_before = [f for f in result.findings_before if f.source != "llm-critic"]
    assert review(result, Settings(risk="strict")) == []


@pytest.mark.slow
def test_fail_on_review_exits_1_and_the_report_records_it(tmp_path, monkeypatch, capsys) -> None:
    doc = tmp_path / "note.txt"
    doc.write_text("Maria Gonzalez was diagnosed with HIV in 2021 and told her boss.\n", encoding="utf-8")
    report = tmp_path / "report.jsonl"
    argv = ["rewrite", str(doc), "-o", str(tmp_path / "out.txt"), "--report", str(report), "--profile", "record"]
    code, _, err = run_main([*argv, "--risk", "strict"], monkeypatch, capsys)
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    doc_rows = [r for r in rows if "needs_review" in r]
    assert doc_rows and doc_rows[0]["profile"]["name"] == "record"
    flagged = doc_rows[0]["needs_review"]
    assert code == 0, err
    code, _, _ = run_main([*argv, "--risk", "strict", "--fail-on-review"], monkeypatch, capsys)
    assert code == (1 if flagged else 0)
    code, _, _ = run_main([*argv, "--risk", "bogus"], monkeypatch, capsys)
    assert code != 0


def test_synthetic_records_are_seeded_and_labelled() -> None:
    pytest.importorskip("faker")
    from semsiedit.synthetic import DOMAINS, generate

    first, again, other = generate(12, seed=7), generate(12, seed=7), generate(12, seed=8)
    assert [r.to_dict() for r in first] == [r.to_dict() for r in again]
    assert [r.text for r in first] != [r.text for r in other]
    assert {r.domain for r in first} == set(DOMAINS)
    for record in first:
        assert record.spans and all(record.text[s.start : s.end] == s.value for s in record.spans)
        kinds = {s.kind for s in record.spans}
        assert {"direct", "attribute"} <= kinds
        assert all(n in record.text for n in record.neutral)
