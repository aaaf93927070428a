"""The Python API: `from semsiedit import rewrite_text, detect_text` (and the batch forms), real models."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from cli_runner import run_main

import semsiedit
from semsiedit import Settings, detect_text, detect_texts, rewrite_text, rewrite_texts
from semsiedit.errors import ConfigError, InputError
from semsiedit.types import DocumentResult, Finding

NOTE = "Patient Maria Gonzalez was diagnosed with HIV last year. Call her at 555-123-4567."
FAST = Settings(score=False)


def test_import_semsiedit_is_light():
    code = ("import sys, semsiedit\n"
            "print(sorted(m for m in ('semsiedit.api', 'semsiedit.loop', 'spacy', 'torch', 'pydantic') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert out.strip() == "[]"
    assert "rewrite_text" in dir(semsiedit)
    with pytest.raises(AttributeError):
        _ = semsiedit.no_such_name


def test_rewrite_text_returns_typed_result():
    result = rewrite_text(NOTE, FAST)
    assert isinstance(result, DocumentResult)
    assert "Maria" not in result.rewritten and "HIV" not in result.rewritten and "555-123-4567" not in result.rewritten
    assert {f.category for f in result.findings_before} >= {"pii", "privacy"}
    first_round = [d.edit for d in result.rounds[0].decisions if d.accepted]
    assert first_round and all(NOTE[e.start : e.end] == e.original for e in first_round)


def test_rewrite_text_overrides_and_scores():
    result = rewrite_text(NOTE, pseudonyms="placeholder", max_iterations=1)
    assert re.search(r"<PERSON_\d+>", result.rewritten)
    assert result.scores is not None and 0 <= result.scores.leakage_after < result.scores.leakage_before
    with pytest.raises(ConfigError, match="pseudonyms"):
        rewrite_text(NOTE, pseudonyms="shuffle")


def test_rewrite_texts_is_one_run_with_consistent_surrogates():
    texts = ["Maria Gonzalez called about her bill.", "The bill was sent to Maria Gonzalez in May."]
    first, second = rewrite_texts(texts, FAST)
    surrogate = next(d.edit.replacement for r in first.rounds for d in r.decisions if d.accepted)
    assert surrogate in first.rewritten and surrogate in second.rewritten
    assert "Gonzalez" not in first.rewritten + second.rewritten
    with pytest.raises(InputError, match="contexts"):
        rewrite_texts(texts, FAST, contexts=["only one"])
    with pytest.raises(InputError, match="not str"):
        rewrite_texts(["fine", None], FAST)  # type: ignore[list-item]


def test_detect_text_and_texts():
    findings = detect_text(NOTE)
    assert findings and all(isinstance(f, Finding) for f in findings)
    assert all(NOTE[f.start : f.end] == f.text for f in findings)
    assert {"PERSON", "PHONE_NUMBER"} <= {f.label for f in findings}
    many = detect_texts([NOTE, "The weather is mild today."])
    assert len(many) == 2 and many[1] == []
    assert [(f.start, f.end, f.label) for f in many[0]] == [(f.start, f.end, f.label) for f in findings]


def test_cli_detect_uses_the_same_function(tmp_path, monkeypatch, capsys):
    path = tmp_path / "note.txt"
    path.write_text(NOTE)
    code, out, _err = run_main(["detect", str(path), "--format", "json"], monkeypatch, capsys, cwd=tmp_path)
    assert code == 1
    cli = [(f["start"], f["end"], f["label"]) for f in json.loads(out)[0]["findings"]]
    assert cli == [(f.start, f.end, f.label) for f in detect_text(NOTE)]
