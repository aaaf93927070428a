"""detect, score, eval and doctor on the real models, with a small SemSI-format fixture."""

from __future__ import annotations

import json
from pathlib import Path

from cli_runner import run_main

FIXTURE = Path(__file__).parent / "fixtures" / "semsi_small.jsonl"
TEXT = "Maria Gonzalez (maria.gonzalez@example.com) was diagnosed with HIV.\n"


def run(argv, monkeypatch, capsys):
    return run_main(argv, monkeypatch, capsys)


def test_detect_jsonl_exit_codes_and_hidden_values(tmp_path, monkeypatch, capsys):
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "b.txt").write_text("The weather was pleasant.\n")
    code, out, _err = run(["detect", str(tmp_path), "--format", "jsonl"], monkeypatch, capsys)
    assert code == 1  # something was found
    records = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert records["b.txt"]["findings"] == []
    findings = records["a.txt"]["findings"]
    assert {f["category"] for f in findings} >= {"pii", "privacy"}
    assert all({"start", "end", "category", "label", "severity", "score", "source"} <= set(f) for f in findings)
    assert "Maria" not in out and "HIV" not in out
    code, out, _err = run(["detect", str(tmp_path / "b.txt"), "--format", "json"], monkeypatch, capsys)
    assert code == 0 and json.loads(out) == [{"id": str(tmp_path / "b.txt"), "findings": []}]


def test_detect_table_with_values_and_offsets_on_non_ascii(tmp_path, monkeypatch, capsys):
    text = "Zoë Müller — née Ångström — wrote to zoe.muller@example.com about her depression.\n"
    (tmp_path / "n.txt").write_text(text, encoding="utf-8")
    code, out, _err = run(["detect", str(tmp_path / "n.txt"), "--format", "json", "--show-values"], monkeypatch, capsys)
    assert code == 1
    for finding in json.loads(out)[0]["findings"]:
        assert text[finding["start"] : finding["end"]] == finding["text"]
    code, out, _err = run(["detect", str(tmp_path / "n.txt"), "--show-values"], monkeypatch, capsys)
    assert "zoe.muller@example.com" in out and "EMAIL_ADDRESS" in out


def test_score_pair_with_detected_spans(tmp_path, monkeypatch, capsys):
    (tmp_path / "o.txt").write_text(TEXT)
    (tmp_path / "same.txt").write_text(TEXT)
    (tmp_path / "r.txt").write_text("The patient (a private address) was diagnosed with a chronic condition.\n")
    code, out, _err = run(["score", str(tmp_path / "o.txt"), str(tmp_path / "same.txt"), "--json"], monkeypatch, capsys)
    same = json.loads(out)
    assert code == 0 and same["leakage_after"] == 1.0 and same["utility"] > 0.99
    code, out, _err = run(["score", str(tmp_path / "o.txt"), str(tmp_path / "r.txt"), "--json"], monkeypatch, capsys)
    rewritten = json.loads(out)
    assert rewritten["leakage_after"] < 0.75 and rewritten["total_spans"] >= 2
    assert rewritten["spans_by_category"]["pii"] >= 2


def test_score_with_a_findings_file(tmp_path, monkeypatch, capsys):
    (tmp_path / "o.txt").write_text(TEXT)
    (tmp_path / "r.txt").write_text("Person A (an address) was diagnosed with HIV.\n")
    findings = [{"start": 0, "end": 14, "category": "pii", "severity": 2},
                {"start": TEXT.index("HIV"), "end": TEXT.index("HIV") + 3, "category": "privacy", "severity": 3}]
    (tmp_path / "f.json").write_text(json.dumps({"findings": findings}))
    code, out, _err = run(["score", str(tmp_path / "o.txt"), str(tmp_path / "r.txt"), "--findings",
                           str(tmp_path / "f.json"), "--json"], monkeypatch, capsys)
    result = json.loads(out)
    assert code == 0 and result["total_spans"] == 2
    assert result["residuals"][1] == 1.0  # "HIV" survived verbatim
    (tmp_path / "bad.json").write_text(json.dumps([{"start": 0, "end": 999}]))
    code, _out, err = run(["score", str(tmp_path / "o.txt"), str(tmp_path / "r.txt"), "--findings",
                           str(tmp_path / "bad.json")], monkeypatch, capsys)
    assert code == 2 and "outside the original" in err


def test_eval_rewrite_writes_summary_per_doc_and_pareto(tmp_path, monkeypatch, capsys):
    out_dir = tmp_path / "out"
    code, out, err = run(["eval", str(FIXTURE), "--out", str(out_dir), "--sweep", "max_iterations=0,1"],
                         monkeypatch, capsys)
    assert code == 0, err
    summary = json.loads((out_dir / "summary.json").read_text())
    names = [c["name"] for c in summary["configurations"]]
    assert names == ["max_iterations=0", "max_iterations=1", "redact everything", "Presidio replace"]
    by_name = {c["name"]: c for c in summary["configurations"]}
    untouched, edited = by_name["max_iterations=0"], by_name["max_iterations=1"]
    assert untouched["leakage_after"] == untouched["leakage_before"] and untouched["utility"] > 0.99
    assert edited["leakage_after"] < edited["leakage_before"]
    assert edited["gold_leakage_after"] < edited["gold_leakage_before"]
    assert edited["utility"] > by_name["redact everything"]["utility"] - 0.2
    per_doc = [json.loads(line) for line in (out_dir / "per_doc.jsonl").read_text().splitlines()]
    assert len(per_doc) == 6 * 4
    png = (out_dir / "pareto.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert "leakage" in out


def test_eval_measures_the_configured_specific_claims_setting(tmp_path, monkeypatch, capsys):
    """eval measures what rewrite does by default (specific claims off); --specific-claims turns them on."""
    for argv, expected in (([], False), (["--specific-claims"], True)):
        out_dir = tmp_path / str(expected)
        code, _out, err = run(["eval", str(FIXTURE), "--no-baselines", "--limit", "1", "--out", str(out_dir), *argv],
                              monkeypatch, capsys)
        assert code == 0, err
        assert json.loads((out_dir / "summary.json").read_text())["settings"]["specific_claims"] is expected


def test_eval_detect_agreement_json(tmp_path, monkeypatch, capsys):
    code, out, err = run(["eval", str(FIXTURE), "--task", "detect", "--json"], monkeypatch, capsys)
    assert code == 0, err
    result = json.loads(out)
    local = result["semsiedit"]["categories"]
    assert set(local) == {"privacy", "harmful", "misinformation"}
    assert local["privacy"]["gold"] == 3 and local["harmful"]["gold"] == 2
    assert result["presidio"]["categories"]["privacy"]["predicted"] >= 1


def test_eval_scores_external_rewrites(tmp_path, monkeypatch, capsys):
    rows = [json.loads(line) for line in FIXTURE.read_text().splitlines()]
    rewritten = tmp_path / "theirs.jsonl"
    rewritten.write_text("".join(json.dumps({"uid": r["uid"], "rewritten": "[removed]"}) + "\n" for r in rows))
    code, out, err = run(["eval", str(FIXTURE), "--rewritten", str(rewritten), "--no-baselines", "--json"],
                         monkeypatch, capsys)
    assert code == 0, err
    (config,) = json.loads(out)["configurations"]
    assert config["kind"] == "external" and config["truncated_docs"] == 6
    assert config["utility"] < 0.5


def test_doctor_reports_models(monkeypatch, capsys):
    code, out, _err = run(["doctor"], monkeypatch, capsys)
    assert code == 0
    assert "spaCy model" in out and "embedding model" in out and "none configured" in out
