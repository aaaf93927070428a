"""Progress on stderr: a rich bar on a terminal, `--progress` status lines elsewhere; stdout stays clean."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_runner import run_main
from rich.console import Console

from semsiedit import api
from semsiedit.config import Settings
from semsiedit.progress import RunProgress, choose_mode

TEXTS = ["Maria Gonzalez has HIV.", "Tom Brandt lied to the auditors.", "The weather is mild.",
         "Call Greta at 555-123-4567."]


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for i, text in enumerate(TEXTS):
        (folder / f"d{i}.txt").write_text(text + "\n")
    return folder


def test_mode_choice():
    assert choose_mode(None, is_terminal=True, worth_it=True) == "bar"
    assert choose_mode(None, is_terminal=True, worth_it=False) == "off"
    assert choose_mode(None, is_terminal=False, worth_it=True) == "off"
    assert choose_mode(True, is_terminal=False, worth_it=False) == "lines"
    assert choose_mode(True, is_terminal=True, worth_it=False) == "bar"
    assert choose_mode(False, is_terminal=True, worth_it=True) == "off"


def test_bar_on_a_terminal_console_and_clean_stdout(tmp_path):
    err = io.StringIO()
    console = Console(file=err, force_terminal=True, width=140)
    out = io.StringIO()
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps({"answer": t}) + "\n" for t in TEXTS))
    summary = api.rewrite_paths([str(data)], Settings(score=False), console=console, stdout=out)
    assert summary.documents == len(TEXTS)
    shown = err.getvalue()
    assert f"{len(TEXTS)}/{len(TEXTS)}" in shown and "docs/s" in shown and "ETA" in shown
    lines = out.getvalue().splitlines()
    assert len(lines) == len(TEXTS) and all(json.loads(line)["rewritten"] for line in lines)


def test_status_lines_when_stderr_is_not_a_terminal():
    stream = io.StringIO()
    with RunProgress("lines", total=4, interval=0.05, stream=stream) as shown:
        for done in range(1, 3):
            shown.update(done)
            time.sleep(0.12)
    lines = stream.getvalue().splitlines()
    assert len(lines) >= 2 and all(line.startswith("semsiedit: rewriting ") for line in lines)
    assert any("2/4 documents" in line and "docs/s" in line and "ETA" in line for line in lines)
    assert lines[-1].endswith("(done)")


def test_cli_progress_flag_writes_a_status_line_not_to_stdout(tmp_path, monkeypatch, capsys):
    folder = _folder(tmp_path)
    code, out, err = run_main(["rewrite", str(folder), "-o", str(tmp_path / "out"), "--progress", "--no-score"],
                              monkeypatch, capsys)
    assert code == 0, err
    assert out == ""
    assert f"semsiedit: rewriting {len(TEXTS)}/{len(TEXTS)} documents" in err and "(done)" in err
    code, out, err = run_main(["rewrite", str(folder), "-o", str(tmp_path / "out2"), "--no-score"], monkeypatch, capsys)
    assert code == 0 and "semsiedit: rewriting" not in err  # not a terminal, not asked for


def test_long_single_document_counts_its_chunks():
    from semsiedit.detection import DetectionEngine

    # Distinct paragraphs: a piece seen before is not parsed (or counted) again.
    text = "".join(f"Maria Gonzalez visited the clinic on day {i} and talked about the weather.\n\n" for i in range(40))
    engine = DetectionEngine(Settings(), max_parse_chars=1000)
    pieces = len(engine._pieces(text))
    assert pieces > 2
    stream = io.StringIO()
    with RunProgress("lines", total=1, interval=3600, stream=stream, single=True) as shown:
        engine.detect_many([text])
        assert f"chunks {pieces}/{pieces}" in shown.status()
    engine.detect_many([text])  # no progress shown: the hook is a no-op
    assert stream.getvalue().count("\n") == 1  # only the final line


@pytest.mark.slow
def test_bar_in_a_real_pseudo_terminal(tmp_path):
    """The CLI as a user runs it: stderr on a terminal shows the bar; stdout, a pipe, only the data."""
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps({"answer": t}) + "\n" for t in TEXTS))
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "140", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "semsiedit", "rewrite", str(data), "--no-score"],
                            stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL, env=env,
                            cwd=tmp_path)
    os.close(follower)
    seen = b""
    deadline = time.time() + 600
    while time.time() < deadline:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    out = proc.communicate(timeout=60)[0].decode()
    os.close(leader)
    assert proc.returncode == 0
    text = seen.decode(errors="replace")
    assert "docs/s" in text and f"/{len(TEXTS)}" in text
    assert [json.loads(line)["rewritten"] for line in out.splitlines()]
    assert "docs/s" not in out and "\x1b[" not in out
