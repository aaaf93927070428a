"""Issue 12.6: a slow or broken LLM server never makes the tool hang silently.

A scripted loopback server (tests/fault_server.py) plays the broken LLM; requests are counted.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from cli_runner import run_main
from fault_server import FaultServer, ok, sleep

DOCS = [
    "Maria Gonzalez (maria.gonzalez@example.com) was diagnosed with HIV in 2021.",
    "John Smith told colleagues that he is a practising Muslim and a union member.",
]


def dataset(tmp_path: Path, n: int) -> Path:
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"id": f"d{i}", "answer": DOCS[i % 2]}) + "\n" for i in range(n)))
    return data


def rewrite(tmp_path: Path, data: Path, base_url: str, monkeypatch, capsys, *extra: str, env=None):
    argv = ["rewrite", str(data), "--id-field", "id", "-o", str(tmp_path / "out.jsonl"), "--model", "fake",
            "--base-url", base_url, "--no-cache", "--no-score", *extra]  # fmt: skip
    return run_main(argv, monkeypatch, capsys, env=env)


def rows(tmp_path: Path) -> list[dict]:
    return [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]


def test_garbage_replies_cost_at_most_one_repair_per_stage(tmp_path, monkeypatch, capsys):
    data = dataset(tmp_path, 1)
    with FaultServer(default=ok("this is not JSON at all")) as server:
        code, _out, err = rewrite(tmp_path, data, server.base_url, monkeypatch, capsys, "--max-iterations", "3")
        requests = server.request_count
    # critic: ask + one repair; editor: ask + one repair; then the stages stay local for this document.
    assert requests <= 4, requests
    (row,) = rows(tmp_path)
    assert row["semsiedit"]["path"] == "fallback" and "Maria Gonzalez" not in row["rewritten"]
    warnings = [line for line in err.splitlines() if line.startswith("semsiedit: warning:")]
    assert len(warnings) == 2, err  # one for the document, one count at the end
    assert "d0" in warnings[0] and "local editor" in warnings[0]
    assert "1 of 1 documents fell back" in warnings[1]
    assert code == 0


def test_circuit_breaker_counts_unparsable_replies(tmp_path, monkeypatch, capsys):
    data = dataset(tmp_path, 10)
    with FaultServer(default=ok("garbage")) as server:
        code, _out, err = rewrite(tmp_path, data, server.base_url, monkeypatch, capsys, "--jobs", "1",
                                  "--max-iterations", "1")
        requests = server.request_count
    # Five documents of garbage in a row (at most 4 requests each), then no request at all.
    assert requests <= 5 * 4, requests
    out = rows(tmp_path)
    assert len(out) == 10 and all(r["semsiedit"]["path"] == "fallback" for r in out)
    assert "10 of 10 documents fell back" in err
    assert code in (0, 3)


def test_timeout_flag_and_document_deadline_bound_a_slow_server(tmp_path, monkeypatch, capsys):
    data = dataset(tmp_path, 1)
    with FaultServer(default=sleep(30)) as server:
        started = time.monotonic()
        code, _out, err = rewrite(tmp_path, data, server.base_url, monkeypatch, capsys, "--timeout", "0.5",
                                  "--document-timeout", "1.2", env={"SEMSIEDIT_MAX_RETRIES": "5"})
        took = time.monotonic() - started
        requests = server.request_count
    # Without the deadline: 6 attempts x 0.5 s per stage; with it the document's LLM time ends at 1.2 s.
    assert requests <= 3, requests
    assert took < 20  # model loading included; the server would hold each request 30 s
    (row,) = rows(tmp_path)
    assert row["semsiedit"]["path"] == "fallback" and "Maria Gonzalez" not in row["rewritten"]
    assert "semsiedit: warning: d0:" in err and "timeout" in err
    assert code == 3  # the server was unusable for every document


def test_timeout_is_in_help_and_config(tmp_path, monkeypatch, capsys):
    code, out, _err = run_main(["rewrite", "--help"], monkeypatch, capsys)
    assert code == 0 and "--timeout" in out and "--document-timeout" in out
    from semsiedit.config import load_settings

    (tmp_path / "semsiedit.toml").write_text("timeout = 7\ndocument_timeout = 30\n")
    s = load_settings(cwd=tmp_path, env={"SEMSIEDIT_TIMEOUT": "9"})
    assert (s.timeout, s.document_timeout) == (9.0, 30.0)
