"""The LLM path through the whole pipeline: faults, fallbacks, cache, concurrency, secrets.

A scripted server (tests/fault_server.py) plays a well-behaved or a broken LLM; the real llama.cpp
server runs the same pipeline in test_llm_loop.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli_runner import run_main, wait_for_lines
from fault_server import FaultServer, json_reply, non_json, status, unused_port

SECRET_KEY = "sk-test-SECRET-4242"
DOCS = [
    "Maria Gonzalez (maria.gonzalez@example.com) was diagnosed with HIV in 2021.",
    "John Smith told colleagues that he is a practising Muslim and a union member.",
    "The weather in the valley was pleasant all week.",
]


GENERALISE = {
    "Maria Gonzalez": "the patient", "maria.gonzalez@example.com": "a private address", "HIV": "a chronic condition",
    "John Smith": "a colleague", "a practising Muslim": "religious", "a union member": "active at work",
}


def good_llm(body: dict) -> object:
    """A well-behaved LLM: no extra critic findings; the editor generalises inside each flagged span."""
    system = body["messages"][0]["content"]
    user = body["messages"][-1]["content"]
    if "privacy reviewer" in system:
        return json_reply({"findings": []})
    if "privacy editor" in system:
        edits = []
        for fid, quote in re.findall(r"^- (f\d+) \[[^\]]*\]: (\".*?\")", user, flags=re.MULTILINE):
            replacement = json.loads(quote)
            for value, general in GENERALISE.items():
                replacement = replacement.replace(value, general)
            edits.append({"id": fid, "replacement": replacement})
        return json_reply({"edits": edits})
    return json_reply({"answer": "ok"})


def write_dataset(tmp_path: Path) -> Path:
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"id": f"d{i}", "answer": t}) + "\n" for i, t in enumerate(DOCS)))
    return data


def run(argv, monkeypatch, capsys, env: dict[str, str] | None = None):
    return run_main(argv, monkeypatch, capsys, env={"OPENAI_API_KEY": SECRET_KEY, **(env or {})})


def rewrite_args(data: Path, out: Path, base_url: str, tmp_path: Path, *extra: str) -> list[str]:
    return ["rewrite", str(data), "--id-field", "id", "-o", str(out), "--model", "fake", "--base-url", base_url,
            "--cache-dir", str(tmp_path / "cache"), "--report", str(tmp_path / "report.jsonl"), "--no-score", *extra]


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_good_llm_edits_spans_and_second_run_is_served_from_cache(tmp_path, monkeypatch, capsys):
    data = write_dataset(tmp_path)
    with FaultServer(rules=[good_llm]) as server:
        code, _out, err = run(rewrite_args(data, tmp_path / "o1.jsonl", server.base_url, tmp_path), monkeypatch, capsys)
        assert code == 0, err
        first_calls = server.request_count
        assert first_calls > 0
        rows = read_lines(tmp_path / "o1.jsonl")
        assert rows[0]["semsiedit"]["path"] == "llm"
        assert rows[0]["rewritten"] == "the patient (a private address) was diagnosed with a chronic condition in 2021."
        assert "Maria Gonzalez" not in rows[0]["rewritten"]
        assert rows[2]["rewritten"] == DOCS[2]
        assert rows[0]["semsiedit"]["usage"]["calls"] > 0
        assert rows[0]["semsiedit"]["prompt_hashes"]["editor"]

        code, _out, err = run(rewrite_args(data, tmp_path / "o2.jsonl", server.base_url, tmp_path), monkeypatch, capsys)
        assert code == 0, err
        assert server.request_count == first_calls  # zero new requests: all from the disk cache
        again = read_lines(tmp_path / "o2.jsonl")
        assert [r["rewritten"] for r in again] == [r["rewritten"] for r in rows]
        assert again[0]["semsiedit"]["usage"]["cached_calls"] > 0

        code, _out, err = run(rewrite_args(data, tmp_path / "o3.jsonl", server.base_url, tmp_path, "--no-cache"),
                              monkeypatch, capsys)
        assert code == 0
        assert server.request_count == 2 * first_calls  # --no-cache asks again


def test_server_errors_fall_back_to_local_and_the_batch_finishes(tmp_path, monkeypatch, capsys):
    data = write_dataset(tmp_path)
    with FaultServer(default=status(500)) as server:
        code, _out, err = run(
            rewrite_args(data, tmp_path / "out.jsonl", server.base_url, tmp_path),
            monkeypatch, capsys, env={"SEMSIEDIT_MAX_RETRIES": "1"},
        )
        assert server.request_count > 0
    assert code == 3  # the backend failed for every document: said loudly, but nothing lost
    assert "local editor" in err and "3 documents" in err
    rows = read_lines(tmp_path / "out.jsonl")
    assert [r["id"] for r in rows] == ["d0", "d1", "d2"]
    assert "Maria Gonzalez" not in rows[0]["rewritten"]  # the local editor's rewrite
    flagged = [r for r in rows if r["semsiedit"]["findings_before"]["pii"]]
    assert flagged and all(r["semsiedit"]["path"] == "fallback" for r in flagged)
    notes = " ".join(n for r in rows for rnd in r["semsiedit"]["rounds"] for n in rnd["notes"])
    assert "failed (server_error)" in notes
    assert "fall back to local" in err or "fell back to local" in err


def test_connection_refused_falls_back(tmp_path, monkeypatch, capsys):
    data = write_dataset(tmp_path)
    url = f"http://127.0.0.1:{unused_port()}/v1"
    code, _out, _err = run(rewrite_args(data, tmp_path / "out.jsonl", url, tmp_path), monkeypatch, capsys,
                           env={"SEMSIEDIT_MAX_RETRIES": "0"})
    assert code == 3
    rows = read_lines(tmp_path / "out.jsonl")
    assert len(rows) == 3 and "Maria Gonzalez" not in rows[0]["rewritten"]


def test_malformed_replies_fall_back_per_document(tmp_path, monkeypatch, capsys):
    """Garbage from the server for one document's calls; the others are edited by the LLM."""
    data = write_dataset(tmp_path)

    def flaky(body: dict) -> object:
        user = body["messages"][-1]["content"]
        return non_json() if "John Smith" in user else good_llm(body)

    with FaultServer(rules=[flaky]) as server:
        code, _out, err = run(rewrite_args(data, tmp_path / "out.jsonl", server.base_url, tmp_path, "--jobs", "3"),
                              monkeypatch, capsys, env={"SEMSIEDIT_MAX_RETRIES": "1"})
    assert code == 0, err
    rows = read_lines(tmp_path / "out.jsonl")
    assert [r["id"] for r in rows] == ["d0", "d1", "d2"]  # order kept with 3 jobs
    assert rows[0]["semsiedit"]["path"] == "llm"
    assert rows[1]["semsiedit"]["path"] == "fallback"
    assert "John Smith" not in rows[1]["rewritten"]


def test_api_key_and_values_never_reach_logs_reports_or_errors(tmp_path, monkeypatch, capsys):
    data = write_dataset(tmp_path)
    with FaultServer(default=status(401, body=json.dumps({"error": {"message": f"bad key {SECRET_KEY}"}}))) as server:
        code, out, err = run(
            [*rewrite_args(data, tmp_path / "out.jsonl", server.base_url, tmp_path), "--debug"],
            monkeypatch, capsys,
        )
        sent_keys = [h.get("Authorization", h.get("authorization", "")) for h in server.headers]
    assert code == 3
    assert any(SECRET_KEY in k for k in sent_keys)  # the key did go to the server, and only there
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".sqlite3"]
    written = "".join(p.read_text(errors="replace") for p in files)
    for blob in (out, err, written, (tmp_path / "report.jsonl").read_text()):
        assert SECRET_KEY not in blob
    report = (tmp_path / "report.jsonl").read_text()
    for value in ("Maria Gonzalez", "maria.gonzalez@example.com", "HIV", "Muslim"):
        assert value not in report
        assert value not in err


@pytest.mark.parametrize("fault", ["timeout", "rate_limit"])
def test_slow_and_rate_limited_servers(tmp_path, monkeypatch, capsys, fault):
    from fault_server import sleep

    data = tmp_path / "one.jsonl"
    data.write_text(json.dumps({"id": "x", "answer": DOCS[0]}) + "\n")
    behaviour = sleep(5.0) if fault == "timeout" else status(429, retry_after=0)
    with FaultServer(default=behaviour) as server:
        code, _out, _err = run(
            rewrite_args(data, tmp_path / "out.jsonl", server.base_url, tmp_path),
            monkeypatch, capsys, env={"SEMSIEDIT_MAX_RETRIES": "1", "SEMSIEDIT_TIMEOUT": "1"},
        )
        attempts = server.request_count
    assert code == 3
    assert attempts == 2  # one call (the critic), retried once, then the local fallback for the rest
    (row,) = read_lines(tmp_path / "out.jsonl")
    assert row["semsiedit"]["path"] == "fallback" and "Maria Gonzalez" not in row["rewritten"]


def test_circuit_breaker_stops_asking_a_dead_server(tmp_path, monkeypatch, capsys):
    data = tmp_path / "many.jsonl"
    data.write_text("".join(json.dumps({"id": f"d{i}", "answer": DOCS[i % 2]}) + "\n" for i in range(12)))
    with FaultServer(default=status(503)) as server:
        code, _out, _err = run(rewrite_args(data, tmp_path / "out.jsonl", server.base_url, tmp_path, "--jobs", "1"),
                               monkeypatch, capsys, env={"SEMSIEDIT_MAX_RETRIES": "0"})
        requests = server.request_count
    assert code == 3
    assert requests == 5  # five documents failed in a row; the other seven never waited on the server
    rows = read_lines(tmp_path / "out.jsonl")
    assert len(rows) == 12 and all(r["semsiedit"]["path"] == "fallback" for r in rows)
    assert all("Maria Gonzalez" not in r["rewritten"] for r in rows)


@pytest.mark.slow
def test_ctrl_c_with_requests_in_flight_exits_at_once_and_resume_finishes(tmp_path):
    """SIGINT while `--jobs 2` workers wait on replies: exit 130 now, not when the replies time out;
    finished documents stay in the .partial file and --resume completes the rest in order."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from fault_server import sleep

    data = tmp_path / "d.jsonl"
    answers = [f"Case {i}: Maria Gonzalez was diagnosed with HIV; John Smith knew." for i in range(12)]
    data.write_text("".join(json.dumps({"id": f"d{i}", "answer": a}) + "\n" for i, a in enumerate(answers)))
    out = tmp_path / "out.jsonl"

    def then_hang(body: dict) -> object:
        fast = any(f"Case {i}:" in body["messages"][-1]["content"] for i in range(3))
        return good_llm(body) if fast else sleep(120.0, good_llm(body))  # d3 on: the replies never come

    env = {**os.environ, "OPENAI_API_KEY": SECRET_KEY, "PYTHONUNBUFFERED": "1", "SEMSIEDIT_TIMEOUT": "100"}
    with FaultServer(rules=[then_hang], max_lifetime=300) as server:
        cmd = [sys.executable, "-m", "semsiedit", *rewrite_args(data, out, server.base_url, tmp_path, "--jobs", "2")]
        # A suite started in the background by a shell without job control inherits SIGINT ignored, and
        # Python then installs no Ctrl-C handler: give the child the default disposition, as a terminal would.
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        partial = out.with_name("out.jsonl.partial")
        wait_for_lines(partial, 3, proc)
        time.sleep(1.0)  # d3 and d4 are now waiting on replies that never come
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail("semsiedit kept waiting for in-flight LLM replies after Ctrl-C")
        elapsed = time.monotonic() - started
    assert proc.returncode == 130, err[-2000:]
    assert "interrupted" in err and "Traceback" not in err
    assert elapsed < 20
    kept = [json.loads(line)["id"] for line in partial.read_text().splitlines()]
    assert kept == ["d0", "d1", "d2"]
    assert not out.exists()

    with FaultServer(rules=[good_llm]) as server:
        cmd = [sys.executable, "-m", "semsiedit", *rewrite_args(data, out, server.base_url, tmp_path, "--jobs", "2",
                                                                "--resume")]
        resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    rows = read_lines(out)
    assert [r["id"] for r in rows] == [f"d{i}" for i in range(12)]
    assert all("Maria Gonzalez" not in r["rewritten"] for r in rows)
